"""The 2-D model's out-of-plane closure is derived from a 3-D solve, and the figures carry their ranges.

The shipped fits and ranges (``data/mechanics_closure.json``, ``data/mechanics_ranges.json``) are what
``thighview calibrate-mechanics`` writes; a regeneration of the mid-thigh level must give them again.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from thighview.mechanics import Contact, PressureModel
from thighview.mechanics.closure import LEVELS, MATCHED, closure_data, fit_error_at, holding_lengths_at
from thighview.mechanics.ranges import LOAD_FIGURES, ranges_data


@pytest.fixture(scope="module")
def default_pressure(default_model):
    return PressureModel.from_model(default_model, 0.5)


def test_the_shipped_fits_cover_the_levels_and_match_the_3d_solve_to_their_stated_error():
    data = closure_data()
    assert [r["level"] for r in data["levels"]] == list(LEVELS)
    for r in data["levels"]:
        assert all(10.0 < v < 5000.0 for v in r["holding_length_mm"].values())
        for fit in (r, {**r["one_length"], "three_d": r["three_d"]}):
            worst = max(abs(fit["two_d"][load][k] / r["three_d"][load][k] - 1.0) for load in r["three_d"]
                        for k in MATCHED)
            assert worst == pytest.approx(fit["fit_error"], abs=1e-3)


def _lengths(row):
    return np.array([row["holding_length_mm"]["radial"], row["holding_length_mm"]["circumferential"]])


def test_the_model_is_held_by_the_fitted_lengths_interpolated_between_levels(default_pressure):
    rows = closure_data()["levels"]
    assert holding_lengths_at(0.5) == pytest.approx(_lengths(rows[1]))
    assert holding_lengths_at(0.4) == pytest.approx(0.5 * (_lengths(rows[0]) + _lengths(rows[1])))
    assert holding_lengths_at(0.05) == pytest.approx(_lengths(rows[0]))
    assert holding_lengths_at(None) == holding_lengths_at(0.5)
    assert fit_error_at(0.5) >= rows[1]["fit_error"]
    # the foundation holds radial displacement by mu / l_r^2 and circumferential by mu / l_t^2
    m = default_pressure
    radial_mm, tangential_mm = m.options.holding_lengths
    r = m.mesh.centroids[0] - m.shape.centre
    r /= np.linalg.norm(r)
    t = np.array([-r[1], r[0]])
    k, mu = m.foundation[0], m.shear_modulus_mpa[0]
    assert r @ k @ r == pytest.approx(mu / radial_mm**2)
    assert t @ k @ t == pytest.approx(mu / tangential_mm**2)
    assert r @ k @ t == pytest.approx(0.0, abs=1e-12 * mu / radial_mm**2)


def test_docs_claims_about_the_two_lengths_hold_for_the_shipped_fits():
    """docs/mechanics.md states these about the shipped fits; they must stay true of them: at every level the
    radial length is the shorter, and two lengths match the 3-D solve better than one, matched or not."""
    for r in closure_data()["levels"]:
        radial, tangential = _lengths(r)
        assert radial < tangential
        assert r["fit_error"] < r["one_length"]["fit_error"]

        def worst(two_d):
            return max(abs(two_d[load][k] / r["three_d"][load][k] - 1.0) for load in r["three_d"] for k in LOAD_FIGURES)

        assert worst(r["two_d"]) < worst(r["one_length"]["two_d"])


def test_at_30_50_70_percent_the_2d_figures_agree_with_the_3d_solve_within_20_percent():
    """The issue's agreement: slip at the femur and the septa, indentation and stress at the bone, both
    directions, at each fitted level (the shipped 2-D and 3-D figures; a regeneration must give them again)."""
    rows = closure_data()["levels"]
    assert [r["level"] for r in rows] == [0.3, 0.5, 0.7]
    for r in rows:
        for load, three_d in r["three_d"].items():
            for key in ("indentation_mm", "femur_slip_max_mm", "septal_slip_max_mm", "bone_normal_stress_kpa"):
                assert r["two_d"][load][key] == pytest.approx(three_d[key], rel=0.2), (r["level"], load, key)


def test_each_shipped_range_holds_its_nominal_value():
    for r in ranges_data()["levels"]:
        for figures in (r["figures"], r["large_deformation"]["figures"]):
            for key, f in figures.items():
                assert f["range"][0] <= f["nominal"] <= f["range"][1], key


def test_the_large_deformation_ranges_cover_friction_and_say_what_they_leave_out():
    """Friction is swept (its measured ends) in the large-deformation solve; a parameter set that does not reach
    the full force is listed with the force it reached, below the full 40 N, and the nominal set is never one."""
    data = ranges_data()
    assert data["parameters"]["friction"]["values"][::2] == [0.016, 0.5]
    for r in data["levels"]:
        for missed in r["large_deformation"]["not_reached"]:
            assert 0 <= missed["force_reached_n"] < 40.0 and missed["reason"]
            nominal = (missed["muscle_kpa"], missed["fat_kpa"]) == (3.8, 3.0) and missed["friction"] == 0.089
            assert not nominal, missed


def test_a_large_deformation_readout_carries_its_own_models_ranges(default_pressure):
    from thighview.mechanics.ranges import relative_range

    into = default_pressure.solve_path(Contact("anterolateral", "into-bone", 40.0)).readout()
    assert set(into.ranges) == set(LOAD_FIGURES)
    lo, hi = into.ranges["femur_slip_max_mm"]
    assert (lo / into.femur_slip.max_mm, hi / into.femur_slip.max_mm) == \
        pytest.approx(relative_range(0.5, "into-bone.femur_slip_max_mm", large=True))
    assert relative_range(0.5, "into-bone.femur_slip_max_mm", large=True) != \
        relative_range(0.5, "into-bone.femur_slip_max_mm")


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
    assert _lengths(fresh) == pytest.approx(_lengths(shipped), abs=0.15)
    assert fresh["fit_error"] == pytest.approx(shipped["fit_error"], abs=2e-4)
    assert fresh["one_length"]["holding_length_mm"] == pytest.approx(shipped["one_length"]["holding_length_mm"],
                                                                     abs=0.15)
    for kind in ("three_d", "two_d"):
        for load, figures in shipped[kind].items():
            np.testing.assert_allclose(list(fresh[kind][load].values()), list(figures.values()), rtol=1e-3)
    swept = ranges.sweep(model, shipped["fit_error"])
    row = next(r for r in ranges_data()["levels"] if r["level"] == 0.5)
    for key, f in row["figures"].items():
        np.testing.assert_allclose([swept[key]["nominal"], *swept[key]["range"]], [f["nominal"], *f["range"]],
                                   rtol=1e-3, err_msg=key)
    # the large-deformation sweep's nominal figures (its 22 solves would take minutes more)
    nominal = ranges._figures(*(model.solve_path(c).readout(with_ranges=False) for c in closure.fit_contacts()))
    for key, f in row["large_deformation"]["figures"].items():
        assert nominal[key] == pytest.approx(f["nominal"], rel=1e-3, abs=1e-4), key


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


def test_the_closure_fit_minimises_the_largest_difference():
    """The Chebyshev fit on problems whose minimax answer is known: the midpoint of the two extreme targets
    per coordinate, and at a bound when the optimum lies beyond it."""
    from thighview.mechanics.closure import chebyshev_fit

    calls = []

    def errors(x):
        calls.append(tuple(x))
        return np.array([x[0] - 1.0, x[0] - 3.0, x[1] + 0.5, x[1] - 0.5, 0.2 * (x[1] - 0.25)])

    x = chebyshev_fit(errors, np.array([0.0, 0.0]), (-10.0, 10.0))
    assert len(calls) == len(set(calls))   # each trial evaluated once
    assert x == pytest.approx([2.0, 0.0], abs=1e-6)
    assert np.abs(errors(x)).max() == pytest.approx(1.0, abs=1e-6)
    held = chebyshev_fit(lambda x: np.array([x[0] - 5.0, x[0] - 7.0]), np.array([0.0]), (-1.0, 4.0))
    assert held == pytest.approx([4.0], abs=1e-6)


def test_calibration_to_a_missing_folder_fails_at_once_in_one_line(tmp_path, capsys, monkeypatch):
    """The folder is checked before the minutes of solving (it once failed only when writing, at the end)."""
    from thighview.cli import main
    from thighview.mechanics import closure

    monkeypatch.setattr(closure, "fit_level", lambda *a: pytest.fail("solved before checking the folder"))
    assert main(["calibrate-mechanics", "--out-dir", str(tmp_path / "no" / "such")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("thighview: error:") and "does not exist" in err and "\n" not in err
