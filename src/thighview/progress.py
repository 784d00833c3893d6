"""Progress and cancel for long work (imports, exports), one contract for the terminal and the GUI.

Long work reports :class:`Progress` (``done`` of ``total``, a message) to a :data:`Report`
callback and checks a :class:`CancelFlag` (anything with ``is_set()``, e.g.
:class:`threading.Event`); when the flag is set it raises :class:`Cancelled` and leaves nothing
behind. Exports are generators of :class:`Progress` steps driven by :func:`run_steps`; imports
report through a :class:`Stage`, which maps each stage's own 0..1 onto its share of the whole.
The CLI shows either with :class:`TerminalProgress`; the GUI runs them in a worker
(:func:`thighview.gui.workers.run_in_thread`) under a progress dialog whose Cancel sets the flag.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from thighview.errors import ThighViewError


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` (steps, or a fraction of 1.0); ``message`` says what is being done."""

    done: float
    total: float
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class Cancelled(ThighViewError):
    """The user stopped long work; nothing was written and nothing half-read is kept."""


Steps = Iterator[Progress]
Report = Callable[[Progress], None]


def run_steps(steps: Steps, *, report: Report | None = None, cancel: CancelFlag | None = None) -> None:
    """Run a generator of steps to its end, reporting each; raise :class:`Cancelled` if stopped."""
    try:
        for progress in steps:
            if report is not None:
                report(progress)
            if cancel is not None and cancel.is_set():
                raise Cancelled("export cancelled; no file was written")
    finally:
        steps.close()  # a generator stopped early deletes its partial file here


class Stage:
    """One stage of an import: ``stage(fraction, message)`` reports its share of the whole as
    :class:`Progress` and raises :class:`Cancelled` once the flag is set."""

    def __init__(self, report: Report | None = None, cancel: CancelFlag | None = None,
                 path: object = None, span: tuple[float, float] = (0.0, 1.0)) -> None:
        self._report = report
        self._cancel = cancel
        self._path = path
        self._span = span

    def __call__(self, fraction: float, message: str) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("import cancelled", self._path)  # type: ignore[arg-type]
        if self._report is not None:
            lo, hi = self._span
            self._report(Progress(lo + (hi - lo) * min(max(float(fraction), 0.0), 1.0), 1.0, message))

    def sub(self, start: float, stop: float) -> Stage:
        """A stage that maps its 0..1 onto ``start..stop`` of this one."""
        lo, hi = self._span
        return Stage(self._report, self._cancel, self._path, (lo + (hi - lo) * start, lo + (hi - lo) * stop))


class TerminalProgress:
    """A one-line progress bar on stderr (``[#####.....] 12/40 frames  sweep.mp4``).

    On a terminal it redraws in place; into a log or pipe it writes a line per finished file
    and every 25% of a long one (work measured in fractions, like an import, stays quiet there).
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_quarter = 0
        self._last_message = ""
        self._last_draw = 0.0

    def __call__(self, progress: Progress) -> None:
        finished = progress.done >= progress.total
        if self._tty:
            now = time.monotonic()
            if not finished and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            filled = int(self.width * progress.fraction)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {_count(progress)} {progress.message}\033[K")
            if finished:
                self.stream.write("\n")
        elif isinstance(progress.total, int):  # a log gets counted steps (files, frames), not fractions
            quarter = int(progress.fraction * 4)
            if progress.message != self._last_message:
                self._last_message, self._last_quarter = progress.message, 0
            if not finished and (progress.total <= 1 or quarter <= self._last_quarter):
                return
            self._last_quarter = quarter
            self.stream.write(f"{_count(progress)} {progress.message}\n")
        self.stream.flush()


def _count(progress: Progress) -> str:
    """``12/40`` for counted steps, ``45%`` for a fraction (a float total)."""
    if isinstance(progress.total, float):
        return f"{progress.fraction * 100:.0f}%"
    return f"{progress.done}/{progress.total}"
