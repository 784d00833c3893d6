"""The pressure stage while the contact is dragged: frames per second, in a real Qt window.

One frame is one move of a drag on the default model's mid-thigh section, comparing both
directions (two panels), as the stage handles a mouse move: the place under the pointer (from
the push shown: a move is placed without a trial solve; the press and the drop place exactly),
the preview of both loads (the factorised linear model, one pass of the triangular solves for
both; no readouts, which the full solve at the drop makes) and the redraw on screen.

Ours: the stage as the app runs it (:class:`thighview.gui.stage.PressureStage`): the drawing's
artists moved in place (the tissue's triangles filled in one numpy pass) and blitted over a saved
background. Baseline: the same placement and solve, then the whole figure cleared, every artist
made again and drawn (what the Pressure panel did before), on a canvas of the stage's size in the
same application. The window is 1400 x 900 under the X server in ``DISPLAY`` (else a private Xvfb).
Target from the issue: at least 10 frames per second (``max_ours_s`` 0.1, wall time); the runner
also reports the CPU time per frame and the load, since on a shared machine the wall time is the
CPU time stretched by the load. The ratio is the speed-up of drawing in place.
"""

from __future__ import annotations

import itertools
import os

from benchmarks.case import Case

_SIZE = (1400, 900)


def _setup():
    if not os.environ.get("DISPLAY"):
        from benchmarks.bench_gui import _x_display

        os.environ.update(_x_display())
    from PySide6 import QtWidgets

    from thighview.app.state import AppState
    from thighview.gui.stage import PressureStage
    from thighview.io import load_model
    from thighview.section import SectionEngine

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    state = AppState()
    model = load_model()
    state.set_model(model, SectionEngine(model), level=0.5)
    stage = PressureStage(state)
    stage.resize(*_SIZE)
    stage.show()
    state.pressure.set_model(state.pressure.model_builder(model, state.section)())   # the app's own model
    app.processEvents()
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

    plain = FigureCanvasQTAgg(Figure(facecolor="white"))  # the baseline's canvas, the stage's size
    plain.resize(stage.canvas.size())
    plain.show()
    app.processEvents()
    shape = state.pressure.model.shape
    points = itertools.cycle([shape.skin_point(a) for a in range(20, 160, 7)] +
                             [shape.skin_point(a) for a in range(160, 20, -7)])
    return app, stage, points, plain


def _drag_step(data) -> None:
    app, stage, points, _plain = data
    stage.drag_to(next(points))
    app.processEvents()  # the blitted frame reaches the screen


def _redraw_from_scratch(data) -> None:
    from thighview.render.pressure2d import draw_scene
    from thighview.render.pressure_tool import place_under

    app, stage, points, plain = data
    panel = getattr(plain, "drawn", None) or stage.drawing.panels[0]   # the last panel this baseline drew
    at = place_under(panel.deformation, next(points), panel.exaggeration, panel.load_fraction, trial=False)
    pressure = stage.pressure
    stage.state.unsubscribe(stage.on_event)  # the stage must not draw this frame in place as well
    try:
        pressure.place_at(round(at, 1), keep_scales=True)
    finally:
        stage.state.subscribe(stage.on_event)
    plain.drawn = draw_scene(plain.figure, pressure.scene, stage.drawer, pressure.load_fraction,
                             footer_px=90).panels[0]
    plain.draw()
    app.processEvents()


def cases() -> list[Case]:
    return [Case(name="pressure stage: a drag step (preview solve + redraw) drawn in place vs the figure redrawn "
                      "from scratch", ours=_drag_step, baseline=_redraw_from_scratch, setup=_setup, repeats=15,
                 targets={"max_ours_s": 0.1})]
