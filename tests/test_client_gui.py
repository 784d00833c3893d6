"""File › New thigh from measurements… and File › Compare with… in the real window (Xvfb), pixels and numbers."""

from __future__ import annotations

import numpy as np
import pytest
from test_gui import window  # noqa: F401 (the main window fixture)

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.procedural.measurements import Measurements

pytestmark = pytest.mark.gui
TOLERANCE = 40  # Qt's grab of a matplotlib canvas shifts colours by a few levels
WOMAN = Measurements(sex="female", height_m=1.62, mass_kg=58, thigh_circumference_cm=48, skinfold_mm=28, side="left")


def _rgb(compartment: Compartment) -> np.ndarray:
    return np.array([round(c * 255) for c in anatomy.hex_to_rgb(anatomy.compartment_colour(compartment))])


def _image(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3).astype(int)


def _where(rgb: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(row, column) of the pixels of ``colour``."""
    return np.argwhere(np.abs(rgb - colour).sum(axis=2) < TOLERANCE)


def _form(window, qtbot):
    window.client_actions.new_action.trigger()
    dialog = window.client_actions.dialog
    qtbot.waitExposed(dialog)
    return dialog


def _fill(dialog, m: Measurements, qtbot) -> None:
    dialog.set_measurements(m)
    qtbot.waitUntil(lambda: dialog.derivation is not None and dialog.derivation.measurements == m, timeout=30000)
    qtbot.wait(100)


def test_the_form_previews_the_mid_thigh_and_states_its_aims(window, qtbot):
    dialog = _form(window, qtbot)
    _fill(dialog, WOMAN, qtbot)
    text = dialog.aims.text()
    assert "mid-thigh circumference 48.0 cm (tape)" in text and "front-thigh fat at mid-thigh 11.3 mm" in text
    assert "⚠" not in text  # these measurements fit together
    rgb = _image(dialog.canvas)
    quads, adductors = _where(rgb, _rgb(Compartment.QUADRICEPS)), _where(rgb, _rgb(Compartment.ADDUCTORS))
    assert len(quads) > 2000 and len(adductors) > 500
    # a left thigh viewed from below: lateral (the quadriceps' bulk) right, medial (adductors) left
    assert quads[:, 1].mean() > adductors[:, 1].mean()
    _fill(dialog, Measurements(sex="female", height_m=1.62, mass_kg=58), qtbot)
    rgb = _image(dialog.canvas)
    quads, adductors = _where(rgb, _rgb(Compartment.QUADRICEPS)), _where(rgb, _rgb(Compartment.ADDUCTORS))
    assert quads[:, 1].mean() < adductors[:, 1].mean()  # the right thigh: the other way round
    # contradictory measurements: the form says what gives way before anything is built
    _fill(dialog, Measurements(sex="female", height_m=1.65, mass_kg=60, thigh_circumference_cm=40,
                               skinfold_mm=50), qtbot)
    assert "⚠" in dialog.aims.text() and "fat gave way" in dialog.aims.text()
    dialog.height.setValue(dialog.height.minimum())  # the spin boxes keep to the plausible range
    assert dialog.measurements().height_m == pytest.approx(1.40)


def test_build_opens_the_thigh_with_its_measurements(window, qtbot):
    from PySide6 import QtCore

    from thighview.gui.about import about_html

    dialog = _form(window, qtbot)
    _fill(dialog, WOMAN, qtbot)
    dialog.resolution = 16  # a coarse build: the GUI path is what is tested here
    qtbot.mouseClick(dialog.build_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state.model is not None and window.state.model.name.startswith("Client"),
                    timeout=180000)
    model = window.state.model
    assert model.side == "left" and "left thigh" in window.model_label.text()
    assert WOMAN.describe() in about_html(model)
    qtbot.wait(300)
    window.section_view.redraw()
    rgb = _image(window.section_view.canvas)
    quads, adductors = _where(rgb, _rgb(Compartment.QUADRICEPS)), _where(rgb, _rgb(Compartment.ADDUCTORS))
    assert quads[:, 1].mean() > adductors[:, 1].mean()  # the app's own section: lateral on the right
    assert "LATERAL ▶" in {t.get_text() for t in window.section_view.axes.texts}
    session = window.sessions.capture()
    assert session.model_path == str(model.source.resolve())  # sessions reopen the built file
    assert window.settings.value("client/measurements")  # the form remembers the last measurements


def test_compare_view_follows_the_level_at_one_scale(window, qtbot, tmp_path):
    from thighview.export.figures import mm_per_pixel
    from thighview.procedural.client import build_client

    glb = build_client(WOMAN, tmp_path / "client", resolution=16)[2]
    window.load(None)
    qtbot.waitUntil(lambda: window.state.engine is not None, timeout=120000)
    window.client_actions.open_compare(str(glb))
    qtbot.waitUntil(lambda: bool(window.client_actions.compare_windows), timeout=120000)
    view = window.client_actions.compare_windows[0]
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.profiles is not None, timeout=120000)
    for level in (0.5, 0.3):
        window.state.set_level(level)
        qtbot.waitUntil(lambda: view.comparison is not None and view.comparison.level == level, timeout=30000)
        comparison = view.comparison
        assert comparison.a.areas_cm2 == window.state.section.areas_cm2  # A is the main window's own section
        b = view.engine_b.section(level)
        assert comparison.b.areas_cm2 == pytest.approx(b.areas_cm2)
        quads = next(i for i in range(view.table.rowCount())
                     if view.table.verticalHeaderItem(i).text() == Compartment.QUADRICEPS.label)
        a_area = window.state.section.compartment_areas_cm2[Compartment.QUADRICEPS]
        b_area = b.compartment_areas_cm2[Compartment.QUADRICEPS]
        assert view.table.item(quads, 0).text() == f"{a_area:.2f}"
        assert view.table.item(quads, 2).text() == f"{b_area - a_area:+.2f}"
        first, second = (mm_per_pixel(ax) for ax in view.section_axes)
        assert first == pytest.approx(second)  # one scale
    qtbot.wait(200)
    rgb = _image(view.canvas)
    top = rgb[: int(0.6 * rgb.shape[0])]
    half = top.shape[1] // 2
    for side in (top[:, :half], top[:, half:]):
        assert len(_where(side, _rgb(Compartment.QUADRICEPS))) > 800
    assert len(view.profile_axes.lines) >= 6  # three compartments, A solid and B dashed, plus the level
    view.export_to(str(tmp_path / "paired.png"))
    from PIL import Image

    image = Image.open(tmp_path / "paired.png")
    assert image.info["thighview:compared_with"] == view.model_b.name and image.info["thighview:levels"] == "0.3"
