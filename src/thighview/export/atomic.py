"""Atomic file writes: a file appears at its target path complete, or not at all.

Writers write to a temporary file *in the target's folder* (so the final rename never
crosses file systems), then move it into place. The temporary name is hidden and
recognisable (``.thighview-partial-<pid>-<random><suffix>``) and keeps the target's suffix so
that libraries that pick a format by suffix (matplotlib, imageio, ffmpeg) still work. If the
process is killed mid-write the target is untouched; the leftover is removed by the next
export into that folder once its process is gone (:func:`remove_stale_partials`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from thighview.errors import ExportError

PARTIAL_PREFIX = ".thighview-partial-"


def check_target(target: str | Path, *, force: bool = False) -> Path:
    """Refuse a target that exists (unless ``force``) or whose folder is missing."""
    target = Path(target)
    if target.is_dir():
        raise ExportError("is a folder, not a file name", target)
    if target.exists() and not force:
        raise ExportError("already exists (use --force to overwrite)", target)
    if not target.parent.is_dir():
        raise ExportError("the folder does not exist", target.parent)
    return target


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_partials(folder: str | Path) -> list[Path]:
    """Delete partial files left in ``folder`` by export processes that no longer run."""
    removed = []
    for path in Path(folder).glob(PARTIAL_PREFIX + "*"):
        pid_text = path.name[len(PARTIAL_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def partial_path(target: Path) -> Path:
    """A fresh, recognisable temporary name beside ``target`` with the same suffix."""
    suffix = "".join(target.suffixes[-1:])
    return target.with_name(f"{PARTIAL_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}")


def _publish(temp: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(temp, target)
        return
    try:  # a hard link fails if the target appeared meanwhile: no silent overwrite
        os.link(temp, target)
    except FileExistsError:
        raise ExportError("already exists (use --force to overwrite)", target) from None
    except OSError:  # file systems without hard links
        if target.exists():
            raise ExportError("already exists (use --force to overwrite)", target) from None
        os.replace(temp, target)
        return
    temp.unlink()


@contextlib.contextmanager
def atomic_path(target: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success move it to ``target``, on any error delete it.

    >>> with atomic_path("out/figure.svg") as tmp:   # doctest: +SKIP
    ...     fig.savefig(tmp)
    """
    target = check_target(target, force=force)
    remove_stale_partials(target.parent)
    temp = partial_path(target)
    try:
        temp.touch(exist_ok=False)  # reserve the name now: even a writer that buffers leaves a named leftover
        yield temp
        if not temp.is_file() or temp.stat().st_size == 0:
            raise ExportError("the writer produced no data", target)
        _publish(temp, target, force)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):  # disk full, no permission...: one line for the user
            raise ExportError(f"cannot write the file ({exc.strerror or exc})", target) from None
        raise


def atomic_write_bytes(target: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target, force=force) as temp:
        temp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: str | Path, text: str, *, force: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    return atomic_write_bytes(target, text.encode("utf-8"), force=force)
