"""File › Save Session / Open Session, the autosave timer, and "recover last session?" at start.

The window's state becomes a :class:`thighview.session.Session` (:func:`capture`) and back
(:meth:`SessionController.open_session`). The autosave runs on a timer, writes only when the
session changed, and costs a few dictionary copies plus one small atomic write, so it never
competes with dragging the level. A clean close removes the autosave; finding one at start
means the last run crashed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from thighview import session as ss
from thighview.anatomy import Compartment, canonical_names, compartment_of
from thighview.errors import SessionError, ThighViewError

if TYPE_CHECKING:
    from thighview.gui.main_window import MainWindow

AUTOSAVE_MS = 15_000
SESSION_FILTER = f"ThighView sessions (*{ss.SUFFIX} *.json);;All files (*)"


def _model_path(window: MainWindow) -> str | None:
    from thighview._resources import default_model_path

    source = window.state.model.source
    if source is None or Path(source).resolve() == default_model_path().resolve():
        return None
    return str(Path(source).resolve())


class SessionController(QtCore.QObject):
    """Owns the session actions, the autosave timer and recovery for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._checksums: dict[str, str] = {}
        self._last_autosave = ""
        self.recovery_box: QtWidgets.QMessageBox | None = None
        self.path: Path | None = None  # the session file last saved or opened: Save writes there again
        self.save_action = window._action("&Save session", self.save_again, "Ctrl+S",
                                          tip="Save the model, level, colours, visibility and camera")
        self.save_as_action = window._action("Save session &as…", self.save_dialog, "Ctrl+Shift+S",
                                             tip="Save the session under a new name")
        self.open_action = window._action("Open se&ssion…", self.open_dialog)
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertActions(window.export_action, [self.open_action, self.save_action, self.save_as_action])
        file_menu.insertSeparator(window.export_action)
        self.timer = QtCore.QTimer(self, interval=AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        window.state.subscribe(self.on_event)

    def on_event(self, event) -> None:
        """A new model: hash its file on a worker thread (a large label map takes seconds)."""
        from thighview.app.state import ModelChanged
        from thighview.gui.workers import run_in_thread

        if not isinstance(event, ModelChanged) or event.model.source is None:
            return
        key = str(event.model.source)
        if key not in self._checksums:
            run_in_thread(lambda: ss.model_checksum(key), lambda digest: self._checksums.__setitem__(key, digest))

    # --- state <-> session ----------------------------------------------------------------------
    def capture(self) -> ss.Session | None:
        """The window as a session (None while no model from a file is shown). The checksum is
        left out until the worker has computed it."""
        state = self.window.state
        if state.model is None or state.model.source is None:  # a model built in memory has no file to name
            return None
        scheme = state.scheme
        camera = self.window.view3d.camera_position  # None until the 3D view exists
        return ss.Session(
            model_path=_model_path(self.window), model_sha256=self._checksums.get(str(state.model.source)),
            level=float(state.level),
            colours=scheme.settings(),
            visible=dict(state.visible), opacity=dict(state.opacity),
            camera=None if camera is None else tuple(tuple(float(c) for c in v) for v in camera),
            compartments={n: s.compartment.value for n, s in state.model.structures.items()
                          if n not in canonical_names() or s.compartment is not compartment_of(n)},
            pressure=state.pressure.settings.as_dict(), axis=ss.axis_spec(state.engine.axis),
            image={k: v for k, v in self.window.load_options.items() if v is not None})

    def _apply_view(self, session: ss.Session) -> None:
        """Everything but the model, onto the shown model (unknown names are ignored)."""
        window, state = self.window, self.window.state
        window._set_scheme(**session.colours)  # checked against ColourScheme when the session was read
        for visible in (True, False):
            state.set_visible([n for n, v in session.visible.items() if v is visible and n in state.visible], visible)
        for name, opacity in session.opacity.items():
            state.set_opacity([name], opacity)
        state.set_level(session.level)
        if session.camera is not None:
            window.view3d.camera_position = [list(v) for v in session.camera]
        state.pressure.apply(session.pressure)

    def open_session(self, session: ss.Session | str | Path) -> None:
        """Open a session (or read and check a session file first) and its model, with its assignments,
        off the UI thread, then its view. Checking the pressure settings imports the mechanics (a second,
        the first time): that too happens in the worker, so the window answers meanwhile."""
        from thighview.gui.workers import run_in_thread

        window = self.window
        path = None if isinstance(session, ss.Session) else Path(session)

        def load():  # worker thread: reading the session, the file's checksum and the model all take time
            from thighview.io import load_model
            from thighview.section import SectionEngine

            try:
                opened = session if path is None else ss.load_session(path)
            except SessionError as error:  # the session's own problem: a dialog, the shown model stays
                return error
            changed = ss.model_changed(opened)
            model = load_model(opened.model_path, **opened.image)
            for name, value in opened.compartments.items():
                if name in model.structures:
                    model.structures[name].compartment = Compartment(value)
            if opened.axis is not None:  # the axis the user chose for this femur-less model
                model.set_axis(ss.axis_from_spec(model, opened.axis))
            elif model.needs_axis_choice:  # an older session: the window asks for the axis again
                return opened, model, None, changed
            return opened, model, SectionEngine(model), changed

        def done(result) -> None:
            if isinstance(result, SessionError):
                window._loading_done()
                window.show_error("Could not open the session", str(result))
                return
            opened, model, engine, changed = result
            if path is not None:
                self.path = path
            window.finish_loading(opened.model_path, (model, engine), options=opened.image)
            if window.state.model is not model:  # the user cancelled the axis: nothing opened
                return
            self._apply_view(opened)
            if changed:
                window.statusBar().showMessage("The model file changed since this session was saved: "
                                               "areas may differ from before.", 10000)

        window.begin_loading(str(path) if path is not None else session.model_path)
        run_in_thread(load, done, window.loading_failed)

    # --- files --------------------------------------------------------------------------------
    def save_dialog(self) -> None:
        if self.capture() is None:
            self._nothing_to_save()
            return
        start = str(Path(self.window.settings.value("last_dir", str(Path.home()))) / f"session{ss.SUFFIX}")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Save the session", start, SESSION_FILTER)
        if path:
            self.save(path)

    def save_again(self) -> None:
        """File › Save session: into the session file last saved or opened, else ask where."""
        if self.path is None:
            self.save_dialog()
        else:
            self.save(self.path)

    def _nothing_to_save(self) -> None:
        self.window.show_error("Nothing to save", "Open a model file first: a session refers to it by name.")

    def save(self, path: str | Path) -> None:
        session = self.capture()
        if session is None:
            self._nothing_to_save()
            return
        try:
            ss.save_session(session, path)
        except ThighViewError as error:
            self.window.show_error("Could not save the session", str(error))
        else:
            self.path = Path(path)
            self.window.statusBar().showMessage(f"Session saved to {path}", 5000)

    def open_dialog(self) -> None:
        start = self.window.settings.value("last_dir", str(Path.home()))
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open a session", start, SESSION_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> None:
        """Open a session file (read and checked off the UI thread; a bad one is a dialog)."""
        self.open_session(Path(path))

    # --- autosave and recovery ----------------------------------------------------------------
    def autosave(self) -> None:
        """Write the autosave copy if anything changed since the last one (timer slot)."""
        session = self.capture()
        if session is None:
            return
        text = repr(session)
        if text == self._last_autosave:
            return
        try:
            ss.autosave(session)
        except (ThighViewError, OSError) as error:  # a full disk: say so once in the status bar, keep going
            self.window.statusBar().showMessage(f"Autosave failed: {error}", 10000)
        else:
            self._last_autosave = text

    def offer_recovery(self) -> None:
        """After a crash: ask (without blocking start-up) whether to reopen the autosaved session. The
        autosave is read and checked off the UI thread (its pressure settings import the mechanics)."""
        from thighview.gui.workers import run_in_thread

        run_in_thread(ss.recoverable_session, self._ask_recovery)

    def _ask_recovery(self, session: ss.Session | None) -> None:
        if session is None or self.window._closing:
            return
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, "Recover the last session?",
                                    "ThighView did not close normally last time. Reopen the model and view "
                                    "as they were?", QtWidgets.QMessageBox.StandardButton.Yes
                                    | QtWidgets.QMessageBox.StandardButton.No, self.window)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.recovery_box = box

        def answered(_result: int) -> None:
            self.recovery_box = None
            if box.standardButton(box.clickedButton()) == QtWidgets.QMessageBox.StandardButton.Yes:
                self.open_session(session)
            else:
                ss.discard_autosave()

        box.finished.connect(answered)
        box.open()

    def close(self) -> None:
        """A clean exit: stop the timer and remove the autosave (nothing to recover)."""
        self.timer.stop()
        self.window.state.unsubscribe(self.on_event)
        ss.discard_autosave()

