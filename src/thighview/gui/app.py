"""Start the desktop app: ``thighview`` / ``thighview gui [MODEL]`` call :func:`run_app`.

The model starts loading on a worker thread before the window's heavy imports (VTK, pyvista,
matplotlib's Qt canvas) so the two overlap; ``THIGHVIEW_TIMING=1`` prints the wall-clock and CPU
time from the start of :func:`run_app` to the first frame with the model (section and areas)
and to the 3D view being ready.
"""

from __future__ import annotations

import os
import sys
import time

STYLE_SHEET = """
QLabel#caption { background: #2b2d33; color: #d8dbe2; padding: 3px 8px; font-weight: 600; }
QDockWidget::title { padding: 4px 6px; font-weight: 600; }
QTreeWidget { alternate-background-color: #f5f6f8; }
"""


def create_application():
    """The QApplication (created once), with the names QSettings uses."""
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName("ThighView")
    app.setApplicationName("ThighView")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)
    return app


def run_app(model_path: str | None = None) -> int:
    """Open the main window on ``model_path`` (``None``: the built-in thigh); returns the exit code."""
    started, cpu_started = time.perf_counter(), time.process_time()
    app = create_application()
    from thighview.gui.workers import load_model_and_engine, run_in_thread

    # load while the window's heavy modules import; results arrive through the event loop
    window_box: list = []
    run_in_thread(lambda: load_model_and_engine(model_path),
                  lambda result: window_box[0].finish_loading(model_path, result),
                  lambda error: window_box[0].loading_failed(error))
    from thighview.gui.crash import install_crash_handler
    from thighview.gui.main_window import MainWindow

    window = MainWindow()
    window_box.append(window)
    if os.environ.get("THIGHVIEW_TIMING"):
        def report(what: str) -> None:
            print(f"thighview: {what} after {time.perf_counter() - started:.2f} s "
                  f"({time.process_time() - cpu_started:.2f} s CPU)", file=sys.stderr)

        def first_frame() -> None:
            window.section_view.redraw()
            window.repaint()
            report("first frame with the model (section and areas)")
        window.model_loaded.connect(first_frame)
        window.view3d.ready.connect(lambda: (window.view3d.plotter.render(), report("3D view ready")))
    window.show()
    window.begin_loading(model_path)
    install_crash_handler(window.show_error)  # an unexpected error is a dialog and a log, not a crash
    window.sessions.offer_recovery()
    return int(app.exec())
