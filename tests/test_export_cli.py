"""``thighview export``: batch outputs on the default model, refusals, and the 3-D picture."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thighview", *args], capture_output=True, text=True, timeout=300)


def test_batch_tables_match_the_section_engine_on_the_default_model(default_model, tmp_path):
    from thighview.section import SectionEngine

    result = _run("export", "--levels", "0.3,0.5,0.7", "--format", "csv,json", "--profile", "10", "--out",
                  str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["thigh_default_areas.csv", "thigh_default_areas.json", "thigh_default_profile.csv",
                       "thigh_default_profile.json"]
    assert "[4/4] thigh_default_profile.json" in result.stderr, "progress on stderr"
    assert result.stdout.split() == [str(tmp_path / name) for name in
                                     ("thigh_default_areas.csv", "thigh_default_profile.csv",
                                      "thigh_default_areas.json", "thigh_default_profile.json")]
    engine = SectionEngine(default_model)
    document = json.loads((tmp_path / "thigh_default_areas.json").read_text())
    lines = [line for line in (tmp_path / "thigh_default_areas.csv").read_text().splitlines()
             if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    for level, entry in zip((0.3, 0.5, 0.7), document["levels"]):
        section = engine.section(level)
        assert entry["level"] == pytest.approx(level)
        for name, area in section.areas_cm2.items():
            assert entry["structures"][name]["area_cm2"] == pytest.approx(area, abs=1e-5)
            row = next(r for r in rows if r["name"] == name and float(r["level"]) == pytest.approx(level))
            assert float(row["area_cm2"]) == pytest.approx(area, abs=1e-4)
    assert document["provenance"]["model_source"].endswith("thigh_default.glb")


def test_existing_files_are_refused_before_any_work_and_replaced_with_force(default_model, tmp_path, capsys):
    taken = tmp_path / "thigh_default_areas.json"
    taken.write_text("mine")
    assert main(["export", "--format", "csv,json", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "thigh_default_areas.json: already exists (use --force to overwrite)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thigh_default_areas.json"], "nothing else written"
    assert taken.read_text() == "mine"
    assert main(["export", "--format", "csv,json", "--out", str(tmp_path), "--force", "--quiet"]) == 0
    assert json.loads(taken.read_text())["levels"][0]["level"] == 0.5


@pytest.mark.parametrize("args, message", [
    (["--format", "bmp"], "unknown format 'bmp'"),
    (["--size", "big"], "cannot read size 'big'"),
    (["--size", "10000x10"], "outside 64..8192"),
    (["--levels", "1.5"], "outside the femur"),
    (["--out", "no/such/folder"], "the output folder does not exist"),
    (["--format", "png3d", "--view", "sideways"], "unknown view 'sideways'"),
    (["--format", "gif", "--fps", "0"], "frames per second must be positive"),
])
def test_bad_requests_are_one_line_errors(default_model, tmp_path, capsys, args, message):
    os.chdir(tmp_path)
    assert main(["export", *args]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("thighview: error:") and message in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_figures_and_glb_in_one_batch(default_model, tmp_path):
    from thighview.io import load_model

    assert main(["export", "--levels", "0.4", "--format", "png,svg,glb", "--size", "800x700", "--out", str(tmp_path),
                 "--quiet"]) == 0
    assert Image.open(tmp_path / "thigh_default_section_40.png").size == (800, 700)
    assert "<text" in (tmp_path / "thigh_default_section_40.svg").read_text()
    reloaded = load_model(tmp_path / "thigh_default_scene.glb")
    assert sorted(reloaded.structures) == sorted(default_model.structures)


@pytest.mark.render
def test_3d_picture_has_size_transparency_and_section_colours(tmp_path):
    from synthetic_thigh import synthetic_model
    from thighview.export.scene import SceneOptions, write_scene_png
    from thighview.section import SectionEngine

    model = synthetic_model()
    engine = SectionEngine(model)
    options = SceneOptions(view="down_femur", plane=False, lighting=False, title="", legend=False, transparent=True)
    target = write_scene_png(tmp_path / "down.png", model, engine, 0.5, size=(400, 300), options=options,
                             record={"model": "synthetic"})
    image = Image.open(target)
    assert image.size == (400, 300) and image.text["thighview:model"] == "synthetic"
    pixels = np.asarray(image)
    assert pixels[0, 0, 3] == 0, "transparent background"
    bone = np.array(anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.BONE))) * 255
    assert np.abs(pixels[150, 200, :3] - bone).max() <= 4, "the femur at the centre, looking down its axis"
    colours = pixels[pixels[..., 3] == 255][:, :3].astype(float)
    for compartment in (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS):
        expected = np.array(anatomy.hex_to_rgb(anatomy.compartment_colour(compartment))) * 255
        assert (np.abs(colours - expected).max(axis=1) <= 4).sum() > 300, compartment


@pytest.mark.render
def test_turntable_and_pressure_movies_from_the_cli(tmp_path):
    import imageio.v2 as imageio

    from synthetic_thigh import synthetic_model
    from thighview.export.gltf import write_glb

    model = synthetic_model()
    source = write_glb(tmp_path / "synthetic.glb", model, colours={})
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", str(source), "--format", "mp4", "--animation", "turntable", "--frames", "6",
                 "--size", "320x240", "--out", str(out), "--quiet"]) == 0
    frames = [frame for frame in imageio.get_reader(out / "synthetic_turntable.mp4")]  # len() is inf
    assert len(frames) == 6 and frames[0].shape[:2] == (240, 320)
    assert np.abs(frames[0].astype(int) - frames[3].astype(int)).mean() > 1, "the camera turned"
    assert main(["export", str(source), "--format", "mp4", "--animation", "pressure", "--frames", "5",
                 "--out", str(out), "--quiet"]) == 0
    assert sum(1 for _ in imageio.get_reader(out / "synthetic_pressure_compare.mp4")) == 5


@pytest.mark.render
def test_a_pressure_export_can_show_the_large_deformation_solve(tmp_path):
    """`export --animation pressure --large-deformation`: the frames are the large-deformation solve's (the app's
    exports follow its setting), a different picture from the linear model's at full load."""
    import imageio.v2 as imageio

    from synthetic_thigh import synthetic_model
    from thighview.export.gltf import write_glb

    source = write_glb(tmp_path / "synthetic.glb", synthetic_model(), colours={})
    pictures = {}
    for flags in ([], ["--large-deformation"]):
        out = tmp_path / ("large" if flags else "linear")
        out.mkdir()
        assert main(["export", str(source), "--format", "gif", "--animation", "pressure", "--frames", "3",
                     "--direction", "into-bone", "--size", "640x360", "--out", str(out), "--quiet", *flags]) == 0
        pictures[out.name] = imageio.mimread(out / "synthetic_pressure_into-bone.gif")[1][..., :3].astype(int)
    changed = np.any(np.abs(pictures["linear"] - pictures["large"]) > 30, axis=-1).mean()
    assert changed > 0.002, f"only {changed:.2%} of the pixels differ"
