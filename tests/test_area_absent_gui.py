"""Structures that do not reach the level are greyed dashes in the Areas table, not "0.0" rows;
compartment and muscle totals are the section engine's, unchanged."""

from __future__ import annotations

import pytest
from test_gui import window  # noqa: F401 (the real main window fixture)

from thighview.anatomy import Compartment

pytestmark = pytest.mark.gui


def test_absent_structures_are_greyed_dashes_and_totals_unchanged(window, default_model, qtbot):
    from PySide6 import QtCore

    from thighview.section import SectionEngine

    engine = SectionEngine(default_model)
    window.state.set_model(default_model, engine, level=0.5)
    section = window.state.section
    absent = {n for n, a in section.areas_cm2.items() if a == 0.0}
    assert {"adductor_brevis", "pectineus"} <= absent  # the default thigh at 50 %
    table = window.areas
    for name, area in section.areas_cm2.items():
        item = table.items[name]
        colour = item.data(1, QtCore.Qt.ItemDataRole.ForegroundRole)
        if name in absent:
            assert table.row_values(name) == ("—", ""), name
            assert colour is not None and colour.color().lightness() > 120, name
            assert item.toolTip(1) == "not present at this level"
        else:
            assert table.row_values(name)[0] == f"{area:.1f}" and colour is None, name
    for compartment, area in section.compartment_areas_cm2.items():
        if compartment in table.compartment_items:
            assert table.row_values(compartment)[0] == f"{area:.1f}", compartment
    assert f"{section.muscle_area_cm2:.1f} cm²" in table.total.text()

    window.state.set_level(0.2)  # the adductor brevis is back: a number in the normal colour again
    area = window.state.section.areas_cm2["adductor_brevis"]
    assert area > 0 and table.row_values("adductor_brevis")[0] == f"{area:.1f}"
    assert table.items["adductor_brevis"].data(1, QtCore.Qt.ItemDataRole.ForegroundRole) is None
    assert table.items["adductor_brevis"].toolTip(1) == ""
    assert table.row_values(Compartment.ADDUCTORS)[0] == \
        f"{window.state.section.compartment_areas_cm2[Compartment.ADDUCTORS]:.1f}"
