"""Textbook figures of the section: PNG, SVG and PDF of one level, and the multi-level figure sheet.

The section itself is drawn by :func:`thighview.render.section2d.draw_section`, the same code
as the GUI's 2-D view; this module lays it out on a page (heading with the level, a legend of
compartments with their areas, an optional area table, the area-profile chart of the sheet)
and saves it: vector SVG with text kept as text, PDF with embedded TrueType fonts, PNG at any
size up to 8K. Only ``matplotlib.figure.Figure`` is used (no pyplot), so it is safe in worker
threads and never opens a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.errors import ExportError
from thighview.export.atomic import atomic_path
from thighview.export.provenance import SOFTWARE, as_comment
from thighview.render.colouring import ColourScheme
from thighview.render.legend import LEGEND_ORDER, draw_colour_bar, draw_legend, section_legend, sort_key

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from thighview.render.section2d import Underlay
    from thighview.section import AreaProfile, Section

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
#: Every figure is laid out this many inches wide; the PNG resolution sets the dpi, so a 4K and
#: a 1K PNG are the same picture and vector files are a handout-sized page.
LAYOUT_WIDTH_IN = 8.0
SHEET_WIDTH_IN = 18.0
MAX_PIXELS = (8192, 8192)
MIN_PIXELS = 64
_INK = "#1a1a1a"
_MUTED = "#555555"


@dataclass(frozen=True)
class FigureOptions:
    """What a figure shows. ``title=None`` gives the default heading, ``""`` none."""

    scheme: ColourScheme = ColourScheme()  # colour mode, palette and heat-map options, as on screen
    labels: bool = True
    legend: bool = True
    title: str | None = None
    level_annotation: bool = True
    scale_bar: bool = True
    orientation: bool = True
    table: bool = False
    transparent: bool = False
    highlight: str | None = None
    hidden: frozenset[str] = frozenset()  # structures left out of the drawing (the GUI's visibility)
    length_name: str = "femur length"  # what levels are fractions of (FemurAxis.length_name)
    image: bool = True  # a section made from an image: draw that picture under its regions

    def with_(self, **changes) -> FigureOptions:
        return replace(self, **changes)


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """A figure or image size in pixels, within 64 .. 8192 on each side."""
    width, height = (int(v) for v in size)
    if not (MIN_PIXELS <= width <= MAX_PIXELS[0] and MIN_PIXELS <= height <= MAX_PIXELS[1]):
        raise ExportError(f"image size {width}x{height} is outside {MIN_PIXELS}..{MAX_PIXELS[0]} pixels per side")
    return width, height


def level_text(section: Section, length_name: str = "femur length") -> str:
    """'50% of femur length, 22.4 cm below the proximal end'; 'a single section' for one; for part
    of a femur, from its landmark ('40 mm above the knee joint line')."""
    from thighview.femur_axis import SINGLE_SECTION

    if length_name == SINGLE_SECTION:
        return "a single section"
    if section.where:
        return f"{section.where} ({length_name.removeprefix('the ')})"
    return f"{section.level * 100:.0f}% of {length_name}, {section.level_mm / 10:.1f} cm below the proximal end"


def _heading(side: str) -> str:
    return f"{side.capitalize()} thigh in cross-section"


def _draw(ax: Axes, section: Section, options: FigureOptions, side: str, min_mm_per_px: float | None = None,
          underlay: Underlay | None = None) -> None:
    """The shared section drawing with this figure's options."""
    from thighview.render.colouring import structure_colours
    from thighview.render.section2d import draw_section

    colours = structure_colours(list(section.polygons), options.scheme, section)
    visible = [n for n in section.polygons if n not in options.hidden] if options.hidden else None
    drawing = draw_section(ax, section, colours, side=side, visible=visible, highlight=options.highlight,
                           labels=options.labels,
                           scale_bar=options.scale_bar, orientation=options.orientation,
                           compartments=section.compartments, min_mm_per_px=min_mm_per_px,
                           underlay=underlay if options.image else None)
    for name, patch in drawing.patches.items():  # named groups in SVG: <g id="vastus_lateralis">
        patch.set_gid(name)
    for name, label in drawing.labels.items():
        label.set_gid(f"label:{name}")


def _figure_legend(fig: Figure, entries, *, y: float, fontsize: float, ncol: int):
    """The legend's entries centred under the section(s) of a figure."""
    return draw_legend(fig, entries, fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, y), ncol=ncol,
                       handlelength=1.5, handleheight=1.1, columnspacing=2.0)


def _area_table(ax: Axes, section: Section, palette: str) -> None:
    """Per-structure areas (cm², % of the muscle area) as a plain typeset table."""
    ax.set_axis_off()
    rows = []
    for name, area in sorted(section.areas_cm2.items(),
                             key=lambda kv: (sort_key(section.compartments[kv[0]]), -kv[1])):
        if area < 0.05:  # not cut at this level (it would read 0.0)
            continue
        share = section.percent_of_muscle(name)
        rows.append((name, anatomy.label_of(name), f"{area:.1f}", "" if share is None else f"{share:.0f}"))
    n = len(rows) + 2
    step = min(0.045, 0.95 / n)
    top = 0.5 + step * n / 2
    size = 7.0
    ax.text(0.0, top, "Areas at this level", fontsize=size + 0.5, fontweight="bold", color=_INK, va="center")
    top -= step
    for x, text, align in ((0.0, "Structure", "left"), (0.84, "cm²", "right"), (1.0, "%*", "right")):
        ax.text(x, top, text, fontsize=size, fontweight="bold", color=_INK, va="center", ha=align)
    ax.plot([0, 1], [top - step / 2] * 2, color=_INK, linewidth=0.6)
    for i, (name, label, area, share) in enumerate(rows, start=1):
        y = top - i * step
        ax.add_patch(_swatch(-0.06, y, step * 0.6, anatomy.structure_colour(name, palette, by="compartment")))
        ax.text(0.0, y, label, fontsize=size, color=_INK, va="center")
        ax.text(0.84, y, area, fontsize=size, color=_INK, va="center", ha="right")
        ax.text(1.0, y, share, fontsize=size, color=_INK, va="center", ha="right")
    ax.text(0.0, top - (len(rows) + 1) * step, "* % of the muscle area", fontsize=size - 0.5, color=_MUTED,
            va="center")
    ax.set_xlim(-0.08, 1.0)
    ax.set_ylim(0, 1)


def _swatch(x: float, y: float, height: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y - height / 2), 0.04, height, facecolor=colour, edgecolor="#444444", linewidth=0.4)


def section_figure(section: Section, *, side: str = "right", options: FigureOptions = FigureOptions(),
                   size_px: tuple[int, int] = (2400, 2100), min_mm_per_px: float | None = None,
                   underlay: Underlay | None = None) -> Figure:
    """One level as a textbook figure: heading, the section with labels, legend with areas.

    ``min_mm_per_px`` draws the section at least that coarse (one scale across a level sweep);
    ``underlay`` is the picture a section was read from (:func:`thighview.render.section2d.image_underlay`),
    drawn under the regions unless ``options.image`` is off.
    """
    from matplotlib.figure import Figure

    width, height = check_size(size_px)
    fig = Figure(figsize=(LAYOUT_WIDTH_IN, LAYOUT_WIDTH_IN * height / width), dpi=width / LAYOUT_WIDTH_IN)
    heading = _heading(side) if options.title is None else options.title
    top = 0.985
    if heading:
        fig.text(0.5, top, heading, ha="center", va="top", fontsize=14, fontweight="bold", color=_INK)
        top -= 0.045
    if options.level_annotation:
        fig.text(0.5, top, f"{level_text(section, options.length_name)} · viewed from below", ha="center",
                 va="top", fontsize=10, color=_MUTED)
        top -= 0.04
    legend = section_legend(section, options.scheme) if options.legend else None
    ncol = 2 if legend is None or len(legend.entries) <= 10 else 3
    bottom = 0.02
    if legend is not None:
        bottom = 0.14 if legend.bar else 0.05 + 0.032 * -(-len(legend.entries) // ncol)
    right = 0.62 if options.table else 0.99
    ax = fig.add_axes((0.01, bottom, right - 0.01, top - bottom))
    _draw(ax, section, options, side, min_mm_per_px, underlay)
    if legend is not None and legend.bar:
        draw_colour_bar(fig.add_axes((0.3, 0.085, 0.4, 0.018)), legend.bar, fontsize=9)
    elif legend is not None and legend.entries:
        _figure_legend(fig, legend.entries, y=bottom + 0.01, fontsize=9, ncol=ncol)
    if options.table:
        _area_table(fig.add_axes((0.665, bottom, 0.325, top - bottom)), section, options.scheme.palette)
    return fig


def mm_per_pixel(ax: Axes) -> float:
    """The drawing scale of a section panel (after :func:`draw_section` fitted it)."""
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / ax.get_window_extent().width


def set_scale(ax: Axes, mm_per_px: float, centre: tuple[float, float] | None = None) -> None:
    """Show a panel at ``mm_per_px`` around ``centre`` (default: its own centre)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_window_extent()
    cx, cy = centre if centre is not None else ((x0 + x1) / 2, (y0 + y1) / 2)
    half_w, half_h = mm_per_px * box.width / 2, mm_per_px * box.height / 2
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)


def _profile_chart(ax: Axes, profile: AreaProfile, sections: Sequence[Section], palette: str,
                   length_name: str) -> None:
    """The shared profile chart (render.profile_chart), with the sheet's levels marked."""
    from thighview.render.profile_chart import draw_profile

    draw_profile(ax, profile, palette, length_name=length_name, fontsize=9, edgecolor="white")
    for section in sections:
        ax.axvline(section.level * 100.0, color=_INK, linewidth=0.9, linestyle=(0, (4, 3)))
        ax.text(section.level * 100.0, 1.01, f"{section.level * 100:.0f}%", transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8.5, color=_INK)
    ax.set_title("Area profile: muscle area by compartment", fontsize=10, color=_INK, loc="left", pad=14)


def _sheet_table(ax: Axes, sections: Sequence[Section], palette: str) -> None:
    """Compartment areas (cm² and % of muscle) at each of the sheet's levels."""
    ax.set_axis_off()
    present = [c for c in LEGEND_ORDER if any(c in s.compartment_areas_cm2 for s in sections)
               and c is not Compartment.UNASSIGNED]
    columns = [f"{s.level * 100:.0f}%" for s in sections]
    n = len(present) + 1
    step = min(0.11, 0.9 / n)
    top = 0.92
    x_cols = np.linspace(0.52, 1.0, len(columns))
    ax.text(0.0, top, "Area, cm² (% of muscle)", fontsize=9, fontweight="bold", color=_INK, va="center")
    for x, column in zip(x_cols, columns):
        ax.text(x, top, column, fontsize=9, fontweight="bold", color=_INK, va="center", ha="right")
    ax.plot([0, 1], [top - step / 2] * 2, color=_INK, linewidth=0.6)
    for i, compartment in enumerate(present, start=1):
        y = top - i * step
        ax.add_patch(_swatch(-0.06, y, step * 0.55, anatomy.compartment_colour(compartment, palette)))
        ax.text(0.0, y, compartment.label, fontsize=8.5, color=_INK, va="center")
        for x, section in zip(x_cols, sections):
            area = section.compartment_areas_cm2.get(compartment, 0.0)
            share = section.percent_of_muscle(compartment)
            cell = f"{area:.1f}" + (f" ({share:.0f}%)" if share is not None else "")
            ax.text(x, y, cell, fontsize=8.5, color=_INK, va="center", ha="right")
    ax.set_xlim(-0.08, 1.0)
    ax.set_ylim(0, 1)


def sheet_figure(sections: Sequence[Section], profile: AreaProfile, *, side: str = "right",
                 options: FigureOptions = FigureOptions(), size_px: tuple[int, int] = (5400, 3300)) -> Figure:
    """Several levels side by side at one scale, a shared legend, the area profile and a table."""
    from matplotlib.figure import Figure

    if not sections:
        raise ExportError("a figure sheet needs at least one level")
    width, height = check_size(size_px)
    fig = Figure(figsize=(SHEET_WIDTH_IN, SHEET_WIDTH_IN * height / width), dpi=width / SHEET_WIDTH_IN)
    heading = _heading(side) if options.title is None else options.title
    if heading:
        levels = ", ".join(f"{s.level * 100:.0f}%" for s in sections)
        fig.text(0.5, 0.985, f"{heading} at {levels} of {options.length_name}", ha="center", va="top", fontsize=16,
                 fontweight="bold", color=_INK)
    # the middle level carries the labels and gets a double-width panel; all share one scale
    labelled = len(sections) // 2
    weights = np.array([2.0 if i == labelled else 1.0 for i in range(len(sections))])
    lefts = 0.01 + 0.98 * np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / weights.sum()
    axes = [fig.add_axes((lefts[i], 0.42, 0.98 * weights[i] / weights.sum() - 0.01, 0.5))
            for i in range(len(sections))]
    panel_options = [options.with_(labels=options.labels and i == labelled) for i in range(len(sections))]
    for ax, section, panel in zip(axes, sections, panel_options):
        _draw(ax, section, panel, side)
    scale = max(mm_per_pixel(ax) for ax in axes)  # one scale for all: redraw the finer panels at it
    for ax, section, panel in zip(axes, sections, panel_options):
        if mm_per_pixel(ax) < scale * (1 - 1e-9):
            ax.clear()
            _draw(ax, section, panel, side, scale)
    for ax, section in zip(axes, sections):
        if options.level_annotation:
            ax.set_title(level_text(section, options.length_name), fontsize=10, color=_MUTED, pad=2)
    entries = section_legend(sections[0], options.scheme, areas=False).entries if options.legend else ()
    if entries:  # a heat map's values differ per level: its panels speak for themselves
        _figure_legend(fig, entries, y=0.415, fontsize=10, ncol=len(entries))
    palette = options.scheme.palette
    _profile_chart(fig.add_axes((0.06, 0.07, 0.5, 0.25)), profile, sections, palette, options.length_name)
    _sheet_table(fig.add_axes((0.64, 0.04, 0.34, 0.3)), sections, palette)
    return fig


# --- saving ---------------------------------------------------------------------------------

def _metadata(fmt: str, record: dict[str, str]) -> dict[str, str]:
    """The provenance record in each format's own metadata fields."""
    title = f"{record.get('content', 'figure')} ({record.get('model', 'thigh')})"
    if fmt == "png":  # tEXt chunks, one per key
        return {"Title": title, "Software": SOFTWARE, **{f"thighview:{k}": v for k, v in record.items()}}
    if fmt == "svg":  # Dublin Core in <metadata>
        return {"Title": title, "Creator": SOFTWARE, "Description": as_comment(record),
                "Source": record.get("model_source", "")}
    return {"Title": title, "Creator": SOFTWARE, "Subject": as_comment(record),  # the PDF info dictionary
            "Keywords": "ThighView; thigh; cross-section; " + record.get("levels", "")}


def save_figure(fig: Figure, path: str | Path, *, record: dict[str, str], transparent: bool = False,
                force: bool = False) -> Path:
    """Save ``fig`` atomically as PNG/SVG/PDF (by suffix) with provenance; text stays text in SVG."""
    from matplotlib import rc_context

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if f".{fmt}" not in FIGURE_SUFFIXES:
        raise ExportError(f"a figure must be .png, .svg or .pdf, not '{path.suffix or path.name}'", path)
    fonts = {"svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "thighview"}
    with rc_context(fonts), atomic_path(path, force=force) as temp:
        fig.savefig(temp, format=fmt, dpi=fig.dpi, transparent=transparent, metadata=_metadata(fmt, record),
                    facecolor="none" if transparent else "white")
    return path
