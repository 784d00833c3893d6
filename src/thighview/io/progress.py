"""Progress reporting and cancellation for slow imports (the GUI runs them off the UI thread).

A caller passes ``progress(fraction, message)`` to see how far an import is, and a ``cancel``
token (anything with ``is_set()``, e.g. :class:`threading.Event`) to stop it; the import
then raises :class:`ImportCancelled` at its next step and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from thighview.errors import ThighViewError

ProgressCallback = Callable[[float, str], None]


class CancelToken(Protocol):
    def is_set(self) -> bool: ...


class ImportCancelled(ThighViewError):
    """The user cancelled an import."""


class Progress:
    """Reports ``fraction`` in 0..1 with a short message; raises :class:`ImportCancelled` when asked to stop."""

    def __init__(self, callback: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 path: object = None, span: tuple[float, float] = (0.0, 1.0)) -> None:
        self._callback = callback
        self._cancel = cancel
        self._path = path
        self._span = span

    def __call__(self, fraction: float, message: str) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise ImportCancelled("import cancelled", self._path)  # type: ignore[arg-type]
        if self._callback is not None:
            lo, hi = self._span
            self._callback(lo + (hi - lo) * min(max(float(fraction), 0.0), 1.0), message)

    def sub(self, start: float, stop: float) -> Progress:
        """A progress for one stage that maps its 0..1 onto ``start..stop`` of this one."""
        lo, hi = self._span
        return Progress(self._callback, self._cancel, self._path,
                        (lo + (hi - lo) * start, lo + (hi - lo) * stop))
