"""Atomic exports: a file appears complete at its target or not at all, even after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from thighview.errors import ExportError
from thighview.export.atomic import PARTIAL_PREFIX, atomic_path, atomic_write_text, remove_stale_partials
from thighview.export.movie import write_movie
from thighview.progress import Cancelled


def _partials(folder):
    return sorted(p.name for p in folder.glob(PARTIAL_PREFIX + "*"))


def test_error_while_writing_leaves_neither_target_nor_partial(tmp_path):
    target = tmp_path / "figure.svg"
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("<svg>half")
        assert temp.parent == tmp_path and temp.name.startswith(PARTIAL_PREFIX) and temp.suffix == ".svg"
        raise RuntimeError("boom")
    assert not target.exists()
    assert _partials(tmp_path) == []


def test_refuses_to_overwrite_without_force_and_replaces_with_it(tmp_path):
    target = tmp_path / "areas.csv"
    atomic_write_text(target, "first")
    with pytest.raises(ExportError, match="already exists") as info:
        atomic_write_text(target, "second")
    assert "\n" not in str(info.value) and str(target) in str(info.value)
    assert target.read_text() == "first"
    atomic_write_text(target, "second", force=True)
    assert target.read_text() == "second"


def test_missing_folder_and_folder_target_are_one_line_errors(tmp_path):
    with pytest.raises(ExportError, match="folder does not exist"):
        atomic_write_text(tmp_path / "nope" / "a.csv", "x")
    with pytest.raises(ExportError, match="is a folder"):
        atomic_write_text(tmp_path, "x")


def test_stale_partials_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = tmp_path / f"{PARTIAL_PREFIX}{dead}-abcd1234.png"
    stale.write_bytes(b"partial")
    alive = tmp_path / f"{PARTIAL_PREFIX}{os.getppid()}-abcd1234.png"  # a live process: not ours to delete
    alive.write_bytes(b"partial")
    assert remove_stale_partials(tmp_path) == [stale]
    assert alive.exists() and not stale.exists()


def test_cancelled_movie_leaves_nothing(tmp_path):
    target = tmp_path / "sweep.mp4"
    cancel = threading.Event()
    frames = (np.full((32, 48, 3), i * 10, np.uint8) for i in range(20))

    def report(progress):
        if progress.done == 5:
            cancel.set()

    with pytest.raises(Cancelled):
        write_movie(target, frames, n_frames=20, report=report, cancel=cancel)
    assert not target.exists()
    assert _partials(tmp_path) == []


_SLOW_EXPORT = textwrap.dedent("""
    import sys, time
    import numpy as np
    from thighview.export.movie import write_movie

    def frames():
        for i in range(1000):
            if i == 3:
                print("writing", flush=True)
            time.sleep(0.05)
            yield np.full((64, 64, 3), i % 255, np.uint8)

    write_movie(sys.argv[1], frames(), n_frames=1000, fps=10)
""")


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_kill_during_a_long_export_leaves_no_file_at_the_target(tmp_path, suffix):
    target = tmp_path / f"demo{suffix}"
    process = subprocess.Popen([sys.executable, "-c", _SLOW_EXPORT, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 20
        while not _partials(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _partials(tmp_path), "the export writes into a partial file beside the target"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert not target.exists()
    leftover = _partials(tmp_path)
    assert leftover and leftover[0].startswith(f"{PARTIAL_PREFIX}{process.pid}-")
    # the next export into the folder cleans the dead process's leftover, then writes its own file
    atomic_write_text(tmp_path / "next.csv", "ok")
    assert _partials(tmp_path) == []
    assert (tmp_path / "next.csv").read_text() == "ok"
