"""File › Export: the dialog builds the CLI's request, confirms overwrites, runs with progress and cancel."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def state():
    from synthetic_thigh import synthetic_model
    from thighview.app.state import AppState
    from thighview.section import SectionEngine

    app_state = AppState()
    model = synthetic_model()
    app_state.set_model(model, SectionEngine(model), level=0.4)
    return app_state


@pytest.fixture
def dialog(qtbot, state, tmp_path):
    from thighview.gui.export_dialog import ExportDialog

    widget = ExportDialog(state)
    qtbot.addWidget(widget)
    widget.folder.setText(str(tmp_path))
    return widget


def _choose(dialog, label_start):
    from thighview.gui.export_dialog import CHOICES

    dialog.choice.setCurrentIndex(next(i for i, c in enumerate(CHOICES) if c[0].startswith(label_start)))


def test_request_follows_the_widgets_and_the_app_state(dialog, state, tmp_path):
    _choose(dialog, "Section figure — SVG")
    dialog.levels.setText("0.3, 0.6")
    dialog.transparent.setChecked(True)
    dialog.legend.setChecked(False)
    state.set_visible(["skin"], False)
    state.select("rectus_femoris")
    request = dialog.request()
    assert request.formats == ("svg",) and request.levels == (0.3, 0.6) and request.out_dir == tmp_path
    assert request.figure.transparent and not request.figure.legend
    assert request.figure.hidden == frozenset({"skin"}) and request.figure.highlight == "rectus_femoris"
    _choose(dialog, "Areas — CSV")
    assert not dialog.width_box.isEnabled() and not dialog.frames.isEnabled()
    dialog.levels.setText("0.4")
    _choose(dialog, "Figure sheet (all levels) — PDF")  # one level is no sheet: three are suggested
    assert dialog.request().levels == (0.3, 0.5, 0.7) and dialog.request().sheet
    _choose(dialog, "Animation — MP4")
    dialog.frames.setValue(20)
    assert dialog.request().frames == 20 and dialog.frames.isEnabled()


def test_export_writes_and_asks_before_replacing(dialog, qtbot, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    _choose(dialog, "Areas — CSV")
    with qtbot.waitSignal(dialog.exported, timeout=20000) as blocker:
        dialog.start()
    target = tmp_path / "synthetic_areas.csv"
    assert blocker.args[0] == [target] and target.read_text().startswith("# software: ThighView")
    target.write_text("mine")
    asked = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args) or QtWidgets.QMessageBox.StandardButton.No)
    dialog.start()
    assert asked and target.read_text() == "mine", "declined: the file is untouched"
    monkeypatch.setattr(QtWidgets.QMessageBox, "question",
                        lambda *args, **kwargs: QtWidgets.QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.start()
    assert target.read_text().startswith("# software: ThighView")


def test_cancel_stops_a_movie_without_a_file(dialog, qtbot, tmp_path):
    _choose(dialog, "Animation — GIF")  # 48 frames at the default size: seconds of work to interrupt
    original = dialog._on_progress

    def cancel_on_first_frame(progress):
        original(progress)
        if progress.done >= 1:
            dialog._progress.canceled.emit()  # what its Cancel button does

    dialog._on_progress = cancel_on_first_frame  # where the worker's progress is delivered
    with qtbot.waitSignal(dialog.exported, timeout=30000) as blocker:
        dialog.start()
    assert blocker.args[0] == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.render
def test_3d_picture_is_rendered_on_the_gui_thread(dialog, qtbot, tmp_path):
    from PIL import Image

    _choose(dialog, "3-D view — PNG")
    dialog.width_box.setValue(320)
    dialog.height_box.setValue(240)
    with qtbot.waitSignal(dialog.exported, timeout=60000) as blocker:
        dialog.start()
    (target,) = blocker.args[0]
    assert target.name == "synthetic_3d_overview_40.png"
    image = Image.open(target)
    assert image.size == (320, 240)
    _assert_flat_section_colours(np.asarray(image.convert("RGB")).astype(float))


def _assert_flat_section_colours(pixels):
    """The cut face is drawn unlit in the compartments' exact colours, near the top of the overview
    (the thigh is cut away above the level, looked at from above); nothing else has those colours."""
    from thighview import anatomy
    from thighview.anatomy import Compartment

    least = {Compartment.QUADRICEPS: 500, Compartment.ADDUCTORS: 150, Compartment.HAMSTRINGS: 80,
             Compartment.BONE: 30}  # of about 1300 / 300 / 170 / 80 pixels at 320 x 240
    for compartment, count in least.items():
        colour = np.array(anatomy.hex_to_rgb(anatomy.compartment_colour(compartment))) * 255
        rows, _ = np.nonzero(np.abs(pixels - colour).max(axis=2) <= 4)
        assert len(rows) >= count, f"{compartment}: {len(rows)} pixels of its colour"
        assert np.median(rows) < 80, f"{compartment} is not on the cut face at the top"


def test_several_formats_at_once_levels_in_percent_and_a_report_of_the_files(dialog, qtbot, tmp_path):
    _choose(dialog, "Section figure — PNG")
    assert dialog.levels.text() == "40.0%", "the level as the app shows it"
    assert not dialog.animation.isVisibleTo(dialog) and not dialog.frames.isVisibleTo(dialog), "no movie rows"
    assert set(dialog.format_boxes) == {"png", "svg", "pdf"}
    dialog.format_boxes["svg"].setChecked(True)
    dialog.levels.setText("30%, 60%")
    dialog.width_box.setValue(400)
    dialog.height_box.setValue(350)
    assert dialog.request().formats == ("png", "svg") and dialog.request().levels == (0.3, 0.6)
    with qtbot.waitSignal(dialog.exported, timeout=60000) as blocker:
        dialog.start()
    written = blocker.args[0]
    assert sorted(p.suffix for p in written) == [".png", ".png", ".svg", ".svg"]
    assert all(p.is_file() for p in written)
    box = dialog.report_box
    assert box is not None and box.isVisible()
    assert all(p.name in box.text() for p in written) and str(tmp_path) in box.text()
    assert any(b.text() == "Show in folder" for b in box.buttons())
    box.close()
    _choose(dialog, "Animation — GIF")
    assert dialog.animation.isVisibleTo(dialog) and dialog.frames.isVisibleTo(dialog)
