"""Run slow work (model loading, the area profile) off the UI thread.

The result (or the exception) comes back to the GUI thread through a queued Qt signal, so
callbacks may touch widgets and VTK; only the GUI thread ever does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

_LIVE: set[_Task] = set()  # tasks in flight (Qt does not own them from Python's side)


class _Task(QtCore.QObject, QtCore.QRunnable):
    """Runs ``fn`` in the thread pool and delivers its outcome on the thread that made it."""

    finished = QtCore.Signal(object, object)  # result, exception

    def __init__(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None) -> None:
        QtCore.QObject.__init__(self)
        QtCore.QRunnable.__init__(self)
        self.setAutoDelete(False)
        self._fn, self._on_done, self._on_error = fn, on_done, on_error
        self.finished.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)

    def run(self) -> None:  # worker thread
        try:
            result = self._fn()
        except Exception as exc:  # delivered to on_error on the GUI thread
            self.finished.emit(None, exc)
        else:
            self.finished.emit(result, None)

    @QtCore.Slot(object, object)
    def _deliver(self, result: Any, error: BaseException | None) -> None:  # GUI thread
        _LIVE.discard(self)
        on_done, on_error = self._on_done, self._on_error
        # PySide keeps a started runnable's wrapper alive: it must not keep what its closures hold
        # (a whole model and its engine, for the area profile) once delivered
        self._fn = self._on_done = self._on_error = None
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None) -> None:
    """Call ``fn()`` in Qt's global thread pool; then ``on_done(result)`` or ``on_error(exc)`` here."""
    task = _Task(fn, on_done, on_error)
    _LIVE.add(task)
    QtCore.QThreadPool.globalInstance().start(task)


def load_model_and_engine(path: str | None, progress=None, cancel=None, **options):
    """Worker-thread part of opening a model: read it (with progress and cancel) and precompute
    its section engine (None for a model without a femur: the user picks an axis first).
    ``progress(fraction, message)`` and ``cancel.is_set()`` as in :mod:`thighview.io.progress`;
    ``options`` go to :func:`~thighview.io.load_model` (an image's ``colour_map``, ``pixel_size``)."""
    from thighview.io import load_model
    from thighview.section import SectionEngine

    def reading(fraction: float, message: str) -> None:
        if progress is not None:
            progress(0.85 * fraction, message)

    model = load_model(path, progress=reading, cancel=cancel, **options)
    if model.needs_axis_choice:  # no axis yet: the GUI thread asks the user for one (gui/axis_dialog.py)
        return model, None
    if progress is not None:
        progress(0.9, "Preparing the sections")
    return model, SectionEngine(model)


class ProgressRelay(QtCore.QObject):
    """Hands ``(fraction, message)`` from a worker thread to a GUI-thread callback (queued signal)."""

    changed = QtCore.Signal(float, str)

    def __init__(self, show: Callable[[float, str], None], parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._show = show
        self.changed.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)

    @QtCore.Slot(float, str)
    def _deliver(self, fraction: float, message: str) -> None:
        self._show(fraction, message)

    def __call__(self, fraction: float, message: str) -> None:  # any thread
        self.changed.emit(float(fraction), str(message))


def wait_for_workers(timeout_ms: int = 30000) -> bool:
    """Block until every task has finished (window close, tests)."""
    return QtCore.QThreadPool.globalInstance().waitForDone(timeout_ms)
