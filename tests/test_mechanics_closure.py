"""The 2-D model's out-of-plane closure is derived from a 3-D solve, and the figures carry their ranges.

The shipped fits and ranges (``data/mechanics_closure.json``, ``data/mechanics_ranges.json``) are what
``thighview calibrate-mechanics`` writes; a regeneration of the mid-thigh level must give them again.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from thighview.mechanics import Contact, PressureModel
from thighview.mechanics.closure import LEVELS, MATCHED, closure_data, fit_error_at, holding_length_at
from thighview.mechanics.ranges import LOAD_FIGURES, ranges_data


@pytest.fixture(scope="module")
def default_pressure(default_model):
    return PressureModel.from_model(default_model, 0.5)


def test_the_shipped_fits_cover_the_levels_and_match_the_3d_solve_to_their_stated_error():
    data = closure_data()
    assert [r["level"] for r in data["levels"]] == list(LEVELS)
    for r in data["levels"]:
        assert 10.0 < r["holding_length_mm"] < 5000.0
        worst = max(abs(r["two_d"][load][k] / r["three_d"][load][k] - 1.0) for load in r["two_d"] for k in MATCHED)
        assert worst == pytest.approx(r["fit_error"], abs=1e-3)


def test_the_model_is_held_by_the_fitted_length_interpolated_between_levels():
    rows = closure_data()["levels"]
    assert holding_length_at(0.5) == pytest.approx(rows[1]["holding_length_mm"])
    assert holding_length_at(0.4) == pytest.approx(0.5 * (rows[0]["holding_length_mm"] + rows[1]["holding_length_mm"]))
    assert holding_length_at(0.05) == pytest.approx(rows[0]["holding_length_mm"])
    assert holding_length_at(None) == holding_length_at(0.5)
    assert fit_error_at(0.5) >= rows[1]["fit_error"]


def test_docs_claim_the_slice_understates_the_3d_sideways_contrast():
    """docs/mechanics.md states this about the shipped fits; it must stay true of them."""
    for r in closure_data()["levels"]:
        ratio = {kind: r[kind]["sideways"]["femur_slip_max_mm"] / r[kind]["into-bone"]["femur_slip_max_mm"]
                 for kind in ("two_d", "three_d")}
        assert ratio["three_d"] > ratio["two_d"]
        assert r["three_d"]["into-bone"]["femur_slip_max_mm"] < r["two_d"]["into-bone"]["femur_slip_max_mm"]


def test_each_shipped_range_holds_its_nominal_value():
    for r in ranges_data()["levels"]:
        for key, f in r["figures"].items():
            assert f["range"][0] <= f["nominal"] <= f["range"][1], key


def test_a_linear_readout_carries_ranges_around_its_own_figures(default_pressure):
    into = default_pressure.preview(Contact("anterolateral", "into-bone", 40.0)).readout()
    side = default_pressure.preview(Contact("anterolateral", "sideways", 40.0)).readout()
    for r in (into, side):
        assert set(r.ranges) == set(LOAD_FIGURES)
        for name, read in LOAD_FIGURES.items():
            lo, hi = r.ranges[name]
            assert lo < read(r) < hi, name
        assert r.as_dict()["range"]["indentation_mm"]["min"] == round(r.ranges["indentation_mm"][0], 3)
    # twice the force: the linear figures and their ranges double
    double = default_pressure.preview(Contact("anterolateral", "into-bone", 80.0)).readout()
    assert double.ranges["femur_slip_max_mm"][1] == pytest.approx(2 * into.ranges["femur_slip_max_mm"][1])
    from thighview.mechanics import compare_summary

    assert "over plausible tissue stiffness" in compare_summary(side, into)


@pytest.mark.slow
def test_the_shipped_mid_thigh_fit_and_ranges_equal_a_regeneration():
    """`thighview calibrate-mechanics` for one level (a 3-D solve, the fit and the sweep: minutes on two cores)."""
    from thighview.io import load_model
    from thighview.mechanics import closure, ranges

    thigh = load_model(None)
    model, fit = closure.fit_level(thigh, 0.5, closure.slab_for(thigh))
    shipped = next(r for r in closure_data()["levels"] if r["level"] == 0.5)
    fresh = json.loads(json.dumps(fit.as_dict()))
    assert fresh["holding_length_mm"] == pytest.approx(shipped["holding_length_mm"], abs=0.15)
    assert fresh["fit_error"] == pytest.approx(shipped["fit_error"], abs=2e-4)
    for kind in ("three_d", "two_d"):
        for load, figures in shipped[kind].items():
            np.testing.assert_allclose(list(fresh[kind][load].values()), list(figures.values()), rtol=1e-3)
    swept = ranges.sweep(model, shipped["fit_error"])
    row = next(r for r in ranges_data()["levels"] if r["level"] == 0.5)
    for key, f in row["figures"].items():
        np.testing.assert_allclose([swept[key]["nominal"], *swept[key]["range"]], [f["nominal"], *f["range"]],
                                   rtol=1e-3, err_msg=key)


@pytest.mark.slow
def test_check_3d_reports_the_3d_solve_with_the_same_fields(capsys):
    from thighview.cli import main

    assert main(["pressure", "--direction", "compare", "--format", "json", "--check-3d"]) == 0
    out = json.loads(capsys.readouterr().out)
    for load in ("into-bone", "sideways"):
        two, three = out["results"][load], out["results"][load]["three_d"]
        assert set(three) == set(two) - {"three_d"}
        assert three["material_model"].startswith("linear")
        # the 2-D model is fitted to this very 3-D solve: its matched figures are within the shipped fit error
        error = next(r["fit_error"] for r in closure_data()["levels"] if r["level"] == 0.5)
        assert two["indentation_mm"] == pytest.approx(three["indentation_mm"], rel=error + 0.01)
        assert two["range"]["indentation_mm"]["min"] <= two["indentation_mm"] <= two["range"]["indentation_mm"]["max"]
    ratio = out["sideways_over_into_bone"]["femur_slip_ratio"]
    assert ratio["range"]["min"] <= ratio["value"] <= ratio["range"]["max"]


def test_the_closure_misfit_is_finite_when_a_trial_length_flips_a_figures_sign():
    """A trial length whose slice reads a matched figure at or below zero (or 0/0) is a bad fit, never NaN."""
    import warnings

    from thighview.mechanics.closure import log_misfit

    target = np.array([8.7, 1.5, 5.2, 3.4])
    assert log_misfit(target, target) == 0.0
    assert log_misfit(2 * target, target) == pytest.approx(4 * np.log(2.0) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # the old misfit warned "invalid value encountered in log"
        flipped = log_misfit(np.array([8.7, 1.5, -0.3, 3.4]), target)
        zero = log_misfit(np.array([8.7, 1.5, 0.0, 3.4]), target)
        undefined = log_misfit(np.array([8.7, 1.5, 0.0, 3.4]), np.array([8.7, 1.5, 0.0, 3.4]))
    assert np.isfinite([flipped, zero, undefined]).all()
    # worse than any positive ratio down to the floor, and no better than a tiny positive one
    assert flipped == zero == undefined > log_misfit(np.array([8.7, 1.5, 0.01, 3.4]), target)
