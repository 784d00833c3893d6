"""Opening a model without a femur in the real window: it asks for an axis once, then shows
the section cut along it (pytest-qt under Xvfb; the dialog is answered by a timer, as a user would)."""

from __future__ import annotations

import numpy as np
import pytest
from section_shapes import polygon_area, straight_thigh
from test_gui import QUAD_RED, TOLERANCE, _pixel, window  # noqa: F401 (the real main window fixture)

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def femurless_file(tmp_path_factory):
    import trimesh

    scene = trimesh.Scene()
    for name, (vertices, faces) in straight_thigh(400.0).items():
        if name != "femur":
            scene.add_geometry(trimesh.Trimesh(vertices, faces, process=False), node_name=name, geom_name=name)
    path = tmp_path_factory.mktemp("femurless") / "nofemur.glb"
    path.write_bytes(scene.export(file_type="glb"))
    return path


def type_points(dialog, proximal: str = "0, 0, -100", distal: str = "0, 0, -300") -> None:
    """Choose "two points" in the axis dialog and type them (mm)."""
    dialog.use_points.setChecked(True)
    dialog.proximal.setText(proximal)
    dialog.distal.setText(distal)


def answer_axis_dialog(answer) -> list:
    """Wait (on the event loop, inside the dialog's own loop) for the axis dialog and ``answer(dialog)``."""
    from PySide6 import QtCore, QtWidgets

    from thighview.gui.axis_dialog import AxisDialog

    seen = []

    def poll() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        if isinstance(dialog, AxisDialog):
            seen.append(dialog)
            try:
                answer(dialog)
            finally:  # an answer that failed must not leave the test waiting on the dialog
                if dialog.isVisible():
                    dialog.reject()
        else:
            QtCore.QTimer.singleShot(50, poll)

    QtCore.QTimer.singleShot(50, poll)
    return seen


def test_opening_a_model_without_femur_asks_for_an_axis_then_shows_the_section(window, femurless_file, qtbot):
    problems = []

    def two_points(dialog) -> None:
        dialog.use_points.setChecked(True)
        dialog.proximal.setText("0, 0")  # a mistake first: the dialog stays open and says why
        dialog.accept()
        problems.append((dialog.isVisible(), dialog.problem.text()))
        dialog.proximal.setText("0, 0, -100")
        dialog.distal.setText("0, 0, -300")
        dialog.accept()

    seen = answer_axis_dialog(two_points)
    window.load(femurless_file)
    qtbot.waitUntil(lambda: window.state.model is not None and window.state.model.name == "nofemur", timeout=30000)
    assert len(seen) == 1  # asked once
    assert problems == [(True, "'0, 0' is not three numbers x, y, z (mm)")]
    axis = window.state.engine.axis
    assert axis.basis == "points" and axis.length_mm == pytest.approx(200.0)
    window.state.set_level(0.5)
    qtbot.wait(50)
    section = window.state.section
    assert section.frame.origin == pytest.approx([0, 0, -200.0])
    assert section.areas_cm2["rectus_femoris"] == pytest.approx(polygon_area(40, 14.0) / 100.0, rel=1e-6)
    assert window.areas.row_values("rectus_femoris")[0] == f"{section.areas_cm2['rectus_femoris']:.1f}"
    assert np.abs(_pixel(window.section_view, "rectus_femoris") - QUAD_RED).max() <= TOLERANCE  # drawn in 2-D
    assert "fractions of the distance between the two axis points" in window.statusBar().currentMessage()


def test_cancelling_the_axis_keeps_the_previous_model(window, femurless_file, qtbot):
    seen = answer_axis_dialog(lambda dialog: dialog.reject())
    window.load(femurless_file)
    qtbot.waitUntil(lambda: bool(seen) and "Not opened" in window.statusBar().currentMessage(), timeout=30000)
    assert window.state.model is None or window.state.model.name != "nofemur"


def test_principal_axis_choice(window, femurless_file, qtbot):
    seen = answer_axis_dialog(lambda dialog: dialog.accept())  # the default: the principal axis
    window.load(femurless_file)
    qtbot.waitUntil(lambda: window.state.model is not None and window.state.model.name == "nofemur", timeout=30000)
    axis = window.state.engine.axis
    assert seen and axis.basis == "principal" and axis.length_mm == pytest.approx(400.0)
    assert window.state.section.areas_cm2["vastus_lateralis"] == pytest.approx(polygon_area(40, 16.0) / 100, rel=1e-6)
