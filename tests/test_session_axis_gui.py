"""A session of a model without a femur reopens along the axis the user chose, without asking."""

from __future__ import annotations

import numpy as np
import pytest
from test_gui import window  # noqa: F401 (the real main window fixture)
from test_gui_axis import answer_axis_dialog, femurless_file, type_points  # noqa: F401

from thighview import session as ss

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("choice", ["points", "principal"])
def test_session_of_a_femurless_model_restores_its_axis_without_asking(window, femurless_file, qtbot, tmp_path,
                                                                       monkeypatch, choice):
    def answer(dialog) -> None:
        if choice == "points":
            type_points(dialog)
        dialog.accept()

    answer_axis_dialog(answer)
    with qtbot.waitSignal(window.model_loaded, timeout=30000):
        window.load(femurless_file)
    window.state.set_level(0.3)
    qtbot.waitUntil(lambda: window.sessions.capture().model_sha256 is not None)
    chosen = window.state.engine.axis
    saved = window.sessions.capture()
    path = tmp_path / f"nofemur{ss.SUFFIX}"
    window.sessions.save(path)
    assert ss.load_session(path).axis == saved.axis and saved.axis["basis"] == choice

    window.state.set_level(0.8)
    asked = []
    monkeypatch.setattr("thighview.gui.axis_dialog.ask_axis", lambda *a: asked.append(a))  # must not be called
    with qtbot.waitSignal(window.model_loaded, timeout=30000):
        window.sessions.open_path(path)
    qtbot.wait(20)
    assert asked == [] and window.error_box is None
    axis = window.state.engine.axis
    assert axis.basis == choice and axis.length_mm == pytest.approx(chosen.length_mm, abs=1e-9)
    assert np.allclose(axis.origin, chosen.origin, atol=1e-9)
    assert window.state.section.level == pytest.approx(0.3)
