"""Teaching exports checked on their real outputs: pixels, SVG elements, PDF pages, frames, reloads."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from synthetic_thigh import synthetic_model
from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.errors import ExportError
from thighview.export import figures, tables
from thighview.export.figures import FigureOptions
from thighview.export.provenance import provenance
from thighview.render.colouring import ColourMode, ColourScheme

SVG = "{http://www.w3.org/2000/svg}"
RED, GREEN, BLUE = (anatomy.hex_to_rgb(anatomy.compartment_colour(c)) for c in
                    (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS))


@pytest.fixture(scope="module")
def thigh():
    from thighview.section import SectionEngine

    model = synthetic_model()
    engine = SectionEngine(model)
    return model, engine, engine.section(0.5)


def _anchor(section, name):
    from shapely.ops import polylabel

    point = polylabel(max(section.polygons[name].geoms, key=lambda p: p.area), tolerance=0.5)
    return point.x, point.y


def _pixel(fig, xy_mm, scale=1.0):
    """Image row/column of a section point in a figure rendered at ``scale`` x its dpi."""
    x, y = fig.axes[0].transData.transform(xy_mm)
    height = fig.get_size_inches()[1] * fig.dpi
    return int(round((height - y) * scale)), int(round(x * scale))


def _close(rgb, expected, tol=0.03):
    return np.allclose(np.asarray(rgb[:3], dtype=float) / 255.0, expected, atol=tol)


def test_png_has_the_size_transparency_colours_and_provenance(thigh, tmp_path):
    model, _, section = thigh
    fig = figures.section_figure(section, side=model.side, options=FigureOptions(transparent=True),
                                 size_px=(1000, 875))
    target = figures.save_figure(fig, tmp_path / "s.png", transparent=True,
                                 record=provenance(model, content="section figure", levels=[0.5]))
    image = Image.open(target)
    assert image.size == (1000, 875) and image.mode == "RGBA"
    pixels = np.asarray(image)
    assert pixels[3, 3, 3] == 0, "the background is transparent"
    for name, colour in (("vastus_lateralis", RED), ("adductor_magnus", GREEN), ("biceps_femoris_long_head", BLUE)):
        row, col = _pixel(fig, _anchor(section, name))
        patch = pixels[row - 6:row + 7, col - 6:col + 7].reshape(-1, 4)
        assert any(_close(p, colour) and p[3] == 255 for p in patch), name
    assert image.text["thighview:model"] == "synthetic" and image.text["thighview:levels"] == "0.5"


def test_lateral_is_on_the_viewers_left_for_a_right_thigh(thigh):
    model, _, section = thigh
    fig = figures.section_figure(section, side=model.side, size_px=(800, 700))
    _, lateral_col = _pixel(fig, _anchor(section, "vastus_lateralis"))
    _, medial_col = _pixel(fig, _anchor(section, "vastus_medialis"))
    assert lateral_col < medial_col


def test_svg_keeps_labels_as_text_and_regions_as_coloured_paths(thigh, tmp_path):
    model, _, section = thigh
    fig = figures.section_figure(section, side=model.side, options=FigureOptions(scheme=ColourScheme(mode=ColourMode.COMPARTMENT)))
    target = figures.save_figure(fig, tmp_path / "s.svg", record=provenance(model, content="section figure"))
    root = ET.parse(target).getroot()
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"Vastus lateralis", "Rectus femoris", "Adductor magnus", "Femur", "Linea aspera", "5 cm"} <= texts
    assert any("50% of femur length" in t for t in texts)
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    for name, colour in (("rectus_femoris", "#c8372d"), ("adductor_magnus", "#3f9a45"),
                         ("semimembranosus", "#2f62b5")):
        paths = list(groups[name].iter(f"{SVG}path"))
        assert paths and f"fill: {colour}" in paths[0].get("style")
    description = next(root.iter("{http://purl.org/dc/elements/1.1/}description")).text
    assert json.loads(description)["model"] == "synthetic"


@pytest.mark.skipif(shutil.which("pdftoppm") is None and not os.environ.get("CI"),
                    reason="pdftoppm (poppler-utils) is not installed")
def test_pdf_renders_with_the_regions_and_embedded_fonts(thigh, tmp_path):
    model, _, section = thigh
    fig = figures.section_figure(section, side=model.side, size_px=(1600, 1400))
    target = figures.save_figure(fig, tmp_path / "s.pdf", record=provenance(model, content="section figure"))
    raw = target.read_bytes()
    assert b"/FontFile2" in raw, "TrueType fonts are embedded"
    assert b"ThighView" in raw, "provenance in the info dictionary"
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(target), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB"))
    scale = 72.0 / fig.dpi
    for name, colour in (("vastus_lateralis", RED), ("adductor_magnus", GREEN), ("biceps_femoris_long_head", BLUE)):
        row, col = _pixel(fig, _anchor(section, name), scale)
        patch = page[row - 3:row + 4, col - 3:col + 4].reshape(-1, 3)
        assert any(_close(p, colour, 0.05) for p in patch), name


def test_area_mode_and_table_options_draw(thigh, tmp_path):
    model, _, section = thigh
    fig = figures.section_figure(section, side=model.side, options=FigureOptions(scheme=ColourScheme(mode=ColourMode.AREA), table=True))
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert "Vastus lateralis" in texts and f"{section.areas_cm2['vastus_lateralis']:.1f}" in texts
    assert any(ax.get_xlabel() == "Area per muscle (% of muscle area)" for ax in fig.axes), "a colour bar"


def test_figure_sheet_has_every_level_at_one_scale(thigh, tmp_path):
    model, engine, _ = thigh
    sections = [engine.section(level) for level in (0.3, 0.5, 0.7)]
    fig = figures.sheet_figure(sections, engine.profile(n=20), side=model.side, size_px=(1800, 1100))
    scales = [figures.mm_per_pixel(ax) for ax in fig.axes[:3]]
    assert np.allclose(scales, scales[0])
    target = figures.save_figure(fig, tmp_path / "sheet.png", record=provenance(model, content="sheet"))
    assert Image.open(target).size == (1800, 1100)
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert [t.split("%")[0] for t in titles] == ["30", "50", "70"]


def test_bad_size_and_format_are_refused(thigh, tmp_path):
    model, _, section = thigh
    with pytest.raises(ExportError, match="outside"):
        figures.section_figure(section, size_px=(20000, 100))
    fig = figures.section_figure(section, size_px=(400, 350))
    with pytest.raises(ExportError, match="must be .png, .svg or .pdf"):
        figures.save_figure(fig, tmp_path / "s.jpg", record={})


def _csv_rows(path):
    lines = path.read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    return header, list(csv.DictReader(line for line in lines if not line.startswith("#")))


def test_csv_and_json_match_the_section_engine(thigh, tmp_path):
    model, engine, _ = thigh
    sections = [engine.section(level) for level in (0.3, 0.6)]
    record = provenance(model, content="areas", levels=[0.3, 0.6])
    header, rows = _csv_rows(tables.write_areas(tmp_path / "a.csv", sections, model_name=model.name, record=record))
    assert "# unit area_cm2: square centimetres" in header and "# model: synthetic" in header
    for section in sections:
        mine = {r["name"]: r for r in rows if float(r["level"]) == pytest.approx(section.level) and
                r["kind"] == "structure"}
        assert set(mine) == set(section.areas_cm2)
        for name, area in section.areas_cm2.items():
            assert float(mine[name]["area_cm2"]) == pytest.approx(area, abs=1e-4)
        quads = next(r for r in rows if r["kind"] == "compartment" and r["name"] == "quadriceps"
                     and float(r["level"]) == pytest.approx(section.level))
        assert float(quads["percent_of_muscle"]) == pytest.approx(section.percent_of_muscle(Compartment.QUADRICEPS),
                                                                  abs=0.01)
    document = json.loads(tables.write_areas(tmp_path / "a.json", sections, model_name=model.name,
                                             record=record).read_text())
    assert document["levels"] == [json.loads(json.dumps(s.to_dict(model.name))) for s in sections]
    assert document["units"]["area_cm2"] == "square centimetres" and document["provenance"]["model"] == "synthetic"


def test_profile_tables_hold_every_level(thigh, tmp_path):
    model, engine, _ = thigh
    profile = engine.profile(n=7)
    _, rows = _csv_rows(tables.write_profile(tmp_path / "p.csv", profile, model_name=model.name, record={}))
    assert len({r["level"] for r in rows}) == 7
    document = json.loads(tables.write_profile(tmp_path / "p.json", profile, model_name=model.name,
                                               record={}).read_text())
    assert document["profile"]["structures"]["femur"] == pytest.approx(list(profile.areas_cm2["femur"]), abs=1e-5)


def test_glb_reloads_with_the_same_structures_colours_and_provenance(thigh, tmp_path):
    import pygltflib

    from thighview.export.gltf import write_glb
    from thighview.io import load_model

    model, _, _ = thigh
    colours = {n: anatomy.hex_to_rgb(anatomy.structure_colour(n)) for n in model.structures}
    target = write_glb(tmp_path / "scene.glb", model, colours=colours, opacity={"skin": 0.3},
                       record=provenance(model, content="3-D scene"))
    reloaded = load_model(target)
    assert sorted(reloaded.structures) == sorted(model.structures)
    for name, structure in model.structures.items():
        assert reloaded[name].compartment is structure.compartment
        assert reloaded[name].signed_volume_mm3() == pytest.approx(structure.signed_volume_mm3(), rel=1e-5)
    gltf = pygltflib.GLTF2().load(str(target))
    materials = {m.name: m for m in gltf.materials}
    assert materials["skin"].alphaMode == "BLEND"
    assert materials["skin"].pbrMetallicRoughness.baseColorFactor[3] == pytest.approx(0.3, abs=1 / 255)
    assert materials["vastus_lateralis"].pbrMetallicRoughness.baseColorFactor[:3] == pytest.approx(
        colours["vastus_lateralis"], abs=1 / 255)  # glTF colours travel as 8-bit here
    assert gltf.asset.extras["model"] == "synthetic" and gltf.asset.extras["units"] == "mm"


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_movies_have_the_frames_size_and_comment(tmp_path, suffix):
    import imageio.v2 as imageio

    from thighview.export.movie import write_movie

    frames = [np.full((45, 61, 3), (i * 30, 90, 200 - i * 20), np.uint8) for i in range(7)]
    target = write_movie(tmp_path / f"m{suffix}", frames, fps=7, provenance={"model": "synthetic"})
    reader = imageio.get_reader(target)
    decoded = [frame for frame in reader]
    assert len(decoded) == 7
    expected = (45, 61) if suffix == ".gif" else (46, 62)  # H.264 needs even sides: edge rows repeated
    assert decoded[0].shape[:2] == expected
    assert _close(decoded[3][20, 20], np.array(frames[3][20, 20]) / 255.0, 0.06)
    if suffix == ".gif":
        assert b'"model":"synthetic"' in Image.open(target).info["comment"]
    else:
        assert b'"model":"synthetic"' in target.read_bytes()  # the ©cmt tag of the moov box


def test_movie_frames_must_share_one_size(tmp_path):
    from thighview.export.movie import write_movie

    frames = [np.zeros((20, 20, 3), np.uint8), np.zeros((22, 20, 3), np.uint8)]
    with pytest.raises(ExportError, match="frame 2"):
        write_movie(tmp_path / "m.gif", frames)
    assert list(tmp_path.iterdir()) == []


def test_without_the_video_extra_mp4_is_one_line_naming_it_and_gif_still_works(tmp_path, monkeypatch, capsys):
    """Without imageio-ffmpeg (``pip install thighview`` without ``[video]``): refused before any frame."""
    import sys

    from thighview.cli import main
    from thighview.errors import MissingExtraError
    from thighview.export.movie import write_movie

    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if not installed: find_spec gives None
    frames = [np.zeros((20, 20, 3), np.uint8)] * 3
    with pytest.raises(MissingExtraError, match=r"pip install 'thighview\[video\]'"):
        write_movie(tmp_path / "m.mp4", frames)
    assert write_movie(tmp_path / "m.gif", frames).is_file()
    for argv in (["animate", "--level", "0.5", "--out", str(tmp_path / "demo.mp4")],
                 ["export", "--format", "mp4", "--out", str(tmp_path)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "thighview[video]" in err and "GIF works without it" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.gif"]


def test_level_sweep_frames_share_one_scale_and_decode(thigh, tmp_path):
    import imageio.v2 as imageio

    from thighview.export.animations import sweep_frames, sweep_levels
    from thighview.export.movie import write_movie

    model, engine, _ = thigh
    levels = sweep_levels(4)
    target = write_movie(tmp_path / "sweep.gif", sweep_frames(engine, levels, side=model.side, size_px=(320, 280)),
                         n_frames=4, fps=4)
    decoded = imageio.mimread(target)
    assert len(decoded) == 4 and decoded[0].shape[:2] == (280, 320)
