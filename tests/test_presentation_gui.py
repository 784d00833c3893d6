"""Presentation mode and the 3-D deformed slab, in the real main window (pytest-qt under Xvfb)."""

from __future__ import annotations

import numpy as np
import pytest
from test_gui import shown, synthetic, window  # noqa: F401 (the main window fixtures)

pytestmark = pytest.mark.gui


def _caption_points(window) -> float:
    from PySide6 import QtGui, QtWidgets

    label = window.findChild(QtWidgets.QLabel, "caption")
    return QtGui.QFontInfo(label.font()).pointSizeF()


def _press(window, qtbot, key) -> None:
    """A key press as the user makes it: into the active window's focused widget (shortcuts see it there)."""
    from PySide6 import QtWidgets

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or window, key)


def _open_pressure(window, qtbot):
    window.pressure_dock.show()
    window.pressure_dock.raise_()
    qtbot.waitUntil(lambda: window.pressure is not None and window.state.pressure.scene is not None, timeout=30000)
    return window.pressure


def test_presentation_mode_hides_panels_enlarges_fonts_and_restores_the_layout(shown, qtbot):
    from PySide6 import QtCore, QtGui, QtWidgets

    window = shown
    panel = _open_pressure(window, qtbot)  # created first: its minimum width may widen the dock area
    window._docks[0].raise_()   # back to the Areas tab, a layout to come back to
    qtbot.wait(50)
    before, caption_pt = window.saveState(), _caption_points(window)
    toolbars = window.findChildren(QtWidgets.QToolBar)
    assert window.presentation_action.shortcut() == QtGui.QKeySequence("F11")
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.presentation_action in view_menu.actions()

    _press(window, qtbot, QtCore.Qt.Key.Key_F11)
    assert window.presenting and window.presentation_action.isChecked()
    assert not window.areas.isVisible() and not window.structures.isVisible()
    assert not any(bar.isVisible() for bar in toolbars)
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert window.view3d.isVisible() and window.section_view.isVisible()
    assert panel.isVisible() and panel.canvas.isVisible() and panel.next_step.isVisible()
    assert not panel.settings_box.isVisible() and not panel.readout.isVisible()
    panel.next_step.click()  # the guided demo's first step, captioned large
    assert panel.caption.isVisible() and "Anterior-lateral" in panel.caption.text()
    assert QtGui.QFontInfo(panel.caption.font()).pointSizeF() >= 18
    assert _caption_points(window) >= 1.4 * caption_pt

    _press(window, qtbot, QtCore.Qt.Key.Key_Escape)
    assert not window.presenting and not window.presentation_action.isChecked()
    assert window.saveState() == before
    assert window.menuBar().isVisible() and all(bar.isVisible() for bar in toolbars)
    assert _caption_points(window) == caption_pt
    assert panel.settings_box.isVisible() and not panel.caption.isVisible()
    assert panel.visibleRegion().isEmpty() and not panel.play.isChecked(), "a demo out of sight keeps playing"
    assert not window.view3d.slab.visible

    _press(window, qtbot, QtCore.Qt.Key.Key_F11)  # F11 goes in and out too
    assert window.presenting
    _press(window, qtbot, QtCore.Qt.Key.Key_F11)
    assert not window.presenting and window.saveState() == before
    _press(window, qtbot, QtCore.Qt.Key.Key_Escape)  # Esc outside presentation mode does nothing
    assert not window.presenting


def test_the_3d_view_shows_the_deformed_slab_while_the_demo_plays(shown, qtbot):
    from thighview.render.pressure_slab import ACTOR_NAME, shown_deformation

    window = shown
    panel = _open_pressure(window, qtbot)
    view = window.view3d
    assert view.slab.actor is None

    panel.next_step.click()  # plays the guided demo's first step
    qtbot.waitUntil(lambda: view.slab.visible and window.state.pressure.playback.index >= 2, timeout=30000)
    actor = view.slab.actor
    assert view.plotter.renderer.actors[ACTOR_NAME] is actor
    first = view.slab.mesh.points.copy()
    index = window.state.pressure.playback.index
    qtbot.waitUntil(lambda: window.state.pressure.playback.index >= index + 3, timeout=30000)
    assert window.staged  # playing brought the demo to the stage
    panel.play.setChecked(False)  # pause: the slab stays while the demo is on the stage ...
    assert view.slab.visible
    window.set_stage(False)  # ... and goes with it
    assert not view.slab.visible
    assert view.slab.actor is actor  # one actor, its points moved in place
    moved = np.linalg.norm(view.slab.mesh.points - first, axis=1)
    assert moved.max() > 0.5, "the slab did not move with the frames"

    # the shown points are the sideways deformation at the current frame's load, on the section plane
    pressure = window.state.pressure
    shown = shown_deformation(pressure.scene)
    assert shown.contact.direction == "sideways"
    expected, _faces = shown.scaled(pressure.load_fraction).slab(8.0, pressure.scene.exaggeration)
    assert np.allclose(view.slab.mesh.points, expected)
    frame = window.state.section.frame
    centre = view.slab.mesh.points.mean(axis=0)
    assert abs(float((centre - np.asarray(frame.origin)) @ np.asarray(frame.normal))) < 1.0

    panel.play.setChecked(True)
    qtbot.waitUntil(lambda: view.slab.visible, timeout=30000)
    panel.play.setChecked(False)  # paused on the stage: the slab stays, still
    shot = view.screenshot().astype(float)
    assert shot.std() > 10, "the 3D view is blank"
    view.slab.hide()
    plain = view.screenshot().astype(float)  # the same view, as wide, without it
    assert np.abs(shot - plain).mean() > 2, "the slab does not show in the 3D view"
    view.slab.show_scene(pressure.scene, pressure.load_fraction)
    window.state.set_level(0.4)  # a new section: the old slab goes at once
    assert not view.slab.visible
    panel.play.setChecked(False)


def test_the_3d_slab_follows_the_pressure_state_with_no_panel_open(shown, qtbot):
    """The 3-D view listens to the state, not to the panel: with the Pressure tab never opened, a
    pressure model and playback set on the state alone move the slab, frame by frame."""
    from thighview.mechanics import PressureModel
    from thighview.render.pressure_slab import shown_deformation

    window, view = shown, shown.view3d
    assert window.pressure is None  # the panel was never created
    state = window.state
    pressure = state.pressure
    pressure.set_model(PressureModel.from_section(state.section, side=state.model.side))
    assert not view.slab.visible  # solved but not playing: nothing in 3-D
    pressure.play(True)
    for _ in range(pressure.playback.n_frames // 2):
        pressure.advance()
    assert view.slab.visible
    expected, _faces = shown_deformation(pressure.scene).scaled(pressure.load_fraction).slab(
        8.0, pressure.scene.exaggeration)
    assert pressure.load_fraction > 0.5 and np.allclose(view.slab.mesh.points, expected)
    pressure.play(False)
    assert not view.slab.visible
