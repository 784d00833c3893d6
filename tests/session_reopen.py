"""Run as a script on an X display, in a fresh interpreter (the mechanics not yet imported, as at a start):
open the main window on a model, then reopen a session with pressure settings while a 10 ms QTimer ticks,
and print (JSON) how long the GUI thread went without a tick until the session's model was handed back
to it, and the pressure settings the state holds afterwards.

``tests/test_session_gui.py`` runs it: ``python session_reopen.py MODEL SESSION``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path


def main(model_path: str, session_path: str) -> None:
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow

    app = create_application()

    def settle_until(done, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.005)
        return done()

    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(str(Path(scratch) / "s.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1400, 860)
        window.show()
        loaded: list[float] = []
        window.model_loaded.connect(lambda: loaded.append(time.perf_counter()))
        window.load(model_path)
        assert settle_until(lambda: loaded and window.view3d.scene is not None, 120), "the model did not open"
        settle_until(lambda: False, 1.0)   # the 3-D view is made just after the model shows: let it be
        cold = not any(name.startswith("thighview.mechanics") for name in sys.modules)

        ticks: list[tuple[float, float]] = []   # (wall, this process's CPU) at each tick
        timer = QtCore.QTimer(interval=10)
        timer.timeout.connect(lambda: ticks.append((time.perf_counter(), time.process_time())))
        timer.start()
        handed_back: list[float] = []   # when the GUI thread gets the opened model (it then builds its views)
        finish = window.finish_loading

        def finish_loading(*a, **k):
            handed_back.append((time.perf_counter(), time.process_time()))
            return finish(*a, **k)

        window.finish_loading = finish_loading
        loaded.clear()
        start, cpu = time.perf_counter(), time.process_time()
        window.sessions.open_path(session_path)
        returned_cpu = time.process_time()
        returned = time.perf_counter()
        assert settle_until(lambda: loaded, 120), "the session did not open"
        settle_until(lambda: False, 0.3)
        timer.stop()
        end = handed_back[0]
        stamps = [(start, cpu)] + [t for t in ticks if start < t[0] < end[0]] + [end]
        gaps = [(b[0] - a[0], b[1] - a[1], a[0] - start) for a, b in zip(stamps, stamps[1:])]
        report = {
            "mechanics_imported_before": not cold,
            "open_path_s": returned - start, "open_path_cpu_s": returned_cpu - cpu,
            # the longest time without a tick, on the wall clock and in this process's CPU time (on a
            # loaded machine the process may wait for a core: the wall gap is then not the GUI's doing)
            "longest_stall_s": max(g[0] for g in gaps), "longest_stall_cpu_s": max(g[1] for g in gaps),
            "stalls": sorted(gaps, reverse=True)[:3],
            "ticks_while_opening": len(stamps) - 2,
            "opening_s": handed_back[0][0] - start, "opening_cpu_s": time.process_time() - cpu,
            "pressure": window.state.pressure.settings.as_dict(),
            "captured": window.sessions.capture().pressure,
            "error": None if window.error_box is None else window.error_box.text(),
        }
        window.close()
        settle_until(lambda: False, 0.2)
    print("SESSION_REOPEN " + json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:3])
