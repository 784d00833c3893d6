"""Unexpected exceptions in the app: logged in full, shown in one dialog, and the app keeps running.

Qt calls :data:`sys.excepthook` for an exception escaping a slot and carries on, so replacing
the hook is enough to turn a would-be crash into a message: the traceback goes to a log file
in the user's log folder (``platformdirs.user_log_dir``, or ``THIGHVIEW_LOG_DIR``), the user
sees one sentence and where the details are. Their work is in the autosave either way.
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

#: The log keeps the last few crashes: past this size the old half is dropped.
MAX_LOG_BYTES = 2**20


def log_path() -> Path:
    folder = os.environ.get("THIGHVIEW_LOG_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_log_dir("ThighView", appauthor=False)
    return Path(folder) / "thighview.log"


def write_log(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> Path:
    """Append the full traceback, with the time and version, to the log; returns its path."""
    from thighview import __version__

    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
        path.write_bytes(path.read_bytes()[-MAX_LOG_BYTES // 2:])
    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {stamp} thighview {__version__} python {sys.version.split()[0]}\n")
        log.write("".join(traceback.format_exception(exc_type, exc, tb)))
    return path


def install_crash_handler(show: Callable[[str, str], None]) -> Callable:
    """Route uncaught exceptions to the log and to ``show(title, message)``; returns the old hook.

    ``show`` is the window's non-blocking error dialog, so a burst of errors never stacks
    modal boxes and the window stays usable behind it.
    """
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        try:
            where = f"The details are in {write_log(exc_type, exc, tb)}."
        except OSError as error:  # a full or read-only disk must not turn one problem into two
            where = f"(The log could not be written: {error.strerror or error}.)"
        show("ThighView hit an unexpected problem",
             f"{exc_type.__name__}: {' '.join(str(exc).split())[:300]}\n\n"
             f"You can keep working; your session is autosaved. {where} "
             "Please send that file with a report.")

    sys.excepthook = hook
    return previous
