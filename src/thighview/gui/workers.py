"""Run slow work (model loading, exports, the area profile) off the UI thread: the GUI's one runner.

The result (or the exception), and any :class:`~thighview.progress.Progress` the work reports,
come back to the GUI thread through queued Qt signals, so callbacks may touch widgets and VTK;
only the GUI thread ever does. Cancel is the work's own flag (:mod:`thighview.progress`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from thighview.progress import CancelFlag, Progress, Report

_LIVE: set[_Task] = set()  # tasks in flight (Qt does not own them from Python's side)


class _Task(QtCore.QObject, QtCore.QRunnable):
    """Runs ``fn`` in the thread pool and delivers its outcome on the thread that made it."""

    finished = QtCore.Signal(object, object)  # result, exception
    progressed = QtCore.Signal(object)  # a Progress

    def __init__(self, fn: Callable[..., Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None, on_progress: Report | None) -> None:
        QtCore.QObject.__init__(self)
        QtCore.QRunnable.__init__(self)
        self.setAutoDelete(False)
        self._fn, self._on_done, self._on_error, self._on_progress = fn, on_done, on_error, on_progress
        self.finished.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)
        if on_progress is not None:
            self.progressed.connect(on_progress, QtCore.Qt.ConnectionType.QueuedConnection)

    def run(self) -> None:  # worker thread
        try:
            result = self._fn(self.progressed.emit) if self._on_progress is not None else self._fn()
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
        # (nor its progress callback, connected or held: an export dialog's bound method kept every
        # closed Export dialog's Python side, ~100 kB per export in the long monkey run)
        if self._on_progress is not None:
            self.progressed.disconnect(self._on_progress)
        self._fn = self._on_done = self._on_error = self._on_progress = None
        # nor the task itself: its wrapper is released only when the C++ object goes
        self.deleteLater()
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)


def run_in_thread(fn: Callable[..., Any], on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None, *,
                  on_progress: Report | None = None) -> None:
    """Call ``fn()`` in Qt's global thread pool; then ``on_done(result)`` or ``on_error(exc)`` here.

    With ``on_progress``, ``fn(report)`` is called instead and every :class:`Progress` it passes
    to ``report`` reaches ``on_progress`` here, in order and before ``on_done``."""
    task = _Task(fn, on_done, on_error, on_progress)
    _LIVE.add(task)
    QtCore.QThreadPool.globalInstance().start(task)


def load_model_and_engine(path: str | None, progress: Report | None = None, cancel: CancelFlag | None = None,
                          **options):
    """Worker-thread part of opening a model: read it (with progress and cancel) and precompute
    its section engine (None for a model without a femur: the user picks an axis first).
    ``options`` go to :func:`~thighview.io.load_model` (an image's ``colour_map``, ``pixel_size``)."""
    from thighview.io import load_model
    from thighview.section import SectionEngine

    def reading(step: Progress) -> None:  # reading is the first 85 % of opening
        if progress is not None:
            progress(Progress(0.85 * step.fraction, 1.0, step.message))

    model = load_model(path, progress=reading, cancel=cancel, **options)
    if model.needs_axis_choice:  # no axis yet: the GUI thread asks the user for one (gui/axis_dialog.py)
        return model, None
    if progress is not None:
        progress(Progress(0.9, 1.0, "Preparing the sections"))
    return model, SectionEngine(model)


def wait_for_workers(timeout_ms: int = 30000) -> bool:
    """Block until every task has finished (window close, tests)."""
    return QtCore.QThreadPool.globalInstance().waitForDone(timeout_ms)
