"""``thighview areas`` and ``thighview profile`` on a model file with known areas."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from section_shapes import straight_thigh, straight_thigh_areas_mm2

from thighview.cli import main
from thighview.cli_commands.areas import parse_levels
from thighview.errors import LevelError


@pytest.fixture(scope="module")
def thigh_file(tmp_path_factory):
    """The straight test thigh as a GLB with a sidecar saying which way is anterior."""
    import trimesh

    folder = tmp_path_factory.mktemp("model")
    scene = trimesh.Scene()
    for name, (vertices, faces) in straight_thigh().items():
        scene.add_geometry(trimesh.Trimesh(vertices, faces, process=False), node_name=name, geom_name=name)
    path = folder / "straight.glb"
    path.write_bytes(scene.export(file_type="glb"))
    (folder / "straight.json").write_text(json.dumps({"name": "straight", "side": "right", "anterior": [0, 1, 0]}))
    return path


def test_areas_json_for_one_level_is_the_documented_object(thigh_file, capsys):
    assert main(["areas", str(thigh_file), "--level", "0.5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "straight" and data["level"] == 0.5 and data["level_mm"] == pytest.approx(200.0)
    for name, expected in straight_thigh_areas_mm2().items():
        assert data["structures"][name]["area_cm2"] == pytest.approx(expected / 100, abs=1e-6)
    assert data["compartments"]["quadriceps"]["percent_of_total"] > 0


def test_areas_json_for_several_levels_is_a_list(thigh_file, capsys):
    assert main(["areas", str(thigh_file), "--levels", "0.1:0.9:0.2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["level"] for d in data] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])


def test_areas_csv_by_compartment(thigh_file, capsys):
    assert main(["areas", str(thigh_file), "--level-mm", "120", "--by", "compartment", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    by_name = {row["compartment"]: row for row in rows}
    expected = straight_thigh_areas_mm2()
    assert float(by_name["hamstrings"]["area_cm2"]) == pytest.approx(
        (expected["semitendinosus"] + expected["biceps_femoris_long_head"]) / 100, abs=1e-4)
    assert by_name["bone"]["percent_of_muscle"] == ""
    assert {row["level_mm"] for row in rows} == {"120.00"}


def test_areas_table_states_units_and_lists_structures(thigh_file, capsys):
    assert main(["areas", str(thigh_file)]) == 0
    out = capsys.readouterr().out
    assert "cm²" in out and "20.0 cm" in out
    assert "Vastus lateralis" in out and "Whole section" in out
    assert "bone coverage" in out


def test_bad_level_is_one_line_error(thigh_file, capsys):
    assert main(["areas", str(thigh_file), "--level", "1.5"]) == 1
    err = capsys.readouterr().err.strip()
    assert "outside the femur" in err and "\n" not in err


@pytest.mark.parametrize("suffix", [".csv", ".json", ".png"])
def test_profile_writes_each_format(thigh_file, tmp_path, suffix, capsys):
    out = tmp_path / f"profile{suffix}"
    assert main(["profile", str(thigh_file), "--out", str(out), "--levels", "0.1:0.9:0.1"]) == 0
    if suffix == ".json":
        profile = json.loads(out.read_text())["profile"]
        assert len(profile["levels"]) == 9
        assert profile["structures"]["femur"][0] == pytest.approx(straight_thigh_areas_mm2()["femur"] / 100, abs=1e-6)
    elif suffix == ".csv":
        assert "area_cm2" in out.read_text()
    else:
        from PIL import Image

        with Image.open(out) as image:
            pixels = np.asarray(image.convert("RGB"))
        assert pixels.shape[1] == 1600
        assert (pixels.std(axis=2) > 40).sum() > 500  # coloured lines were drawn


def test_profile_refuses_to_overwrite_and_bad_suffix(thigh_file, tmp_path, capsys):
    out = tmp_path / "p.csv"
    out.write_text("keep me")
    assert main(["profile", str(thigh_file), "--out", str(out)]) == 1
    assert out.read_text() == "keep me"
    assert main(["profile", str(thigh_file), "--out", str(tmp_path / "p.txt")]) == 1
    assert ".csv, .json or .png" in capsys.readouterr().err


@pytest.mark.parametrize("spec, expected", [("0.1:0.3:0.1", [0.1, 0.2, 0.3]), ("0.25,0.5", [0.25, 0.5]),
                                            ("0:1:0.5", [0.0, 0.5, 1.0])])
def test_parse_levels(spec, expected):
    assert parse_levels(spec) == pytest.approx(expected)


@pytest.mark.parametrize("spec", ["a:b:c", "0.1:0.9", "0.5:0.1:0.1", "0.1:0.9:0", ","])
def test_parse_levels_rejects_nonsense(spec):
    with pytest.raises(LevelError):
        parse_levels(spec)
