"""A model without a femur: the user's axis (longest principal axis, or two points) gives exact
sections, tilted or not; ``--axis`` on the command line; the found femur axis is untouched."""

from __future__ import annotations

import json

import numpy as np
import pytest
from section_shapes import cylinder, model, moved, polygon_area, rotation, straight_thigh, straight_thigh_areas_mm2

from thighview.cli import main
from thighview.errors import ModelError
from thighview.femur_axis import FemurAxis
from thighview.section import SectionEngine

LENGTH = 400.0


def femurless() -> dict:
    meshes = straight_thigh(LENGTH)
    del meshes["femur"]
    return meshes


def expected_mm2() -> dict[str, float]:
    return {name: area for name, area in straight_thigh_areas_mm2().items() if name != "femur"}


TILT = rotation(np.array([0.9, 0.3, -0.2, 0.25]))
SHIFT = np.array([12.0, -40.0, 300.0])


def test_a_model_without_femur_says_to_choose_an_axis():
    with pytest.raises(ModelError, match="no femur: choose an axis"):
        _ = model(femurless()).femur_axis


@pytest.mark.parametrize("tilted", [False, True])
def test_principal_axis_gives_exact_areas(tilted):
    meshes = moved(femurless(), TILT, SHIFT) if tilted else femurless()
    thigh = model(meshes)
    axis = FemurAxis.from_principal_axis(thigh)
    thigh.set_axis(axis)
    assert axis.basis == "principal" and "extent" in axis.length_name
    assert axis.length_mm == pytest.approx(LENGTH, rel=1e-9)
    engine = SectionEngine(thigh)
    assert engine.axis is axis
    for level in (0.13, 0.5, 0.9):
        areas = engine.section(level).areas_cm2
        for name, mm2 in expected_mm2().items():
            assert areas[name] == pytest.approx(mm2 / 100.0, rel=1e-6), (name, level)


def test_principal_axis_proximal_end_is_the_larger_thigh_end():
    """A muscle only in the upper half (z from 0 to -200): the upper end is proximal, whichever way
    the file points."""
    meshes = femurless()
    meshes["vastus_medialis"] = cylinder(40, 15.0, 0.0, -LENGTH / 2, centre=(-20.0, 30.0))
    for sign in (1.0, -1.0):
        flipped = {name: (v * [1, 1, sign], f if sign > 0 else f[:, ::-1]) for name, (v, f) in meshes.items()}
        axis = FemurAxis.from_principal_axis(model(flipped))
        assert axis.direction @ [0, 0, sign] < -0.999  # the extra muscle tilts the axis a little
        assert abs(axis.origin[2]) < 2.0


def test_alike_ends_follow_superior_plus_z():
    axis = FemurAxis.from_principal_axis(model(femurless()))
    assert axis.direction == pytest.approx([0, 0, -1], abs=1e-6)
    assert axis.anterior == pytest.approx([0, 1, 0], abs=0.2)  # towards the rectus femoris


def test_two_point_axis_tilted_gives_exact_areas_and_levels_between_the_points():
    thigh = model(moved(femurless(), TILT, SHIFT))
    proximal, distal = TILT @ [0, 0, -50.0] + SHIFT, TILT @ [0, 0, -350.0] + SHIFT
    axis = FemurAxis.from_points(thigh, proximal, distal)
    thigh.set_axis(axis)
    assert axis.length_mm == pytest.approx(300.0) and axis.basis == "points"
    assert axis.level_to_point(0.0) == pytest.approx(proximal) and axis.level_to_point(1.0) == pytest.approx(distal)
    assert axis.anterior @ (TILT @ [0, 1.0, 0]) > 0.9  # towards the rectus femoris
    engine = SectionEngine(thigh)
    section = engine.section(level_mm=150.0)
    for name, mm2 in expected_mm2().items():
        assert section.areas_cm2[name] == pytest.approx(mm2 / 100.0, rel=1e-9), name
    assert section.frame.origin == pytest.approx(TILT @ [0, 0, -200.0] + SHIFT)


@pytest.mark.parametrize("proximal, distal, phrase", [
    ([0, 0, 0], [0, 0, 0], "same point"),
    ([0, 0, np.nan], [0, 0, -1], "not finite"),
    ([0, 0], [0, 0, -1], "not three numbers"),
])
def test_bad_points_are_model_errors(proximal, distal, phrase):
    with pytest.raises(ModelError, match=phrase):
        FemurAxis.from_points(model(femurless()), proximal, distal)


def test_set_axis_replaces_a_found_femur_axis():
    thigh = model(straight_thigh(LENGTH))
    assert thigh.femur_axis.basis == "femur"
    chosen = FemurAxis.from_points(thigh, [0, 0, -100.0], [0, 0, -300.0])
    thigh.set_axis(chosen)
    assert thigh.femur_axis is chosen


# --- command line -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def femurless_file(tmp_path_factory):
    import trimesh

    scene = trimesh.Scene()
    for name, (vertices, faces) in femurless().items():
        scene.add_geometry(trimesh.Trimesh(vertices, faces, process=False), node_name=name, geom_name=name)
    path = tmp_path_factory.mktemp("femurless") / "nofemur.glb"
    path.write_bytes(scene.export(file_type="glb"))
    return path


@pytest.mark.parametrize("spec, level_mm", [("principal", 200.0), ("0,0,-100:0,0,-300", 100.0)])
def test_areas_cli_with_axis(femurless_file, capsys, spec, level_mm):
    assert main(["areas", str(femurless_file), "--axis", spec, "--level", "0.5", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["level_mm"] == pytest.approx(level_mm)
    for name, mm2 in expected_mm2().items():
        assert result["structures"][name]["area_cm2"] == pytest.approx(mm2 / 100.0, rel=1e-4)


def test_areas_table_says_what_levels_measure(femurless_file, capsys):
    assert main(["areas", str(femurless_file), "--axis", "0,0,-100:0,0,-300", "--level", "0.5"]) == 0
    assert "level 50.0% of the distance between the two axis points = 10.0 cm" in capsys.readouterr().out


def test_info_cli_says_what_levels_measure(femurless_file, capsys):
    assert main(["info", str(femurless_file), "--axis", "principal"]) == 0
    out = capsys.readouterr().out
    assert "principal axis" in out and "400 mm" in out


def test_without_axis_the_cli_says_to_choose_one(femurless_file, capsys):
    assert main(["areas", str(femurless_file), "--level", "0.5"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--axis" in err


@pytest.mark.parametrize("spec, phrase", [
    ("longest", "--axis"), ("1,2:3,4,5", "--axis"), ("a,b,c:1,2,3", "--axis"), ("1,2,3:1,2,3", "same point"),
    ("1,2,3:4,5,inf", "not finite"),
])
def test_bad_axis_values_are_one_line_errors(femurless_file, capsys, spec, phrase):
    assert main(["areas", str(femurless_file), "--axis", spec, "--level", "0.5"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and phrase in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["profile", "export", "pressure", "animate"])
def test_every_model_command_accepts_axis(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "--axis" in capsys.readouterr().out
