"""The 3-D thigh scene, built on any pyvista plotter (off-screen for exports, QtInteractor in the GUI).

One actor per structure, a semi-transparent cutting plane perpendicular to the femur, and the
section filled in that plane (one actor, per-triangle colours). Structures are clipped by the
plane on the GPU (mapper clipping planes), so moving the level costs one new fill mesh and a
plane move, never re-clipping surfaces. The scene never calls ``render()``: its host does, once
per batch of changes.

While the user moves the camera or the level, the host can switch the structures to low-detail
meshes (:mod:`thighview.render.lod`, given once with :meth:`ThighScene.set_low_detail`) with
:meth:`ThighScene.set_low_detail_shown`; the section is always drawn in full.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from thighview.anatomy import Compartment
from thighview.render import geometry
from thighview.render.colouring import RGB
from thighview.render.views import DEFAULT_VIEW, VIEWS_BY_KEY, AnatomicalAxes, NamedView, camera_for

if TYPE_CHECKING:
    import pyvista as pv

    from thighview.model import ThighModel

#: Starting opacity per compartment: a see-through skin shows the muscles; fat and fascia start
#: hidden in 3D (they stay in the section) because three nested full-size shells cost more to draw
#: in software OpenGL than all the muscles together.
DEFAULT_OPACITY: dict[Compartment, float] = {
    Compartment.SKIN: 0.15,
    Compartment.FAT: 0.0,
    Compartment.FASCIA: 0.0,
}
PLANE_COLOUR = (0.55, 0.72, 0.95)
PLANE_OPACITY = 0.22
BACKGROUND = ((0.16, 0.17, 0.20), (0.36, 0.38, 0.43))  # bottom, top: a quiet studio gradient
_DIMMED = 0.18  # opacity factor of muscles that are not highlighted
_PICKABLE_OPACITY = 0.35
_HEIGHT_SLABS = 512  # slabs along the femur summarising the model's extent for camera fits


def default_opacity(compartment: Compartment) -> float:
    return DEFAULT_OPACITY.get(compartment, 1.0)


@dataclass(frozen=True)
class ScenePrep:
    """The part of building a scene that takes time and draws nothing: the structures' display
    meshes (with normals) and the model's height index. Made by :func:`prepare_scene`."""

    meshes: dict[str, pv.PolyData]
    height_index: tuple


def prepare_scene(model: ThighModel, axes: AnatomicalAxes, *, lighting: bool = True) -> ScenePrep:
    """Data for :class:`ThighScene` (normals for ``lighting``): pure numpy/VTK, no renderer, so
    the GUI makes it on a worker thread and only adds the actors on its own."""
    meshes = {name: geometry.display_mesh(s.vertices, s.faces, normals=lighting)
              for name, s in model.structures.items()}
    return ScenePrep(meshes, _height_index(model, axes))


def _height_index(model: ThighModel, axes: AnatomicalAxes) -> tuple:
    """Slab edges along the femur, and running min/max corners from the knee up and the hip down.

    A few kilobytes instead of every point sorted by height (tens of megabytes).
    """
    points = np.concatenate([s.vertices for s in model.structures.values()])
    heights = points @ axes.superior
    edges = np.linspace(heights.min(), heights.max(), _HEIGHT_SLABS + 1)
    slab = np.clip(np.searchsorted(edges, heights, side="right") - 1, 0, _HEIGHT_SLABS - 1)
    lows, highs = np.full((_HEIGHT_SLABS, 3), np.inf), np.full((_HEIGHT_SLABS, 3), -np.inf)
    np.minimum.at(lows, slab, points)
    np.maximum.at(highs, slab, points)
    from_below = (np.minimum.accumulate(lows), np.maximum.accumulate(highs))
    from_above = (np.minimum.accumulate(lows[::-1])[::-1], np.maximum.accumulate(highs[::-1])[::-1])
    return edges, (from_below[0], from_above[0]), (from_below[1], from_above[1])


class ThighScene:
    """Actors for one model on one plotter; setters change actors, the host renders.

    ``lighting=False`` gives flat, unlit colours (exact pixel tests, diagrams). ``prepared``
    (from :func:`prepare_scene` with the same ``lighting``) saves making it here.
    """

    def __init__(self, plotter: pv.Plotter, model: ThighModel, axes: AnatomicalAxes, *,
                 lighting: bool = True, background: bool = True, prepared: ScenePrep | None = None) -> None:
        from vtkmodules.vtkCommonDataModel import vtkPlane  # not `import vtk`: that loads every module

        self.plotter = plotter
        self.model = model
        self.axes = axes
        self.lighting = lighting
        self.names = list(model.structures)
        self._opacity = {n: default_opacity(s.compartment) for n, s in model.structures.items()}
        self._visible = {n: True for n in self.names}
        self._colours: dict[str, RGB] = {}
        self._highlight: str | None = None
        self._low_actors: dict = {}  # low-detail twins of self.actors (see set_low_detail)
        self._low_shown = False
        self._fxaa = False  # the host's FXAA setting, paused while low detail is shown
        self._clip_plane = vtkPlane()
        self._clipping = True
        self._kept_distal = True
        self._section = None
        if background:
            plotter.set_background(BACKGROUND[0], top=BACKGROUND[1])
        # Plain alpha blending for the see-through skin and plane: VTK's order-independent
        # translucency pass costs ~15 % of a frame in software OpenGL and changed a dozen pixels
        # of the default view (compared side by side); depth peeling stays off (pyvista's default).
        plotter.renderer.SetUseOIT(False)
        mins, maxs = model.bounds()
        self.extent_mm = float(np.linalg.norm(maxs - mins))
        prepared = prepared or prepare_scene(model, axes, lighting=lighting)
        self._height_index = prepared.height_index
        self.actors = {}
        for name, mesh in prepared.meshes.items():
            self.actors[name] = self._add_surface(mesh, f"structure:{name}")
            self._apply_opacity(name)
        self._fill_actor = self._outline_actor = self._plane_actor = None
        self._fill_mesh = self._outline_mesh = self._plane_mesh = None
        self._plane_visible = True

    def _add_surface(self, mesh: pv.PolyData, name: str):
        """An actor drawing a display mesh (smooth-shaded when lit), clipped by the cutting plane."""
        lit = self.lighting
        actor = self.plotter.add_mesh(mesh, color=(0.8, 0.8, 0.8), name=name, lighting=lit,
                                      interpolation="Phong" if lit else "Flat", specular=0.3 if lit else 0.0,
                                      specular_power=25, diffuse=0.9 if lit else 1.0, pickable=False,
                                      reset_camera=False, render=False)
        actor.mapper.AddClippingPlane(self._clip_plane)
        return actor

    # --- colours, visibility, opacity, highlight --------------------------------------------
    def set_colours(self, colours: Mapping[str, RGB]) -> None:
        """Colour every structure (and its triangles in the filled section)."""
        self._colours.update(colours)
        for name, actor in self.actors.items():
            if name in colours:
                actor.prop.color = colours[name]
        self._colour_fill()

    def set_visible(self, name: str, visible: bool) -> None:
        self._visible[name] = visible
        self._apply_opacity(name)
        self._refresh_fill()

    def set_opacity(self, name: str, opacity: float) -> None:
        self._opacity[name] = float(opacity)
        self._apply_opacity(name)

    def opacity(self, name: str) -> float:
        return self._opacity[name]

    def set_highlight(self, name: str | None) -> None:
        """Bring one structure forward (other muscles fade); ``None`` clears it."""
        self._highlight = name if name in self.actors else None
        for n in self.names:
            self._apply_opacity(n)

    def _apply_opacity(self, name: str) -> None:
        opacity = self._opacity[name]
        structure = self.model.structures[name]
        if self._highlight and name != self._highlight and structure.is_muscle:
            opacity *= _DIMMED
        actor = self.actors[name]
        actor.prop.opacity = opacity  # shared with the low-detail twin
        # fully transparent: skip drawing it; see-through layers wait while the view moves
        shown = self._visible[name] and opacity > 0.0 and not (self._low_shown and opacity < 1.0)
        low = self._low_shown and name in self._low_actors
        actor.SetVisibility(shown and not low)
        actor.SetPickable(opacity >= _PICKABLE_OPACITY)  # see-through skin must not catch the clicks
        if name in self._low_actors:
            self._low_actors[name].SetVisibility(shown and low)

    # --- level of detail --------------------------------------------------------------------
    def set_low_detail(self, meshes: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """Give the low-detail ``(vertices, faces)`` per structure (hidden until shown).

        Each twin shares its structure's property (colour, opacity, lighting) and clipping
        plane, so every later change applies to both.
        """
        for name, (vertices, faces) in meshes.items():
            full = self.actors.get(name)
            if full is None:
                continue
            actor = self._add_surface(geometry.display_mesh(vertices, faces, normals=self.lighting),
                                      f"low_detail:{name}")
            actor.SetProperty(full.GetProperty())
            self._low_actors[name] = actor
            self._apply_opacity(name)

    @property
    def has_low_detail(self) -> bool:
        return bool(self._low_actors)

    @property
    def low_detail_shown(self) -> bool:
        return self._low_shown

    def set_low_detail_shown(self, low: bool) -> None:
        """Draw the structures from their low-detail meshes (``True``, during an interaction) or in
        full; the filled section and its outline are full in both.

        Software OpenGL shades every covered pixel of every layer, so while low detail is shown
        the see-through layers (skin, cutting plane, faded muscles) are left out, back faces are
        culled (the back halves of closed surfaces are hidden behind their front halves or, at
        the cut, behind the filled section) and the host's FXAA pass is paused.
        """
        if low != self._low_shown:
            self._low_shown = low
            renderer = self.plotter.renderer
            if low:
                self._fxaa = bool(renderer.GetUseFXAA())
            renderer.SetUseFXAA(self._fxaa and not low)
            for name, actor in self.actors.items():
                actor.prop.SetBackfaceCulling(low)  # the property both twins share
                self._apply_opacity(name)
            self._show_plane()

    # --- the section ------------------------------------------------------------------------
    def set_section(self, section) -> None:
        """Move the cutting plane and the filled section to a new ``Section``."""
        self._section = section
        frame = section.frame
        self._place_clip_plane()
        # Actors are re-added (same name: replaced) with meshes this scene keeps alive; pyvista's
        # copies can share numpy memory with the meshes passed in.
        self._plane_mesh = geometry.plane_mesh(frame, 0.55 * self.extent_mm)
        self._plane_actor = self.plotter.add_mesh(self._plane_mesh, color=PLANE_COLOUR, opacity=PLANE_OPACITY,
                                                  name="cutting_plane", lighting=False, pickable=False,
                                                  reset_camera=False, render=False, show_edges=True,
                                                  edge_color=(0.75, 0.85, 1.0), line_width=2)
        self._show_plane()
        self._refresh_fill()

    def _refresh_fill(self) -> None:
        """Rebuild the filled section and its outlines for the visible structures."""
        if self._section is None:
            return
        polygons = {n: p for n, p in self._section.polygons.items() if self._visible.get(n, False)}
        self._fill_mesh = geometry.section_fill_mesh(polygons, self.names, self._section.frame)
        # nudge towards the camera side of the plane so the fill never z-fights the clipped surfaces
        towards_camera = self.axes.superior if self._kept_distal else -self.axes.superior
        if self._fill_mesh.n_points:
            self._fill_mesh.points += 0.05 * towards_camera
        self._outline_mesh = geometry.section_outline_mesh(polygons, self._section.frame)
        if self._outline_mesh.n_points:
            self._outline_mesh.points += 0.1 * towards_camera
            self._outline_actor = self.plotter.add_mesh(self._outline_mesh, color=(0.1, 0.1, 0.1), line_width=1.5,
                                                        lighting=False, name="section_outline", pickable=False,
                                                        reset_camera=False, render=False)
        else:
            self.plotter.remove_actor("section_outline", render=False)
        self._colour_fill()

    def _colour_fill(self) -> None:
        fill = self._fill_mesh
        if fill is None or not fill.n_cells:
            self.plotter.remove_actor("section_fill", render=False)
            self._fill_actor = None
            return
        palette = np.array([self._colours.get(n, (0.8, 0.8, 0.8)) for n in self.names])
        fill.cell_data["rgb"] = np.round(palette[fill.cell_data["structure"]] * 255).astype(np.uint8)
        self._fill_actor = self.plotter.add_mesh(fill, scalars="rgb", rgb=True, name="section_fill",
                                                 lighting=False, pickable=True, reset_camera=False, render=False,
                                                 show_scalar_bar=False)

    def set_clipping(self, on: bool) -> None:
        """Cut away the part of the thigh between the camera and the section (on), or show it whole."""
        self._clipping = on
        self._place_clip_plane()

    def _keeps_distal(self) -> bool:
        """Keep the knee's part unless the camera looks up the femur (from below, as in CT)."""
        camera = self.plotter.camera
        looking = np.asarray(camera.focal_point, dtype=float) - np.asarray(camera.position, dtype=float)
        return float(looking @ self.axes.superior) <= 0.1 * float(np.linalg.norm(looking))

    def _place_clip_plane(self) -> None:
        """Clip at the section, keeping the part away from the camera (VTK keeps the normal's side)."""
        if self._section is None:
            return
        keeps_distal = self._keeps_distal()
        towards_kept = -self.axes.superior if keeps_distal else self.axes.superior
        if keeps_distal != self._kept_distal:
            self._kept_distal = keeps_distal
            self._refresh_fill()  # the fill sits a hair towards the camera's side of the plane
        origin = np.asarray(self._section.frame.origin, dtype=float)
        if not self._clipping:  # the plane moves far behind the thigh: nothing is cut
            origin = origin - 1e6 * towards_kept
        self._clip_plane.SetOrigin(*origin)
        self._clip_plane.SetNormal(*towards_kept)

    def follow_camera(self) -> None:
        """Re-choose which part the cut keeps after the camera moved (e.g. the user orbited below)."""
        self._place_clip_plane()

    def set_plane_visible(self, visible: bool) -> None:
        self._plane_visible = visible
        self._show_plane()

    def _show_plane(self) -> None:
        if self._plane_actor is not None:
            self._plane_actor.SetVisibility(self._plane_visible and not self._low_shown)

    # --- cameras ----------------------------------------------------------------------------
    def view(self, view: NamedView | str = DEFAULT_VIEW) -> None:
        """Point the camera from a named anatomical direction and fit what the cut leaves visible."""
        _, lows, highs = self._height_index
        mins, maxs = lows[0][-1], highs[0][-1]  # the model's bounds, without a pass over every point
        self.plotter.camera_position = camera_for(view, self.axes, (mins + maxs) / 2.0, self.extent_mm * 2.0)
        self._place_clip_plane()
        bounds = self._framed(self._kept_bounds())
        self.plotter.camera.focal_point = tuple((bounds[::2] + bounds[1::2]) / 2.0)
        self.plotter.camera_position = camera_for(view, self.axes, self.plotter.camera.focal_point,
                                                  self.extent_mm * 2.0)
        self.plotter.renderer.reset_camera(render=False, bounds=tuple(bounds))  # Plotter.reset_camera always renders
        view = VIEWS_BY_KEY[view] if isinstance(view, str) else view
        if abs(view.toward[2]) < 0.9 * float(np.linalg.norm(view.toward)):
            self.plotter.camera.zoom(1.2)  # seen from the side the bounding-sphere fit is loose

    def _kept_bounds(self) -> np.ndarray:
        """(xmin, xmax, ymin, ymax, zmin, zmax) of the model's part that the cut keeps.

        The model's points are summarised once in thin slabs along the femur, with running
        minima and maxima from both ends, so the bounds of everything below (or above) a level
        cost one lookup; the slab the cut passes through counts as kept (at most a slab, about
        a millimetre, more generous than the exact bounds).
        """
        edges, lows, highs = self._height_index
        if self._clipping and self._section is not None:
            cut = float(np.asarray(self._section.frame.origin) @ self.axes.superior)
            k = int(np.clip(np.searchsorted(edges, cut, side="right") - 1, 0, len(edges) - 2))
            end = 0 if self._keeps_distal() else 1
            mins, maxs = lows[end][k], highs[end][k]
            parts = [mins[None, :], maxs[None, :]] if np.all(np.isfinite(mins)) else []
            if self._outline_mesh is not None and self._outline_mesh.n_points:
                parts.append(self._outline_mesh.points)  # the section itself is always in view
            if parts:
                stacked = np.vstack(parts)
                return np.column_stack([stacked.min(axis=0), stacked.max(axis=0)]).ravel()
        return np.column_stack([lows[0][-1], highs[0][-1]]).ravel()

    def _framed(self, bounds: np.ndarray) -> np.ndarray:
        """``bounds`` grown to at least the thigh's width, and half its length from the cut on
        the kept side.

        Near an end of the femur the cut leaves little (at the knee, bone only): fitting just
        that would zoom onto it, so the camera keeps the thigh's framing and shows what is left
        at its size within it, the section where it would be at mid-thigh.
        """
        if self._section is None or not self._clipping:
            return bounds
        edges, lows, highs = self._height_index
        up = self.axes.superior
        whole = _corners(np.column_stack([lows[0][-1], highs[0][-1]]).ravel())
        cut = float(np.asarray(self._section.frame.origin) @ up)
        across = whole - np.outer(whole @ up - cut, up)  # the thigh's width, in the plane of the cut
        towards_kept = -up if self._kept_distal else up
        points = np.vstack([_corners(bounds), across, across + 0.5 * (edges[-1] - edges[0]) * towards_kept])
        return np.column_stack([points.min(axis=0), points.max(axis=0)]).ravel()

    def add_orientation_marker(self) -> None:
        """A small anatomical axes marker (Lat, Ant, Sup) in the corner."""
        import pyvista as pv
        from vtkmodules.vtkCommonMath import vtkMatrix4x4

        marker = pv.AxesActor()
        marker.x_label, marker.y_label, marker.z_label = "Lat", "Ant", "Sup"
        matrix = vtkMatrix4x4()
        rotation = self.axes.rotation()
        for i in range(3):
            for j in range(3):
                matrix.SetElement(i, j, float(rotation[i, j]))
        marker.SetUserMatrix(matrix)
        self.plotter.add_orientation_widget(marker, interactive=False)

    # --- picking ----------------------------------------------------------------------------
    def pick(self, x: int, y: int) -> str | None:
        """The structure under display pixel ``(x, y)`` (VTK's origin: bottom left), if any."""
        from vtkmodules.vtkRenderingCore import vtkCellPicker

        picker = vtkCellPicker()
        picker.SetTolerance(0.0005)
        if not picker.Pick(x, y, 0, self.plotter.renderer):
            return None
        actor = picker.GetActor()
        if actor is self._fill_actor and picker.GetCellId() >= 0:
            index = int(self._fill_mesh.cell_data["structure"][picker.GetCellId()])
            return self.names[index]
        for name, candidate in self.actors.items():
            if candidate is actor:
                return name
        return None


def _corners(bounds: np.ndarray) -> np.ndarray:
    """The 8 corners of ``(xmin, xmax, ymin, ymax, zmin, zmax)``."""
    return np.array(list(itertools.product(*np.reshape(bounds, (3, 2)))))
