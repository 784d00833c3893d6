"""``thighview compare`` and the paired export figure: each side's numbers are that model's own."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from thighview import anatomy
from thighview.cli import main
from thighview.procedural.client import build_client
from thighview.procedural.measurements import Measurements


@pytest.fixture(scope="module")
def client_glb(tmp_path_factory):
    m = Measurements(sex="female", height_m=1.62, mass_kg=58, thigh_circumference_cm=48, skinfold_mm=28, side="left")
    return str(build_client(m, tmp_path_factory.mktemp("client"), resolution=16)[2])


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("level", [0.3, 0.5])
def test_compare_numbers_are_each_models_own_areas_and_their_differences(capsys, client_glb, level):
    both = _json(capsys, ["compare", "default", client_glb, "--level", str(level), "--format", "json"])
    own = {"a": _json(capsys, ["areas", "--level", str(level), "--format", "json"]),
           "b": _json(capsys, ["areas", client_glb, "--level", str(level), "--format", "json"])}
    assert both["level"] == own["a"]["level"] == own["b"]["level"]
    assert both["level_mm"] == {"a": own["a"]["level_mm"], "b": own["b"]["level_mm"]}
    for key in ("a", "b"):
        for name, entry in own[key]["structures"].items():
            assert both["structures"][name][key]["area_cm2"] == entry["area_cm2"], (key, name)
        for compartment, entry in own[key]["compartments"].items():
            mine = both["compartments"][compartment][key]
            assert mine["area_cm2"] == entry["area_cm2"] and mine["percent_of_muscle"] == entry["percent_of_muscle"]
    for rows in (both["structures"], both["compartments"]):
        for name, row in rows.items():
            assert row["difference"]["area_cm2"] == pytest.approx(row["b"]["area_cm2"] - row["a"]["area_cm2"],
                                                                  abs=2e-6), name
            if row["a"]["percent_of_muscle"] is not None:
                assert row["difference"]["percentage_points"] == pytest.approx(
                    row["b"]["percent_of_muscle"] - row["a"]["percent_of_muscle"], abs=2e-4), name


def test_compare_table_and_csv_say_the_same(capsys, client_glb):
    both = _json(capsys, ["compare", "default", client_glb, "--format", "json"])
    assert main(["compare", "default", client_glb, "--format", "csv", "--by", "compartment"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    fat = next(r for r in rows if r["name"] == "fat")
    assert float(fat["difference_cm2"]) == pytest.approx(both["compartments"]["fat"]["difference"]["area_cm2"],
                                                         abs=1e-4)
    assert main(["compare", "default", client_glb]) == 0
    table = capsys.readouterr().out
    quads = both["compartments"]["quadriceps"]
    assert f"{quads['a']['area_cm2']:.2f}" in table and f"{quads['difference']['area_cm2']:+.2f}" in table
    assert "left" in table and "percentage points" in table


def test_compare_a_missing_file_is_one_line(capsys, tmp_path):
    assert main(["compare", "default", str(tmp_path / "nope.glb")]) == 1
    err = capsys.readouterr().err.strip()
    assert "nope.glb" in err and "\n" not in err


def test_export_compare_writes_the_paired_figure(tmp_path, client_glb):
    from PIL import Image

    assert main(["export", "--compare", client_glb, "--format", "png", "--levels", "0.5", "--out", str(tmp_path),
                 "--size", "1800x1200", "--quiet"]) == 0
    (path,) = tmp_path.glob("*.png")
    assert path.name == "thigh_default_vs_thigh_section_50.png"
    image = Image.open(path)
    assert image.info["thighview:compared_with"].startswith("Client thigh")
    rgb = np.asarray(image.convert("RGB")).astype(int)
    quadriceps = np.array([round(255 * c) for c in anatomy.hex_to_rgb(
        anatomy.compartment_colour(anatomy.Compartment.QUADRICEPS, "braus"))])
    top = rgb[: int(0.65 * rgb.shape[0])]
    for half in (top[:, : rgb.shape[1] // 2], top[:, rgb.shape[1] // 2:]):  # both sections drawn
        assert (np.abs(half - quadriceps).sum(axis=2) < 40).sum() > 2000
