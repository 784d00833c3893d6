"""Run as a script on an X display of a given size: open the main window the way a first start
does (no saved settings), show the synthetic thigh, bring each dock tab forward in turn, and
print (JSON) where the window, the level slider, the status bar and the Areas table lie.

``tests/test_gui_screen_sizes.py`` runs it on Xvfb screens of 1280×720, 1600×1000 and 1920×1080
(one Qt application is bound to one screen, so each size is its own process).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path


def _rect(rect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _shown_rect(widget) -> list[int]:
    """The part of ``widget`` actually on screen (global coordinates; empty if hidden or clipped)."""
    if not widget.isVisible():
        return [0, 0, 0, 0]
    visible = widget.visibleRegion().boundingRect()
    return _rect(visible.translated(widget.mapToGlobal(visible.topLeft()) - visible.topLeft()))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from PySide6 import QtCore
    from synthetic_thigh import synthetic_model

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow
    from thighview.section import SectionEngine

    app = create_application()

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(str(Path(scratch) / "s.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.show()
        model = synthetic_model()
        window.state.set_model(model, SectionEngine(model), level=0.5)
        settle(1.5)
        report = {"screen": _rect(window.screen().availableGeometry()), "tabs": {}}
        for dock in window._docks:
            dock.raise_()
            settle(4.0 if dock is window.pressure_dock else 1.0)
            report["tabs"][dock.windowTitle()] = {
                "window": _rect(window.frameGeometry()), "slider": _rect(window.level_control.slider.rect()),
                "slider_shown": _shown_rect(window.level_control.slider),
                "status": _rect(window.statusBar().rect()), "status_shown": _shown_rect(window.statusBar()),
                "table": _rect(window.areas.tree.rect()), "table_shown": _shown_rect(window.areas.tree),
                "table_row": window.areas.tree.sizeHintForRow(0)}
        window.close()
        settle(0.2)
    print("SCREEN_FIT " + json.dumps(report))


if __name__ == "__main__":
    main()
