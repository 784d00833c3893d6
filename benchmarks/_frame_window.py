"""Frames of the real main window's 3-D view, timed: low detail (during an interaction) and full.

Run by ``bench_render`` in a child process under an X server: it opens ``MainWindow`` on the
built-in thigh at the app's default size, waits for the low-detail meshes, then turns the camera
a little before each frame and renders it through the view's own ``QtInteractor``, alternating
a low-detail frame and a full-detail frame. It prints one JSON line per pair: wall-clock seconds
and the process's CPU seconds (Mesa llvmpipe draws on threads of this process), so a reader on a
shared machine can tell waiting from drawing.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

_WAIT_S = 400


def _frame(view, low: bool, turn: float) -> tuple[float, float]:
    view.scene.set_low_detail_shown(low)
    view.plotter.render()  # the switch itself is not part of a frame the user waits for
    view.plotter.camera.azimuth = turn
    wall, cpu = time.perf_counter(), time.process_time()
    view.plotter.render()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(pairs: int) -> int:
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow

    app = create_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(str(Path(scratch) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1560, 940)  # the app's default window
        window.show()
        window.load(None)
        view = window.view3d
        deadline = time.monotonic() + _WAIT_S  # the decimation takes seconds (a minute on a busy machine)
        while not (view.scene is not None and view.scene.has_low_detail) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        if view.scene is None or not view.scene.has_low_detail:
            print(f"no low-detail meshes within {_WAIT_S} s", file=sys.stderr)
            return 1
        width, height = view.plotter.ren_win.GetSize()
        for i in range(pairs):
            low, low_cpu = _frame(view, True, 3.0 * i)
            full, full_cpu = _frame(view, False, 3.0 * i + 1.5)
            print(json.dumps({"low": low, "full": full, "low_cpu": low_cpu, "full_cpu": full_cpu,
                              "size": [width, height]}), flush=True)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8))
