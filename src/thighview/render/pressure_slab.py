"""The pressure demo in 3-D: the deformed section as a thin slab around the cutting plane.

One actor per plotter. The first frame of a pressure model builds it; every later frame only
moves its points and recolours them (the slab's triangles do not change while the model stays
the same), so an animation costs no new actors. Nothing here renders: the caller renders once
per frame, on purpose.
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
        # The mesh the actor draws, held here: pyvista's mapper keeps only a weak reference to its
        # dataset, so once another add_mesh replaced the plotter's reference, ``actor.mapper.dataset``
        # gave the output of its active-scalars filter instead (empty until rendered: a crash).
        self._mesh: pv.PolyData | None = None
        self._model = None  # the pressure model whose triangles the actor holds
        self._label = ""

    @property
    def mesh(self) -> pv.PolyData | None:
        """The data the actor draws (None before the first frame)."""
        return self._mesh

    @property
    def visible(self) -> bool:
        return self.actor is not None and bool(self.actor.GetVisibility())

    def show(self, deformation: Deformation, exaggeration: float, compression_limit_pct: float,
             label: str = "") -> None:
        """Show ``deformation`` (already scaled to the frame's load) with its drawn displacement scale."""
        import pyvista as pv

        points, faces = deformation.slab(HALF_THICKNESS_MM, exaggeration)
        values = np.tile(vertex_compression_pct(deformation), 2)
        limit = max(float(compression_limit_pct), 1e-6)
        if self.actor is None or self._model is not deformation.model:
            mesh = pv.PolyData.from_regular_faces(points, faces)
            mesh.point_data[SCALARS] = values
            self.actor = self.plotter.add_mesh(mesh, scalars=SCALARS, cmap="RdBu_r", clim=(-limit, limit),
                                               name=ACTOR_NAME, show_scalar_bar=False, pickable=False,
                                               reset_camera=False, render=False, lighting=True, specular=0.2)
            self._mesh, self._model = mesh, deformation.model
        else:
            mesh = self._mesh
            mesh.points[:] = points
            mesh.point_data[SCALARS][:] = values
            mesh.Modified()
            self.actor.mapper.scalar_range = (-limit, limit)
        self.actor.SetVisibility(True)
        if label != self._label:
            self.plotter.remove_actor(LABEL_NAME, render=False)
            if label:
                self.plotter.add_text(label, position="lower_left", font_size=10, color="white", name=LABEL_NAME,
                                      render=False)
            self._label = label

    def show_scene(self, scene: Scene, load_fraction: float) -> None:
        """Show the scene's :func:`shown_deformation` at ``load_fraction`` of its force, labelled."""
        shown = shown_deformation(scene)
        scale = "to scale" if abs(scene.exaggeration - 1.0) < 1e-6 else f"x{scene.exaggeration:.2g}"
        label = (f"Deformed slab: {shown.contact.force_n * load_fraction:.0f} N {shown.contact.direction}, "
                 f"displacement {scale}; red = compressed (+/-{scene.compression_limit_pct:.0f} %)")
        self.show(shown.scaled(load_fraction), scene.exaggeration, scene.compression_limit_pct, label)

    def hide(self) -> None:
        """Take the slab (and its label) off the view; the next :meth:`show` brings it back."""
        if self.actor is not None:
            self.actor.SetVisibility(False)
        self.plotter.remove_actor(LABEL_NAME, render=False)
        self._label = ""
