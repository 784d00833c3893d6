"""``thighview demo``: the window opens in presentation mode with the guided demo playing on its own,
captions sized for a room, Space / ← / → / Esc (pytest-qt in a real window under Xvfb)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _press(window, qtbot, key) -> None:
    """A key press as the presenter makes it: into the active window's focused widget."""
    from PySide6 import QtWidgets

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or window, key)


@pytest.fixture
def demo_window(qtbot, tmp_path, monkeypatch):
    """What ``thighview demo`` opens (the command's own function), on the built-in thigh."""
    from PySide6 import QtCore, QtWidgets

    from thighview.gui.app import open_window

    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path / "state"))
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = open_window(None, demo=True, settings=settings)
    qtbot.waitExposed(window)
    yield window
    window.close()
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    QtWidgets.QApplication.processEvents()


def test_the_demo_command_runs_the_gui_in_demo_mode():
    from thighview import cli
    from thighview.cli_commands import demo

    args = cli.build_parser().parse_args(["demo", "thigh.glb"])
    assert args._run is demo.run and args.model == "thigh.glb"
    assert "demo" in cli.command_names()


def test_demo_opens_presenting_plays_the_guided_demo_and_obeys_the_keys(demo_window, qtbot):
    from PySide6 import QtCore, QtGui

    from thighview.render.room import room_cap_height_fraction
    from thighview.mechanics.demo import GUIDED_DEMO

    from thighview.app.pressure import PressureSolved

    window, pressure = demo_window, demo_window.state.pressure
    demo = window.demo
    shown: list = []   # (step, model) of each result shown
    window.state.subscribe(lambda e: shown.append((pressure.demo_step, e.scene.deformations[0].kind))
                           if isinstance(e, PressureSolved) and e.scene is not None else None)
    assert window.presenting and demo is not None and demo.running
    assert pressure.demo_step == 0 and pressure.playback.playing
    qtbot.waitUntil(lambda: pressure.scene is not None, timeout=120000)  # the model loads, the mechanics builds
    start = pressure.playback.index
    qtbot.waitUntil(lambda: pressure.playback.index != start, timeout=10000)  # it plays
    assert pressure.playback.playing and pressure.scene.caption.startswith("1. " + GUIDED_DEMO[0].title)

    # the caption band: the step's caption, across the window, letters sized for a room
    assert demo.caption.isVisible() and demo.caption.text() == pressure.caption
    cap = QtGui.QFontMetricsF(demo.caption.font()).capHeight()
    screen = window.screen().geometry().height()
    assert cap >= room_cap_height_fraction() * screen - 0.5, f"cap height {cap:.1f} px on a {screen}-px screen"
    assert 0.04 < room_cap_height_fraction() < 0.045
    band = demo.band.geometry()
    assert window.rect().contains(band) and band.width() >= 0.95 * window.width()
    text = QtGui.QFontMetrics(demo.caption.font()).boundingRect(
        QtCore.QRect(0, 0, demo.caption.width(), 100000), QtCore.Qt.TextFlag.TextWordWrap, demo.caption.text())
    assert text.height() <= demo.caption.height(), "the wrapped caption is cut"

    _press(window, qtbot, QtCore.Qt.Key.Key_Space)
    assert not pressure.playback.playing
    paused_at = pressure.playback.index
    qtbot.wait(400)
    assert pressure.playback.index == paused_at and not pressure.playback.playing, "paused stays paused"
    _press(window, qtbot, QtCore.Qt.Key.Key_Right)
    assert pressure.demo_step == 1 and not pressure.playback.playing  # stepping keeps a pause
    assert demo.caption.text().startswith("2. " + GUIDED_DEMO[1].title)
    _press(window, qtbot, QtCore.Qt.Key.Key_Left)
    assert pressure.demo_step == 0
    _press(window, qtbot, QtCore.Qt.Key.Key_Space)
    assert pressure.playback.playing

    demo.dwell = lambda caption: 0.0  # each step for one (short) load cycle: it goes on to the next by itself
    pressure.playback.n_frames = 8
    qtbot.waitUntil(lambda: pressure.demo_step == 1, timeout=120000)
    assert pressure.playback.playing and pressure.settings.at == GUIDED_DEMO[1].at
    # a step moves on only once its large-deformation solve is shown (a cycle lasts 0.7 s, the solve seconds)
    assert [kind for step, kind in shown if step == 0][-1] == "neo-Hookean", shown

    _press(window, qtbot, QtCore.Qt.Key.Key_Escape)
    assert not window.presenting and window.demo is None and not demo.running
    assert window.menuBar().isVisible() and window.statusBar().isVisible()
    assert not demo.band.isVisible()
    step = pressure.demo_step
    _press(window, qtbot, QtCore.Qt.Key.Key_Right)  # the demo's keys are gone with it
    assert pressure.demo_step == step
