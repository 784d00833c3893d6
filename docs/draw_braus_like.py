"""Paint a Braus-like mid-thigh cross-section as a labelled image (``assets/braus_like_section.png``).

Braus's classic drawing colours the thigh's muscle compartments: the quadriceps red, the
adductors green, the hamstrings blue, the femur white in a ring of yellow subcutaneous fat, dark
lines between the muscles. This script paints the built-in thigh's section at 40 % of the femur
(viewed from below, anterior up, the right thigh's lateral side on the left) that way, each
muscle in its own shade of its compartment's colour so the drawing reads as muscles, the femur
as a white cortex round a cream medullary cavity, anti-aliased, on white paper. The sartorius
is violet: Braus gives it no compartment colour, so ThighView reports it as an unmapped colour
and the user names it in the Image import dialog.

``python docs/draw_braus_like.py [OUT.png] [--level 0.4] [--mm-per-pixel 0.125]``: the picture
is drawn at an exact scale (printed), so what the app measures can be checked against it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: Shades per muscle (each within the default colour map's tolerance of its compartment's colour).
SHADES = {
    "rectus_femoris": "#d8473a", "vastus_lateralis": "#c8372d", "vastus_intermedius": "#a82a24",
    "vastus_medialis": "#e05a50",
    "adductor_longus": "#4aa850", "adductor_brevis": "#3f9a45", "adductor_magnus": "#2f8a3a",
    "gracilis": "#62b862",
    "biceps_femoris_long_head": "#2f62b5", "biceps_femoris_short_head": "#4274c8",
    "semitendinosus": "#5b7fd8", "semimembranosus": "#2554a8",
    "sartorius": "#9b59b6",
}
FAT = "#f3d88a"
SKIN = "#e8c27a"  # a slightly deeper yellow rim, still fat to the colour map
CORTEX = "#ffffff"
MEDULLA = "#f4ecd6"
OUTLINE = "#3b2a24"
PAPER = "#ffffff"
#: Cortical thickness as a fraction of the femur's radius (mid-shaft: about a third).
CORTEX_FRACTION = 0.32


def draw_braus_like(out: str | Path, *, level: float = 0.4, mm_per_px: float = 0.125, margin_mm: float = 8.0
                    ) -> Path:
    """Paint the section and save it as a PNG; returns the path (written whole or not at all)."""
    import matplotlib

    matplotlib.use("Agg")
    import shapely
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    from thighview.io import load_model
    from thighview.render.section2d import polygon_path
    from thighview.section import SectionEngine

    polygons = SectionEngine(load_model()).section(level).polygons
    shapes = {n: g for n, g in polygons.items() if g is not None and not g.is_empty}
    outline = shapely.union_all(list(shapes.values())).buffer(0.3).buffer(-0.3)
    xmin, ymin, xmax, ymax = outline.bounds
    xmin, ymin, xmax, ymax = xmin - margin_mm, ymin - margin_mm, xmax + margin_mm, ymax + margin_mm
    width_px, height_px = round((xmax - xmin) / mm_per_px), round((ymax - ymin) / mm_per_px)
    xmax, ymax = xmin + width_px * mm_per_px, ymin + height_px * mm_per_px  # exact pixel size
    dpi = 100
    figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor=PAPER)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    line = 1.6 * 0.125 / mm_per_px  # points: about 0.3 mm whatever the scale

    def paint(geometry, face: str, edge: str | None = OUTLINE, width: float = line, z: float = 1) -> None:
        path = polygon_path(geometry)
        if path is not None:
            ax.add_patch(PathPatch(path, facecolor=face, edgecolor=edge or face, lw=width if edge else 0.3,
                                   joinstyle="round", zorder=z))

    paint(outline, SKIN, z=0)  # skin rim: the envelope, then the fat a little inside it
    paint(outline.buffer(-1.6), FAT, edge=None, z=0.5)
    for name, shade in SHADES.items():
        if name in shapes:
            paint(shapes[name], shade, z=2)
    femur = shapes["femur"]
    paint(femur, CORTEX, z=3)
    radius = (femur.area / 3.14159) ** 0.5  # the round shaft's cavity, not the linea aspera's ridge
    cavity = femur.centroid.buffer((1 - CORTEX_FRACTION) * radius).intersection(femur.buffer(-0.25 * radius))
    paint(cavity, MEDULLA, edge="#b9ad92", width=0.6 * line, z=4)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".tmp.png")
    figure.savefig(partial, dpi=dpi, facecolor=PAPER)
    partial.replace(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="assets/braus_like_section.png")
    parser.add_argument("--level", type=float, default=0.4)
    parser.add_argument("--mm-per-pixel", type=float, default=0.125)
    args = parser.parse_args()
    path = draw_braus_like(args.out, level=args.level, mm_per_px=args.mm_per_pixel)
    print(f"{path}: {args.mm_per_pixel} mm per pixel, section at {args.level:.0%} of the femur")


if __name__ == "__main__":
    main()
