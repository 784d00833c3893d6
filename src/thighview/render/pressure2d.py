"""The one drawer of the deforming section: tissue, outlines, ink lines, tool, arrow, colour bar, captions.

The mechanics returns data (:class:`thighview.mechanics.animation.Scene`: the solved loads and
the scales they share); this module draws it with matplotlib, on the GUI's stage and pressure
panel and in every export (the CLI's movies, :mod:`thighview.export.animations`), so they show
one picture. :class:`SceneFigure` lays a scene out and moves its artists in place frame by frame
(an interactive view blits them); :func:`frames` and :func:`rolling_frames` yield the RGBA
frames of the load cycle.
"""

from __future__ import annotations

import functools
import itertools
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from thighview.anatomy import Compartment, compartment_colour, structure_colour
from thighview.mechanics.animation import Scene, ramp
from thighview.mechanics.meshing import resample
from thighview.render.pressure_tool import HANDLE_SHARE, ToolPose, section_radius, tool_pose
from thighview.render.raster import figure_rgba, fill_triangles

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
    palette: str = "braus"                       # the app's palette: outlines and colour maps follow it

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


def _outline_colours(model: PressureModel, sides: np.ndarray, palette: str) -> tuple[np.ndarray, np.ndarray]:
    """RGB and line width per outline edge: a muscle group's colour where the edge bounds one, else dark grey."""
    from matplotlib.colors import to_rgb

    group = [model.compartment_of(n) for n in model.region_names]
    rgb = np.tile(np.array([0.15, 0.15, 0.15]), (len(sides), 1))
    width = np.full(len(sides), 0.5)
    for column in (1, 0):   # the first side wins where an edge parts two groups
        ids = sides[:, column]
        for g in _GROUPS:
            hit = np.array([i >= 0 and group[i] is g for i in ids], dtype=bool)
            rgb[hit] = to_rgb(compartment_colour(g, palette))
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


def _attachment_arcs(model: PressureModel, palette: str) -> tuple[list[np.ndarray], list]:
    """The attachment map on the femur: the runs of its outline where tissue is bonded at this level (polylines),
    each in its muscle group's colour (a septum's line on the bone in dark grey). Elsewhere tissue slides."""
    surface = model.bone_surface
    order = np.argsort(surface.angle_deg)
    points = surface.points[order]
    groups = [model.compartment_of(surface.structure[i]) if surface.bonded[i] else None for i in order]
    if all(g is not None for g in groups) and len(set(groups)) == 1:   # bonded all round: one closed ring
        return [np.vstack([points, points[:1]])], [_attachment_colour(groups[0], palette)]
    start = next(i for i, g in enumerate(groups) if g is None or g is not groups[0])   # begin where a run ends
    points, groups = np.roll(points, -start, axis=0), groups[start:] + groups[:start]
    runs, colours = [], []
    for group, members in itertools.groupby(range(len(groups)), key=groups.__getitem__):
        ids = list(members)
        if group is not None and len(ids) > 1:
            runs.append(points[ids[0]:ids[-1] + 1])
            colours.append(_attachment_colour(group, palette))
    return runs, colours


def _attachment_colour(group, palette: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(compartment_colour(group, palette)) if group in _GROUPS else (0.2, 0.2, 0.2)


def _region_colours(model: PressureModel, palette: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    out = []
    for name in model.region_names:
        if model.is_sliding(name):
            out.append((0.95, 0.95, 0.85))
        else:
            out.append(to_rgb(structure_colour(name, palette)))
    return np.array(out)[model.region]


def _scale_text(exaggeration: float) -> str:
    if abs(exaggeration - 1.0) < 1e-6:
        return "displacement drawn to scale"
    return f"displacement drawn x{exaggeration:.2g}"


def _model_text(scene: Scene) -> str:
    """Which model the frames show (the app swaps its instant linear preview for the large-deformation solve)."""
    if all(d.kind == "linear" for d in scene.deformations):
        return "linear model (small strain)"
    return "large deformation, friction at the bone and across the septa (frames: its load steps)"


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


#: The colour maps of the tissue per palette: none uses the muscle groups' red, green and blue
#: for a second meaning, and the colour-blind palette's maps are colour-blind safe (ColorBrewer, cividis).
_COLOURMAPS = {"braus": {"compression": "PuOr_r", "shear": "Purples", "slip": "viridis"},
               "colorblind": {"compression": "BrBG_r", "shear": "cividis", "slip": "cividis"}}


def colour_map(colour_by: str, palette: str = "braus") -> str:
    """The matplotlib colour map of a colouring in a palette (the 3-D slab uses the same)."""
    return _COLOURMAPS.get(palette, _COLOURMAPS["braus"])[colour_by]


def colour_scale(colour_by: str, scene: Scene) -> tuple[float, float, str]:
    """The colour bar's range and label, with units, for a colouring of ``scene``."""
    if colour_by == "compression":
        limit = scene.compression_limit_pct
        return -limit, limit, "volume change, %  (+ = compressed)"
    if colour_by == "shear":
        return 0.0, scene.shear_limit_pct, "shear strain, %  (sliding layers saturate)"
    return 0.0, scene.slip_limit_mm, "slip at the sliding layers, mm (dots)"


@functools.cache  # one class: each class made stayed alive for good (7 objects per drawing of a new model)
def _triangles_class():
    """:class:`matplotlib.collections.Collection` of flat-coloured triangles drawn in one call.

    A PolyCollection makes a Path object per triangle on every ``set_verts``; this collection keeps
    the (n, 3, 2) array. On Agg (the screen, every movie and PNG) it fills them in one numpy pass
    (:func:`thighview.render.raster.fill_triangles`: Agg's own triangle call costs a few microseconds
    per triangle, the larger part of a drag's frame); in a vector file it hands them to the renderer's
    triangle call, each triangle's three corners in its own colour. The same picture either way.
    """
    from matplotlib import artist
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.collections import Collection
    from matplotlib.transforms import Bbox

    class FlatTriangles(Collection):
        def __init__(self, triangles: np.ndarray, **kwargs) -> None:
            super().__init__(**kwargs)
            self._triangles = np.asarray(triangles, dtype=float)

        def set_verts(self, triangles: np.ndarray) -> None:
            self._triangles = np.asarray(triangles, dtype=float)
            self.stale = True

        def get_datalim(self, transData) -> Bbox:
            flat = self._triangles.reshape(-1, 2)
            return Bbox([flat.min(axis=0), flat.max(axis=0)])

        def _fill(self, renderer, gc, colours: np.ndarray) -> None:
            corners = self.get_transform().transform(self._triangles.reshape(-1, 2)).reshape(-1, 3, 2)
            box = self.get_clip_box() if self.get_clip_on() and self.get_clip_box() is not None else \
                Bbox.from_bounds(0, 0, renderer.width, renderer.height)
            x0, y0, x1, y1 = box.extents
            clip = (max(int(np.floor(x0)), 0), min(int(np.ceil(x1)), int(renderer.width)),
                    max(int(np.floor(y0)), 0), min(int(np.ceil(y1)), int(renderer.height)))
            rgba = np.round(255.0 * np.clip(colours, 0.0, 1.0)).astype(np.uint8)
            filled = fill_triangles(corners, rgba, clip)
            if filled is not None:
                image, left, bottom = filled
                renderer.draw_image(gc, left, bottom, image)

        @artist.allow_rasterization
        def draw(self, renderer) -> None:
            if not self.get_visible() or not len(self._triangles):
                return
            renderer.open_group("triangles", self.get_gid())
            self.update_scalarmappable()
            colours = np.broadcast_to(self.get_facecolor(), (len(self._triangles), 4))
            gc = renderer.new_gc()
            self._set_gc_clip(gc)
            gc.set_alpha(1.0)
            if isinstance(renderer, RendererAgg):   # pixels (the stage, every movie and PNG): filled in one pass
                self._fill(renderer, gc, colours)
            else:                                    # a vector file: the renderer's own triangles
                renderer.draw_gouraud_triangles(gc, self._triangles, np.repeat(colours[:, None, :], 3, axis=1),
                                                self.get_transform().frozen())
            gc.restore()
            renderer.close_group("triangles")
            self.stale = False

    return FlatTriangles


class _Carried:
    """Points drawn on the tissue that move with it (ink lines, septa, slip gauges): every piece's points
    and probes stacked once, so a frame moves them all with one sparse product."""

    def __init__(self, pieces: Sequence[tuple[np.ndarray, object]]) -> None:
        import scipy.sparse as sp

        sizes = [len(points) for points, _ in pieces]
        self.points = np.vstack([points for points, _ in pieces]) if pieces else np.empty((0, 2))
        self.splits = np.cumsum(sizes)[:-1]   # where each piece after the first begins
        probes = [(probe, n) for (_, probe), n in zip(pieces, sizes)]
        rows = [probe[:n] for probe, n in probes] + [probe[n:] for probe, n in probes]   # all x rows, then all y
        self.probe = sp.vstack(rows).tocsr() if rows else None

    def moved(self, dofs: np.ndarray, exaggeration: float) -> np.ndarray:
        """The points, (k, 2), moved by the displacement ``dofs`` drawn ``exaggeration`` times."""
        if self.probe is None:
            return self.points
        return self.points + exaggeration * (self.probe @ dofs).reshape(2, -1).T

    def pieces(self, dofs: np.ndarray, exaggeration: float) -> list[np.ndarray]:
        return np.split(self.moved(dofs, exaggeration), self.splits) if len(self.points) else []

    def polyline(self, dofs: np.ndarray, exaggeration: float) -> np.ndarray:
        """The pieces as one (k, 2) array with NaN rows between them: one Line2D draws them in one path."""
        return np.insert(self.moved(dofs, exaggeration), self.splits, np.nan, axis=0)


class PanelDrawer:
    """Draws deformed sections of one model in one style: set up once per model, then per panel
    :meth:`panel` makes the artists once and :meth:`Panel.update` moves them each frame."""

    def __init__(self, model: PressureModel, style: FrameStyle) -> None:
        self.model = model
        self.style = style
        edges, sides = _outline_edges(model)
        rgb, width = _outline_colours(model, sides, style.palette)
        kinds, kind = np.unique(np.column_stack([rgb, width]), axis=0, return_inverse=True)
        kind = kind.ravel()
        #: the outlines by colour and width: (rgb, width, (k, 2) vertex pairs), one line artist each
        self.outline_groups = [(tuple(k[:3]), float(k[3]), edges[kind == i]) for i, k in enumerate(kinds)]
        self.region_rgb = _region_colours(model, style.palette)
        self.attachments = _attachment_arcs(model, style.palette)   # the bone is held: drawn once, never moved
        self.ink = _Carried(_ink_lines(model))
        self.septa = _Carried(_septum_outlines(model))
        gauges = [(g, model.solver.inside(g.at)) for g in model.gauges]
        self.gauge_points = [(g.name, ok) for g, ok in gauges if ok.any()]   # the slip gauges drawn, their points
        self.gauges = _Carried([(g.at[ok], model.solver.probe(g.at[ok])) for g, ok in gauges if ok.any()])

    def panel(self, ax, *, handles: bool = False, animated: bool = False) -> Panel:
        """The artists of one section on ``ax`` (``handles``: the lean handle; ``animated``: for blitting)."""
        return Panel(self, ax, handles=handles, animated=animated)

    def draw(self, ax, deformation: Deformation, load_fraction: float, scene: Scene) -> Panel:
        """One still picture of ``deformation`` at ``load_fraction`` on ``ax``."""
        panel = self.panel(ax)
        panel.update(deformation, load_fraction, scene)
        return panel


class Panel:
    """One deformed section's artists on a matplotlib Axes: made once, moved in place each frame
    (``set_verts``, ``set_segments``, ``set_offsets``, ``set_array``), so a frame costs no new artists."""

    def __init__(self, drawer: PanelDrawer, ax, *, handles: bool = False, animated: bool = False) -> None:
        from matplotlib.collections import PolyCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrowPatch, Polygon

        self.drawer, self.ax = drawer, ax
        m, style = drawer.model, drawer.style
        rest = m.mesh.points[m.mesh.triangles]
        triangles = _triangles_class()
        if style.colour_by == "slip":
            self.faces = triangles(rest, facecolors=0.55 + 0.45 * drawer.region_rgb)
        else:
            self.faces = triangles(rest, array=np.zeros(len(rest)), cmap=colour_map(style.colour_by, style.palette))
        ax.add_collection(self.faces, autolim=False)
        self.outlines = [Line2D([], [], color=rgb, linewidth=width, zorder=2) for rgb, width, _ in drawer.outline_groups]
        for line in self.outlines:
            ax.add_line(line)
        self.septa = PolyCollection([], facecolors="0.97", edgecolors="0.15", linewidths=0.6, zorder=3)
        ax.add_collection(self.septa, autolim=False)
        self.ink = Line2D([], [], color="0.05", linewidth=1.1, zorder=3.5)
        ax.add_line(self.ink)
        femur = np.asarray(m.shape.femur.exterior.coords)
        ax.add_patch(Polygon(femur, closed=True, facecolor="0.85", edgecolor="0.3", linewidth=0.8, zorder=4))
        runs, colours = drawer.attachments
        if runs:
            from matplotlib.collections import LineCollection

            ax.add_collection(LineCollection(runs, colors=colours, linewidths=3.0, capstyle="butt",
                                             joinstyle="round", zorder=4.5), autolim=False)
        self.slip = None
        if style.colour_by == "slip":
            self.slip = ax.scatter([], [], c=[], cmap=colour_map("slip", style.palette), s=9, zorder=5)
        self.guide = Line2D([], [], color="0.15", linewidth=1.2, linestyle=(0, (5, 4)), zorder=5)
        ax.add_line(self.guide)
        self.tool = Polygon(np.zeros((3, 2)), closed=True, facecolor=(1.0, 1.0, 1.0, 0.6), edgecolor="0.1",
                            linewidth=1.6, zorder=6)
        ax.add_patch(self.tool)
        self.tool_detail = Line2D([], [], color="0.1", linewidth=1.0, zorder=6)
        ax.add_line(self.tool_detail)
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", color="black", linewidth=2.6,
                                     mutation_scale=20, shrinkA=0, shrinkB=0, zorder=7)
        ax.add_patch(self.arrow)
        self.force = ax.text(0, 0, "", fontsize=9, ha="center", va="center", zorder=8,
                             bbox={"fc": "white", "ec": "none", "alpha": 0.75, "pad": 1})
        self.handle = None
        if handles:
            self.handle = Line2D([], [], marker="o", markersize=11, markerfacecolor=(1, 1, 1, 0.8),
                                 markeredgecolor="black", markeredgewidth=1.5, linestyle="none", zorder=8)
            ax.add_line(self.handle)
        self.title = ax.text(0.5, 1.0, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=10, zorder=8)
        x0, y0, x1, y1 = m.shape.domain.bounds
        pad = (HANDLE_SHARE + 0.06) * section_radius(m)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        lateral = "lateral" if m.shape.side == "right" else "medial"
        medial = "medial" if m.shape.side == "right" else "lateral"
        ax.text(0.02, 0.5, lateral, transform=ax.transAxes, rotation=90, va="center", fontsize=7, color="0.4")
        ax.text(0.98, 0.5, medial, transform=ax.transAxes, rotation=90, va="center", ha="right", fontsize=7,
                color="0.4")
        ax.text(0.5, 0.985, "anterior", transform=ax.transAxes, ha="center", va="top", fontsize=7, color="0.4")
        self.pose: ToolPose | None = None
        self.deformation: Deformation | None = None   # the frame shown: scaled to its load, drawn x exaggeration
        self.exaggeration = self.load_fraction = 1.0
        for artist in self.moving:
            artist.set_animated(animated)

    @property
    def moving(self) -> list:
        """The artists a frame changes, in drawing order (blitting draws these over a saved background)."""
        artists = [self.faces, *self.outlines, self.septa, self.ink, self.slip, self.guide, self.tool,
                   self.tool_detail, self.arrow, self.force, self.handle]
        return [a for a in artists if a is not None]

    @property
    def mappable(self):
        """What the colour bar explains: the tissue's colours, or the slip dots'."""
        return self.slip if self.slip is not None else self.faces

    def update(self, deformation: Deformation, load_fraction: float, scene: Scene) -> None:
        """Move the artists to ``deformation`` at ``load_fraction`` of its force, at the scene's scales."""
        drawer, m = self.drawer, self.drawer.model
        d, exaggeration = deformation.scaled(load_fraction), scene.exaggeration
        self.deformation, self.exaggeration, self.load_fraction = d, exaggeration, float(load_fraction)
        xy = m.mesh.points + exaggeration * d.displacement
        self.faces.set_verts(xy[m.mesh.triangles])
        vmin, vmax, _label = colour_scale(drawer.style.colour_by, scene)
        if drawer.style.colour_by == "compression":
            self.faces.set_array(100.0 * d.compression)
        elif drawer.style.colour_by == "shear":
            self.faces.set_array(100.0 * d.shear)
        self.mappable.set_clim(vmin, vmax)
        for line, (_rgb, _width, edges) in zip(self.outlines, drawer.outline_groups):
            ends = xy[edges]
            line.set_data(*np.concatenate([ends, np.full((len(ends), 1, 2), np.nan)], axis=1).reshape(-1, 2).T)
        self.septa.set_verts(drawer.septa.pieces(d.dofs, exaggeration))
        self.ink.set_data(*drawer.ink.polyline(d.dofs, exaggeration).T)
        if self.slip is not None:
            self.slip.set_offsets(drawer.gauges.moved(d.dofs, exaggeration))
            self.slip.set_array(np.concatenate([d.slip[name][ok] for name, ok in drawer.gauge_points]))
        pose = self.pose = tool_pose(d, exaggeration, load_fraction)
        self.guide.set_data(*np.column_stack([pose.contact, pose.femur_centre]))
        self.tool.set_xy(pose.outline)
        self.tool_detail.set_data(pose.detail[:, 0], pose.detail[:, 1])
        shown = load_fraction > 0.01
        self.arrow.set_positions(tuple(pose.arrow_tail), tuple(pose.arrow_tip))
        self.arrow.set_visible(shown)
        self.force.set_position(tuple(pose.label_at))
        self.force.set_text(f"{deformation.contact.force_n * load_fraction:.0f} N" if shown else "")
        if self.handle is not None:
            self.handle.set_data([pose.handle[0]], [pose.handle[1]])
        self.title.set_text(_title(d))


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


class SceneFigure:
    """A scene on a matplotlib figure: its panels side by side (same size, same scale), the colour bar
    with units, and the captions. Built once (:meth:`update` then moves it frame by frame); the
    stage, the Pressure panel and every export draw with it.

    The footer (caption, scale note, key to the outlines) is wrapped to the frame's width and stacked
    from measured heights, so no line can overlap another; the caption is at the style's room size
    (if any), and if the footer would take more than ``_MAX_FOOTER`` of the frame all of its text
    shrinks until it fits. The panels take what is left above it.
    """

    def __init__(self, fig, drawer: PanelDrawer, n_panels: int, footer_px: int = 0, *, handles: bool = False,
                 animated: bool = False) -> None:
        fig.clear()
        self.figure, self.drawer = fig, drawer
        self._scale = fig.dpi / 100.0                  # pixel sizes below are at 100 dpi, the natural frame
        width, height = fig.get_size_inches() * fig.dpi
        self._width, self._height, self._min_footer = width, height, footer_px
        self._bar_px = min(80.0 * self._scale, 0.12 * width)   # the colour bar's column, at the right
        self._bar_x = width - 0.72 * self._bar_px               # where the bar starts (its ticks to the right)
        self.panels = [drawer.panel(fig.add_axes((0, 0, 1, 1)), handles=handles, animated=animated)
                       for _ in range(n_panels)]
        self.colour_bar = fig.colorbar(self.panels[0].mappable, cax=fig.add_axes((0, 0, 1, 1)),
                                       orientation="vertical")
        self.colour_bar.ax.tick_params(labelsize=7, length=2)
        self.colour_bar.outline.set_linewidth(0.5)
        self._bar_chars = max(8, int(self._bar_px / (5.5 * self._scale)))
        self._key = ("outlines: " + _group_words(drawer.style.palette) + "; black lines were straight at rest: a "
                     "kink is slip; dashed: the line to the femur's centre; the linear preview's sliding layers "
                     f"{drawer.model.materials.sliding_kpa:g} kPa (a modelling choice)")
        if drawer.attachments[0]:
            self._key += ("; thick on the femur: where muscle attaches at this level, in its group's colour "
                          "(bonded with large deformation; elsewhere tissue slides with friction)")
        self._footer_texts: list = []
        self._bar_title_px = 0.0   # the colour bar's title height, measured when it is written
        self.caption_text, self.note_text = "", ""
        self._static: tuple | None = None
        self._place(self._min_footer)

    @property
    def moving(self) -> list:
        return [artist for panel in self.panels for artist in panel.moving]

    def _place(self, footer_px: float) -> None:
        """Put the panels and the colour bar above a footer ``footer_px`` tall."""
        width, height = self._width, self._height
        bottom, top = footer_px / height, 1.0 - 24 * self._scale / height   # room for the titles
        span = (1.0 - self._bar_px / width) / len(self.panels)
        for i, panel in enumerate(self.panels):
            panel.ax.set_position((i * span, bottom, span, top - bottom))
        # the bar's title (its units) sits above the bar and must end below the panels' titles
        below_titles = top - (self._bar_title_px + 6 * self.figure.dpi / 72 + 4 * self._scale) / height  # pad 6 pt
        bar_top = min(bottom + 0.75 * (top - bottom), below_titles)
        bar_bottom = min(bottom + 0.2 * (top - bottom), bottom + 0.5 * (bar_top - bottom))
        self.colour_bar.ax.set_position((self._bar_x / width, bar_bottom,
                                         10 * self._scale / width, max(bar_top - bar_bottom, 1.0 / height)))

    def _footer(self) -> None:
        """Write the caption, the scale note and the key along the bottom, then place the panels above."""
        fig, style = self.figure, self.drawer.style
        for text in self._footer_texts:
            text.remove()
        renderer = fig._get_renderer()
        caption_pt = _CAPTION_PT if style.caption_cap is None else \
            style.caption_cap * self._height * 72.0 / fig.dpi / _cap_height_per_point()
        lines = ((self.caption_text, caption_pt, "black"), (self.note_text, _NOTE_PT, "0.3"),
                 (self._key, _NOTE_PT, "0.3"))
        shrink = 1.0
        while True:
            self._footer_texts, y = [], 0.25 * _NOTE_PT * fig.dpi / 72.0
            for text, points, colour in reversed(lines):  # bottom up
                size = points * shrink
                t = fig.text(0.5, y / self._height, _wrap(fig, renderer, text, size, 0.97 * self._width),
                             ha="center", va="bottom", fontsize=size, color=colour, linespacing=1.15)
                self._footer_texts.append(t)
                y += t.get_window_extent(renderer).height + _GAP * size * fig.dpi / 72.0
            if y <= _MAX_FOOTER * self._height or shrink < 0.2:
                break
            for t in self._footer_texts:
                t.remove()
            shrink *= 0.9
        self._place(max(y, self._min_footer))

    def _fit_bar_column(self, title) -> None:
        """Widen the colour bar's column to hold its title (centred on the bar, the tick labels to its
        right), so the title never reaches into a panel; remember its height for :meth:`_place`."""
        half, ticks = title.width / 2 + 2 * self._scale, 30 * self._scale
        centre = self._width - max(half, ticks)
        self._bar_x = centre - 5 * self._scale
        self._bar_px = max(self._bar_px, self._width - (centre - half))
        self._bar_title_px = title.height

    def _fit_titles(self, points: float = 10.0) -> None:
        """Each panel's title at ``points``, smaller where it would be wider than its panel (a narrow dock)."""
        renderer = self.figure._get_renderer()
        for panel in self.panels:
            panel.title.set_fontsize(points)
            room = panel.ax.get_position().width * self._width
            width = panel.title.get_window_extent(renderer).width
            if width > room:
                panel.title.set_fontsize(max(5.0, points * room / width))

    def update(self, scene: Scene, load_fraction: float, *, captions: bool = True) -> bool:
        """Show ``scene`` at ``load_fraction``; True when the still parts changed too (titles, the colour
        scale, the caption), so a blitting view must draw the whole figure again. ``captions`` False keeps
        the caption as it is (a drag: its numbers are written once the tool is dropped)."""
        compare = len(scene.deformations) > 1
        for panel, d in zip(self.panels, scene.deformations):
            panel.update(d, float(load_fraction), scene)
            if panel.handle is not None:  # the lean handle: not on the straight push of a comparison
                panel.handle.set_visible(not (compare and d.contact.direction == "into-bone"))
        caption = scene.caption if captions or self._static is None else self.caption_text
        vmin, vmax, label = colour_scale(self.drawer.style.colour_by, scene)
        model = _model_text(scene)
        static = (vmin, vmax, label, scene.exaggeration, model, caption,
                  tuple(p.title.get_text() for p in self.panels))
        if static == self._static:
            return False
        self._static = static
        self.caption_text = caption
        self.note_text = f"{model}; {_scale_text(scene.exaggeration)}; tool and arrow drawn to scale at the contact"
        title = self.colour_bar.ax.set_title(textwrap.fill(label, self._bar_chars, break_long_words=False),
                                             fontsize=7, loc="center", pad=6)
        self._fit_bar_column(title.get_window_extent(self.figure._get_renderer()))
        self._footer()
        self._fit_titles()
        return True


def _group_words(palette: str) -> str:
    """The muscle groups' outline colours in words, in the palette drawn."""
    names = {"braus": ("red", "green", "blue"), "colorblind": ("orange", "green", "blue")}
    red, green, blue = names.get(palette, names["braus"])
    return f"quadriceps {red}, adductors {green}, hamstrings {blue}"


def draw_scene(fig, scene: Scene, drawer: PanelDrawer, load_fraction: float, footer_px: int = 0) -> SceneFigure:
    """Draw the scene's panels, colour bar and captions on a matplotlib figure (cleared first); the footer
    is at least ``footer_px`` tall and as tall as its wrapped text needs."""
    drawing = SceneFigure(fig, drawer, len(scene.deformations), footer_px)
    drawing.update(scene, load_fraction)
    return drawing


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
    drawing = SceneFigure(_figure(style, len(contacts)), PanelDrawer(model, style), len(contacts))
    for fraction in ramp(n_frames):
        drawing.update(scene, float(fraction))
        yield figure_rgba(drawing.figure)


def rolling_frames(model: PressureModel, contacts: Sequence[Contact], sweep_deg: float, n_frames: int = 36,
                   style: FrameStyle = FrameStyle()) -> Iterator[np.ndarray]:
    """A rolling contact (a massage ball): the full load moves ``sweep_deg`` degrees along the skin.

    One solve per frame (the factorisation is reused); the colour and displacement scales of the
    first frame are kept so the frames compare.
    """
    first = solve_scene(model, contacts, style)
    fixed = replace(style, exaggeration=first.exaggeration, compression_limit_pct=first.compression_limit_pct)
    drawing = SceneFigure(_figure(style, len(contacts)), PanelDrawer(model, fixed), len(contacts))
    for step in np.linspace(0.0, sweep_deg, max(int(n_frames), 2)):
        moved = [replace(c, at=c.angle_deg + float(step)) for c in contacts]
        drawing.update(solve_scene(model, moved, fixed), 1.0)
        yield figure_rgba(drawing.figure)
