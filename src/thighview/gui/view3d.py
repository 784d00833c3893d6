"""The 3-D view: a pyvistaqt QtInteractor hosting :class:`thighview.render.scene3d.ThighScene`.

It listens to the app state, changes actors, and renders once per batch of changes (a
zero-delay timer coalesces the events of one user action). A click without a drag picks a
structure; hovering names it in the status bar.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from thighview.gui import state as st
from thighview.render.scene3d import ThighScene
from thighview.render.views import DEFAULT_VIEW, AnatomicalAxes


class View3D(QtWidgets.QWidget):
    """The 3-D thigh with its cutting plane; owns one QtInteractor."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        from pyvistaqt import QtInteractor

        super().__init__(parent)
        self.state = app_state
        self.plotter = QtInteractor(self, auto_update=False, lighting="three lights")
        self.plotter.enable_anti_aliasing("fxaa")  # smooth silhouettes for a screen-space pass's cost
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plotter.interactor)
        self.scene: ThighScene | None = None
        self._render_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self._render_now)
        self._press: tuple[int, int] | None = None
        # hover picks at most every 80 ms, at the latest mouse position (picking costs a ray cast)
        self._hover_at: tuple[int, int] | None = None
        self._hover_timer = QtCore.QTimer(self, singleShot=True, interval=80)
        self._hover_timer.timeout.connect(self._hover_now)
        self.plotter.iren.add_observer("LeftButtonPressEvent", self._on_press)
        self.plotter.iren.add_observer("LeftButtonReleaseEvent", self._on_release)
        self.plotter.iren.add_observer("MouseMoveEvent", self._on_move)
        for wheel in ("MouseWheelForwardEvent", "MouseWheelBackwardEvent"):
            self.plotter.iren.add_observer(wheel, self._on_user_camera)
        # the camera follows the level (re-fits what the cut leaves) until the user moves it
        self._view_key: str | None = DEFAULT_VIEW
        app_state.subscribe(self.on_event)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        scene = self.scene
        if isinstance(event, st.ModelChanged):
            self._build(event.model)
        elif scene is None:
            return
        elif isinstance(event, st.LevelChanged):
            scene.set_section(event.section)
            if self._view_key is not None:
                scene.view(self._view_key)
        elif isinstance(event, st.ColoursChanged):
            scene.set_colours(event.colours)
        elif isinstance(event, st.VisibilityChanged):
            for name in event.names:
                scene.set_visible(name, self.state.visible[name])
        elif isinstance(event, st.OpacityChanged):
            for name in event.names:
                scene.set_opacity(name, self.state.opacity[name])
        elif isinstance(event, st.SelectionChanged):
            scene.set_highlight(event.name)
        else:
            return
        self.request_render()

    def _build(self, model) -> None:
        self.plotter.clear()  # a new orientation marker replaces the old one
        axes = AnatomicalAxes.from_femur_axis(self.state.engine.axis)
        self.scene = ThighScene(self.plotter, model, axes)
        for name, opacity in self.state.opacity.items():
            self.scene.set_opacity(name, opacity)
        self.scene.add_orientation_marker()
        self._view_key = DEFAULT_VIEW
        self.scene.view(DEFAULT_VIEW)

    # --- rendering --------------------------------------------------------------------------
    def request_render(self) -> None:
        """Render once after the current batch of changes (nothing while hidden)."""
        self._render_timer.start()

    def _render_now(self) -> None:
        if self.isVisible() and not self.plotter._closed:
            self.plotter.render()

    def set_view(self, key: str) -> None:
        """A named view; it keeps fitting the thigh as the level moves until the user moves the camera."""
        self._view_key = key
        if self.scene is not None:
            self.scene.view(key)
            self.request_render()

    def _on_user_camera(self, *_args) -> None:
        self._view_key = None

    def set_clipping(self, on: bool) -> None:
        if self.scene is not None:
            self.scene.set_clipping(on)
            self.request_render()

    def set_plane_visible(self, visible: bool) -> None:
        if self.scene is not None:
            self.scene.set_plane_visible(visible)
            self.request_render()

    def screenshot(self):
        """The view's pixels (RGB array), rendered now."""
        self.plotter.render()
        return self.plotter.screenshot(return_img=True)

    # --- picking ----------------------------------------------------------------------------
    def _event_position(self) -> tuple[int, int]:
        return tuple(self.plotter.iren.get_event_position())  # type: ignore[return-value]

    def _on_press(self, *_args) -> None:
        self._press = self._event_position()

    def _on_release(self, *_args) -> None:
        position = self._event_position()
        if self._press is not None and self.scene is not None:
            if abs(position[0] - self._press[0]) + abs(position[1] - self._press[1]) <= 3:
                self.state.select(self.scene.pick(*position))
            else:  # a drag rotated the camera: keep cutting away the part in front of it
                self._view_key = None
                self.scene.follow_camera()
                self.request_render()
        self._press = None

    def _on_move(self, *_args) -> None:
        if self._press is None and self.scene is not None:
            self._hover_at = self._event_position()
            if not self._hover_timer.isActive():
                self._hover_timer.start()

    def _hover_now(self) -> None:
        if self._hover_at is not None and self.scene is not None and self._press is None:
            name = self.scene.pick(*self._hover_at)
            if name != self.state.hovered:
                self.state.hover(name)
                if name:
                    QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), self.state.describe(name), self)
                else:
                    QtWidgets.QToolTip.hideText()

    def pick_at(self, x: int, y: int) -> str | None:
        """Select the structure at VTK display pixel ``(x, y)`` as a click would."""
        name = self.scene.pick(x, y) if self.scene is not None else None
        self.state.select(name)
        return name

    def close_view(self) -> None:
        """Stop listening and release the VTK window (called by the main window on close)."""
        self.state.unsubscribe(self.on_event)
        self._render_timer.stop()
        self._hover_timer.stop()
        self.plotter.close()
