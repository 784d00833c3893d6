"""The Pressure panel on its own (pytest-qt under Xvfb): builds off the UI thread, solves, animates, picks."""

from __future__ import annotations

import pytest
from synthetic_thigh import synthetic_model
from test_gui import shown, synthetic, window  # noqa: F401 (the main window fixtures)

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot):
    from thighview.gui.pressure_panel import PressurePanel
    from thighview.app.state import AppState
    from thighview.gui.workers import wait_for_workers
    from thighview.section import SectionEngine

    state = AppState()
    model = synthetic_model()
    state.set_model(model, SectionEngine(model), level=0.5)
    widget = PressurePanel(state)
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show()
    # the linear model at once, then the large-deformation solve from a worker (seconds)
    qtbot.waitUntil(lambda: state.pressure.scene is not None and not state.pressure.solving, timeout=120000)
    yield widget
    widget.close_view()
    wait_for_workers()


def test_panel_solves_and_reads_out(panel):
    text = panel.readout.text()
    assert "into-bone" in text and "sideways" in text and "slip, femur surface" in text
    assert "modelling choice" in text and "mm" in text


def test_click_places_the_contact_and_play_advances(panel, qtbot):
    from PySide6 import QtCore

    centre = panel.pressure.model.shape.centre
    point = panel.pressure.model.shape.skin_point(90.0)  # lateral
    ax = panel.figure.axes[0]
    x, y = ax.transData.transform(point)
    height = panel.canvas.height() * panel.canvas.device_pixel_ratio
    qtbot.mouseClick(panel.canvas, QtCore.Qt.MouseButton.LeftButton,
                     pos=QtCore.QPoint(round(x / panel.canvas.device_pixel_ratio),
                                       round((height - y) / panel.canvas.device_pixel_ratio)))
    assert abs(panel.angle.value() - 90.0) < 8.0, (panel.angle.value(), centre)
    assert panel.pressure.settings.at == panel.angle.value()
    panel.play.setChecked(True)
    # a frame is drawn in ~0.3 s of CPU; on a loaded test machine that can be seconds of wall time
    qtbot.waitUntil(lambda: panel.pressure.playback.index >= 3, timeout=30000)
    panel.play.setChecked(False)
    assert not panel.timer.isActive()


def test_guided_demo_steps_through_the_article_order(panel):
    from thighview.mechanics.demo import GUIDED_DEMO

    panel.next_step.click()
    assert panel.place.currentText() == GUIDED_DEMO[0].at
    assert GUIDED_DEMO[0].title in panel.pressure.scene.caption
    panel.next_step.click()
    assert panel.place.currentText() == "medial"
    panel.play.setChecked(False)


def test_a_dragged_level_builds_once_it_settles(panel, qtbot):
    """Many level changes in a row start at most one more build, for the last level."""
    builds = panel._generation
    for level in (0.3, 0.35, 0.4, 0.45, 0.55):
        panel.state.set_level(level)
    qtbot.waitUntil(lambda: panel._generation > builds and not panel._building, timeout=30000)
    assert panel._generation == builds + 1
    assert abs(panel.state.section.level - 0.55) < 1e-9


def test_the_widgets_and_the_pressure_state_are_one(panel, qtbot):
    """The panel writes its settings to the state and shows the state's: nothing lives in the widgets."""
    from thighview.app.pressure import PressureFrame

    pressure = panel.pressure
    panel.large.setChecked(False)   # the linear model only: no result arrives from a worker meanwhile
    assert not pressure.settings.large_deformation
    panel.force.setValue(25.0)
    panel.direction.setCurrentIndex(panel.direction.findData("sideways"))
    panel.tool.setCurrentIndex(panel.tool.findData("ball"))
    settings = pressure.settings
    assert (settings.force_n, settings.direction, settings.tool) == (25.0, "sideways", "ball")
    assert [d.contact.force_n for d in pressure.scene.deformations] == [25.0]
    pressure.update(force_n=60.0, side="posterior", at="posterolateral")
    assert (panel.force.value(), panel.side.currentText(), panel.place.currentText(), panel.angle.value()) == \
        (60.0, "posterior", "posterolateral", 135.0)
    assert pressure.settings.at == "posterolateral"  # showing it did not write the angle back

    frames: list = []
    panel.state.subscribe(lambda e: frames.append(e) if isinstance(e, PressureFrame) else None)
    panel.play.click()
    assert pressure.playback.playing and panel.timer.isActive()
    qtbot.waitUntil(lambda: len(frames) >= 4, timeout=30000)
    pressure.play(False)  # the state stops it: the button and the timer follow
    assert not panel.play.isChecked() and not panel.timer.isActive() and panel.play.text() == "Play"
    assert [f.index for f in frames[:3]] == [0, 1, 2] and all(f.scene is pressure.scene for f in frames)



def test_the_large_deformation_solve_replaces_the_linear_model_on_screen(panel, qtbot):
    """The linear model is drawn at once; the large-deformation solve runs in a worker with a progress bar
    and a Stop button, then its picture replaces it: other pixels, its readout and its model named."""
    import numpy as np

    def pixels():
        qtbot.wait(50)
        panel.canvas.draw()
        return np.asarray(panel.canvas.buffer_rgba())[..., :3].copy()

    pressure = panel.pressure
    assert {d.kind for d in pressure.scene.deformations} == {"neo-Hookean"}   # the fixture waited for it
    assert "neo-Hookean" in panel.readout.text() and "bone outline: bonded" in panel.readout.text()
    assert "large deformation" in panel.drawing.note_text and not panel.solve_progress.isVisible()
    panel.force.setValue(30.0)
    assert pressure.solving and panel.solve_progress.isVisible() and panel.stop_solve.isVisible()
    assert "linear model" in panel.drawing.note_text
    linear = pixels()
    qtbot.waitUntil(lambda: not pressure.solving, timeout=120000)
    assert not panel.solve_progress.isVisible() and "load steps" in panel.status.text()
    large = pixels()
    assert "large deformation" in panel.drawing.note_text
    changed = np.any(np.abs(linear.astype(int) - large.astype(int)) > 30, axis=-1).mean()
    assert changed > 0.005, f"only {changed:.2%} of the pixels changed"

    panel.force.setValue(35.0)
    assert panel.stop_solve.isVisible()
    panel.stop_solve.click()
    assert not pressure.solving and not panel.solve_progress.isVisible() and "Stopped" in panel.status.text()
    assert pressure.scene.deformations[0].kind == "linear"


def test_a_hidden_panel_builds_nothing_until_it_is_shown(shown, qtbot):
    """In the real window: level changes while the Pressure tab is behind another build no model (a second
    of CPU each, for nothing seen); bringing the tab forward builds once, for the level shown."""
    window = shown
    window.pressure_dock.raise_()
    qtbot.waitUntil(lambda: window.pressure is not None and window.state.pressure.model is not None,
                    timeout=60000)
    panel = window.pressure
    builds = panel._generation   # one per build started
    window._docks[0].raise_()    # another tab comes forward
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty(), timeout=5000)   # a dock behind a tab stays "visible"
    for level in (0.3, 0.62, 0.41):
        window.state.set_level(level)
        qtbot.wait(2 * panel._settle.interval())   # past the settling delay of a dragged level
    assert panel._generation == builds and not panel.building
    assert window.state.pressure.model is None   # the old level's model was dropped, none built

    window.pressure_dock.raise_()
    qtbot.waitUntil(lambda: window.state.pressure.model is not None, timeout=60000)
    qtbot.wait(2 * panel._settle.interval())
    assert panel._generation == builds + 1 and not panel.building
    assert window.state.pressure.model.level == pytest.approx(0.41)
