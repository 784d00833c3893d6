"""Part of a femur (a knee MRI, a hip CT, a thigh MRI): which part, its shaft axis, levels from a landmark."""

from __future__ import annotations

import numpy as np
import pytest
from partial_femur import piece
from scipy.spatial.transform import Rotation

from thighview.errors import ModelError
from thighview.section import SectionEngine

# (name, start and stop in mm from the proximal end of the built-in femur; None = past the end)
PIECES = {
    "distal 6 cm with the condyles": (-60.0, None),
    "proximal 8 cm with head and trochanters": (None, 80.0),
    "20 cm of mid-shaft": (130.0, 330.0),
}
EXPECTED = {  # kind, what the wording must say
    "distal 6 cm with the condyles": ("distal", "levels in mm from the knee joint line", "above the knee joint line"),
    "proximal 8 cm with head and trochanters": ("proximal", "levels in mm from the top of the femur",
                                                "below the top of the femur"),
    "20 cm of mid-shaft": ("shaft", "levels in mm from the top of the scan", "below the top of the scan"),
}


def _span(default_model, name: str) -> tuple[float, float]:
    length = default_model.femur_axis.length_mm
    start, stop = PIECES[name]
    return (length + start if start is not None and start < 0 else -1.0 if start is None else start,
            length + 1.0 if stop is None and start is not None and start < 0 else stop)


@pytest.fixture(scope="module", params=list(PIECES))
def moved_piece(request, default_model):
    seed = list(PIECES).index(request.param)
    rotation = Rotation.random(random_state=np.random.default_rng(seed + 7))
    shift = np.random.default_rng(seed).normal(0.0, 300.0, 3)
    start, stop = _span(default_model, request.param)
    return request.param, start, stop, rotation, shift, piece(default_model, start, stop, rotation, shift)


def test_the_piece_is_recognised_and_its_shaft_axis_found(moved_piece, default_model):
    name, start, stop, rotation, _, model = moved_piece
    axis = model.femur_axis
    truth = rotation.apply(default_model.femur_axis.direction)
    angle = np.degrees(np.arccos(np.clip(axis.direction @ truth, -1.0, 1.0)))
    assert angle < 3.0, f"{name}: {angle:.2f} degrees off the full femur's shaft axis (or pointing the wrong way)"
    kind, wording, _ = EXPECTED[name]
    assert axis.piece.kind == kind and axis.levels_in_mm
    assert wording in axis.describe() and "±" in axis.describe()
    assert axis.length_mm == pytest.approx(min(stop, default_model.femur_axis.length_mm) - max(start, 0.0), abs=2.0)


def test_same_areas_at_the_same_physical_level(moved_piece, default_model):
    name, start, stop, rotation, shift, model = moved_piece
    full_axis = default_model.femur_axis
    full, cut = SectionEngine(default_model), SectionEngine(model)
    low, high = max(start, 0.0), min(stop, full_axis.length_mm)
    for mm in low + np.array([0.2, 0.5, 0.8]) * (high - low):
        point = rotation.apply(full_axis.level_to_point(level_mm=mm)) + shift
        here = cut.section(level_mm=float(cut.axis.point_to_level_mm(point)))
        there = full.areas(level_mm=mm)
        assert here.total_area_cm2 == pytest.approx(sum(there[n] for n in here.areas_cm2), rel=0.01), (name, mm)
        for structure, area in here.areas_cm2.items():
            assert area == pytest.approx(there[structure], rel=0.01, abs=0.02), (name, mm, structure)
        assert EXPECTED[name][2] in here.where


def test_distal_levels_count_up_from_the_knee_joint_line(default_model):
    rotation = Rotation.from_euler("xyz", [20, -35, 70], degrees=True)
    length = default_model.femur_axis.length_mm
    axis = piece(default_model, length - 60.0, length + 1.0, rotation, np.zeros(3)).femur_axis
    assert axis.level_words(axis.length_mm - 15.0) == "15 mm above the knee joint line"
    assert axis.piece.parts[0] == "condyles"


def test_a_bare_distal_piece_is_the_knee_end_and_a_bare_proximal_piece_the_hip_end(default_model):
    length = default_model.femur_axis.length_mm
    rotation = Rotation.from_euler("zyx", [10, 120, -40], degrees=True)
    knee = piece(default_model, length - 60.0, length + 1.0, rotation, np.zeros(3), bone_only=True).femur_axis
    hip = piece(default_model, -1.0, 80.0, rotation, np.zeros(3), bone_only=True).femur_axis
    truth = rotation.apply(default_model.femur_axis.direction)
    assert knee.piece.kind == "distal" and knee.direction @ truth > np.cos(np.radians(3))
    assert hip.piece.kind == "proximal" and hip.direction @ truth > np.cos(np.radians(3))


def test_given_femur_length_turns_levels_into_estimated_fractions(default_model):
    length = default_model.femur_axis.length_mm
    identity = Rotation.identity()
    knee = piece(default_model, length - 60.0, length + 1.0, identity, np.zeros(3)).femur_axis
    estimated = knee.with_femur_length(length)
    assert not estimated.levels_in_mm and "estimated" in estimated.length_name
    assert default_model.femur_axis.point_to_level_mm(estimated.origin) == pytest.approx(0.0, abs=1.0)  # the hip end
    assert "50% of femur length (estimated: 448 mm" in estimated.level_words(length / 2)
    shaft = piece(default_model, 130.0, 330.0, identity, np.zeros(3)).femur_axis
    with pytest.raises(ModelError, match="neither"):
        shaft.with_femur_length(450.0)
    with pytest.raises(ModelError, match="shorter than the femur piece"):
        knee.with_femur_length(40.0)
    with pytest.raises(ModelError, match="whole bone"):
        default_model.femur_axis.with_femur_length(450.0)


@pytest.mark.parametrize("tilt_deg", [8.0, 16.0])
def test_an_oblique_scan_cut_is_within_the_stated_uncertainty(default_model, tilt_deg):
    """A knee scan sliced obliquely to the femur's axis: the axis leans with the cut, still points
    from hip to knee, and the stated uncertainty (from the line through the section centres) covers
    the error."""
    length = default_model.femur_axis.length_mm
    full = default_model.femur_axis
    tilted = Rotation.from_rotvec(np.radians(tilt_deg) * full.anterior).apply(full.direction)
    axis_model = piece(default_model, length - 70.0, length + 1.0, Rotation.identity(), np.zeros(3), bone_only=True)
    femur = axis_model["femur"]
    from partial_femur import clip

    top = full.origin + (length - 60.0) * full.direction
    v, f = clip(default_model.femur.vertices, default_model.femur.faces, top, tilted)
    axis_model.structures["femur"] = type(femur)("femur", v, f, femur.compartment)
    axis = axis_model.femur_axis
    error = np.degrees(np.arccos(np.clip(axis.direction @ full.direction, -1, 1)))
    assert axis.piece.kind == "distal" and error <= axis.piece.uncertainty_deg


@pytest.fixture(scope="module")
def knee_scan(default_model, tmp_path_factory):
    """The distal 79 mm of the built-in thigh, turned and moved, as a GLB file."""
    from thighview.io.writers import write_glb

    length = default_model.femur_axis.length_mm
    model = piece(default_model, length - 79.0, length + 1.0, Rotation.from_euler("xyz", [15, -20, 30], degrees=True),
                  np.array([40.0, -20.0, 100.0]))
    return write_glb(model, tmp_path_factory.mktemp("knee") / "knee.glb")


def test_cli_states_the_piece_and_counts_levels_from_the_knee(knee_scan, capsys):
    import json

    from thighview.cli import main

    assert main(["info", str(knee_scan)]) == 0
    assert "femur: distal 79 mm of the femur (condyles): levels in mm from the knee joint line" in capsys.readouterr().out
    assert main(["areas", str(knee_scan), "--level", "0.5"]) == 0
    table = capsys.readouterr().out
    assert "level 40 mm above the knee joint line" in table and "of the femur" in table
    assert main(["areas", str(knee_scan), "--level", "0.5", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["level_from_landmark"] == "40 mm above the knee joint line"
    assert main(["areas", str(knee_scan), "--level", "0.5", "--femur-length", "448"]) == 0
    assert "estimated: 448 mm" in capsys.readouterr().out
