"""With a chosen axis (no femur) the level control and status bar say what levels measure."""

from __future__ import annotations

import pytest
from test_gui import shown, synthetic, window  # noqa: F401 (the real main window fixtures)
from test_gui_axis import answer_axis_dialog, femurless_file, type_points  # noqa: F401

pytestmark = pytest.mark.gui


def test_level_wording_follows_the_chosen_axis(window, femurless_file, qtbot):
    def two_points(dialog) -> None:
        type_points(dialog)
        dialog.accept()

    answer_axis_dialog(two_points)
    with qtbot.waitSignal(window.model_loaded, timeout=30000):
        window.load(femurless_file)
    window.state.set_level(0.25)
    status = window.level_label.text()
    assert "25.0%</b> of point distance · 5.0 cm from the proximal end" in status
    assert "femur" not in status and "hip" not in status
    assert window.level_control.of_length.text() == "of point distance  ·"
    assert "the distance between the two axis points" in window.level_control.of_length.toolTip()


def test_level_wording_with_a_femur_is_unchanged(shown):
    assert "of femur · " in shown.level_label.text()
    assert shown.level_control.of_length.text() == "of femur length  ·"
