"""Screenshots of the real main window, one per colour mode, for the README and the docs.

``python -m thighview.gui.screenshots assets/`` (under Xvfb: ``xvfb-run -a -s "-screen 0 1600x1000x24"``)
opens the built-in thigh in a window with throw-away settings, waits until everything is drawn
(including the area profile), and saves ``main_window.png`` and ``mode_<mode>.png``, then
``presentation_mode.png``: presentation mode during the guided demo's first step, the load at
its peak, the 3D view showing the deformed slab.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

#: (file stem, colour mode, colour-blind palette, selected structure)
SHOTS = (
    ("main_window", "compartment", False, None),
    ("mode_compartment", "compartment", False, None),
    ("mode_muscle", "muscle", False, "vastus_lateralis"),
    ("mode_area", "area", False, None),
    ("mode_colorblind", "compartment", True, None),
)


def _settle(app, seconds: float, until=lambda: True) -> None:
    """Run the event loop for at least ``seconds`` and until ``until()`` holds (at most 60 s)."""
    start = time.monotonic()
    while time.monotonic() - start < 60 and (time.monotonic() - start < seconds or not until()):
        app.processEvents()
        time.sleep(0.02)


def take_screenshots(out_dir: str | Path, *, level: float = 0.5, size: tuple[int, int] = (1560, 940)) -> list[Path]:
    """Save the window in each colour mode under ``out_dir``; returns the written paths."""
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow
    from thighview.render.colouring import ColourMode

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(str(Path(scratch) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        settings.setValue("level", level)
        window = MainWindow(settings)
        window.resize(*size)
        window.show()
        window.load(None)
        _settle(app, 1.0, lambda: window.state.model is not None and window.areas.chart.profile is not None
                and window.view3d.scene is not None)
        written = []
        for stem, mode, colourblind, selected in SHOTS:
            window.set_mode(ColourMode(mode))
            window.set_colourblind(colourblind)
            window.state.select(selected)
            window.state.hover(None)
            _settle(app, 1.0)
            written.append(_save(window, out / f"{stem}.png"))
        written.append(_presentation_shot(app, window, out, size))
        window.close()
    return written


def _presentation_shot(app, window, out: Path, size: tuple[int, int]) -> Path:
    """Presentation mode at the guided demo's first step, playing, grabbed near the top of the load ramp."""
    window.set_colourblind(False)  # the classic Braus colours for clients
    window.state.select(None)
    window.set_presentation(True)
    window.resize(*size)  # Xvfb has no window manager to make the window full screen
    _settle(app, 1.0, lambda: window.pressure is not None and window.pressure.scene is not None)
    panel = window.pressure
    panel.speed.setValue(4)  # slow frames: the peak stays on screen while it is grabbed
    panel.next_step.click()  # plays the first step
    peak = panel.playback.n_frames // 2 - 1
    _settle(app, 0.0, lambda: panel.playback.index >= peak and window.view3d.slab.visible)
    _settle(app, 0.1)  # the 3D view renders the frame
    target = _save(window, out / "presentation_mode.png")
    panel.pause()
    window.set_presentation(False)
    return target


def _save(window, target: Path) -> Path:
    """The window's pixels to ``target``, written whole or not at all."""
    partial = target.with_suffix(".tmp.png")
    if not window.grab().save(str(partial)):
        raise OSError(f"could not write {partial}")
    partial.replace(target)
    return target


if __name__ == "__main__":  # pragma: no cover
    for path in take_screenshots(sys.argv[1] if len(sys.argv) > 1 else "assets"):
        print(path)
