"""One cross-section in the real window (Xvfb, nothing mocked): a planar mesh and a labelled image.

The window must hold the section at its one level (level controls disabled, with a note), show
the engine's numbers, say there is no profile, refuse level sweeps in Export, show the image
under the regions, and let the Image import dialog remap colours and set the scale (typed or
drawn) — re-measuring with them. A bad image is a one-line error, never a crash.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pytest
from PIL import Image

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.render.section2d import UNDERLAY_FILL_ALPHA

pytestmark = pytest.mark.gui
TOLERANCE = 12  # Qt's grab shifts matplotlib's colours by a few levels

RED, GREEN, BLUE, WHITE, FAT, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (243, 216, 138), (0, 0, 0)
SIZE = 200  # pixels; the section is centred, the paper black (an unmapped colour touching the border)


def section_pixels() -> np.ndarray:
    """A round right thigh seen from below: quadriceps in front, adductors on the viewer's right
    (medial), hamstrings behind, a white femur, a yellow fat ring, on black paper."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    x, y = xx - SIZE / 2, SIZE / 2 - yy  # y up
    r, angle = np.hypot(x, y), np.degrees(np.arctan2(y, x)) % 360
    pixels = np.zeros((SIZE, SIZE, 3), np.uint8)
    pixels[r < 92] = FAT
    muscle = (r >= 24) & (r < 80)
    pixels[muscle & (angle < 180)] = RED
    pixels[muscle & (angle >= 180) & (angle < 270)] = BLUE
    pixels[muscle & (angle >= 270)] = GREEN
    pixels[r < 24] = WHITE
    return pixels


@pytest.fixture
def image_path(tmp_path):
    path = tmp_path / "drawn_section.png"
    Image.fromarray(section_pixels()).save(path)
    return path


@pytest.fixture
def planar_path(tmp_path):
    """Three annular sectors and a square femur in one plane, as named OBJ objects."""
    def sector(r1, r2, a0, a1, n=16):
        a = np.linspace(a0, a1, n + 1)
        points = np.r_[np.c_[r1 * np.cos(a), r1 * np.sin(a)], np.c_[r2 * np.cos(a), r2 * np.sin(a)]]
        i = np.arange(n)
        faces = np.r_[np.c_[i, n + 1 + i + 1, i + 1], np.c_[i, n + 1 + i, n + 1 + i + 1]]
        return points, faces

    parts = {"quadriceps": sector(16, 70, np.pi / 6, 5 * np.pi / 6),
             "adductors": sector(16, 70, -np.pi / 3, np.pi / 6),
             "hamstrings": sector(16, 70, 5 * np.pi / 6, 5 * np.pi / 3),
             "femur": (np.array([[-10, -10], [10, -10], [10, 10], [-10, 10]], float), np.array([[0, 1, 2], [0, 2, 3]]))}
    lines, offset = [], 1
    for name, (points, faces) in parts.items():
        lines.append(f"o {name}")
        lines += [f"v {x:.9f} {y:.9f} 0" for x, y in points]
        lines += [f"f {a + offset} {b + offset} {c + offset}" for a, b, c in faces]
        offset += len(points)
    path = tmp_path / "section.obj"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from PySide6 import QtCore, QtWidgets

    from thighview.gui.main_window import MainWindow

    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path / "state"))
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    settings.setValue("level", 0.3)  # a remembered level the single section must not take
    win = MainWindow(settings)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.image_dialog is not None:
        win.image_dialog.reject()
    win.close()
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    QtWidgets.QApplication.processEvents()


def _open(window, qtbot, path, **options):
    before = window.state.model
    window.load(path, **options)
    qtbot.waitUntil(lambda: window.state.model is not before and window.state.model is not None, timeout=30000)
    return window.state.model


def _open_image(window, qtbot, path):
    model = _open(window, qtbot, path)
    qtbot.waitUntil(lambda: window.image_dialog is not None and window.image_dialog.isVisible(), timeout=10000)
    return model, window.image_dialog


def _accept_and_reload(window, qtbot, dialog):
    before = window.state.model
    dialog.accept()
    qtbot.waitUntil(lambda: window.state.model is not before, timeout=30000)
    return window.state.model


def _colour_at(view, x: float, y: float) -> np.ndarray:
    """The 2-D view's pixel at section-frame point (x, y) mm."""
    view.redraw()
    image = view.canvas.grab().toImage()
    point = view.data_to_widget(x, y)
    c = image.pixelColor(point.x(), point.y())
    return np.array([c.red(), c.green(), c.blue()])


def _fill(window, name: str) -> np.ndarray:
    return np.array([round(255 * c) for c in window.state.colours[name][:3]])


def test_a_planar_mesh_has_one_level_the_engines_numbers_and_no_sweeps(window, qtbot, planar_path):
    from thighview.gui.about import about_html
    from thighview.gui.area_panel import SINGLE_SECTION_CHART_NOTE
    from thighview.gui.export_dialog import ANIMATIONS, CHOICES, ExportDialog
    from thighview.section import SectionEngine

    model = _open(window, qtbot, planar_path)
    assert model.flat.kind == "planar mesh" and window.image_dialog is None  # no image: no import dialog
    control = window.level_control
    assert not control.slider.isEnabled() and not control.percent.isEnabled() and not control.cm.isEnabled()
    assert control.note.isVisible() and "no levels" in control.note.text()
    assert window.state.level == model.flat.level  # not the remembered 0.3
    window.state.set_level(0.8)  # nothing moves a single section
    assert window.state.level == model.flat.level
    assert not any(action.isEnabled() for action in window.level_actions)
    assert "Single section (planar mesh)" in window.level_label.text()
    assert "<b>Single section</b> (planar mesh)" in about_html(model)
    section = SectionEngine(model).section(model.flat.level)
    for compartment in (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS):
        area, share = window.areas.row_values(compartment)
        assert area == f"{section.compartment_areas_cm2[compartment]:.1f}"
        assert share == f"{section.percent_of_muscle(compartment):.1f}"
    assert window.areas.chart.profile is None and not window.areas.chart.isVisible()
    assert window.areas.single_note.isVisible() and SINGLE_SECTION_CHART_NOTE in window.areas.single_note.text()
    dialog = ExportDialog(window.state, window)
    sheets = [i for i, c in enumerate(CHOICES) if c[2] == "sheet"]
    assert sheets and not any(dialog.choice.model().item(i).isEnabled() for i in sheets)
    sweep = [i for i, a in enumerate(ANIMATIONS) if a[1] == "sweep"][0]
    assert not dialog.animation.model().item(sweep).isEnabled() and dialog.animation.currentIndex() != sweep
    assert not dialog.levels.isEnabled() and dialog.request().levels == (model.flat.level,)
    dialog.close()
    window.close()
    assert float(window.settings.value("level")) == 0.3  # the section's level is not remembered


def test_an_image_shows_under_its_regions_and_can_be_hidden(window, qtbot, image_path):
    from thighview.gui.about import about_html
    from thighview.section import SectionEngine

    model, dialog = _open_image(window, qtbot, image_path)
    dialog.reject()
    assert not window.level_control.slider.isEnabled() and "Single section (image)" in window.level_label.text()
    assert model.flat.scale and html.escape(model.flat.scale) in about_html(model)
    section = SectionEngine(model).section(model.flat.level)
    area, _ = window.areas.row_values(Compartment.QUADRICEPS)
    assert area == f"{section.compartment_areas_cm2[Compartment.QUADRICEPS]:.1f}"
    assert window.image_action.isEnabled() and window.image_action.isChecked()
    view = window.section_view
    quad = window.state.section.polygons["quadriceps_femoris"]
    x, y = quad.buffer(-3).representative_point().coords[0]
    fill = _fill(window, "quadriceps_femoris")
    blended = UNDERLAY_FILL_ALPHA * fill + (1 - UNDERLAY_FILL_ALPHA) * np.array(RED)
    assert np.all(np.abs(_colour_at(view, x, y) - blended) <= TOLERANCE)
    # outside the section, inside the picture: the black paper shows (the picture sits where it belongs)
    outline = window.state.section.polygons["subcutaneous_fat"]
    xmin, _, _, _ = outline.bounds
    assert np.all(_colour_at(view, xmin - 2.0, outline.centroid.y) <= TOLERANCE)
    window.image_action.trigger()  # hide the picture: plain opaque colours, white around
    assert not view.show_image
    assert np.all(np.abs(_colour_at(view, x, y) - fill) <= TOLERANCE)
    assert np.all(_colour_at(view, xmin - 2.0, outline.centroid.y) >= 255 - TOLERANCE)


def test_remapping_a_colour_in_the_dialog_moves_its_area(window, qtbot, image_path):
    model, dialog = _open_image(window, qtbot, image_path)
    found = model.provenance["colours"]
    hamstrings = next(c for c, e in found.items() if e["name"] == "hamstrings")
    rows = dialog.table.rowCount()
    assert rows == len(found) and [dialog.name_for(i) for i in range(rows)] == [e["name"] or "" for e in found.values()]
    before = dict(window.state.section.compartment_areas_cm2)
    dialog.set_name(hamstrings, "adductors")
    reloaded = _accept_and_reload(window, qtbot, dialog)
    after = window.state.section.compartment_areas_cm2
    assert after.get(Compartment.HAMSTRINGS, 0.0) == 0.0
    expected = before[Compartment.ADDUCTORS] + before[Compartment.HAMSTRINGS]
    assert after[Compartment.ADDUCTORS] == pytest.approx(expected, rel=0.01)  # one region: smoothed as one
    assert window.image_dialog is None and window.load_options["colour_map"]["colours"]
    assert "hamstrings" not in [s.compartment.value for s in reloaded.structures.values()]


def test_an_unmapped_colour_is_highlighted_and_can_be_named(window, qtbot, tmp_path):
    from thighview.gui.image_import import NOT_MAPPED

    pixels = section_pixels()
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    pixels[(np.hypot(xx - 100, yy - 40) < 10)] = (150, 80, 180)  # a violet muscle in the quadriceps
    path = tmp_path / "violet.png"
    Image.fromarray(pixels).save(path)
    model, dialog = _open_image(window, qtbot, path)
    violet = next(c for c, e in model.provenance["colours"].items() if e["name"] is None)
    row = dialog.colours.index(violet)
    assert dialog.combos[row].currentText() == NOT_MAPPED
    assert dialog.table.item(row, 0).background().color().getRgb()[:3] != (0, 0, 0)  # highlighted
    assert dialog.warnings.isVisible() and violet in dialog.warnings.text()
    dialog.set_name(violet, "sartorius")
    reloaded = _accept_and_reload(window, qtbot, dialog)
    assert "sartorius" in reloaded.structures
    assert window.state.section.areas_cm2["sartorius"] == pytest.approx(
        model.provenance["colours"][violet]["area_cm2"], rel=0.02)


def test_an_unmapped_colour_can_be_called_outline(window, qtbot, tmp_path):
    """A thick violet line across the quadriceps is drawing, not tissue: as 'outline' it goes."""
    pixels = section_pixels()
    pixels[36:44, 70:130] = (150, 80, 180)
    path = tmp_path / "line.png"
    Image.fromarray(pixels).save(path)
    model, dialog = _open_image(window, qtbot, path)
    violet = next(c for c, e in model.provenance["colours"].items() if e["name"] is None)
    total = window.state.section.total_area_cm2
    dialog.set_name(violet, "outline")
    reloaded = _accept_and_reload(window, qtbot, dialog)
    assert not [n for n in reloaded.structures if n.startswith("colour_")]
    assert window.state.section.total_area_cm2 == pytest.approx(total, rel=0.01)  # split, not dropped


def test_drawing_a_known_length_sets_the_pixel_size(window, qtbot, image_path):
    from PySide6 import QtCore

    _, dialog = _open_image(window, qtbot, image_path)
    canvas = dialog.canvas
    start, end = canvas.to_widget(QtCore.QPointF(20, 100)), canvas.to_widget(QtCore.QPointF(180, 100))
    qtbot.mousePress(canvas, QtCore.Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseRelease(canvas, QtCore.Qt.MouseButton.LeftButton, pos=end.toPoint())
    dialog.length_box.setValue(80.0)  # those 160 pixels are 80 mm: 0.5 mm per pixel
    assert dialog.by_length.isChecked()
    assert dialog.drawn_pixel_size() == pytest.approx(0.5, rel=0.02)
    reloaded = _accept_and_reload(window, qtbot, dialog)
    assert reloaded.provenance["pixel_size_mm"] == pytest.approx(0.5, rel=0.02)
    assert window.load_options["pixel_size"] == pytest.approx(0.5, rel=0.02)
    femur_mm2 = window.state.section.areas_cm2["femur"] * 100
    assert femur_mm2 == pytest.approx(np.pi * (24 * 0.5) ** 2, rel=0.05)
    window.reopen_image_import()  # the next dialog offers the last length and pixel size
    again = window.image_dialog
    assert again.length_box.value() == 80.0 and again.pixel_box.value() == pytest.approx(0.5, rel=0.02)
    assert again.by_pixel.isChecked()  # the image was read with a pixel size: that is what it shows


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n this is not really a picture", None])
def test_a_bad_image_is_one_line_in_a_dialog(window, qtbot, tmp_path, content):
    path = tmp_path / "bad.png"
    if content is None:  # a real picture with nothing the colour map knows
        Image.fromarray(np.full((60, 60, 3), (120, 60, 20), np.uint8)).save(path)
    else:
        path.write_bytes(content)
    window.load(path)
    qtbot.waitUntil(lambda: window.error_box is not None, timeout=20000)
    text = window.error_box.text()
    assert "\n" not in text and "bad.png" in text and "Traceback" not in text
    assert window.state.model is None and window.isVisible()


def test_the_open_filter_offers_section_images():
    from thighview.gui.main_window import open_filter
    from thighview.io import SUPPORTED_SUFFIXES

    text = open_filter()
    for suffix in (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", *SUPPORTED_SUFFIXES):
        assert f"*{suffix}" in text


def test_a_session_reopens_an_image_with_its_scale_and_colours(window, qtbot, tmp_path):
    from thighview import session as ss

    pixels = section_pixels()
    path = tmp_path / "violet.png"
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    pixels[(np.hypot(xx - 100, yy - 40) < 10)] = (150, 80, 180)
    Image.fromarray(pixels).save(path)
    model, dialog = _open_image(window, qtbot, path)
    violet = next(c for c, e in model.provenance["colours"].items() if e["name"] is None)
    dialog.set_name(violet, "sartorius")
    dialog.by_pixel.setChecked(True)
    dialog.pixel_box.setValue(0.4)
    _accept_and_reload(window, qtbot, dialog)
    areas = dict(window.state.section.areas_cm2)
    session_path = tmp_path / f"lesson{ss.SUFFIX}"
    qtbot.waitUntil(lambda: window.sessions.capture().model_sha256 is not None)
    window.sessions.save(session_path)
    saved = ss.load_session(session_path)
    assert saved.image["pixel_size"] == pytest.approx(0.4)
    assert "sartorius" in saved.image["colour_map"]["colours"].values()

    window.load(path, ask_image_import=False)  # back to the defaults: assumed scale, violet unmapped
    qtbot.waitUntil(lambda: "sartorius" not in window.state.model.structures, timeout=30000)
    with qtbot.waitSignal(window.model_loaded, timeout=30000):
        window.sessions.open_path(session_path)
    assert window.image_dialog is None  # a session reopens without asking again
    assert window.state.model.provenance["pixel_size_mm"] == pytest.approx(0.4)
    assert window.state.section.areas_cm2 == pytest.approx(areas)


def test_session_image_options_are_checked_and_optional():
    from thighview import session as ss
    from thighview.errors import SessionError

    image = {"pixel_size": 0.2, "colour_map": {"tolerance": 50, "colours": {"#ff0000": "quadriceps"}}}
    text = ss.Session(image=image).to_dict()
    assert ss.session_from_json(json.dumps(text)).image == image
    del text["image"]  # a session written before images: no options
    assert ss.session_from_json(json.dumps(text)).image == {}
    for bad, phrase in (({"pixel_size": -1}, "pixel size"), ({"colour_map": {"#zz0000": "x"}}, "image's colour map"),
                        ({"dpi": 300}, "'dpi' is not understood")):
        with pytest.raises(SessionError, match=phrase):
            ss.session_from_json(json.dumps({**text, "image": bad}))


def test_a_whole_thigh_after_a_section_gets_its_levels_and_profile_back(window, qtbot, planar_path):
    from synthetic_thigh import synthetic_model

    from thighview.section import SectionEngine

    _open(window, qtbot, planar_path)
    model = synthetic_model()
    window.state.set_model(model, SectionEngine(model), level=0.3)
    control = window.level_control
    assert control.slider.isEnabled() and not control.note.isVisible() and control.percent.text() == "30.0 %"
    assert window.areas.chart.isVisible() and not window.areas.single_note.isVisible()
    assert all(action.isEnabled() for action in window.level_actions) and "30.0%" in window.level_label.text()
    qtbot.waitUntil(lambda: window.areas.chart.profile is not None, timeout=20000)


def test_dropping_an_image_on_the_window_opens_it(window, qtbot, image_path):
    from PySide6 import QtCore, QtGui

    data = QtCore.QMimeData()
    data.setUrls([QtCore.QUrl.fromLocalFile(str(image_path))])
    centre = QtCore.QPointF(window.width() / 2, window.height() / 2)
    drop = QtGui.QDropEvent(centre, QtCore.Qt.DropAction.CopyAction, data, QtCore.Qt.MouseButton.NoButton,
                            QtCore.Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.image_dialog is not None, timeout=30000)
    assert window.state.model.flat.kind == "image" and window.state.model.source == image_path


def test_the_same_file_opened_again_keeps_its_colours(window, qtbot, planar_path):
    """A model whose names and colours equal the last one's is still coloured everywhere (the
    colours were once only published when they changed, so a second open was grey in 3-D)."""
    for _ in range(2):
        _open(window, qtbot, planar_path)
        qtbot.waitUntil(lambda: window.view3d.scene is not None and window.view3d.scene.model is window.state.model,
                        timeout=30000)
    red = np.array(anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.QUADRICEPS, "braus"))) * 255
    image = window.view3d.screenshot().reshape(-1, 3).astype(float)
    assert (np.abs(image - red).max(axis=1) < 40).sum() > 500, "the 3D section is not red where the quadriceps are"
    assert not window.areas.items["quadriceps_femoris"].icon(0).isNull()
