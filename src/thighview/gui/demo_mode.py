"""``thighview demo``: presentation mode with the guided demo playing on its own, for a client.

:func:`start_demo` puts a window into presentation mode, shows the mechanics stage and plays
the guided demo (:data:`thighview.mechanics.demo.GUIDED_DEMO`, the article's massage order):
each step's load cycle plays until its caption has had time to be read, then the next step
comes. ``Space`` pauses and resumes, ``←``/``→`` step, ``Esc`` (presentation mode's own key)
leaves to the normal window and ends the demo.

The caption spans the window's width, wraps, and is sized for a room
(:mod:`thighview.render.room`: its cap height is 4.2 % of the screen's height).
"""

from __future__ import annotations

import math
import time

from PySide6 import QtCore, QtGui, QtWidgets

from thighview.app import pressure as ps
from thighview.render.room import reading_seconds, room_cap_height_fraction


def room_font(base: QtGui.QFont, screen_height_px: int) -> QtGui.QFont:
    """``base`` at the smallest pixel size whose cap height reaches the room fraction of the screen."""
    probe = QtGui.QFont(base)
    probe.setPixelSize(100)
    cap_per_px = QtGui.QFontMetricsF(probe).capHeight() / 100.0
    font = QtGui.QFont(base)
    font.setPixelSize(math.ceil(room_cap_height_fraction() * screen_height_px / cap_per_px))
    return font


class DemoController(QtCore.QObject):
    """Plays the guided demo in a window in presentation mode; ends when presentation mode does."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.pressure: ps.PressureState = window.state.pressure
        self.dwell = reading_seconds   # tests make steps short
        self._step_started = time.monotonic()
        self._last_index = 0
        self.caption = QtWidgets.QLabel(wordWrap=True, objectName="demo_caption")
        self.caption.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.caption.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.band = QtWidgets.QToolBar("Demo caption", objectName="demo_caption_bar", movable=False)
        self.band.addWidget(self.caption)
        self.band.setStyleSheet("QToolBar { background: #1d2633; border: none; padding: 4px 12px; }")
        self.caption.setStyleSheet("QLabel { color: #ffffff; background: transparent; }")
        keys = ((QtCore.Qt.Key.Key_Space, self.toggle_pause), (QtCore.Qt.Key.Key_Right, lambda: self.step(+1)),
                (QtCore.Qt.Key.Key_Left, lambda: self.step(-1)))
        self.shortcuts = [QtGui.QShortcut(QtGui.QKeySequence(key), window, slot,
                                          context=QtCore.Qt.ShortcutContext.WindowShortcut) for key, slot in keys]
        self.running = False
        self.paused = False  # by the presenter (Space); any other pause (a view rebuilt) is undone

    def start(self) -> None:
        """Presentation mode, the stage, the band, and the guided demo's first step playing."""
        window = self.window
        window.set_presentation(True)
        window.set_stage(True)
        window.addToolBar(QtCore.Qt.ToolBarArea.BottomToolBarArea, self.band)
        self.band.show()
        if window.pressure is not None:
            window.pressure.caption.hide()  # the band says it, large, once
        self.running = True
        window.presentation_action.toggled.connect(self._presentation_toggled)
        window.state.subscribe(self.on_event)
        window.installEventFilter(self)
        self.pressure.set_loop(True)
        self.pressure.step_demo(+1 if self.pressure.demo_step is None else 0)  # the first step, or this one again
        self._show_caption()

    def stop(self) -> None:
        """Back to the normal window: no band, no demo keys; the pressure panel as it was."""
        if not self.running:
            return
        self.running = False
        window = self.window
        window.removeEventFilter(self)
        window.state.unsubscribe(self.on_event)
        window.presentation_action.toggled.disconnect(self._presentation_toggled)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        window.removeToolBar(self.band)
        self.band.deleteLater()
        window.set_stage(False)
        window.demo = None
        if window.pressure is not None:
            window.pressure.set_presentation(window.presenting)

    # --- keys -------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self.pressure.play(not self.paused)

    def step(self, delta: int) -> None:
        """The next or previous step; a paused demo stays paused (showing the step at full load)."""
        self.pressure.step_demo(delta)
        if self.paused:
            self.pressure.play(False)

    # --- playing on its own -----------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, ps.PressureSolved):  # a new step (or its model arrived): its reading time starts
            self._show_caption()
            self._step_started = time.monotonic()
        elif isinstance(event, ps.PressureFrame):
            if not event.playing and not self.paused:  # paused by a view going out of sight for a moment
                QtCore.QTimer.singleShot(0, self._resume)
            wrapped = event.playing and event.scene is not None and event.index < self._last_index
            self._last_index = event.index
            read = time.monotonic() - self._step_started >= self.dwell(self.pressure.caption or "")
            if wrapped and read and not self.pressure.solving:   # the large-deformation result is shown first
                self._last_index = 0
                self.pressure.step_demo(+1)   # a load cycle ended and the caption had its time: next step

    def _resume(self) -> None:
        if self.running and not self.paused:
            self.pressure.play(True)

    def _show_caption(self) -> None:
        self.caption.setText(self.pressure.caption or "")
        self._fit_caption()
        if self.window.pressure is not None and self.running:
            self.window.pressure.caption.hide()

    def _fit_caption(self) -> None:
        """Room-sized letters, wrapped to the window's width; the band is as tall as the lines."""
        font = room_font(self.caption.font(), self.window.screen().geometry().height())
        self.caption.setFont(font)
        width = max(self.window.width() - 40, 200)
        lines = QtGui.QFontMetrics(font).boundingRect(QtCore.QRect(0, 0, width, 100000),
                                                      QtCore.Qt.TextFlag.TextWordWrap, self.caption.text())
        self.caption.setFixedSize(width, lines.height() + 8)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt)
        if watched is self.window and event.type() == QtCore.QEvent.Type.Resize:
            self._fit_caption()
        return False

    def _presentation_toggled(self, on: bool) -> None:
        if not on:
            self.stop()


def start_demo(window) -> DemoController:
    """Open ``window`` into the guided demo (what ``thighview demo`` does once the window is up)."""
    controller = DemoController(window)
    controller.start()
    window.demo = controller
    return controller
