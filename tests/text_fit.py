"""Run as a script on an X display of a given size: open the main window as a first start does, show
the built-in thigh with the pressure demo on (the guided demo's first step, fully loaded), and print
(JSON) every pair of texts that overlap, in the normal window and in ``thighview demo``'s
presentation mode. ``tests/test_gui_text_fit.py`` runs it at 1280×720, 1600×1000 and 1920×1080.

With ``THIGHVIEW_TEXT_FIT_SHOTS=DIR`` it also saves the two windows as PNGs there, to look at.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from text_overlap import overlaps, window_text_boxes  # noqa: E402


def main() -> None:
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.demo_mode import start_demo
    from thighview.gui.main_window import MainWindow
    from thighview.io import load_model
    from thighview.section import SectionEngine

    app = create_application()
    shots = os.environ.get("THIGHVIEW_TEXT_FIT_SHOTS")

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def measure(window, name: str) -> dict:
        pressure = window.state.pressure
        if window.demo is not None:
            window.demo.paused = True   # as the presenter's Space does
        pressure.play(False)
        pressure.playback.index = 0
        pressure.advance()      # paused at the start: shown fully loaded, the arrow and its label at their largest
        settle(1.0)
        for canvas in window.findChildren(QtCore.QObject):
            if hasattr(canvas, "figure") and hasattr(canvas, "draw") and hasattr(canvas, "get_renderer"):
                canvas.draw()
        app.processEvents()
        if shots:
            window.grab().save(str(Path(shots) / f"{name}_{window.width()}x{window.height()}.png"))
        boxes = window_text_boxes(window)
        return {"texts": len(boxes), "overlaps": overlaps(boxes)}

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["THIGHVIEW_STATE_DIR"] = str(Path(scratch) / "state")
        settings = QtCore.QSettings(str(Path(scratch) / "s.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.show()
        model = load_model()
        window.state.set_model(model, SectionEngine(model), level=0.5)
        window.pressure_dock.raise_()
        end = time.monotonic() + 120
        while window.state.pressure.scene is None and time.monotonic() < end:
            settle(0.2)
        window.state.pressure.step_demo(+1)
        settle(1.0)
        report = {"normal": measure(window, "normal")}
        start_demo(window)
        settle(2.0)
        report["presentation"] = measure(window, "presentation")
        window.close()
        settle(0.2)
    print("TEXT_FIT " + json.dumps(report))


if __name__ == "__main__":
    main()
