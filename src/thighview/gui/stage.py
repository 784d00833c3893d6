"""The pressure demo on the stage: the deforming section as large as the central view allows.

While the demo is on, the window shows this view where the section view was (the 3-D view stays
beside it, showing the deformed slab). It draws what the app state's
:class:`~thighview.app.pressure.PressureState` publishes with the one drawer
(:class:`thighview.render.pressure2d.SceneFigure`): one panel per direction, side by side at the
same size and scale when comparing, the tool to scale at the contact, the force arrow, the
dashed line to the femur's centre, the ink lines and a colour bar, in the app's palette.

Each frame moves the drawing's artists in place and blits them over a saved background; only
a new colour scale, title or caption draws the whole figure (a drag writes its caption at the drop).
Drag the tool (or click the skin) to move the contact: moves are coalesced (the latest is solved when
Qt has handled the events queued), each one placed from the push shown and solved as the linear
preview of both directions at the drag's held scales, without readouts; the drop places the tool
exactly and the full solution (its own scales, readouts and caption) replaces the preview. Drag the
handle at the arrow's end, or use the Lean box, to lean the push.
"""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtWidgets

from thighview.app import pressure as ps
from thighview.app import state as st
from thighview.render.pressure2d import FrameStyle, PanelDrawer, SceneFigure
from thighview.render.pressure_tool import lean_towards, place_under

#: How near (pixels) a press must be to the arrow's handle to lean the push rather than move the tool.
HANDLE_REACH_PX = 16
#: The footer under the panels (caption and notes), pixels.
FOOTER_PX = 90


class PressureStage(QtWidgets.QWidget):
    """The pressure demo, large: draws the state's frames and lets the user move and lean the tool."""

    drag_started = QtCore.Signal()   # the user began dragging the tool or the arrow (the 3-D view lightens)
    drag_finished = QtCore.Signal()

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.pressure = app_state.pressure
        self.figure = Figure(facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(320, 320)
        self.canvas.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.lean = QtWidgets.QDoubleSpinBox(minimum=ps.LEAN_RANGE_DEG[0] - 1.0, maximum=ps.LEAN_RANGE_DEG[1],
                                             decimals=0, suffix=" °", singleStep=5.0)
        self.lean.setSpecialValueText("preset")  # the value below the range: the direction's own lean
        self.lean.setToolTip("Lean of the push from the line into the bone (drag the round handle at the "
                             "arrow's end to set it); 'preset' keeps each direction's own")
        self.hint = QtWidgets.QLabel("Drag the tool along the skin to move it; drag the round handle to lean the "
                                     "push.", wordWrap=True)
        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.hint, 1)
        bar.addWidget(QtWidgets.QLabel("Lean"))
        bar.addWidget(self.lean)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bar)
        self.drawer: PanelDrawer | None = None
        self.drawing: SceneFigure | None = None
        self._layout_key: tuple | None = None   # what the drawing was laid out for (model, style, panels, size)
        self._background = None                 # the still parts, for blitting
        self._drag: tuple[str, object] | None = None   # ("place" | "lean", the panel) while the mouse is down
        self._pending: tuple | None = None              # (kind, panel, section point, exact): solved by the timer
        self._applied: tuple | None = None              # the last one solved
        self._dragging = False                          # a drag's frame: the caption waits for the drop
        self._drag_timer = QtCore.QTimer(self, singleShot=True, interval=0)  # one solve per batch of moves
        self._drag_timer.timeout.connect(self._apply_drag)
        self.lean.valueChanged.connect(self._lean_typed)
        self.canvas.mpl_connect("draw_event", self._on_draw)
        self.canvas.mpl_connect("resize_event", lambda _e: self.refresh())
        self.canvas.mpl_connect("button_press_event", self._on_press)
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("button_release_event", self._on_release)
        self._show_lean()
        app_state.subscribe(self.on_event)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, ps.PressureFrame):
            self.show_frame(event.scene, event.load_fraction)
        elif isinstance(event, ps.PressureChanged):
            self._show_lean()
            if "colour_by" in event.names:
                self.refresh()
        elif isinstance(event, st.ColoursChanged):
            self.refresh()  # the palette may have changed: outlines and colour maps follow it
        elif isinstance(event, st.LevelChanged):
            self.show_frame(None, 0.0)

    def refresh(self) -> None:
        """Draw the state's current frame again (after a resize or a change of style)."""
        self.show_frame(self.pressure.scene, self.pressure.load_fraction)

    def _style(self) -> FrameStyle:
        return FrameStyle(colour_by=self.pressure.settings.colour_by, palette=self.state.scheme.palette)

    def show_frame(self, scene, load_fraction: float) -> None:
        """Show ``scene`` at ``load_fraction``: artists moved in place and blitted, or the whole figure
        drawn when the layout, the colour scale or the caption changed."""
        model = self.pressure.model
        if scene is None or model is None or scene.deformations[0].model is not model:
            self._clear()
            return
        if not self.isVisible():
            return  # drawn when shown (showEvent)
        style, size = self._style(), tuple(self.figure.bbox.size)  # the figure's pixels: what the layout used
        key = (id(model), style, len(scene.deformations), size)
        if self.drawer is None or self.drawer.model is not model or self.drawer.style != style:
            self.drawer = PanelDrawer(model, style)
        if key != self._layout_key:
            self.drawing = SceneFigure(self.figure, self.drawer, len(scene.deformations), FOOTER_PX, handles=True,
                                       animated=True)
            self._layout_key, self._background = key, None
        if self.drawing.update(scene, load_fraction, captions=not self._dragging) or self._background is None:
            self.canvas.draw()  # the draw event saves the background and draws the moving parts
        else:
            self.canvas.restore_region(self._background)
            self._draw_moving()
            self.canvas.blit(self.figure.bbox)

    def _clear(self) -> None:
        if self.drawing is not None or self._layout_key is not None:
            self.figure.clear()
            self.drawing, self._layout_key, self._background = None, None, None
            self.canvas.draw_idle()

    def _on_draw(self, _event) -> None:
        """After a full draw (which leaves the moving parts out): keep the background, draw the moving parts."""
        if self.drawing is None:
            return
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_moving()

    def _draw_moving(self) -> None:
        renderer = self.canvas.get_renderer()   # once for all of them (Figure.draw_artist asks for it each time)
        for artist in self.drawing.moving:
            artist.draw(renderer)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        self.refresh()

    # --- lean ---------------------------------------------------------------------------------
    def _show_lean(self) -> None:
        lean = self.pressure.settings.lean_deg
        with QtCore.QSignalBlocker(self.lean):
            self.lean.setValue(self.lean.minimum() if lean is None else lean)

    def _lean_typed(self, value: float) -> None:
        if value < ps.LEAN_RANGE_DEG[0]:
            self.pressure.update(lean_deg=None)
        else:
            self.pressure.lean_to(value, None)

    # --- direct manipulation ----------------------------------------------------------------
    def panel_at(self, event):
        """The drawing's panel under a mouse event, or None."""
        if self.drawing is None or event.inaxes is None:
            return None
        return next((p for p in self.drawing.panels if p.ax is event.inaxes), None)

    def _on_press(self, event) -> None:
        panel = self.panel_at(event)
        if event.button != 1 or panel is None or panel.pose is None:
            return
        handle = panel.handle
        if handle is not None and handle.get_visible():
            hx, hy = panel.ax.transData.transform(panel.pose.handle)
            if (hx - event.x) ** 2 + (hy - event.y) ** 2 <= (HANDLE_REACH_PX * self.canvas.device_pixel_ratio) ** 2:
                self._drag = ("lean", panel)
                self.drag_started.emit()
                return
        self._drag = ("place", panel)
        self.drag_started.emit()
        self._queue("place", panel, (event.xdata, event.ydata), exact=True)

    def _on_motion(self, event) -> None:
        if self._drag is None or event.xdata is None or event.inaxes is not self._drag[1].ax:
            return
        self._queue(self._drag[0], self._drag[1], (event.xdata, event.ydata), exact=False)

    def _queue(self, kind: str, panel, point, *, exact: bool) -> None:
        """Solve this position when the events queued now are handled (the latest move wins)."""
        self._pending = (kind, panel, point, exact)
        self._drag_timer.start()

    def _on_release(self, _event) -> None:
        if self._drag is None:
            return
        self._drag = None
        self._drag_timer.stop()
        last = self._pending or self._applied
        if last is not None and last[0] == "place" and not last[3]:
            self._pending = (*last[:3], True)   # the drop: the tool exactly under the pointer
        self._apply_drag()
        self.pressure.release_scales()
        self.refresh()  # the caption of the place dropped on
        self.drag_finished.emit()

    def _apply_drag(self) -> None:
        """Solve the latest drag position (the preview, milliseconds) at the drag's held scales. A move is
        placed from the push shown (:func:`place_under` without its trial solve); a press and the drop
        exactly."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self._applied = pending
        kind, panel, point, exact = pending
        self._dragging = True
        try:
            if kind == "place":
                at = place_under(panel.deformation, point, panel.exaggeration, panel.load_fraction, trial=exact)
                self.pressure.place_at(round(at, 1), keep_scales=True)
            else:
                self.pressure.lean_to(*lean_towards(panel.deformation, point), keep_scales=True)
        finally:
            self._dragging = False

    def drag_to(self, point) -> None:
        """One step of dragging the tool of the first panel to a section point (mm), as a mouse move
        makes it (the benchmark's step)."""
        self._pending = ("place", self.drawing.panels[0], point, False)
        self._apply_drag()

    def close_view(self) -> None:
        self._drag_timer.stop()
        self.state.unsubscribe(self.on_event)
