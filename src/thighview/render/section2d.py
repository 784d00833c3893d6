"""The 2-D section as an atlas plate, drawn with matplotlib (vector shapes; no Qt, no VTK).

Filled, outlined regions in the section's frame (anterior up, viewed from below as in CT/MRI,
so a right thigh's lateral side is on the viewer's left), labels in two columns beside the
section with leader lines that never overlap (least-squares spacing), the femur's linea aspera
marked, a centimetre scale bar and orientation words (the legend: :mod:`thighview.render.legend`). A model
made from a labelled image can show that image under its regions (:func:`image_underlay`). The
GUI draws it on a Qt canvas; exports draw the same function on an SVG/PDF/PNG figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.render.colouring import RGB, darker

if TYPE_CHECKING:
    import shapely
    from matplotlib.axes import Axes
    from matplotlib.path import Path

#: Back to front: the envelope first, the femur and the thin structures last.
_LAYER = {Compartment.SKIN: 0, Compartment.FAT: 1, Compartment.UNASSIGNED: 2, Compartment.OTHER_MUSCLE: 3,
          Compartment.QUADRICEPS: 3, Compartment.ADDUCTORS: 3, Compartment.HAMSTRINGS: 3,
          Compartment.FASCIA: 4, Compartment.NEUROVASCULAR: 5, Compartment.BONE: 6}
HIGHLIGHT = (1.0, 0.83, 0.0)
LABEL_FONT_PT = 8.5
_MIN_LABEL_AREA_MM2 = 30.0
#: The linea aspera is a ridge of the shaft's middle part; above and below it splits into lines
#: that run to the trochanter and to the condyles, so it is labelled in this range of femur length only.
LINEA_ASPERA_LEVELS = (0.25, 0.75)
BONE_ONLY_NOTE = "Below the muscles: bone only"
#: Opacity of the regions' fill over an image underlay: the picture stays readable under the colours.
UNDERLAY_FILL_ALPHA = 0.45


@dataclass(frozen=True)
class Underlay:
    """A section image placed in the section's 2-D frame: ``corners`` (3, 2) mm are its
    top-left, top-right and bottom-left pixel corners (any rotation or mirroring)."""

    image: np.ndarray  # (h, w, 3|4) uint8
    corners: np.ndarray

    def pixel_to_frame(self) -> np.ndarray:
        """The 3x3 affine matrix taking (column, row) pixel coordinates to the frame, mm."""
        h, w = self.image.shape[:2]
        top_left, top_right, bottom_left = np.asarray(self.corners, dtype=float)
        matrix = np.eye(3)
        matrix[:2, 0] = (top_right - top_left) / w
        matrix[:2, 1] = (bottom_left - top_left) / h
        matrix[:2, 2] = top_left
        return matrix


def image_underlay(flat, frame) -> Underlay | None:
    """The original picture of a model made from an image (``model.flat``) in ``frame``
    (``section.frame``); None for any other model."""
    if flat is None or flat.image is None or flat.image_corners is None:
        return None
    return Underlay(flat.image, frame.to_2d(np.asarray(flat.image_corners, dtype=float)))


def _draw_underlay(ax: Axes, underlay: Underlay) -> None:
    from matplotlib.transforms import Affine2D

    h, w = underlay.image.shape[:2]
    picture = ax.imshow(underlay.image, extent=(0, w, h, 0), interpolation="antialiased", zorder=0.5)
    picture.set_transform(Affine2D(underlay.pixel_to_frame()) + ax.transData)


@dataclass
class SectionDrawing:
    """What :func:`draw_section` drew, by structure name (for tests, picking and updates)."""

    patches: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    leaders: dict = field(default_factory=dict)
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)


def polygon_path(geometry: shapely.Geometry) -> Path | None:
    """A matplotlib compound path for a (multi)polygon; holes come out as holes (even-odd)."""
    import shapely
    from matplotlib.path import Path

    vertices, codes = [], []
    for part in shapely.get_parts(geometry):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)
            vertices.append(xy)
            codes.append(np.r_[Path.MOVETO, np.full(len(xy) - 2, Path.LINETO), Path.CLOSEPOLY])
    if not vertices:
        return None
    return Path(np.concatenate(vertices), np.concatenate(codes).astype(np.uint8))


def _compartment(name: str, compartments: Mapping[str, Compartment] | None) -> Compartment:
    return (compartments or {}).get(name) or anatomy.compartment_of(name)


def draw_order(names: Iterable[str], compartments: Mapping[str, Compartment] | None = None) -> list[str]:
    """Structures sorted back to front."""
    return sorted(names, key=lambda n: _LAYER.get(_compartment(n, compartments), 2))


def spread(targets: np.ndarray, gap: float | np.ndarray) -> np.ndarray:
    """Positions closest (least squares) to sorted ``targets`` with neighbours at least ``gap`` apart
    (one gap, or each item's own height: neighbours then keep half of each other's height apart).

    Shifting each position by the sum of the gaps before it turns the spacing constraint into
    monotonicity, solved exactly by pool-adjacent-violators.
    """
    targets = np.asarray(targets, dtype=float)
    heights = np.broadcast_to(np.asarray(gap, dtype=float), targets.shape)
    offsets = np.r_[0.0, np.cumsum((heights[:-1] + heights[1:]) / 2.0)] if len(targets) else np.empty(0)
    shifted = targets - offsets
    blocks: list[list[float]] = []  # [mean, count]
    for value in shifted:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, count2 = blocks.pop()
            mean1, count1 = blocks.pop()
            blocks.append([(mean1 * count1 + mean2 * count2) / (count1 + count2), count1 + count2])
    fitted = np.concatenate([np.full(int(c), m) for m, c in blocks]) if blocks else np.empty(0)
    return fitted + offsets


def _anchor(geometry: shapely.Geometry) -> tuple[float, float]:
    import shapely
    from shapely.ops import polylabel

    largest = max(shapely.get_parts(geometry), key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.5)
    return float(point.x), float(point.y)


def _linea_aspera(femur: shapely.Geometry) -> tuple[float, float]:
    """The femur's most posterior boundary point: the ridge of the linea aspera."""
    import shapely

    xy = np.asarray(max(shapely.get_parts(femur), key=lambda p: p.area).exterior.coords)
    i = int(np.argmin(xy[:, 1]))
    return float(xy[i, 0]), float(xy[i, 1])


def label_text(name: str) -> str:
    """A structure's label on the plate; a qualifier in brackets goes on a second line
    ("Biceps femoris\n(short head)") so the label columns, and the section's margin, stay narrow."""
    label = anatomy.label_of(name)
    head, bracket, rest = label.partition(" (")
    return f"{head}\n({rest}" if bracket else label


def _labelled(compartment: Compartment) -> bool:
    """Structures the plate names: muscles, unassigned ones (to assign), femur, vessels and nerve."""
    return compartment.is_muscle or compartment in (Compartment.UNASSIGNED, Compartment.BONE,
                                                    Compartment.NEUROVASCULAR)


def _label_targets(polygons: Mapping[str, shapely.Geometry], compartments,
                   shaft: bool = True) -> list[tuple[str, str, tuple]]:
    """(key, text, anchor) for every labelled structure: muscles, unassigned structures (so the
    user sees what to assign), femur, vessels, nerve, and the linea aspera on the shaft (``shaft``)."""
    targets = []
    for name, geometry in polygons.items():
        if geometry is None or geometry.is_empty or geometry.area < _MIN_LABEL_AREA_MM2 / 10:
            continue
        compartment = _compartment(name, compartments)
        if _labelled(compartment) and (geometry.area >= _MIN_LABEL_AREA_MM2 or compartment in (
                Compartment.BONE, Compartment.NEUROVASCULAR)):
            targets.append((name, label_text(name), _anchor(geometry)))
        if compartment is Compartment.BONE and shaft:
            targets.append(("linea_aspera", "Linea aspera", _linea_aspera(geometry)))
    return targets


def _draw_labels(ax: Axes, targets, outline_bounds, drawing: SectionDrawing, gap: float) -> None:
    xmin, ymin, xmax, ymax = outline_bounds
    centre = (xmin + xmax) / 2.0
    pad = 0.06 * (xmax - xmin)
    for side in (-1, 1):
        group = sorted((t for t in targets if (t[2][0] < centre) == (side < 0)), key=lambda t: t[2][1])
        if not group:
            continue
        lines = np.array([t[1].count("\n") + 1 for t in group])
        ys = spread(np.array([t[2][1] for t in group]), gap * lines)
        edge = xmin - pad if side < 0 else xmax + pad
        group = uncross([t[2] for t in group], ys, edge, group)
        lines = np.array([t[1].count("\n") + 1 for t in group])  # respaced in the uncrossed order
        ys = spread(np.array([t[2][1] for t in group]), gap * lines)
        for (key, text, (ax_, ay)), y in zip(group, ys):
            drawing.leaders[key], = ax.plot([ax_, edge, edge + side * pad * 0.5], [ay, y, y], color="#333333",
                                            lw=0.6, solid_capstyle="round", zorder=20)
            ax.plot([ax_], [ay], "o", ms=2.2, color="#222222", zorder=21)
            drawing.labels[key] = ax.text(edge + side * pad * 0.6, y, text, ha="left" if side > 0 else "right",
                                          va="center", fontsize=LABEL_FONT_PT, color="#1a1a1a", zorder=22)
            drawing.anchors[key] = (ax_, ay)


def _segments_cross(p1, p2, q1, q2) -> bool:
    """True when the segments p1-p2 and q1-q2 cross at a point inside both."""
    def orient(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return (orient(p1, p2, q1) * orient(p1, p2, q2) < 0) and (orient(q1, q2, p1) * orient(q1, q2, p2) < 0)


def uncross(anchors, ys, edge: float, items: list) -> list:
    """``items`` reordered over the label slots ``ys`` so that no two leaders (anchor -> (edge, y))
    cross: swapping the slots of a crossing pair shortens the leaders, so this ends."""
    order = list(range(len(items)))
    for _ in range(len(items) ** 2 + 1):
        crossing = next(((i, j) for i in range(len(order)) for j in range(i + 1, len(order))
                         if _segments_cross(anchors[order[i]], (edge, ys[i]), anchors[order[j]], (edge, ys[j]))),
                        None)
        if crossing is None:
            break
        i, j = crossing
        order[i], order[j] = order[j], order[i]
    return [items[k] for k in order]


def _draw_scale_bar(ax: Axes, x0: float, y0: float, length_cm: int = 5) -> None:
    tick = 1.6
    ax.plot([x0, x0 + 10 * length_cm], [y0, y0], color="#222222", lw=1.6, solid_capstyle="butt", zorder=30)
    for i in range(length_cm + 1):
        ax.plot([x0 + 10 * i, x0 + 10 * i], [y0, y0 + (tick * 1.8 if i in (0, length_cm) else tick)],
                color="#222222", lw=1.0, zorder=30)
    ax.text(x0 + 5 * length_cm, y0 - 2.5, f"{length_cm} cm", ha="center", va="top", fontsize=8, color="#222222",
            gid="scale_bar_text")


def _draw_orientation(ax: Axes, side: str) -> None:
    left, right = ("Lateral", "Medial") if side == "right" else ("Medial", "Lateral")
    style = dict(fontsize=8.5, color="#555555", transform=ax.transAxes, fontweight="bold")
    ax.text(0.5, 0.99, "ANTERIOR", ha="center", va="top", **style)
    ax.text(0.5, 0.01, "POSTERIOR", ha="center", va="bottom", **style)
    ax.text(0.01, 0.99, f"◀ {left.upper()}", ha="left", va="top", **style)
    ax.text(0.99, 0.99, f"{right.upper()} ▶", ha="right", va="top", **style)


def widest_extent(model, frame) -> tuple[float, float]:
    """Width and height (mm) of every section of ``model`` together: all its vertices projected
    onto the section plane (the same at every level along the axis). Drawing with this as
    ``extent`` keeps one scale in pixels per cm while the level moves."""
    points = np.concatenate([s.vertices for s in model.structures.values()])
    xy = frame.to_2d(points)
    return tuple(float(v) for v in np.ptp(xy, axis=0))  # type: ignore[return-value]


def has_muscle(section, compartments: Mapping[str, Compartment] | None = None) -> bool:
    """True when any muscle has an area at this level (not: below the muscles, bone only)."""
    return any(g is not None and not g.is_empty and _compartment(n, compartments).is_muscle
               for n, g in section.polygons.items())


def draw_section(ax: Axes, section, colours: Mapping[str, RGB], *, side: str = "right",
                 visible: Iterable[str] | None = None, highlight: str | None = None, labels: bool = True,
                 scale_bar: bool = True, orientation: bool = True,
                 compartments: Mapping[str, Compartment] | None = None,
                 min_mm_per_px: float | None = None, underlay: Underlay | None = None,
                 extent: tuple[float, float] | None = None) -> SectionDrawing:
    """Draw a ``Section`` on empty axes and return the artists by structure name.

    ``min_mm_per_px`` draws at least that coarse, so panels of a figure sheet or frames of a
    level sweep share one scale with labels spaced for it (exports); ``extent`` (mm, see
    :func:`widest_extent`) fits the scale to a section that large, so it stays fixed as the level
    moves (the GUI). ``underlay`` draws that image beneath the regions, which are then filled
    semi-transparently."""
    from matplotlib.patches import PathPatch

    polygons = {n: p for n, p in section.polygons.items()
                if p is not None and not p.is_empty and (visible is None or n in set(visible))}
    drawing = SectionDrawing()
    ax.set_axis_off()
    if underlay is not None:
        _draw_underlay(ax, underlay)
    alpha = 1.0 if underlay is None else UNDERLAY_FILL_ALPHA
    for name in draw_order(polygons, compartments):
        path = polygon_path(polygons[name])
        if path is None:
            continue
        colour = colours.get(name, (0.8, 0.8, 0.8))
        fill = (*colour[:3], alpha)
        patch = PathPatch(path, facecolor=fill, edgecolor=darker(colour), lw=0.7, joinstyle="round",
                          zorder=1 + _LAYER.get(_compartment(name, compartments), 2))
        ax.add_artist(patch)  # not add_patch: limits are set below, skip its path scan
        drawing.patches[name] = patch
    if highlight in drawing.patches:
        outline = PathPatch(drawing.patches[highlight].get_path(), facecolor="none", edgecolor=HIGHLIGHT,
                            lw=2.6, zorder=15)
        ax.add_artist(outline)
    all_section = [g for g in (*section.polygons.values(), *getattr(section, "open_contours", {}).values())
                   if g is not None and not g.is_empty]  # dashed contours without an area in view too
    bounds = _bounds(all_section)
    low, high = LINEA_ASPERA_LEVELS
    targets = _label_targets(polygons, compartments, shaft=low <= section.level <= high) \
        if labels else []
    centre_x = (bounds[0] + bounds[2]) / 2.0
    columns = (_column_points([t for t in targets if t[2][0] < centre_x]),
               _column_points([t for t in targets if t[2][0] >= centre_x]))
    if extent is not None and labels:  # room for any structure's label: the scale must not follow the labels
        columns = (_column_points([(n, label_text(n)) for n in section.polygons
                                   if _labelled(_compartment(n, compartments))]),) * 2
    _fit_limits(ax, bounds, *columns, min_mm_per_px, extent)
    if targets:
        _draw_labels(ax, targets, bounds, drawing, gap=_data_per_point(ax) * LABEL_FONT_PT * 1.3)
    if scale_bar:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        length = next((cm for cm in (5, 2, 1) if 10 * cm <= 0.25 * (x1 - x0)), 1)  # a zoomed-in bone: shorter
        _draw_scale_bar(ax, x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0), length)
    if orientation:
        _draw_orientation(ax, side)
    if not has_muscle(section, compartments):
        ax.text(0.5, 0.93, BONE_ONLY_NOTE, transform=ax.transAxes, ha="center", va="top", fontsize=10,
                color="#333333", fontstyle="italic", zorder=30)
    _draw_open_contours(ax, section, colours, visible)
    _draw_overlaps(ax, section, visible)
    return drawing


def _draw_overlaps(ax: Axes, section, visible: Iterable[str] | None) -> None:
    """Areas two structures both cover: hatched, and named with their cm² (counted once)."""
    from matplotlib.patches import PathPatch

    shown = [o for o in getattr(section, "overlaps", ())
             if visible is None or {o.first, o.second} <= set(visible)]
    for overlap in shown:
        path = polygon_path(overlap.shape)
        if path is not None:
            ax.add_artist(PathPatch(path, facecolor="none", edgecolor="#222222", hatch="////", lw=0.0, zorder=13))
    if shown:
        pairs = [f"{anatomy.label_of(o.first)} / {anatomy.label_of(o.second).lower()} {o.area_cm2:.1f}" for o in shown]
        lines = [f"Overlaps (hatched, counted once), {sum(o.area_cm2 for o in shown):.1f} cm²:"]
        lines += ["; ".join(pairs[i:i + 2]) for i in range(0, len(pairs), 2)]
        ax.text(0.01, 0.86, "\n".join(lines), transform=ax.transAxes, ha="left", va="top", fontsize=7,
                color="#333", zorder=30, linespacing=1.3)


#: Why a structure has no area at a level (``Section.without_area``) -> the plate's note.
_NO_AREA_NOTES = {"not closed": "Open surface here (no exact area)",
                  "self-intersecting": "Self-intersecting surface here (no exact area)"}


def _draw_open_contours(ax: Axes, section, colours: Mapping[str, RGB], visible: Iterable[str] | None) -> None:
    """Surfaces open or crossing themselves at this level have no exact area: draw their contour
    dashed and say why."""
    import shapely

    shown = {n: g for n, g in getattr(section, "open_contours", {}).items()
             if g is not None and not g.is_empty and (visible is None or n in set(visible))}
    for name, lines in shown.items():
        for line in shapely.get_parts(lines):
            xy = np.asarray(line.coords)
            ax.plot(xy[:, 0], xy[:, 1], ls=(0, (3, 2)), lw=1.2, color=darker(colours.get(name, (0.5, 0.5, 0.5))),
                    zorder=12)
    reasons = getattr(section, "without_area", {})
    notes: dict[str, list[str]] = {}
    for name in shown:
        notes.setdefault(_NO_AREA_NOTES[reasons.get(name, "not closed")], []).append(anatomy.label_of(name))
    for row, (note, names) in enumerate(notes.items()):
        ax.text(0.01, 0.94 - 0.035 * row, f"{note}: {', '.join(names)}", transform=ax.transAxes, ha="left",
                va="top", fontsize=7.5, color="#a33", zorder=30)


def _bounds(geometries: list) -> tuple[float, float, float, float]:
    import shapely

    if not geometries:
        return (-50.0, -50.0, 50.0, 50.0)
    return tuple(float(v) for v in shapely.total_bounds(geometries))  # type: ignore[return-value]


def text_points(text: str, size: float = LABEL_FONT_PT) -> float:
    """The width of ``text`` in points, measured with matplotlib's own font metrics."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return float(width)


def _column_points(targets) -> float:
    """Width (points) of a label column: the longest text plus its leader and a margin."""
    if not targets:
        return 10.0
    return max(text_points(line) for t in targets for line in t[1].split("\n")) + 30.0


def _fit_limits(ax: Axes, bounds, left_points: float, right_points: float,
                min_mm_per_px: float | None = None, extent: tuple[float, float] | None = None) -> None:
    """Equal mm per pixel on both axes, room for the label columns beside the section; the
    scale fits a section ``extent`` large (mm) where given, however small this one is."""
    xmin, ymin, xmax, ymax = bounds
    width, height = xmax - xmin, ymax - ymin
    if extent is not None:
        width, height = max(width, extent[0]), max(height, extent[1])
    bbox = ax.get_window_extent()
    px_per_pt = ax.figure.dpi / 72.0
    left_px, right_px = left_points * px_per_pt, right_points * px_per_pt
    room_w = max(bbox.width - left_px - right_px, 0.25 * bbox.width)
    room_h = 0.84 * bbox.height
    mm_per_px = max(width * 1.1 / room_w, height / room_h, min_mm_per_px or 0.0)
    # the section's centre sits in the middle of the room left between the two label columns
    cx = (xmin + xmax) / 2.0 + (right_px - left_px) / 2.0 * mm_per_px
    cy = (ymin + ymax) / 2.0 - 0.02 * bbox.height * mm_per_px
    ax.set_xlim(cx - mm_per_px * bbox.width / 2.0, cx + mm_per_px * bbox.width / 2.0)
    ax.set_ylim(cy - mm_per_px * bbox.height / 2.0, cy + mm_per_px * bbox.height / 2.0)


def _data_per_point(ax: Axes) -> float:
    """Data units (mm) per typographic point on these axes, after the aspect is applied."""
    bbox = ax.get_window_extent()
    y0, y1 = ax.get_ylim()
    points_high = bbox.height * 72.0 / ax.figure.dpi
    return abs(y1 - y0) / max(points_high, 1.0)


def structure_at(polygons: Mapping[str, shapely.Geometry], x: float, y: float,
                 visible: Iterable[str] | None = None) -> str | None:
    """The front-most structure containing the section-frame point ``(x, y)`` (mm), if any."""
    import shapely

    point = shapely.Point(x, y)
    shown = [n for n in polygons if visible is None or n in set(visible)]
    for name in reversed(draw_order(shown)):
        geometry = polygons[name]
        if geometry is not None and not geometry.is_empty and geometry.covers(point):
            return name
    return None
