"""Start the desktop app: ``thighview`` / ``thighview gui [MODEL]`` / ``thighview demo [MODEL]`` call
:func:`run_app`, which opens the window with :func:`open_window` and runs the event loop.

The model starts loading on a worker thread before the window's heavy imports (VTK, pyvista,
matplotlib's Qt canvas) so the two overlap; ``THIGHVIEW_TIMING=1`` prints the wall-clock and CPU
time from the start of :func:`open_window` to the first frame with the model (section and areas)
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


def open_window(model_path: str | None = None, *, demo: bool = False, settings=None):
    """Open the main window on ``model_path`` (``None``: the built-in thigh), loading it off the UI
    thread; ``demo``: straight into presentation mode with the guided demo playing
    (:func:`thighview.gui.demo_mode.start_demo`). Returns the window; the caller runs the event loop."""
    started, cpu_started = time.perf_counter(), time.process_time()
    create_application()
    from thighview.gui.workers import load_model_and_engine, run_in_thread

    # load while the window's heavy modules import; results arrive through the event loop
    window_box: list = []
    run_in_thread(lambda: load_model_and_engine(model_path),
                  lambda result: window_box[0].finish_loading(model_path, result),
                  lambda error: window_box[0].loading_failed(error))
    from thighview.gui.crash import install_crash_handler
    from thighview.gui.main_window import MainWindow

    window = MainWindow(settings)
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
    if demo:
        from thighview.gui.demo_mode import start_demo

        start_demo(window)
    else:
        window.sessions.offer_recovery()  # a demo for a client never opens on a recovery question
    return window


def run_app(model_path: str | None = None, *, demo: bool = False) -> int:
    """``thighview [gui] [MODEL]`` and ``thighview demo [MODEL]``: the window, then the event loop."""
    app = create_application()
    window = open_window(model_path, demo=demo)
    try:
        return int(app.exec())
    finally:
        del window  # referenced until the loop ends: a window without a parent lives as long as its Python object
