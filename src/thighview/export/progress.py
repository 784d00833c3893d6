"""Progress and cancel for long exports, shared by the terminal and the GUI.

Long exports are generators that yield :class:`Progress` after each step (a frame, a file).
:func:`run_steps` drives one to the end, reports each step and stops it when a cancel flag
is set; stopping closes the generator, which deletes its partial file (see
:mod:`thighview.export.atomic`). The CLI reports with :class:`TerminalProgress`; the GUI
drives the same generator from a worker and shows a progress dialog.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from thighview.errors import ExportError


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` steps finished; ``message`` says what is being made."""

    done: int
    total: int
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


class Cancelled(ExportError):
    """The user stopped an export; nothing was written at the target."""


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


Steps = Iterator[Progress]
Report = Callable[[Progress], None]


def run_steps(steps: Steps, *, report: Report | None = None, cancel: CancelFlag | None = None) -> None:
    """Run an export generator to its end, reporting progress; raise :class:`Cancelled` if stopped."""
    try:
        for progress in steps:
            if report is not None:
                report(progress)
            if cancel is not None and cancel.is_set():
                raise Cancelled("export cancelled; no file was written")
    finally:
        steps.close()  # a generator stopped early deletes its partial file here


class TerminalProgress:
    """A one-line progress bar on stderr (``[#####.....] 12/40 frames  sweep.mp4``).

    On a terminal it redraws in place; into a log or pipe it writes a line per finished file
    and every 25% of a long one.
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
            self.stream.write(f"\r[{bar}] {progress.done}/{progress.total} {progress.message}\033[K")
            if finished:
                self.stream.write("\n")
        else:
            quarter = int(progress.fraction * 4)
            if progress.message != self._last_message:
                self._last_message, self._last_quarter = progress.message, 0
            if not finished and (progress.total <= 1 or quarter <= self._last_quarter):
                return
            self._last_quarter = quarter
            self.stream.write(f"{progress.done}/{progress.total} {progress.message}\n")
        self.stream.flush()
