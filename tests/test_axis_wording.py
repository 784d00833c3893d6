"""Levels along a chosen axis (no femur) are not called "% of femur length" in exported figures."""

from __future__ import annotations

import matplotlib
import pytest
from section_shapes import straight_thigh

from thighview.export.batch import ExportRequest, plan, run_jobs
from thighview.anatomy import compartment_of
from thighview.femur_axis import FemurAxis
from thighview.model import Structure, ThighModel
from thighview.section import SectionEngine


@pytest.fixture(scope="module")
def along_points():
    model = ThighModel({n: Structure(n, v, f, compartment_of(n)) for n, (v, f) in straight_thigh(400.0).items() if n != "femur"},
                       name="nofemur")
    model.set_axis(FemurAxis.from_points(model, [0, 0, -100], [0, 0, -300]))
    return model, SectionEngine(model)


def test_exported_figures_say_what_levels_measure(along_points, tmp_path):
    model, engine = along_points
    request = ExportRequest(out_dir=tmp_path, formats=("svg",), levels=(0.5,), sheet=True, size=(800, 700))
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text, to read it back
        run_jobs(plan(request, model, engine))
    for name in ("nofemur_section_50.svg", "nofemur_sheet.svg"):
        text = (tmp_path / name).read_text()
        assert "50% of the distance between the two axis points" in text, name
        assert "femur length" not in text, name
