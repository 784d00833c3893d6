"""Run as a script on an X display of a given size: open the main window the way a first start
does (no saved settings), show the built-in thigh, bring each dock tab forward in turn, and
print (JSON) where the window, the level slider, the status bar and the Areas table lie.

``tests/test_gui_screen_sizes.py`` runs it on Xvfb screens of 1280×720, 1600×1000 and 1920×1080
(one Qt application is bound to one screen, so each size is its own process).
"""

from __future__ import annotations

import json
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


def _section_layout(window, level: float, settle) -> dict:
    """The section panel at ``level``, measured from its matplotlib artists: labels cut by the panel
    edge, crossing leaders, overlapping texts, the scale (pixels per cm)."""
    import itertools

    from thighview.render.section2d import _segments_cross

    window.state.set_level(level)
    settle(0.8)
    view = window.section_view
    ax, renderer = view.axes, view.canvas.get_renderer()
    panel = ax.get_window_extent()
    boxes = {k: t.get_window_extent(renderer) for k, t in view.drawing.labels.items()}
    cut = [k for k, b in boxes.items() if b.x0 < panel.x0 or b.x1 > panel.x1 or b.y0 < panel.y0 or b.y1 > panel.y1]
    legs = {k: ax.transData.transform(line.get_xydata()) for k, line in view.drawing.leaders.items()}
    crossing = [(a, b) for a, b in itertools.combinations(legs, 2)
                if any(_segments_cross(p[i], p[i + 1], q[j], q[j + 1])
                       for p, q in [(legs[a], legs[b])] for i in range(len(p) - 1) for j in range(len(q) - 1))]
    texts = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    overlaps = [(a[0], b[0]) for a, b in itertools.combinations(texts, 2) if a[1].overlaps(b[1])]
    x0 = ax.transData.transform((0.0, 0.0))[0]
    return {"cut": cut, "crossing": crossing, "overlaps": overlaps, "labels": len(boxes),
            "px_per_cm": float(ax.transData.transform((10.0, 0.0))[0] - x0)}


def main() -> None:
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow
    from thighview.io import load_model
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
        model = load_model()  # the built-in thigh: the labels a user sees
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
        report["section"] = {f"{level:.2f}": _section_layout(window, level, settle) for level in (0.1, 0.5, 0.9, 0.99)}
        window.close()
        settle(0.2)
    print("SCREEN_FIT " + json.dumps(report))


if __name__ == "__main__":
    main()
