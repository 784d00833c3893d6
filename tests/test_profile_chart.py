"""The one area-profile chart shared by the Areas panel and the figure sheet."""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from synthetic_thigh import synthetic_model  # noqa: E402
from thighview.anatomy import Compartment  # noqa: E402
from thighview.render.profile_chart import draw_profile  # noqa: E402
from thighview.section import SectionEngine  # noqa: E402


def _profile():
    return SectionEngine(synthetic_model()).profile(n=12)


def test_muscle_compartments_are_stacked_with_the_axis_named():
    profile = _profile()
    ax = Figure().add_subplot()
    shown = draw_profile(ax, profile, "braus", length_name="femur length")
    assert Compartment.QUADRICEPS in shown
    assert len(ax.collections) == len(shown)  # one filled band per compartment
    top = sum(profile.compartment_areas_cm2[c] for c in shown)
    assert ax.get_ylim()[1] >= top.max()
    assert "femur length" in ax.get_xlabel()


def test_a_model_without_muscle_compartments_gets_a_note_not_a_crash():
    profile = _profile()
    unassigned = replace(profile, compartments={name: Compartment.UNASSIGNED for name in profile.compartments})
    ax = Figure().add_subplot()
    assert draw_profile(ax, unassigned, "braus", length_name="the thigh's extent along its principal axis") == []
    assert any("No muscle compartments" in t.get_text() for t in ax.texts)
    assert "principal axis" in ax.get_xlabel()


def test_the_figure_sheet_of_a_model_without_muscle_compartments(tmp_path):
    """Regression: the sheet export crashed in matplotlib's stackplot for such a model."""
    from thighview.export.figures import FigureOptions, sheet_figure

    model = synthetic_model()
    for structure in model.structures.values():
        structure.compartment = Compartment.UNASSIGNED
    engine = SectionEngine(model)
    fig = sheet_figure(engine.sections([0.3, 0.5]), engine.profile(n=12), options=FigureOptions(), size_px=(1800, 1100))
    assert any("No muscle compartments" in t.get_text() for ax in fig.axes for t in ax.texts)
