"""Screenshots of the real main window, one per colour mode, for the README and the docs.

``python -m thighview.gui.screenshots assets/`` (under Xvfb: ``xvfb-run -a -s "-screen 0 1600x1000x24"``)
opens the built-in thigh in a window with throw-away settings, waits until everything is drawn
(including the area profile), and saves ``main_window.png`` and ``mode_<mode>.png``, then
``pressure_stage.png`` (the pressure demo on the stage, both directions compared) and
``presentation_mode.png``: presentation mode during the guided demo's first step (on the stage),
the load at its peak, the 3D view showing the deformed slab with the tool.

``python -m thighview.gui.screenshots assets/ --image assets/braus_like_section.png --pixel-size 0.125``
instead opens a labelled section image as a new user would (the Image import dialog: the pixel
size typed, an unmapped colour named, OK) and saves ``single_section_image.png`` (and
``single_section_import.png``, the dialog).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

#: Colour modes shown with a structure selected (its highlight is part of the picture).
_SELECTED = {"muscle": "vastus_lateralis"}


def shots() -> list[tuple[str, object]]:
    """(file stem, colour scheme): the window, then one picture per colour mode and per other palette."""
    from thighview.render.colouring import PALETTES, ColourMode, ColourScheme

    return [("main_window", ColourScheme()), *((f"mode_{m.value}", ColourScheme(mode=m)) for m in ColourMode),
            *((f"mode_{p}", ColourScheme(palette=p)) for p in PALETTES[1:])]


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
        for stem, scheme in shots():
            window._set_scheme(**scheme.settings())
            window.state.select(_SELECTED.get(scheme.mode.value))
            window.state.hover(None)
            _settle(app, 1.0)
            written.append(_save(window, out / f"{stem}.png"))
        written.append(_stage_shot(app, window, out))
        written.append(_presentation_shot(app, window, out, size))
        window.close()
    return written


def _stage_shot(app, window, out: Path) -> Path:
    """The pressure demo on the stage in the everyday window: both directions compared at the full load."""
    window.set_colourblind(False)
    window.state.select(None)
    window.set_stage(True)
    pressure = window.state.pressure
    # the linear model at once, then the large-deformation solve from a worker
    _settle(app, 1.0, lambda: window.stage.drawing is not None and pressure.scene is not None and not pressure.solving)
    _settle(app, 0.5)  # the 3D view renders the slab
    target = _save(window, out / "pressure_stage.png")
    window.set_stage(False)
    _settle(app, 0.5)
    return target


def _presentation_shot(app, window, out: Path, size: tuple[int, int]) -> Path:
    """Presentation mode at the guided demo's first step, playing, grabbed near the top of the load ramp."""
    window.set_colourblind(False)  # the classic Braus colours for clients
    window.state.select(None)
    window.set_presentation(True)
    window.resize(*size)  # Xvfb has no window manager to make the window full screen
    pressure = window.state.pressure
    _settle(app, 1.0, lambda: window.pressure is not None and pressure.scene is not None)
    panel = window.pressure
    panel.speed.setValue(4)  # slow frames: the peak stays on screen while it is grabbed
    panel.next_step.click()  # plays the first step
    _settle(app, 0.0, lambda: not pressure.solving)   # its large-deformation solve replaces the preview
    peak = pressure.playback.n_frames // 2 - 1
    _settle(app, 0.0, lambda: pressure.playback.index >= peak and window.view3d.slab.visible)
    _settle(app, 0.1)  # the 3D view renders the frame
    target = _save(window, out / "presentation_mode.png")
    panel.pause()
    window.set_presentation(False)
    return target


def take_single_section_shot(image: str | Path, out_dir: str | Path, *, pixel_size: float,
                             names: dict[str, str] | None = None, size: tuple[int, int] = (1560, 940)) -> list[Path]:
    """Open a section image in the window, answer the Image import dialog (``pixel_size`` typed,
    unmapped colours named by ``names`` {"#rrggbb": structure}), OK, and save the dialog and
    the window once the image is re-measured; returns the written paths."""
    from PySide6 import QtCore

    from thighview.gui.app import create_application
    from thighview.gui.main_window import MainWindow

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = QtCore.QSettings(str(Path(scratch) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(*size)
        window.show()
        window.load(image)
        _settle(app, 1.0, lambda: window.image_dialog is not None and window.view3d.scene is not None)
        dialog = window.image_dialog
        dialog.by_pixel.setChecked(True)
        dialog.pixel_box.setValue(pixel_size)
        for colour, name in (names or {}).items():
            dialog.set_name(colour, name)
        _settle(app, 0.5)
        written = [_save(dialog, out / "single_section_import.png")]
        first = window.state.model
        dialog.accept()
        _settle(app, 1.0, lambda: window.state.model is not first and window.view3d.scene is not None)
        _settle(app, 1.5)
        written.append(_save(window, out / "single_section_image.png"))
        window.close()
    return written


def _save(window, target: Path) -> Path:
    """The window's pixels to ``target``, written whole or not at all."""
    partial = target.with_suffix(".tmp.png")
    if not window.grab().save(str(partial)):
        raise OSError(f"could not write {partial}")
    partial.replace(target)
    return target


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Screenshots of the real main window")
    parser.add_argument("out", nargs="?", default="assets")
    parser.add_argument("--image", help="instead: open this section image and save single_section_image.png")
    parser.add_argument("--pixel-size", type=float, default=None, help="the image's mm per pixel")
    parser.add_argument("--name", action="append", default=[], metavar="#RRGGBB=STRUCTURE",
                        help="name an unmapped colour in the Image import dialog")
    args = parser.parse_args(argv)
    if args.image:
        names = dict(item.split("=", 1) for item in args.name)
        paths = take_single_section_shot(args.image, args.out, pixel_size=args.pixel_size, names=names)
    else:
        paths = take_screenshots(args.out)
    for path in paths:
        print(path)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
