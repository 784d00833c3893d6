"""The 3-D view: a pyvistaqt QtInteractor hosting :class:`thighview.render.scene3d.ThighScene`.

The window shows the section and its numbers first; until then a placeholder says the 3D view
is coming. For the first model, pyvista's import (a second) and the display meshes (normals,
the height index) are made on a worker thread, and only the VTK widget and its actors are made
on the UI thread when they are ready, so the window answers input meanwhile. The view then
listens to the app state, changes actors, and renders once per batch of changes (a zero-delay
timer coalesces the events of one user action). A click without a drag picks a structure;
hovering names it. While the pressure demo plays, each
:class:`~thighview.app.pressure.PressureFrame` the state publishes moves the deformed slab
(a drag of the tool on the stage moves it at the drop, not per mouse move).

Level of detail: once the scene is up, low-detail meshes are made off the UI thread
(:mod:`thighview.render.lod`); while the user rotates, zooms or drags the level the scene draws
them, and shortly after the last movement it redraws in full.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from thighview._memory import release_free_memory
from thighview.app import state as st
from thighview.app.pressure import PressureFrame
from thighview.gui.workers import run_in_thread
from thighview.render.pressure_slab import PressureSlab
from thighview.render.scene3d import ScenePrep, ThighScene, prepare_scene
from thighview.render.views import DEFAULT_VIEW, AnatomicalAxes

#: Delay (ms) between the first model on screen and preparing the VTK view: lets the section paint.
_CREATE_AFTER_MS = 40
#: A single cross-section is seen along its normal from below, as the 2-D view shows it.
SINGLE_SECTION_VIEW = "up_femur"
#: The view returns to full detail this long (ms) after the last interaction (wheel zooms come
#: as separate short interactions; this keeps a burst of them in low detail).
FULL_DETAIL_AFTER_MS = 200


class View3D(QtWidgets.QWidget):
    """The 3-D thigh with its cutting plane; owns one QtInteractor (created on demand)."""

    ready = QtCore.Signal()  # the VTK view exists and shows the current model

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.plotter = None  # pyvistaqt.QtInteractor, see ensure_plotter()
        self.scene: ThighScene | None = None
        self.slab: PressureSlab | None = None  # the pressure demo's deformed slab (with the scene)
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QtWidgets.QLabel("Preparing the 3D view…", alignment=QtCore.Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setStyleSheet("background: #2f3238; color: #c9ccd3;")
        self._layout.addWidget(self._placeholder)
        self._render_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self._render_now)
        self._create_timer = QtCore.QTimer(self, singleShot=True, interval=_CREATE_AFTER_MS)
        self._create_timer.timeout.connect(self._prepare_in_background)
        self._prepared: tuple[object, ScenePrep] | None = None  # (model, its scene data), made off the UI thread
        self._preparing = False
        self._press: tuple[int, int] | None = None
        # hover picks at most every 80 ms, at the latest mouse position (picking costs a ray cast)
        self._hover_at: tuple[int, int] | None = None
        self._hover_timer = QtCore.QTimer(self, singleShot=True, interval=80)
        self._hover_timer.timeout.connect(self._hover_now)
        # the camera follows the level (re-fits what the cut leaves) until the user moves it
        self._view_key: str | None = DEFAULT_VIEW
        self._pending_camera = None
        self._clipping = True
        self._plane_visible = True
        self._closed = False
        self._interactions = 0  # interactions under way (camera, level drag)
        self._full_detail_timer = QtCore.QTimer(self, singleShot=True, interval=FULL_DETAIL_AFTER_MS)
        self._full_detail_timer.timeout.connect(self._show_full_detail)
        app_state.subscribe(self.on_event)

    def ensure_plotter(self) -> None:
        """Create the VTK view now (if not yet) and show the current model in it."""
        if self.plotter is not None or self._closed:
            return
        from pyvistaqt import QtInteractor

        # off_screen=False: never inherit pyvista.OFF_SCREEN (PYVISTA_OFF_SCREEN=true, common on CI machines),
        # which leaves the widget without an interactor and crashes Qt when a dialog opens over it
        self.plotter = QtInteractor(self, auto_update=False, lighting="three lights", off_screen=False)
        self.plotter.enable_anti_aliasing("fxaa")  # smooth silhouettes for a screen-space pass's cost
        self._layout.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        self._layout.addWidget(self.plotter.interactor)
        self.plotter.interactor.installEventFilter(self)  # re-fit preset views when it is resized
        self.plotter.iren.add_observer("LeftButtonPressEvent", self._on_press)
        self.plotter.iren.add_observer("LeftButtonReleaseEvent", self._on_release)
        self.plotter.iren.add_observer("MouseMoveEvent", self._on_move)
        for wheel in ("MouseWheelForwardEvent", "MouseWheelBackwardEvent"):
            self.plotter.iren.add_observer(wheel, self._on_user_camera)
        style = self.plotter.iren.style  # rotate, zoom and pan begin and end here
        style.AddObserver("StartInteractionEvent", lambda *_: self.begin_interaction())
        style.AddObserver("EndInteractionEvent", lambda *_: self.end_interaction())
        if self.state.model is not None:
            self._build(self.state.model)
            self._show_state()
        self.ready.emit()

    def _prepare_in_background(self) -> None:
        """Import pyvista and make the current model's scene data on a worker thread, then create
        the view (the UI thread only makes the widget and adds the actors)."""
        model, engine = self.state.model, self.state.engine
        if self.plotter is not None or self._closed or self._preparing or model is None or engine is None:
            return
        axes = AnatomicalAxes.from_femur_axis(engine.axis)

        def prepare():
            import pyvistaqt  # noqa: F401 (the VTK widget's modules: a second's import, here not on the UI thread)

            return model, prepare_scene(model, axes)

        def deliver(prepared) -> None:
            self._preparing = False
            if prepared[0] is self.state.model:
                self._prepared = prepared
            self.ensure_plotter()

        def failed(_error) -> None:  # made on the UI thread instead
            self._preparing = False
            self.ensure_plotter()

        self._preparing = True
        run_in_thread(prepare, deliver, failed)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        if self.plotter is None:
            if isinstance(event, st.ModelChanged):
                self._create_timer.start()
            return
        scene = self.scene
        if isinstance(event, st.ModelChanged):
            self._build(event.model)
        elif scene is None:
            return
        elif isinstance(event, st.LevelChanged):
            scene.set_section(event.section)  # the state has dropped the old level's pressure frames
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
        elif isinstance(event, PressureFrame):
            if not self._show_pressure(event):
                return
        else:
            return
        self.request_render()

    def _build(self, model) -> None:
        self.plotter.clear()  # a new orientation marker replaces the old one
        axes = AnatomicalAxes.from_femur_axis(self.state.engine.axis)
        prepared, self._prepared = self._prepared, None
        self.scene = ThighScene(self.plotter, model, axes,
                                prepared=prepared[1] if prepared and prepared[0] is model else None)
        self.slab = PressureSlab(self.plotter)
        for name, opacity in self.state.opacity.items():
            self.scene.set_opacity(name, opacity)
        self.scene.set_clipping(self._clipping)
        self.scene.set_plane_visible(self._plane_visible and model.flat is None)  # a section is its own plane
        self.scene.add_orientation_marker()
        self._view_key = SINGLE_SECTION_VIEW if model.flat is not None else DEFAULT_VIEW
        self._make_low_detail(self.scene)  # the camera is placed once the section is in (LevelChanged / _show_state)

    def _make_low_detail(self, scene: ThighScene) -> None:
        """Build the scene's low-detail meshes on a worker thread; hand them over when done."""
        from thighview.render.lod import low_detail_meshes

        def deliver(meshes) -> None:
            if scene is self.scene and not self._closed:
                scene.set_low_detail(meshes)
                release_free_memory()  # the scene's and the decimation's temporaries
        run_in_thread(lambda: low_detail_meshes(scene.model.structures), deliver)

    def _show_state(self) -> None:
        """Bring a freshly built scene up to the state (level, colours, visibility, selection, camera)."""
        state, scene = self.state, self.scene
        for name, visible in state.visible.items():
            if not visible:
                scene.set_visible(name, False)
        if state.section is not None:
            scene.set_section(state.section)
        scene.set_colours(state.colours)
        scene.set_highlight(state.selected)
        scene.view(self._view_key or DEFAULT_VIEW)
        if self._pending_camera is not None:
            self.camera_position, self._pending_camera = self._pending_camera, None
        else:  # fit again once VTK has the widget's size (made in the background, it may not have it yet)
            QtCore.QTimer.singleShot(0, self._refit)
        self.request_render()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 (Qt)
        """A preset view re-fits the thigh when the VTK widget changes shape (after VTK has seen it)."""
        if self.plotter is not None and watched is self.plotter.interactor \
                and event.type() == QtCore.QEvent.Type.Resize:
            QtCore.QTimer.singleShot(0, self._refit)
        return False

    def _refit(self) -> None:
        if self.scene is not None and self._view_key is not None and not self._closed:
            self.scene.view(self._view_key)
            self.request_render()

    @property
    def camera_position(self):
        """The 3D camera as ``(position, focal point, view up)``; None before the view exists."""
        return None if self.plotter is None else self.plotter.camera_position

    @camera_position.setter
    def camera_position(self, value) -> None:
        if self.plotter is None:
            self._pending_camera = value  # applied when the view is created
            return
        self.plotter.camera_position = value
        self._view_key = None
        if self.scene is not None:
            self.scene.follow_camera()
        self.request_render()

    # --- rendering --------------------------------------------------------------------------
    def request_render(self) -> None:
        """Render once after the current batch of changes (nothing while hidden)."""
        self._render_timer.start()

    def _render_now(self) -> None:
        if self.plotter is not None and self.isVisible() and not self.plotter._closed:
            self.plotter.render()

    def set_view(self, key: str) -> None:
        """A named view; it keeps fitting the thigh as the level moves until the user moves the camera."""
        self._view_key = key
        if self.scene is not None:
            self.scene.view(key)
            self.request_render()

    def _on_user_camera(self, *_args) -> None:
        self._view_key = None

    # --- level of detail --------------------------------------------------------------------
    def begin_interaction(self) -> None:
        """The user started moving the camera or the level: draw low-detail meshes until it ends."""
        self._interactions += 1
        self._full_detail_timer.stop()
        if self.scene is not None:
            self.scene.set_low_detail_shown(True)

    def end_interaction(self) -> None:
        """One interaction ended; full detail returns shortly after the last one."""
        self._interactions = max(self._interactions - 1, 0)
        if self._interactions == 0:
            self._full_detail_timer.start()

    def _show_full_detail(self) -> None:
        if self.scene is not None and self.scene.low_detail_shown and not self._closed:
            self.scene.set_low_detail_shown(False)
            self.request_render()

    def set_clipping(self, on: bool) -> None:
        self._clipping = on
        if self.scene is not None:
            self.scene.set_clipping(on)
            self.request_render()

    def set_plane_visible(self, visible: bool) -> None:
        self._plane_visible = visible
        if self.scene is not None:
            self.scene.set_plane_visible(visible)
            self.request_render()

    def _show_pressure(self, frame: PressureFrame) -> bool:
        """The pressure demo's deformed slab while it plays or is on the stage, else none; True if the view changed.
        A drag's frames (``scene.preview``) leave it as it is: only the 2-D stage follows the pointer (a render
        here per mouse move would slow the drag); the full solve at the drop moves the slab."""
        if frame.scene is not None and frame.scene.preview:
            return False
        if (frame.playing or frame.on_stage) and frame.scene is not None:
            self.slab.show_scene(frame.scene, frame.load_fraction, self.state.scheme.palette)
        elif self.slab.visible:
            self.slab.hide()
        else:
            return False
        return True

    def screenshot(self):
        """The view's pixels (RGB array), rendered now (the view is created if need be)."""
        self.ensure_plotter()
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
        self._closed = True
        self.state.unsubscribe(self.on_event)
        for timer in (self._render_timer, self._hover_timer, self._create_timer, self._full_detail_timer):
            timer.stop()
        if self.plotter is not None:
            self.plotter.close()
