"""The pressure demo in 3-D: the deformed section as a thin slab around the cutting plane, with the
tool (its outline extruded over its length along the thigh) and the force arrow.

One actor each per plotter. The first frame of a pressure model builds them; every later frame
only moves their points and recolours the slab (the triangles do not change while the model and
the tool stay the same), so an animation costs no new actors. The tool and arrow are where the
2-D drawer puts them (:func:`thighview.render.pressure_tool.tool_pose`). Nothing here renders:
the caller renders once per frame, on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pyvista as pv

    from thighview.mechanics.animation import Scene
    from thighview.mechanics.results import Deformation

ACTOR_NAME = "pressure_slab"
LABEL_NAME = "pressure_slab_label"
TOOL_NAME = "pressure_tool"
ARROW_NAME = "pressure_arrow"
#: Half the slab's thickness along the femur, mm: thick enough to see from the default oblique view.
HALF_THICKNESS_MM = 8.0
SCALARS = "compression_pct"


def vertex_compression_pct(deformation: Deformation) -> np.ndarray:
    """Volume change per mesh vertex (%, positive = compressed): the area-weighted mean of its triangles."""
    model = deformation.model
    tri = model.mesh.triangles
    area = model.solver.areas()
    n = len(model.mesh.points)
    weight = np.bincount(tri.ravel(), weights=np.repeat(area, 3), minlength=n)
    total = np.bincount(tri.ravel(), weights=np.repeat(area * deformation.compression, 3), minlength=n)
    return 100.0 * total / np.maximum(weight, 1e-12)


def shown_deformation(scene: Scene) -> Deformation:
    """The load the slab shows: the sideways one when both are compared (what the demo is about)."""
    return next((d for d in scene.deformations if d.contact.direction == "sideways"), scene.deformations[-1])


class PressureSlab:
    """The deformed slab in a plotter: :meth:`show` a frame, :meth:`hide` it; one actor, updated in place."""

    def __init__(self, plotter: pv.Plotter) -> None:
        self.plotter = plotter
        self.actor = None
        self._model = None  # the pressure model whose triangles the actor holds
        self._mesh = None
        self._tool_mesh = None
        self._arrow_mesh = None
        self._label = ""
        self._palette = "braus"
        self.tool_actor = None
        self.arrow_actor = None

    @property
    def mesh(self) -> pv.PolyData | None:
        """The data the actor draws (None before the first frame): kept here, since the mapper may read it
        through a pipeline whose output is not the data to move."""
        return self._mesh

    @property
    def visible(self) -> bool:
        return self.actor is not None and bool(self.actor.GetVisibility())

    def show(self, deformation: Deformation, exaggeration: float, compression_limit_pct: float,
             label: str = "", palette: str = "braus") -> None:
        """Show ``deformation`` (already scaled to the frame's load) with its drawn displacement scale."""
        import pyvista as pv

        from thighview.render.pressure2d import colour_map

        points, faces = deformation.slab(HALF_THICKNESS_MM, exaggeration)
        values = np.tile(vertex_compression_pct(deformation), 2)
        limit = max(float(compression_limit_pct), 1e-6)
        if self.actor is None or self._model is not deformation.model:
            mesh = pv.PolyData.from_regular_faces(points, faces)
            mesh.point_data[SCALARS] = values
            self.actor = self.plotter.add_mesh(mesh, scalars=SCALARS, cmap=colour_map("compression", palette),
                                               clim=(-limit, limit),
                                               name=ACTOR_NAME, show_scalar_bar=False, pickable=False,
                                               reset_camera=False, render=False, lighting=True, specular=0.2)
            self._model, self._mesh = deformation.model, mesh
        else:
            mesh = self.mesh
            mesh.points[:] = points
            mesh.point_data[SCALARS][:] = values
            mesh.Modified()
            self.actor.mapper.scalar_range = (-limit, limit)
            if palette != self._palette:
                self.actor.mapper.lookup_table.cmap = colour_map("compression", palette)
        self._palette = palette
        self.actor.SetVisibility(True)
        if label != self._label:
            self.plotter.remove_actor(LABEL_NAME, render=False)
            if label:
                self.plotter.add_text(label, position="lower_left", font_size=10, color="white", name=LABEL_NAME,
                                      render=False)
            self._label = label

    def show_scene(self, scene: Scene, load_fraction: float, palette: str = "braus") -> None:
        """Show the scene's :func:`shown_deformation` at ``load_fraction`` of its force, labelled, with its
        tool and force arrow."""
        from thighview.render.pressure_tool import tool_pose

        shown = shown_deformation(scene)
        scale = "to scale" if abs(scene.exaggeration - 1.0) < 1e-6 else f"x{scene.exaggeration:.2g}"
        colour = "orange" if palette == "braus" else "brown"
        label = (f"Deformed slab: {shown.contact.force_n * load_fraction:.0f} N {shown.contact.direction}, "
                 f"displacement {scale}; {colour} = compressed (+/-{scene.compression_limit_pct:.0f} %)")
        frame = shown.scaled(load_fraction)
        self.show(frame, scene.exaggeration, scene.compression_limit_pct, label, palette)
        pose = tool_pose(frame, scene.exaggeration, load_fraction)
        self._show_tool(frame, pose)
        self._show_arrow(frame, pose, load_fraction > 0.01)

    def _show_tool(self, deformation: Deformation, pose) -> None:
        """The tool's outline extruded over its length along the thigh, centred on the section plane."""
        import pyvista as pv

        frame = deformation.model.frame
        ring = pose.outline[:-1] if np.allclose(pose.outline[0], pose.outline[-1]) else pose.outline
        k = len(ring)
        half = 0.5 * deformation.contact.tool.length_mm * np.asarray(frame.normal, dtype=float)
        points = np.vstack([frame.to_3d(ring) - half, frame.to_3d(ring) + half])
        if self.tool_actor is None or self._tool_mesh.n_points != 2 * k:
            i = np.arange(k)
            j = (i + 1) % k
            fan = np.column_stack([np.zeros(k - 2, dtype=int), i[1:-1], i[2:]])  # the outline is star-shaped
            triangles = np.vstack([fan[:, ::-1], fan + k, np.column_stack([i, j, j + k]),
                                   np.column_stack([i, j + k, i + k])])
            self._tool_mesh = pv.PolyData.from_regular_faces(points, triangles)
            self.tool_actor = self.plotter.add_mesh(self._tool_mesh, color="#f2efe9", opacity=0.5,
                                                    name=TOOL_NAME, pickable=False, reset_camera=False,
                                                    render=False, smooth_shading=False)
        else:
            self._tool_mesh.points[:] = points
            self._tool_mesh.Modified()
        self.tool_actor.SetVisibility(True)

    def _show_arrow(self, deformation: Deformation, pose, visible: bool) -> None:
        """The force arrow in the section plane, pointing at the contact."""
        import pyvista as pv

        frame = deformation.model.frame
        tail, tip = frame.to_3d(np.vstack([pose.arrow_tail, pose.arrow_tip]))
        length = float(np.linalg.norm(tip - tail))
        if not visible or length < 1e-6:
            if self.arrow_actor is not None:
                self.arrow_actor.SetVisibility(False)
            return
        arrow = pv.Arrow(start=tail, direction=tip - tail, tip_length=0.3, tip_radius=0.12, shaft_radius=0.045, scale=length)
        if self.arrow_actor is None:
            self._arrow_mesh = arrow
            self.arrow_actor = self.plotter.add_mesh(arrow, color="black", name=ARROW_NAME, pickable=False,
                                                     reset_camera=False, render=False)
        else:
            self._arrow_mesh.points[:] = arrow.points
            self._arrow_mesh.Modified()
        self.arrow_actor.SetVisibility(True)

    def hide(self) -> None:
        """Take the slab (its tool, arrow and label) off the view; the next :meth:`show_scene` brings it back."""
        for actor in (self.actor, self.tool_actor, self.arrow_actor):
            if actor is not None:
                actor.SetVisibility(False)
        self.plotter.remove_actor(LABEL_NAME, render=False)
        self._label = ""
