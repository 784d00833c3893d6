"""File › New thigh from measurements… and File › Compare with…: the actions and what they open.

Installed into the main window's File menu by one call, like the session actions, so the
window itself only gains a hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from thighview.errors import ThighViewError
from thighview.gui.workers import load_model_and_engine, run_in_thread

if TYPE_CHECKING:
    from thighview.gui.main_window import MainWindow


class ClientActions(QtCore.QObject):
    """Owns the two actions and the windows they open for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog = None  # the measurements form while it is open
        self.compare_windows: list = []
        self.new_action = window._action("&New thigh from measurements…", self.new_thigh, "Ctrl+N",
                                         tip="Build a thigh from a client's height, mass, circumference, skinfold…")
        self.compare_action = window._action("&Compare with…", self.compare_with, "Ctrl+Shift+C",
                                             tip="A second thigh next to this one, at the same level")
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertActions(window.recent_menu.menuAction(), [self.new_action, self.compare_action])

    def new_thigh(self) -> None:
        """The measurements form; the built model opens in the window."""
        self._open_form(self.window.load)

    def _open_form(self, then) -> None:
        from thighview.gui.client_dialog import ClientDialog

        self.dialog = ClientDialog(self.window.settings, self.window)
        self.dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.built.connect(then)
        self.dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog.open()

    def compare_with(self) -> None:
        """Ask which thigh, then open it next to the current one."""
        from thighview.gui.compare_view import CompareChooser
        from thighview.gui.main_window import open_filter

        if self.window.state.engine is None:
            return
        chooser = CompareChooser(self.window)
        chooser.exec()
        clicked = chooser.clickedButton()
        if clicked is chooser.default_button:
            self.open_compare(None)
        elif clicked is chooser.client_button:
            self._open_form(self.open_compare)
        elif clicked is chooser.file_button:
            start = self.window.settings.value("last_dir", "")
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Compare with a thigh model", start,
                                                            open_filter())
            if path:
                self.open_compare(path)

    def open_compare(self, path: str | None) -> None:
        """Load ``path`` (None = the built-in thigh) off the GUI thread and show the compare window."""
        window = self.window
        window.begin_loading(path)
        run_in_thread(lambda: load_model_and_engine(path), self._show_compare, self._failed)

    def _show_compare(self, result) -> None:
        from thighview.gui.compare_view import CompareWindow

        self.window._loading_done()
        model, engine = result
        if engine is None:
            self.window.show_error("Cannot compare", f"{model.name} has no femur to cut along.")
            return
        view = CompareWindow(self.window.state, model, engine, self.window)
        view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        view.destroyed.connect(lambda _o=None, v=view: self.compare_windows.remove(v)
                               if v in self.compare_windows else None)
        self.compare_windows.append(view)
        view.show()

    def _failed(self, error: BaseException) -> None:
        self.window._loading_done()
        message = str(error) if isinstance(error, ThighViewError) else f"Unexpected {type(error).__name__}: {error}"
        self.window.show_error("Could not open the model to compare with", message)
