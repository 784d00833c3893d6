"""The paired figure: two thighs' sections side by side at one level and one scale, with their differences.

Both panels are drawn by the same section drawer as every other figure, at the coarser of
the two panels' scales, so equal lengths look equal; below them, a table of the compartments'
areas in both and the differences B − A (cm² and percentage points of the muscle area).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thighview.export.figures import (
    FigureOptions,
    _draw,
    check_size,
    level_text,
    mm_per_pixel,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from thighview.comparison import Comparison

LAYOUT_WIDTH_IN = 14.0
_INK = "#1a1a1a"
_MUTED = "#555555"


def paired_figure(comparison: Comparison, *, sides: tuple[str, str] = ("right", "right"),
                  options: FigureOptions = FigureOptions(), size_px: tuple[int, int] = (3600, 2400)) -> Figure:
    """A's and B's sections side by side at one scale, and a table of the differences per compartment."""
    from matplotlib.figure import Figure

    width, height = check_size(size_px)
    fig = Figure(figsize=(LAYOUT_WIDTH_IN, LAYOUT_WIDTH_IN * height / width), dpi=width / LAYOUT_WIDTH_IN)
    heading = (f"Two thighs at {comparison.level * 100:.0f}% of femur length" if options.title is None
               else options.title)
    if heading:
        fig.text(0.5, 0.985, heading, ha="center", va="top", fontsize=15, fontweight="bold", color=_INK)
    axes = [fig.add_axes((0.01 + 0.5 * i, 0.33, 0.48, 0.58)) for i in range(2)]
    draw_pair(axes, comparison, sides, options)
    _difference_table(fig.add_axes((0.08, 0.02, 0.84, 0.27)), comparison)
    return fig


def draw_pair(axes, comparison: Comparison, sides: tuple[str, str], options: FigureOptions = FigureOptions(),
              fontsize: float = 9.5) -> float:
    """A's and B's sections in two panels at one scale (the coarser of the two); returns it (mm per pixel).

    Used by the paired export figure and the app's compare view, so both show the same picture.
    """
    sections = (comparison.a, comparison.b)
    panel = options.with_(table=False)
    for ax, section, side in zip(axes, sections, sides):
        _draw(ax, section, panel, side)
    scale = max(mm_per_pixel(ax) for ax in axes)  # one scale: redraw the finer panel at the coarser one
    for ax, section, side in zip(axes, sections, sides):
        if mm_per_pixel(ax) < scale * (1 - 1e-9):
            ax.clear()
            _draw(ax, section, panel, side, scale)
    for ax, letter, name, section, side in zip(axes, "AB", (comparison.name_a, comparison.name_b), sections, sides):
        ax.set_title(f"{letter}: {name}\n{side} thigh, {level_text(section, options.length_name)}",
                     fontsize=fontsize, color=_MUTED, pad=3)
    return scale


def _difference_table(ax, comparison: Comparison) -> None:
    """Compartments in both sections: areas, shares of muscle and B − A."""
    ax.axis("off")
    header = ["", "A cm²", "B cm²", "B − A cm²", "A % muscle", "B % muscle", "B − A points"]
    from thighview.comparison import cell

    rows = [[r.label, cell(r.area_a, 1), cell(r.area_b, 1), cell(r.difference_cm2, 1, signed=True),
             cell(r.share_a, 1), cell(r.share_b, 1), cell(r.difference_pp, 1, signed=True)]
            for r in comparison.compartment_rows() if r.area_a or r.area_b]
    table = ax.table(cellText=rows, colLabels=header, loc="upper center", cellLoc="right", colLoc="right",
                     edges="horizontal")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1.0, 1.25)
    for (row, col), box in table.get_celld().items():
        if col == 0:
            box.set_text_props(ha="left")
        if row == 0:
            box.set_text_props(fontweight="bold", color=_INK)


def write_paired(model_a, model_b, request, *, engine_a=None) -> list:
    """The paired figure at each of ``request.levels`` in each 2-D format asked for (PNG/SVG/PDF)."""
    import re

    from thighview.comparison import compare
    from thighview.errors import ExportError
    from thighview.export.batch import level_tag
    from thighview.export.figures import FIGURE_SUFFIXES, save_figure
    from thighview.export.provenance import provenance
    from thighview.section import SectionEngine

    kinds = [f for f in request.formats if f".{f}" in FIGURE_SUFFIXES]
    if not kinds:
        raise ExportError("a paired figure is a png, svg or pdf: add one of them to --format")
    engine_b = SectionEngine(model_b)
    engine_a = engine_a or SectionEngine(model_a)

    def stem(model) -> str:
        text = model.source.stem if model.source is not None else model.name.lower()
        return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "thigh"

    written = []
    for level in request.levels:
        comparison = compare(model_a, model_b, level, engine_a=engine_a, engine_b=engine_b)
        fig = paired_figure(comparison, sides=(model_a.side, model_b.side), options=request.figure,
                            size_px=request.size or (3600, 2400))
        record = provenance(model_a, content="paired section figure", levels=[level],
                            extra={"compared_with": model_b.name,
                                   "compared_with_source": str(model_b.source) if model_b.source else "built-in"})
        for fmt in kinds:
            target = request.out_dir / f"{stem(model_a)}_vs_{stem(model_b)}_section_{level_tag(level)}.{fmt}"
            written.append(save_figure(fig, target, record=record, transparent=request.figure.transparent,
                                       force=request.force))
    return written
