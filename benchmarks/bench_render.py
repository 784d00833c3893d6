"""The 3-D scene: a new level with GPU clipping planes vs CPU clipping, and a frame during an
interaction (level of detail) vs a full-detail frame.

Moving the level in the app moves the cutting plane; ``ThighScene`` clips the structures with
a mapper clipping plane (free on the GPU) and only rebuilds the filled section. The baseline is
the obvious alternative: the same fill plus a CPU clip of every structure surface at the plane
(pyvista ``clip``), which is what a scene without clipping planes must redo at every level.
Neither side renders: this times the scene update the user waits for before the frame.

The frame case renders the default thigh off-screen in a window the size of the app's 3-D view,
lit and anti-aliased as the app draws it, turning the camera a little before each frame: with
low detail shown (what the view draws while the user rotates, zooms or drags the level: see
``ThighScene.set_low_detail_shown``) against full detail (what it draws when the user stops).
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


_FRAME_WINDOW = (620, 800)  # the 3-D view in the app's default 1560 x 940 window


def _frame_setup():
    import pyvista as pv

    from thighview.io import load_model
    from thighview.render.colouring import ColourScheme, structure_colours
    from thighview.render.lod import low_detail_meshes
    from thighview.render.scene3d import ThighScene
    from thighview.render.views import AnatomicalAxes
    from thighview.section import SectionEngine

    model = load_model()
    engine = SectionEngine(model)
    plotter = pv.Plotter(off_screen=True, window_size=_FRAME_WINDOW, lighting="three lights")
    plotter.enable_anti_aliasing("fxaa")
    scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(engine.axis))
    section = engine.section(0.5)
    scene.set_section(section)
    scene.set_colours(structure_colours(model.structures.values(), ColourScheme(), section))
    scene.view()
    scene.set_low_detail(low_detail_meshes(model.structures, cache=False))
    plotter.show(auto_close=False)
    return scene


def _frame(low: bool):
    def draw(scene) -> None:
        scene.set_low_detail_shown(low)
        scene.plotter.camera.azimuth = 4.0
        scene.plotter.render_window.Render()
    return draw


def cases() -> list[Case]:
    return [Case(name="3D scene at a new level: GPU clip planes vs CPU clipping", ours=_ours, baseline=_cpu_clip,
                 setup=_setup, repeats=5, targets={"min_ratio": 2.0}),
            Case(name="3D frame during interaction (low detail) vs full-detail frame", ours=_frame(True),
                 baseline=_frame(False), setup=_frame_setup, repeats=7, targets={"min_ratio": 5.0, "max_ours_s": 0.1})]
