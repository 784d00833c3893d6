"""The one drawer of the deforming section: tissue, outlines, ink lines, tool arrow and captions.

The mechanics returns data (:class:`thighview.mechanics.animation.Scene`: the solved loads and
the scales they share); this module draws it with matplotlib, on the GUI's pressure panel and
in every export (the CLI's movies, :mod:`thighview.export.animations`), so they show one picture.
:func:`frames` and :func:`rolling_frames` yield the RGBA frames of the load cycle.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from thighview.anatomy import Compartment, compartment_colour, structure_colour
from thighview.mechanics.animation import Scene, ramp
from thighview.mechanics.meshing import resample
from thighview.render.raster import figure_rgba

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel
    from thighview.mechanics.results import Deformation

#: What the tissue can be coloured by: volume change, shear strain, or slip dots on the sliding layers.
COLOUR_MODES = ("compression", "slip", "shear")


@dataclass(frozen=True)
class FrameStyle:
    """How frames look: pixel size per panel, colouring, drawn displacement scale (None = automatic)."""

    panel_px: int = 440
    colour_by: str = "compression"
    exaggeration: float | None = None
    compression_limit_pct: float | None = None   # colour scale limit; None = from the loads
    dpi: int = 100
    #: the whole frame (e.g. 1920x1080); None: ``panel_px`` per panel plus the footer. Everything drawn
    #: scales with the frame's height, so a large frame is the same picture, larger.
    size_px: tuple[int, int] | None = None
    #: the caption's cap height as a share of the frame's height (``room_cap_height_fraction()``: readable
    #: from two metres when the frame fills a laptop screen); None: the figure's small print size
    caption_cap: float | None = None

    def __post_init__(self) -> None:
        if self.colour_by not in COLOUR_MODES:
            from thighview.errors import MechanicsError

            raise MechanicsError(f"colour by {self.colour_by!r}? use {', '.join(COLOUR_MODES)}")


def solve_scene(model: PressureModel, contacts: Sequence[Contact], style: FrameStyle = FrameStyle(),
                caption: str | None = None, nonlinear: bool = False) -> Scene:
    """The mechanics' :class:`Scene` for ``contacts`` at the style's fixed scales (if any)."""
    return Scene.solve(model, contacts, exaggeration=style.exaggeration,
                       compression_limit_pct=style.compression_limit_pct, caption=caption, nonlinear=nonlinear)


def _outline_edges(model: PressureModel) -> tuple[np.ndarray, np.ndarray]:
    """Mesh edges between structures or on the boundary: the outlines to draw, (k, 2) vertex pairs.

    Also returns the regions on both sides of each edge, (k, 2) (-1 = outside or a thin layer).
    Septa and sliding layers are thinner than the elements, so their mesh edges zig-zag; they
    are left out here and drawn from their own polygons (:func:`_septum_outlines`).
    """
    tri = model.mesh.triangles
    edges = np.sort(np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]]), axis=1)
    thin = np.array([model.is_sliding(n) or n in model.shape.septa for n in model.region_names])
    owner = np.tile(np.where(thin, -1, np.arange(len(thin)))[model.region], 3)
    order = np.lexsort((edges[:, 1], edges[:, 0]))
    edges, owner = edges[order], owner[order]
    shared = np.flatnonzero(np.all(edges[1:] == edges[:-1], axis=1))
    keep = owner >= 0                      # boundary edges of ordinary structures
    keep[shared + 1] = False               # each interior edge is looked at once, from its first copy
    a, b = owner[shared], owner[shared + 1]
    keep[shared] = (a != b) & (a >= 0) & (b >= 0)
    other = np.full(len(edges), -1)
    other[shared] = b
    return edges[keep], np.column_stack([owner, other])[keep]


#: Muscle groups whose outlines are drawn in their compartment colour (Braus: red, green, blue).
_GROUPS = (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS)


def _outline_colours(model: PressureModel, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RGB and line width per outline edge: a muscle group's colour where the edge bounds one, else dark grey."""
    from matplotlib.colors import to_rgb

    group = [model.compartment_of(n) for n in model.region_names]
    rgb = np.tile(np.array([0.15, 0.15, 0.15]), (len(sides), 1))
    width = np.full(len(sides), 0.5)
    for column in (1, 0):   # the first side wins where an edge parts two groups
        ids = sides[:, column]
        for g in _GROUPS:
            hit = np.array([i >= 0 and group[i] is g for i in ids], dtype=bool)
            rgb[hit] = to_rgb(compartment_colour(g))
            width[hit] = 1.3
    return rgb, width


def _septum_outlines(model: PressureModel) -> list[tuple[np.ndarray, object]]:
    """Each septum's outline (points in the mesh) and the probe that moves it with the tissue."""
    out = []
    for septum in model.shape.septa.values():
        ring = resample(np.asarray(septum.exterior.coords), lambda p: np.full(len(p), 0.5), 0.5)
        ring = ring[model.solver.inside(ring)]
        if len(ring) > 2:
            out.append((ring, model.solver.probe(ring)))
    return out


def _region_colours(model: PressureModel) -> np.ndarray:
    from matplotlib.colors import to_rgb

    out = []
    for name in model.region_names:
        if model.is_sliding(name):
            out.append((0.95, 0.95, 0.85))
        else:
            out.append(to_rgb(structure_colour(name)))
    return np.array(out)[model.region]


def _scale_text(exaggeration: float) -> str:
    if abs(exaggeration - 1.0) < 1e-6:
        return "displacement drawn to scale"
    return f"displacement drawn x{exaggeration:.2g}"


def _ink_lines(model: PressureModel, every_deg: float = 30.0) -> list[tuple[np.ndarray, object]]:
    """Straight lines drawn on the tissue at rest, femur to skin: slip shows as a kink where they cross a layer.

    Each line is its points (k, 2) and the sparse probe that reads the displacement there.
    """
    shape = model.shape
    lines = []
    for angle in np.arange(0.0, 360.0, every_deg):
        direction = shape.direction_of(angle)
        skin = np.linalg.norm(shape.skin_point(angle) - shape.centre)
        pts = shape.centre + np.linspace(0.0, skin, int(skin / 0.5))[:, None] * direction
        pts = pts[model.solver.inside(pts)]
        if len(pts) > 2:
            lines.append((pts, model.solver.probe(pts)))
    return lines


class PanelDrawer:
    """Draws one deformed section on a matplotlib Axes; set up once, redrawn per frame."""

    def __init__(self, model: PressureModel, style: FrameStyle) -> None:
        self.model = model
        self.style = style
        self.edges, sides = _outline_edges(model)
        self.edge_rgb, self.edge_width = _outline_colours(model, sides)
        self.region_rgb = _region_colours(model)
        self.ink = _ink_lines(model)
        self.septa = _septum_outlines(model)
        gauges = [(g, model.solver.inside(g.at)) for g in model.gauges]
        self.gauge_points = [(g.name, ok, g.at[ok], model.solver.probe(g.at[ok])) for g, ok in gauges if ok.any()]

    def draw(self, ax, deformation: Deformation, load_fraction: float, scene: Scene) -> None:
        from matplotlib.collections import LineCollection, PolyCollection

        m, d = self.model, deformation.scaled(load_fraction)
        exaggeration = scene.exaggeration
        xy = m.mesh.points + exaggeration * d.displacement
        polys = xy[m.mesh.triangles]
        if self.style.colour_by == "compression":
            limit = scene.compression_limit_pct
            faces = PolyCollection(polys, array=100.0 * d.compression, cmap="RdBu_r", clim=(-limit, limit),
                                   edgecolors="face", linewidths=0.2)
        elif self.style.colour_by == "shear":
            faces = PolyCollection(polys, array=100.0 * d.shear, cmap="PuRd", clim=(0, scene.shear_limit_pct),
                                   edgecolors="face", linewidths=0.2)
        else:
            faces = PolyCollection(polys, facecolors=0.55 + 0.45 * self.region_rgb, edgecolors="face",
                                   linewidths=0.2)
        ax.add_collection(faces)
        ax.add_collection(LineCollection(xy[self.edges], colors=self.edge_rgb, linewidths=self.edge_width))
        for pts, probe in self.septa:
            moved = pts + exaggeration * (probe @ d.dofs).reshape(2, -1).T
            ax.fill(moved[:, 0], moved[:, 1], facecolor="0.97", edgecolor="0.15", linewidth=0.6, zorder=3)
        ink = [pts + exaggeration * (probe @ d.dofs).reshape(2, -1).T for pts, probe in self.ink]
        ax.add_collection(LineCollection(ink, colors="0.05", linewidths=0.9, linestyles="-"))
        femur = np.asarray(m.shape.femur.exterior.coords)
        ax.fill(femur[:, 0], femur[:, 1], color="0.85", ec="0.3", lw=0.8)
        if self.style.colour_by == "slip":
            self._draw_slip(ax, d, exaggeration, scene.slip_limit_mm)
        self._draw_arrow(ax, d, load_fraction, exaggeration)
        x0, y0, x1, y1 = m.shape.domain.bounds
        pad = 0.2 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_title(deformation), fontsize=10)
        lateral = "lateral" if m.shape.side == "right" else "medial"
        medial = "medial" if m.shape.side == "right" else "lateral"
        ax.text(0.04, 0.5, lateral, transform=ax.transAxes, rotation=90, va="center", fontsize=7, color="0.4")
        ax.text(0.96, 0.5, medial, transform=ax.transAxes, rotation=90, va="center", fontsize=7, color="0.4")
        ax.text(0.5, 1.0, "anterior", transform=ax.transAxes, ha="center", va="top", fontsize=7, color="0.4")

    def _draw_slip(self, ax, d: Deformation, exaggeration: float, limit: float):
        """Slip read-out points on the septa and round the femur, moved with the tissue, coloured in mm."""
        moved = [at + exaggeration * (probe @ d.dofs).reshape(2, -1).T for _, _, at, probe in self.gauge_points]
        values = [d.slip[name][ok] for name, ok, _, _ in self.gauge_points]
        pts = np.vstack(moved)
        ax.scatter(pts[:, 0], pts[:, 1], c=np.concatenate(values), cmap="viridis", vmin=0, vmax=limit, s=5,
                   zorder=5)

    def _draw_arrow(self, ax, d: Deformation, load_fraction: float, exaggeration: float) -> None:
        if load_fraction <= 0.01:
            return
        radius = np.sqrt(self.model.shape.domain.area / np.pi)
        length = 0.35 * radius * load_fraction
        tip = d.point + 0.04 * radius * (d.point - self.model.shape.centre) / radius
        if d.contact.direction == "sideways":
            tip = tip + 0.06 * radius * (d.point - self.model.shape.centre) / radius
        tail = tip - d.direction * length
        ax.annotate("", xy=tip, xytext=tail,
                    arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2.0, "mutation_scale": 14})
        ax.text(*tail, f" {d.contact.force_n * load_fraction:.0f} N", fontsize=8, ha="center", va="center",
                bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})


def _title(d: Deformation) -> str:
    if d.contact.direction == "into-bone":
        return "into the bone"
    return f"sideways (towards {d.towards})"


#: Footer text sizes (points) at the frame's natural scale, and the gap between its lines (in line heights).
_CAPTION_PT, _NOTE_PT, _GAP = 8.0, 7.0, 0.35
#: The footer never takes more than this share of the frame: its text shrinks instead.
_MAX_FOOTER = 0.45


def _cap_height_per_point() -> float:
    """Cap height of the figure font, in points per point of font size (DejaVu Sans: 0.73)."""
    from matplotlib.textpath import TextPath

    return TextPath((0, 0), "H", size=100).get_extents().height / 100.0


def _wrap(fig, renderer, text: str, fontsize: float, width_px: float) -> str:
    """``text`` wrapped at word breaks into lines no wider than ``width_px`` (measured, not guessed)."""
    from matplotlib.text import Text

    probe = Text(0, 0, text, fontsize=fontsize, figure=fig)
    full = probe.get_window_extent(renderer).width
    if full <= width_px:
        return text
    chars = max(8, int(len(text) * width_px / full))
    while True:
        wrapped = textwrap.fill(text, chars, break_long_words=False)
        probe.set_text(wrapped)
        if probe.get_window_extent(renderer).width <= width_px or chars <= 8:
            return wrapped
        chars -= max(1, chars // 25)


def _footer(fig, scene: Scene, drawer: PanelDrawer) -> float:
    """Write the caption and the two notes along the bottom, each wrapped to the frame's width and
    stacked from measured heights (no line can overlap another); returns the footer's height in pixels.

    The caption is at the style's room size (if any); if the footer would take more than
    ``_MAX_FOOTER`` of the frame, all of its text shrinks until it fits.
    """
    style = drawer.style
    width, height = fig.get_size_inches() * fig.dpi
    renderer = fig._get_renderer()
    colour_note = {
        "compression": f"colour: volume change, red = compressed (scale +/-{scene.compression_limit_pct:.0f} %)",
        "shear": f"colour: shear strain, 0-{scene.shear_limit_pct:.0f} % (sliding layers saturate)",
        "slip": f"dots: slip, 0-{scene.slip_limit_mm:.0f} mm"}[style.colour_by]
    caption_pt = _CAPTION_PT if style.caption_cap is None else \
        style.caption_cap * height * 72.0 / fig.dpi / _cap_height_per_point()
    lines = ((scene.caption, caption_pt, "black"),
             (f"{_scale_text(scene.exaggeration)}; {colour_note}", _NOTE_PT, "0.3"),
             ("outlines: quadriceps red, adductors green, hamstrings blue; black lines were straight at rest: "
              f"a kink is slip; sliding layers {drawer.model.materials.sliding_kpa:g} kPa (a modelling choice)",
              _NOTE_PT, "0.3"))
    shrink = 1.0
    while True:
        texts, y = [], 0.25 * _NOTE_PT * fig.dpi / 72.0
        for text, points, colour in reversed(lines):  # bottom up
            size = points * shrink
            t = fig.text(0.5, y / height, _wrap(fig, renderer, text, size, 0.97 * width), ha="center", va="bottom",
                         fontsize=size, color=colour, linespacing=1.15)
            texts.append(t)
            y += t.get_window_extent(renderer).height + _GAP * size * fig.dpi / 72.0
        if y <= _MAX_FOOTER * height or shrink < 0.2:
            return y
        for t in texts:
            t.remove()
        shrink *= 0.9


def draw_scene(fig, scene: Scene, drawer: PanelDrawer, load_fraction: float, footer_px: int = 0) -> None:
    """Draw the scene's panels and its captions on a matplotlib figure (cleared first); the footer is at
    least ``footer_px`` tall and as tall as its wrapped text needs."""
    fig.clear()
    n = len(scene.deformations)
    height = fig.get_size_inches()[1] * fig.dpi
    bottom = max(_footer(fig, scene, drawer), footer_px) / height
    title = 28 * fig.dpi / 100 / height  # the panels' titles (10 pt)
    for i, d in enumerate(scene.deformations):
        ax = fig.add_axes((i / n, bottom, 1 / n, 1 - bottom - title))
        drawer.draw(ax, d, float(load_fraction), scene)


def _figure(style: FrameStyle, n_panels: int):
    """An empty figure for one frame: ``n_panels`` side by side, a footer for the captions; at the style's
    ``size_px``, its resolution scaled so the picture is the natural one, larger or smaller."""
    from matplotlib.figure import Figure

    natural = (style.panel_px * n_panels, style.panel_px + 80)
    if style.size_px is None:
        return Figure(figsize=(natural[0] / style.dpi, natural[1] / style.dpi), dpi=style.dpi)
    width, height = style.size_px
    dpi = style.dpi * height / natural[1]
    return Figure(figsize=(width / dpi, height / dpi), dpi=dpi)


def frames(model: PressureModel, contacts: Sequence[Contact], n_frames: int = 36,
           style: FrameStyle = FrameStyle(), caption: str | None = None,
           nonlinear: bool = False) -> Iterator[np.ndarray]:
    """RGBA frames, one panel per contact side by side, sharing colour scale and drawn-displacement scale
    (``nonlinear``: the frames are the large-deformation solve's load steps)."""
    scene = solve_scene(model, contacts, style, caption, nonlinear)
    drawer = PanelDrawer(model, style)
    for fraction in ramp(n_frames):
        fig = _figure(style, len(contacts))
        draw_scene(fig, scene, drawer, float(fraction))
        yield figure_rgba(fig)


def rolling_frames(model: PressureModel, contacts: Sequence[Contact], sweep_deg: float, n_frames: int = 36,
                   style: FrameStyle = FrameStyle()) -> Iterator[np.ndarray]:
    """A rolling contact (a massage ball): the full load moves ``sweep_deg`` degrees along the skin.

    One solve per frame (the factorisation is reused); the colour and displacement scales of the
    first frame are kept so the frames compare.
    """
    first = solve_scene(model, contacts, style)
    fixed = replace(style, exaggeration=first.exaggeration, compression_limit_pct=first.compression_limit_pct)
    drawer = PanelDrawer(model, fixed)
    for step in np.linspace(0.0, sweep_deg, max(int(n_frames), 2)):
        moved = [replace(c, at=c.angle_deg + float(step)) for c in contacts]
        fig = _figure(style, len(contacts))
        draw_scene(fig, solve_scene(model, moved, fixed), drawer, 1.0)
        yield figure_rgba(fig)
