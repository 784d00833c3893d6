"""Sessions remember the axis chosen for a model without a femur (version 3); version 2 still loads."""

from __future__ import annotations

import json

import numpy as np
import pytest
from section_shapes import straight_thigh

from thighview import session as ss
from thighview.errors import SessionError
from thighview.anatomy import compartment_of
from thighview.femur_axis import FemurAxis
from thighview.model import Structure, ThighModel


@pytest.fixture(scope="module")
def femurless():
    return ThighModel({n: Structure(n, v, f, compartment_of(n)) for n, (v, f) in straight_thigh(400.0).items() if n != "femur"})


@pytest.mark.parametrize("choose", [
    lambda m: FemurAxis.from_principal_axis(m),
    lambda m: FemurAxis.from_points(m, [0, 0, -100], [3, 4, -300]),
], ids=["principal", "points"])
def test_chosen_axis_round_trips_through_the_file(femurless, tmp_path, choose):
    axis = choose(femurless)
    original = ss.Session(axis=ss.axis_spec(axis))
    again = ss.load_session(ss.save_session(original, tmp_path / "s.json"))
    assert again == original
    rebuilt = ss.axis_from_spec(femurless, again.axis)
    assert rebuilt.basis == axis.basis and rebuilt.length_mm == pytest.approx(axis.length_mm, abs=1e-9)
    for name in ("origin", "direction", "anterior"):
        assert np.allclose(getattr(rebuilt, name), getattr(axis, name), atol=1e-9)


def test_a_femurs_own_axis_is_not_stored(default_model):
    assert ss.axis_spec(default_model.femur_axis) is None


def test_version_2_session_loads_without_an_axis():
    old = {"format": "thighview.session", "version": 2, "model": {"path": "/data/a.glb", "sha256": None},
           "level": 0.4}
    session = ss.session_from_json(json.dumps(old))
    assert session.axis is None and session.level == 0.4 and session.model_path == "/data/a.glb"
    assert ss.Session().to_dict()["version"] == ss.VERSION == 5


@pytest.mark.parametrize("axis", [
    {"basis": "femur"}, {"basis": "points", "proximal": [0, 0, 0]},
    {"basis": "points", "proximal": [0, 0], "distal": [0, 0, 1]},
    {"basis": "points", "proximal": [0, 0, "x"], "distal": [0, 0, 1]}, [0, 0, 1],
    {"basis": "principal", "extra": 1},
])
def test_bad_axis_is_a_one_line_error(axis):
    text = json.dumps({"format": "thighview.session", "version": 3, "model": {"path": None}, "axis": axis})
    with pytest.raises(SessionError, match="axis") as info:
        ss.session_from_json(text)
    assert "\n" not in str(info.value)
