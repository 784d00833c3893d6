"""The attachment map in the mechanics view: where muscle is bonded to the femur at the section's level, drawn
on the femur's outline in its group's colour (rendered with Agg; the pixels are checked)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from thighview.anatomy import Compartment, compartment_colour
from thighview.mechanics import Contact, PressureModel
from thighview.mechanics.animation import Scene
from thighview.render.pressure2d import FrameStyle, PanelDrawer

pytestmark = pytest.mark.render


def _pixels_at(model: PressureModel, points: np.ndarray) -> np.ndarray:
    """The section drawn at rest, 1000 px square; the RGB (0-1) of the pixel under each point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 10), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    scene = Scene.solve(model, [Contact("anterolateral", "into-bone", 40.0)])
    PanelDrawer(model, FrameStyle()).draw(ax, scene.deformations[0], 0.0, scene)
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[..., :3] / 255.0
    x, y = ax.transData.transform(points).T
    return image[np.round(image.shape[0] - y).astype(int), np.round(x).astype(int)]


def test_the_attachment_map_marks_the_bonded_outline_in_each_groups_colour(default_model):
    model = PressureModel.from_model(default_model, 0.5)
    surface = model.bone_surface
    groups = [model.compartment_of(n) for n in surface.structure]
    colours = _pixels_at(model, surface.points)
    seen = set()
    for group in (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS):
        expected = np.array(to_rgb(compartment_colour(group)))
        near = np.abs(colours - expected).max(axis=1) < 0.15
        of_group = np.array([g is group for g in groups])
        bonded = surface.bonded & of_group
        if bonded.any():
            seen.add(group)
            assert near[bonded].mean() > 0.8, group   # the bonded outline wears its group's colour
        free = ~surface.bonded & of_group
        if free.any():
            assert near[free].mean() < 0.2, group     # where tissue slides, it does not
    # at mid-thigh: vastus intermedius on the shaft, the adductors and the short head of biceps at the linea aspera
    assert seen == {Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS}


def test_a_section_with_no_level_bonds_and_marks_nothing_but_the_septa():
    from thighview.mechanics import toy_section

    model = PressureModel.from_polygons(toy_section())
    runs, _ = PanelDrawer(model, FrameStyle()).attachments
    surface = model.bone_surface
    assert all(name in model.shape.septa for name, bonded in zip(surface.structure, surface.bonded) if bonded)
    assert sum(len(r) for r in runs) <= surface.bonded.sum()
