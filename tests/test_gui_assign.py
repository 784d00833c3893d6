"""Assigning compartments in the real window: unknown structures listed, numbers and colours
follow the assignment, Edit › Undo/Redo, and sessions remember it (pytest-qt under Xvfb)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from synthetic_thigh import synthetic_model
from test_gui import QUAD_RED, TOLERANCE, _pixel, window  # noqa: F401  (the GUI engineer's window fixture)

from thighview import anatomy
from thighview import session as ss
from thighview.anatomy import Compartment
from thighview.model import Structure

pytestmark = pytest.mark.gui
MYSTERY = "mystery_muscle"
GREY = np.array([round(c * 255) for c in anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.UNASSIGNED))])


@pytest.fixture
def opened(window, qtbot, tmp_path):
    """The synthetic thigh with its semimembranosus renamed to a name no vocabulary knows, from a GLB."""
    from thighview.io.writers import write_glb

    model = synthetic_model()
    old = model.structures.pop("semimembranosus")
    model.structures[MYSTERY] = Structure(MYSTERY, old.vertices, old.faces, Compartment.UNASSIGNED)
    path = write_glb(model, tmp_path / "mystery.glb")
    with qtbot.waitSignal(window.model_loaded, timeout=30000):
        window.load(path)
    qtbot.waitUntil(lambda: window.sessions.capture().model_sha256 is not None)
    return window


def _quadriceps_text(win) -> str:
    return win.areas.row_values(Compartment.QUADRICEPS)[0]


def _assign_by_menu(win, name: str, compartment: Compartment) -> None:
    menu = win.structures.assignment_menu([name])
    action = next(a for a in menu.actions() if a.text() == compartment.label)
    action.trigger()


def _close(colour, expected) -> bool:
    return bool(np.all(np.abs(np.asarray(colour, int) - expected) <= TOLERANCE))


def test_unknown_structure_is_listed_assigned_undone_and_redone(opened, qtbot):
    from thighview.section import SectionEngine

    win = opened
    panel, state = win.structures, win.state
    assert MYSTERY in [panel.compartment_rows[Compartment.UNASSIGNED].child(i).data(0, 256)[0]
                       for i in range(panel.compartment_rows[Compartment.UNASSIGNED].childCount())]
    assert panel.hint.isVisible() and "1 structure without a compartment" in panel.hint.text()
    assert state.section.compartments[MYSTERY] is Compartment.UNASSIGNED
    before = state.section.compartment_areas_cm2[Compartment.QUADRICEPS]
    area = state.section.areas_cm2[MYSTERY]
    assert _close(_pixel(win.section_view, MYSTERY), GREY)

    qtbot.waitUntil(lambda: win.areas.chart.profile is not None, timeout=20000)  # computed off the UI thread
    _assign_by_menu(win, MYSTERY, Compartment.QUADRICEPS)
    assert win.areas.chart.profile.compartments[MYSTERY] is Compartment.QUADRICEPS  # the chart restacked
    section = state.section
    assert section.compartments[MYSTERY] is Compartment.QUADRICEPS
    assert section.compartment_areas_cm2[Compartment.QUADRICEPS] == pytest.approx(before + area, abs=1e-9)
    # the same numbers as a section engine built on the model with that assignment from the start
    fresh = SectionEngine(state.model).section(state.level)
    assert fresh.compartment_areas_cm2 == pytest.approx(section.compartment_areas_cm2)
    assert fresh.bone_coverage == pytest.approx(section.bone_coverage)
    assert _quadriceps_text(win) == f"{before + area:.1f}"
    assert win.areas.items[MYSTERY].parent() is win.areas.compartment_items[Compartment.QUADRICEPS]
    assert section.percent_of_muscle(MYSTERY) is not None  # now counted as muscle
    assert Compartment.UNASSIGNED not in panel.compartment_rows and not panel.hint.isVisible()
    assert _close(_pixel(win.section_view, MYSTERY), QUAD_RED)
    assert _close(np.round(np.array(state.colours[MYSTERY]) * 255), QUAD_RED)  # 3D follows the same colours

    assert win.structures.undo_action.shortcut().toString() == "Ctrl+Z"
    assert [m.title() for m in (a.menu() for a in win.menuBar().actions())][:2] == ["&File", "&Edit"]
    win.structures.undo_action.trigger()
    assert state.section.compartments[MYSTERY] is Compartment.UNASSIGNED
    assert _quadriceps_text(win) == f"{before:.1f}"
    assert panel.hint.isVisible()
    assert _close(_pixel(win.section_view, MYSTERY), GREY)
    with warnings.catch_warnings():  # deprecated, but Xvfb has no window manager to activate the window
        warnings.simplefilter("ignore", DeprecationWarning)
        QtWidgets.QApplication.setActiveWindow(win)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)  # Edit › Redo
    assert state.section.compartments[MYSTERY] is Compartment.QUADRICEPS
    qtbot.keyClick(panel.tree, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)  # Edit › Undo
    assert state.section.compartments[MYSTERY] is Compartment.UNASSIGNED


def test_the_compartment_box_assigns_the_selection(opened):
    win = opened
    panel = win.structures
    panel.rows[MYSTERY].setSelected(True)
    assert Compartment(panel.compartment.currentData()) is Compartment.UNASSIGNED
    panel.compartment.activated.emit(panel.compartment.findData(Compartment.HAMSTRINGS))
    assert win.state.model.structures[MYSTERY].compartment is Compartment.HAMSTRINGS
    assert panel.rows[MYSTERY].isSelected()  # the row stays selected in its new group
    assert panel.undo_stack.count() == 1


def test_a_session_remembers_the_assignment(opened, qtbot, tmp_path):
    win = opened
    _assign_by_menu(win, MYSTERY, Compartment.ADDUCTORS)
    _assign_by_menu(win, "sartorius" if "sartorius" in win.state.model.structures else "vastus_medialis",
                    Compartment.OTHER_MUSCLE)  # a known muscle moved too
    path = tmp_path / f"assigned{ss.SUFFIX}"
    win.sessions.save(path)
    assert ss.load_session(path).compartments == {MYSTERY: "adductors", "vastus_medialis": "other_muscle"}
    adductors = win.state.section.compartment_areas_cm2[Compartment.ADDUCTORS]

    win.structures.undo_action.trigger()
    win.structures.undo_action.trigger()
    assert win.state.model.structures[MYSTERY].compartment is Compartment.UNASSIGNED
    with qtbot.waitSignal(win.model_loaded, timeout=30000):
        win.sessions.open_path(path)
    state = win.state
    assert state.model.structures[MYSTERY].compartment is Compartment.ADDUCTORS
    assert state.section.compartments["vastus_medialis"] is Compartment.OTHER_MUSCLE
    assert state.section.compartment_areas_cm2[Compartment.ADDUCTORS] == pytest.approx(adductors)
    assert MYSTERY in state.names_in(Compartment.ADDUCTORS)
    assert win.structures.rows[MYSTERY].parent() is win.structures.compartment_rows[Compartment.ADDUCTORS]
    assert not win.structures.undo_stack.canUndo()  # a newly opened model starts a fresh history
