"""The real main window under Xvfb (pytest-qt): nothing mocked, pixels and numbers checked.

Most tests show the small synthetic prism thigh (fast to render in software OpenGL); one opens
the built-in model the way the app does (worker thread, File › Open path).
"""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_thigh import synthetic_model

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.render.colouring import ColourMode

pytestmark = pytest.mark.gui
#: Qt's widget grab shifts matplotlib's exact colours by a few levels (colour-managed blit).
TOLERANCE = 10

QUAD_RED = np.array([round(c * 255) for c in anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.QUADRICEPS))])


@pytest.fixture(scope="module")
def synthetic():
    from thighview.section import SectionEngine

    model = synthetic_model()
    return model, SectionEngine(model)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """The main window with throw-away settings; closed, its VTK window released, deletes flushed."""
    from PySide6 import QtCore, QtWidgets

    from thighview.gui.main_window import MainWindow

    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path / "state"))  # autosaves stay in the test
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    win = MainWindow(settings)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    QtWidgets.QApplication.processEvents()
    assert win.view3d.plotter is None or win.view3d.plotter._closed, "the VTK window leaked"


@pytest.fixture
def shown(window, synthetic, qtbot):
    """The window showing the synthetic thigh at mid-level, everything drawn."""
    model, engine = synthetic
    window.state.set_model(model, engine, level=0.5)
    qtbot.waitUntil(lambda: window.view3d.scene is not None, timeout=20000)  # the 3D view comes just after
    qtbot.wait(50)  # let the coalesced render and redraw run
    return window


def _pixel(view, name: str) -> np.ndarray:
    """The colour most of a structure's interior shows in the 2D view (labels' lines and dots aside)."""
    import shapely

    view.redraw()
    image = view.canvas.grab().toImage()
    inner = view.state.section.polygons[name].buffer(-1.0)
    rng = np.random.default_rng(0)
    (xmin, ymin, xmax, ymax), colours = inner.bounds, []
    while len(colours) < 25:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if inner.contains(shapely.Point(x, y)):
            point = view.data_to_widget(x, y)
            c = image.pixelColor(point.x(), point.y())
            colours.append((c.red(), c.green(), c.blue()))
    values, counts = np.unique(np.array(colours), axis=0, return_counts=True)
    return values[np.argmax(counts)]


def test_pyvista_off_screen_setting_does_not_reach_the_window(window, synthetic, qtbot, monkeypatch):
    """``PYVISTA_OFF_SCREEN=true`` (CI machines, pyvista tutorials; tests/conftest.py sets it for the
    whole run) once made the embedded view interactor-less and a dialog opened over it crashed Qt."""
    import pyvista
    from PySide6 import QtCore, QtWidgets

    monkeypatch.setattr(pyvista, "OFF_SCREEN", True)
    model, engine = synthetic
    window.state.set_model(model, engine, level=0.5)
    qtbot.waitUntil(lambda: window.view3d.scene is not None, timeout=20000)
    plotter = window.view3d.plotter
    assert plotter.iren is not None and not plotter.ren_win.GetOffScreenRendering()
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "Over the 3-D view", "closing soon",
                                parent=window)
    QtCore.QTimer.singleShot(300, box.accept)
    box.exec()  # the modal loop repaints the 3-D view beneath it
    image = window.view3d.screenshot()
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50, "3D view is blank"


def test_default_model_opens_renders_and_shows_engine_numbers(window, qtbot):
    from thighview.section import SectionEngine

    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.load(None)
    state = window.state
    assert window.windowTitle().startswith("ThighView — ")
    qtbot.waitUntil(lambda: window.view3d.scene is not None, timeout=30000)  # created right after, by itself
    image = window.view3d.screenshot()
    assert image.shape[0] > 100 and len(np.unique(image.reshape(-1, 3), axis=0)) > 50, "3D view is blank"
    assert not window.grab().isNull()
    expected = SectionEngine(state.model).section(state.level)
    for name, area in expected.areas_cm2.items():
        shown_area, share = window.areas.row_values(name)
        if area == 0.0:  # not at this level: a greyed dash (tests/test_area_absent_gui.py)
            assert (shown_area, share) == ("—", ""), name
            continue
        assert shown_area == f"{area:.1f}", name
        muscle_share = expected.percent_of_muscle(name)
        assert share == ("" if muscle_share is None else f"{muscle_share:.1f}"), name
    quad_area, quad_share = window.areas.row_values(Compartment.QUADRICEPS)
    assert quad_area == f"{expected.compartment_areas_cm2[Compartment.QUADRICEPS]:.1f}"
    coverage = expected.bone_coverage[Compartment.QUADRICEPS] * 100
    assert f"quadriceps {coverage:.0f}%</b>" in window.areas.coverage.text()


def test_level_controls_move_views_and_numbers_together(shown, qtbot):
    state, control = shown.state, shown.level_control
    control.slider.setValue(250)
    assert state.level == pytest.approx(0.25)
    assert state.section.level == pytest.approx(0.25)
    assert control.percent.value() == pytest.approx(25.0)
    assert control.cm.value() == pytest.approx(state.section.level_mm / 10, abs=0.05)
    control.cm.setValue(30.0)
    assert state.section.level_mm == pytest.approx(300.0)
    assert control.slider.value() == 750
    shown.level_actions[1].trigger()  # Ctrl+Down: 1% towards the knee
    assert state.level == pytest.approx(0.76)
    area, _ = shown.areas.row_values("vastus_lateralis")
    assert area == f"{state.section.areas_cm2['vastus_lateralis']:.1f}"
    assert "76.0%" in shown.level_label.text()


def test_colour_modes_recolour_the_2d_section(shown, qtbot):
    view = shown.section_view
    assert np.abs(_pixel(view, "vastus_lateralis") - QUAD_RED).max() <= TOLERANCE  # quadriceps red
    assert np.abs(_pixel(view, "rectus_femoris") - QUAD_RED).max() <= TOLERANCE
    shown.mode_combo.setCurrentIndex(list(ColourMode).index(ColourMode.AREA))
    assert shown.state.scheme.mode is ColourMode.AREA
    heat = _pixel(view, "vastus_lateralis")
    assert np.abs(heat - QUAD_RED).max() > 40  # the heat map, not the compartment colour
    assert not np.array_equal(heat, _pixel(view, "semimembranosus"))  # different shares, different colours
    shown.colourblind_action.trigger()
    shown.set_mode(ColourMode.COMPARTMENT)
    blind = np.array([round(c * 255) for c in anatomy.hex_to_rgb(anatomy.compartment_colour(
        Compartment.QUADRICEPS, "colorblind"))])
    assert np.abs(_pixel(view, "vastus_lateralis") - blind).max() <= TOLERANCE


def test_the_2d_view_shows_the_figures_legend(shown, qtbot):
    from matplotlib.colors import to_hex

    from thighview.render.legend import section_legend

    view, state = shown.section_view, shown.state
    view.redraw()
    expected = section_legend(state.section, state.scheme, areas=False)
    legend = view.axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [e.text for e in expected.entries]
    assert [to_hex(h.get_facecolor()) for h in legend.legend_handles] == [e.colour for e in expected.entries]
    shown.set_mode(ColourMode.AREA)
    view.redraw()
    bar = section_legend(state.section, state.scheme, structures=state.model.structures.values()).bar
    assert view.axes.get_legend() is None
    assert [a.get_xlabel() for a in view.axes.child_axes] == [bar.label]
    assert view.axes.child_axes[0].get_xlim() == pytest.approx((bar.vmin, bar.vmax))


def test_visibility_toggle_hides_a_compartment_everywhere(shown, qtbot):
    state = shown.state
    shown.structures.set_row_checked(Compartment.QUADRICEPS, False)
    quads = state.names_in(Compartment.QUADRICEPS)
    assert quads and not any(state.visible[n] for n in quads)
    shown.section_view.redraw()
    assert not set(quads) & set(shown.section_view.drawing.patches)
    assert not any(shown.view3d.scene.actors[n].GetVisibility() for n in quads)
    shown.structures.set_row_checked("vastus_lateralis", True)
    assert state.visible["vastus_lateralis"] and not state.visible["rectus_femoris"]
    shown.section_view.redraw()
    assert "vastus_lateralis" in shown.section_view.drawing.patches


def test_opacity_per_compartment_and_per_structure(shown, qtbot):
    panel, state, actors = shown.structures, shown.state, shown.view3d.scene.actors
    panel.tree.setCurrentItem(panel.compartment_rows[Compartment.HAMSTRINGS])
    panel.opacity.setValue(40)
    hamstrings = state.names_in(Compartment.HAMSTRINGS)
    assert all(state.opacity[n] == pytest.approx(0.4) for n in hamstrings)
    assert all(actors[n].prop.opacity == pytest.approx(0.4) for n in hamstrings)
    assert panel.compartment_rows[Compartment.HAMSTRINGS].text(1) == "40%"
    panel.tree.setCurrentItem(panel.rows["semimembranosus"])
    panel.opacity.setValue(0)
    assert not actors["semimembranosus"].GetVisibility()  # fully transparent is not drawn at all
    assert panel.compartment_rows[Compartment.HAMSTRINGS].text(1) == "mixed"
    panel.envelope.setValue(60)
    assert actors["skin"].prop.opacity == pytest.approx(0.6)
    assert actors["subcutaneous_fat"].GetVisibility()


def test_picking_in_2d_and_3d_names_the_structure(shown, qtbot):
    from PySide6 import QtCore

    view = shown.section_view
    view.redraw()
    x, y = view.drawing.anchors["adductor_magnus"]
    qtbot.mouseClick(view.canvas, QtCore.Qt.MouseButton.LeftButton, pos=view.data_to_widget(x, y + 1.5))
    assert shown.state.selected == "adductor_magnus"
    status = shown.hover_label.text()
    area = shown.state.section.areas_cm2["adductor_magnus"]
    assert "Adductor magnus" in status and "Adductors" in status and f"{area:.1f} cm²" in status
    assert shown.areas.tree.currentItem() is shown.areas.items["adductor_magnus"]
    x, y = view.drawing.anchors["semimembranosus"]
    qtbot.mouseMove(view.canvas, pos=view.data_to_widget(x, y + 1.0))
    qtbot.waitUntil(lambda: shown.state.hovered == "semimembranosus", timeout=3000)
    assert shown.hover_label.text().startswith("Semimembranosus — Hamstrings")
    shown.view3d.set_view("down_femur")
    shown.view3d.plotter.render()
    size = shown.view3d.plotter.window_size
    assert shown.view3d.pick_at(size[0] // 2, size[1] // 2) == "femur"  # the femur sits on the axis
    assert shown.state.selected == "femur"
    shown.state.select(None)
    widget = shown.view3d.plotter.interactor  # a real click on the VTK widget, through its observers
    centre = widget.rect().center()
    qtbot.mouseClick(widget, QtCore.Qt.MouseButton.LeftButton, pos=centre)
    assert shown.state.selected == "femur"


def test_clicking_an_area_row_highlights_the_structure(shown, qtbot):
    from PySide6 import QtCore

    tree = shown.areas.tree
    item = shown.areas.items["semimembranosus"]
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.state.selected == "semimembranosus"
    actors = shown.view3d.scene.actors
    assert actors["semimembranosus"].prop.opacity == pytest.approx(1.0)
    assert actors["vastus_lateralis"].prop.opacity < 0.5  # the other muscles fade
    shown.section_view.redraw()
    assert len(shown.section_view.axes.patches) > len(shown.section_view.drawing.patches)  # the outline


def test_clicking_the_area_profile_moves_the_level(shown, qtbot):
    from PySide6 import QtCore

    chart = shown.areas.chart
    qtbot.waitUntil(lambda: chart.profile is not None, timeout=20000)
    chart.canvas.draw()
    px, py = chart.axes.transData.transform((30.0, 10.0))
    ratio = chart.canvas.device_pixel_ratio or 1.0
    point = QtCore.QPoint(round(px / ratio), round(chart.canvas.height() - py / ratio))
    qtbot.mouseClick(chart.canvas, QtCore.Qt.MouseButton.LeftButton, pos=point)
    assert shown.state.level == pytest.approx(0.30, abs=0.01)
    assert chart.marker.get_xdata()[0] == pytest.approx(shown.state.level * 100)
    assert shown.level_control.percent.value() == pytest.approx(shown.state.level * 100, abs=0.05)


def test_broken_file_shows_an_error_and_the_window_keeps_working(shown, qtbot, tmp_path):
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"glTF this is not a real binary glTF file")
    shown.load(broken)
    qtbot.waitUntil(lambda: shown.error_box is not None and shown.error_box.isVisible(), timeout=20000)
    assert "broken.glb" in shown.error_box.text()
    assert "Traceback" not in shown.error_box.text()
    shown.error_box.accept()
    qtbot.waitUntil(lambda: shown.error_box is None)
    assert shown.state.model.name == "synthetic"  # the old model stays
    shown.state.set_level(0.3)
    assert shown.areas.row_values("femur")[0] == f"{shown.state.section.areas_cm2['femur']:.1f}"


def test_dropping_a_file_opens_it(shown, qtbot, tmp_path):
    from PySide6 import QtCore, QtGui

    dropped = tmp_path / "dropped.glb"
    dropped.write_bytes(b"not a model")
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(dropped))])
    position = QtCore.QPointF(200, 200)
    # Qt 6 gives drag-enter events an integer position and drop events a real one
    enter = QtGui.QDragEnterEvent(position.toPoint(), QtCore.Qt.DropAction.CopyAction, mime,
                                  QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier)
    shown.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QtGui.QDropEvent(position, QtCore.Qt.DropAction.CopyAction, mime, QtCore.Qt.MouseButton.LeftButton,
                            QtCore.Qt.KeyboardModifier.NoModifier)
    shown.dropEvent(drop)
    qtbot.waitUntil(lambda: shown.error_box is not None, timeout=20000)  # it was read: and refused
    assert "dropped.glb" in shown.error_box.text()
    shown.error_box.accept()


def test_slow_opening_shows_progress_and_cancel_stops_it(shown, qtbot, monkeypatch):
    import time

    from PySide6 import QtCore, QtWidgets

    from thighview.progress import Cancelled, Progress

    def slow_load(path, progress=None, cancel=None):  # a long import, step by step like the readers
        for step in range(400):
            if cancel.is_set():
                raise Cancelled("import cancelled", path)
            progress(Progress(step / 400, 1.0, "reading the label map"))
            time.sleep(0.01)
        raise AssertionError("the cancel never arrived")

    monkeypatch.setattr("thighview.gui.main_window.load_model_and_engine", slow_load)
    shown.load("big_scan.nii.gz")

    def progress_dialog():
        dialogs = [d for d in shown.findChildren(QtWidgets.QProgressDialog) if d.isVisible()]
        return dialogs[0] if dialogs else None

    qtbot.waitUntil(lambda: progress_dialog() is not None and progress_dialog().value() > 0, timeout=10000)
    assert "big_scan.nii.gz: reading the label map" in progress_dialog().labelText()
    qtbot.mouseClick(progress_dialog().findChild(QtWidgets.QPushButton), QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown.busy.isHidden(), timeout=10000)
    assert shown.error_box is None and shown.state.model.name == "synthetic"
    assert progress_dialog() is None


def test_cancelled_opening_is_not_an_error(shown, qtbot):
    import threading

    from thighview.gui.workers import load_model_and_engine
    from thighview.progress import Cancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled) as caught:
        load_model_and_engine(None, progress=lambda p: None, cancel=cancel)
    shown.loading_failed(caught.value)
    assert shown.error_box is None  # no error dialog for a cancel
    assert shown.state.model.name == "synthetic"


def test_settings_remember_colour_mode_and_level(window, synthetic, qtbot, tmp_path):
    from PySide6 import QtCore

    from thighview.gui.main_window import MainWindow

    model, engine = synthetic
    window.state.set_model(model, engine, level=0.5)
    window.set_mode(ColourMode.MUSCLE)
    window.state.set_level(0.3)
    window.close()
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    again = MainWindow(settings)
    try:
        assert again.state.scheme.mode is ColourMode.MUSCLE
        assert float(settings.value("level")) == pytest.approx(0.3)
    finally:
        again.close()
