"""Level of detail and start-up order in the real window under Xvfb: pixels and numbers.

While the user rotates the thigh or drags the level the 3-D view draws decimated meshes; when
the interaction ends it draws the full ones again. The numbers never change with it. And the
window takes input (keys move the level, the section and table follow) before the 3-D view
exists.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from synthetic_thigh import synthetic_model
from test_gui import window  # noqa: F401 (the real main window fixture)

from thighview.render.lod import low_detail
from thighview.section import SectionEngine

pytestmark = pytest.mark.gui
#: Triangles per structure at low detail here: coarse, so the small synthetic thigh's decimated
#: prisms show at their silhouettes.
TRIANGLES = 40


@pytest.fixture
def opaque_view(window, qtbot):
    """The synthetic thigh with only opaque structures and no cutting plane, low detail ready."""
    model = synthetic_model()
    window.state.set_model(model, SectionEngine(model), level=0.5)
    view = window.view3d
    qtbot.waitUntil(lambda: view.scene is not None and view.scene.has_low_detail, timeout=30000)  # off the UI thread
    view.scene.set_low_detail({name: low_detail(s, TRIANGLES) for name, s in model.structures.items()})
    window.state.set_visible(["skin", "subcutaneous_fat"], False)
    view.set_plane_visible(False)
    view.plotter.renderer.SetUseFXAA(False)  # edges differ by the meshes alone (low detail pauses FXAA)
    view.set_view("anterior")
    qtbot.wait(50)
    return window


def _frame(view) -> np.ndarray:
    return view.screenshot().astype(int)


def _silhouette_band(frame: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Pixels within 3 px of where the thigh's outline meets the background."""
    from scipy import ndimage

    thigh = np.abs(frame - background).sum(axis=-1) > 30
    return ndimage.binary_dilation(thigh, iterations=3) & ~ndimage.binary_erosion(thigh, iterations=3)


def _areas(window) -> dict[str, float]:
    return dict(window.state.section.areas_cm2)


def test_rotating_draws_low_detail_and_full_detail_after(opaque_view, qtbot):
    window, view = opaque_view, opaque_view.view3d
    areas, camera = _areas(window), view.camera_position
    full_before = _frame(view)
    window.state.set_visible(list(window.state.model.structures), False)
    background = _frame(view)
    window.state.set_visible([n for n in window.state.model.structures if n not in ("skin", "subcutaneous_fat")],
                             True)

    widget = view.plotter.interactor
    centre = widget.rect().center()
    qtbot.mousePress(widget, QtCore.Qt.MouseButton.LeftButton, pos=centre)  # a rotation starts
    assert view.scene.low_detail_shown
    during = _frame(view)
    assert view.camera_position == camera  # pressed, not moved yet: the same view, drawn coarsely
    qtbot.mouseMove(widget, centre + QtCore.QPoint(60, 0))
    qtbot.mouseRelease(widget, QtCore.Qt.MouseButton.LeftButton, pos=centre + QtCore.QPoint(60, 0))
    assert view.camera_position != camera, "the drag did not rotate the camera"
    qtbot.waitUntil(lambda: not view.scene.low_detail_shown, timeout=5000)  # full detail shortly after
    view.camera_position = camera
    full_after = _frame(view)

    assert np.array_equal(full_after, full_before), "full detail did not come back"
    changed = np.abs(during - full_before).sum(axis=-1) > 30
    band = _silhouette_band(full_before, background)
    assert changed[band].sum() >= 20, "the decimated outline did not show during the rotation"
    assert _areas(window) == areas == SectionEngine(window.state.model).section(window.state.level).areas_cm2


def test_dragging_the_level_draws_low_detail_with_the_section_in_full(opaque_view, qtbot):
    window, view = opaque_view, opaque_view.view3d
    slider = window.level_control.slider
    slider.setSliderDown(True)  # the user grabbed the handle
    assert view.scene.low_detail_shown
    slider.setSliderPosition(300)
    assert window.state.level == pytest.approx(0.3)
    fill = window.view3d.scene._fill_mesh
    expected = SectionEngine(window.state.model).section(0.3)
    assert _areas(window) == expected.areas_cm2  # the numbers of the full surfaces
    assert fill.n_cells > 0 and np.allclose(fill.points @ expected.frame.normal,
                                            expected.frame.origin @ expected.frame.normal, atol=0.2)
    slider.setSliderDown(False)
    qtbot.waitUntil(lambda: not view.scene.low_detail_shown, timeout=5000)


def test_the_window_answers_keys_before_the_3d_view_exists(window, qtbot):
    model = synthetic_model()
    engine = SectionEngine(model)
    seen = {}

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)

    def on_loaded() -> None:  # the 2-D section and the numbers are up; the 3-D view is not yet
        seen["plotter"] = window.view3d.plotter
        target = QtWidgets.QApplication.focusWidget() or window
        qtbot.keyClick(target, QtCore.Qt.Key.Key_Down, QtCore.Qt.KeyboardModifier.ControlModifier)  # Level › 1% down
        qtbot.keyRelease(target, QtCore.Qt.Key.Key_Control)  # Ctrl up too: Qt would remember it held
        seen["level"] = window.state.level
        seen["plotter_after_key"] = window.view3d.plotter
        seen["row"] = window.areas.row_values("vastus_lateralis")[0]

    window.model_loaded.connect(on_loaded)
    window.finish_loading(None, (model, engine))
    assert seen["plotter"] is None and seen["plotter_after_key"] is None
    assert seen["level"] == pytest.approx(0.51)
    assert seen["row"] == f"{engine.section(0.51).areas_cm2['vastus_lateralis']:.1f}"
    qtbot.waitUntil(lambda: window.view3d.scene is not None, timeout=30000)  # then it fills in
    assert window.view3d.scene._section.level == pytest.approx(0.51)


def test_the_window_answers_keys_while_the_3d_view_is_prepared(window, qtbot, monkeypatch):
    """Keys go through the event loop while the 3-D view's meshes are made on a worker thread."""
    import threading

    from thighview.gui import view3d

    gate, started = threading.Event(), threading.Event()

    def held(*args, **kwargs):  # the real preparation, held until the keys have been answered
        started.set()
        gate.wait(30)
        return prepare_scene(*args, **kwargs)

    prepare_scene = view3d.prepare_scene
    monkeypatch.setattr(view3d, "prepare_scene", held)
    model = synthetic_model()
    engine = SectionEngine(model)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.finish_loading(None, (model, engine))
    qtbot.waitUntil(started.is_set, timeout=10000)
    target = QtWidgets.QApplication.focusWidget() or window
    for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):  # queued, as a user's key is
        QtWidgets.QApplication.postEvent(target, QtGui.QKeyEvent(kind, QtCore.Qt.Key.Key_Down,
                                                                 QtCore.Qt.KeyboardModifier.ControlModifier))
    qtbot.waitUntil(lambda: window.state.level == pytest.approx(0.51), timeout=5000)
    assert window.view3d.plotter is None and window.view3d.scene is None  # still being prepared
    assert window.areas.row_values("vastus_lateralis")[0] == f"{engine.section(0.51).areas_cm2['vastus_lateralis']:.1f}"
    gate.set()
    qtbot.waitUntil(lambda: window.view3d.scene is not None, timeout=30000)  # then it fills in, at the new level
    assert window.view3d.scene._section.level == pytest.approx(0.51)
