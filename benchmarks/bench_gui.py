"""The desktop app against a bare pyvistaqt window showing the same meshes (``_bare_window.py``).

Each run starts a fresh process (the real ``python -m thighview`` with ``THIGHVIEW_TIMING=1``,
or the bare window) under an X server (the one in ``DISPLAY``, else a private Xvfb), and reads:

* seconds from the process start to the first frame with the section and its numbers (the
  app's report; the bare window has no section, so its first 3-D frame is the baseline),
* seconds to the first 3-D frame,
* resident memory (VmRSS) at rest: once the process has used under 2 % CPU for a second.

The app's low-detail meshes are cached on disk per model; the runs share one cache folder, so
the first (warm-up, not counted) run makes them and the others start as a user's second start.

App and bare window runs alternate; the three cases read the same runs (run ``i`` of a case
is run ``i`` of every case), so they are one set of measurements seen three ways. Ratios are
baseline / ours: ``min_ratio`` 0.83 is "at most 1.2x the bare window", 0.87 is "at most 1.15x".
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.case import Case

_ROOT = Path(__file__).resolve().parent.parent
_TIMEOUT_S = 300.0
_REPEATS = 3
_MARKERS = {"2d": "first frame with the model", "3d": "3D view ready"}


def _x_display() -> dict[str, str]:
    """``DISPLAY`` for the children: the current one, or a private Xvfb started for this run."""
    if os.environ.get("DISPLAY"):
        return {}
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    number = server.stdout.readline().strip()
    import atexit

    atexit.register(server.terminate)
    return {"DISPLAY": f":{number}"}


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def _wait_at_rest(pid: int) -> None:
    """Until the process used under 2 % of a CPU over one second (profile threads finished)."""
    hz = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    before = _cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _cpu_ticks(pid)
        if (now - before) / hz < 0.02:
            return
        before = now


def _measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Start ``argv``; seconds to each marker line on stderr, then RSS (MB) at rest."""
    with tempfile.TemporaryDirectory() as home:
        # throw-away settings, autosave and logs; matplotlib keeps the user's font cache (a fresh
        # one would cost the app seconds the bare window never pays)
        mpl = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".config" / "matplotlib")
        child_env = {**os.environ, **env, "XDG_CONFIG_HOME": home, "MPLCONFIGDIR": mpl, "THIGHVIEW_STATE_DIR": home,
                     "THIGHVIEW_LOG_DIR": home, "THIGHVIEW_TIMING": "1",
                     "PYTHONPATH": os.pathsep.join([str(_ROOT / "src"), str(_ROOT)])}
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen: dict[str, float] = {}
        done = threading.Event()

        def read() -> None:
            for line in process.stderr:
                for key, marker in _MARKERS.items():
                    if marker in line and key not in seen:
                        seen[key] = time.perf_counter() - started
                if "3d" in seen:
                    done.set()
            done.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            if not done.wait(_TIMEOUT_S) or "3d" not in seen:
                raise RuntimeError(f"{argv} showed no 3D view within {_TIMEOUT_S:.0f} s")
            _wait_at_rest(process.pid)
            seen["rss_mb"] = _rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(30)
    seen.setdefault("2d", seen["3d"])
    return seen


class _Runs:
    """App and bare-window runs made on demand and shared by the cases (alternating)."""

    def __init__(self) -> None:
        self._cache = tempfile.TemporaryDirectory()  # low-detail meshes: made by the warm-up run, then read
        self.env = {**_x_display(), "THIGHVIEW_CACHE_DIR": self._cache.name}
        self.app: list[dict] = []
        self.bare: list[dict] = []

    def get(self, side: str, index: int) -> dict:
        runs = self.app if side == "app" else self.bare
        while len(runs) <= index:
            argv = [sys.executable, "-m", "thighview"] if side == "app" else \
                [sys.executable, str(Path(__file__).with_name("_bare_window.py"))]
            runs.append(_measure(argv, self.env))
        return runs[index]


def _metric_case(name: str, runs: _Runs, key: str, baseline_key: str, unit: str, min_ratio: float) -> Case:
    """A case reading ``key`` of the app's runs against ``baseline_key`` of the bare window's."""
    counters = {"app": 0, "bare": 0}

    def reading(side: str, metric: str):
        def read(_data) -> float:
            value = runs.get(side, counters[side])[metric]
            counters[side] += 1
            return value
        return read

    return Case(name=name, ours=reading("app", key), baseline=reading("bare", baseline_key), repeats=_REPEATS,
                reports=unit, targets={"min_ratio": min_ratio})


def cases() -> list[Case]:
    runs = _Runs()
    return [
        _metric_case("app start to first 2-D section with numbers vs bare pyvistaqt window's first frame", runs,
                     "2d", "3d", "s", 1 / 1.2),
        _metric_case("app start to first 3-D frame vs bare pyvistaqt window's first frame", runs, "3d", "3d", "s",
                     1 / 1.2),
        _metric_case("app resident memory at rest vs bare pyvistaqt window (MB)", runs, "rss_mb", "rss_mb", "MB",
                     1 / 1.15),
    ]
