"""The 3-D scene at a new level: GPU clipping planes vs clipping every surface on the CPU.

Moving the level in the app moves the cutting plane; ``ThighScene`` clips the structures with
a mapper clipping plane (free on the GPU) and only rebuilds the filled section. The baseline is
the obvious alternative: the same fill plus a CPU clip of every structure surface at the plane
(pyvista ``clip``), which is what a scene without clipping planes must redo at every level.
Neither side renders: this times the scene update the user waits for before the frame.
"""

from __future__ import annotations

import itertools

from benchmarks.case import Case

_LEVELS = itertools.cycle([0.3, 0.45, 0.6, 0.75])


def _setup():
    import pyvista as pv

    from thighview.io import load_model
    from thighview.render import geometry
    from thighview.render.scene3d import ThighScene
    from thighview.render.views import AnatomicalAxes
    from thighview.section import SectionEngine

    model = load_model()
    engine = SectionEngine(model)
    plotter = pv.Plotter(off_screen=True, window_size=(400, 400))
    scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(engine.axis))
    meshes = [geometry.structure_mesh(s) for s in model.structures.values()]
    sections = {level: engine.section(level) for level in (0.3, 0.45, 0.6, 0.75)}
    return scene, meshes, sections


def _ours(data) -> None:
    scene, _, sections = data
    scene.set_section(sections[next(_LEVELS)])


def _cpu_clip(data) -> None:
    scene, meshes, sections = data
    section = sections[next(_LEVELS)]
    scene.set_section(section)
    normal = -scene.axes.superior
    for mesh in meshes:
        mesh.clip(normal=normal, origin=section.frame.origin, invert=False)


def cases() -> list[Case]:
    return [Case(name="3D scene at a new level: GPU clip planes vs CPU clipping", ours=_ours, baseline=_cpu_clip,
                 setup=_setup, repeats=5, targets={"min_ratio": 2.0})]
