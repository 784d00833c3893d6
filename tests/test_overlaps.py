"""Overlapping sections are found, reported and counted once; a contour that folds over itself a
little is repaired, not dropped; a structure that must be dropped is named next to the totals."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from section_shapes import cylinder, model

from thighview.cli import main
from thighview.errors import SectionError
from thighview.model import Structure, ThighModel
from thighview.section import SectionEngine

LEVELS = (0.1, 0.3, 0.5, 0.7, 0.9)


def _with(default_model, name: str, vertices: np.ndarray) -> ThighModel:
    structures = dict(default_model.structures)
    old = structures[name]
    structures[name] = Structure(name, vertices, old.faces, old.compartment)
    return ThighModel(structures, name="edited", side=default_model.side, anterior_hint=default_model.anterior_hint)


@pytest.fixture(scope="module")
def grown(default_model):
    """The built-in model with the vastus lateralis grown by 12 % in section area (about its own
    centre, across the femur axis), so that it overlaps its neighbours."""
    axis = default_model.femur_axis
    vl = default_model["vastus_lateralis"].vertices
    rel = vl - vl.mean(axis=0)
    along = np.outer(rel @ axis.direction, axis.direction)
    return _with(default_model, "vastus_lateralis", vl.mean(axis=0) + along + (rel - along) * np.sqrt(1.12))


def test_a_grown_muscle_reports_overlaps_and_the_whole_is_the_union(grown, default_model):
    engine = SectionEngine(grown, axis=default_model.femur_axis)
    for level in LEVELS:
        section = engine.section(level)
        assert any("vastus_lateralis" in (o.first, o.second) for o in section.overlaps), level
        union_cm2 = shapely.union_all([g for g in section.polygons.values() if not g.is_empty]).area / 100
        assert section.total_area_cm2 == pytest.approx(union_cm2, rel=0.005), level
        assert sum(section.own_areas_cm2.values()) > union_cm2 + sum(o.area_cm2 for o in section.overlaps) * 0.99
        for overlap in section.overlaps:
            assert sum(overlap.given.values()) == pytest.approx(overlap.area_cm2)
        document = section.to_dict()
        assert document["overlaps"] and document["overlap_rule"] == "tissue"


def test_the_clean_built_in_model_has_no_overlaps(default_model):
    engine = SectionEngine(default_model)
    assert all(engine.section(level).overlaps == () for level in LEVELS)


def test_the_areas_table_lists_overlaps_and_the_rule(grown, tmp_path, capsys):
    from thighview.io.writers import write_glb

    path = write_glb(grown, tmp_path / "grown.glb")
    assert main(["areas", str(path), "--level", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "overlaps (cm², each counted once: bone before muscle" in out and "vastus lateralis /" in out
    assert main(["areas", str(path), "--level", "0.5", "--overlap-rule", "halfway", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["overlap_rule"] == "halfway"


def _pair(first: str, second: str, offset: float) -> ThighModel:
    return model({first: cylinder(64, 20.0, 0.0, -100.0), second: cylinder(64, 20.0, 0.0, -100.0, centre=(offset, 0))})


def test_bone_keeps_what_a_muscle_overlaps_and_two_muscles_split_halfway():
    from section_shapes import z_axis

    section = SectionEngine(_pair("femur", "vastus_lateralis", 30.0), axis=z_axis(100.0)).section(0.5)
    (overlap,) = section.overlaps
    assert overlap.given["femur"] == pytest.approx(overlap.area_cm2) and overlap.given["vastus_lateralis"] == 0.0
    assert section.areas_cm2["femur"] == pytest.approx(section.own_areas_cm2["femur"])
    muscles = SectionEngine(_pair("vastus_lateralis", "vastus_medialis", 30.0), axis=z_axis(100.0)).section(0.5)
    (overlap,) = muscles.overlaps
    assert overlap.given["vastus_lateralis"] == pytest.approx(overlap.area_cm2 / 2, rel=0.02)  # mirror images
    halfway = SectionEngine(_pair("femur", "vastus_lateralis", 30.0), axis=z_axis(100.0), overlap_rule="halfway")
    assert halfway.section(0.5).overlaps[0].given["femur"] == pytest.approx(overlap.area_cm2 / 2, rel=0.02)
    with pytest.raises(SectionError, match="overlap rule"):
        SectionEngine(_pair("femur", "vastus_lateralis", 30.0), overlap_rule="biggest")


def test_a_locally_folded_muscle_is_repaired_within_2_percent_with_a_note(default_model, tmp_path, capsys):
    axis = default_model.femur_axis
    vl = default_model["vastus_lateralis"]
    point = axis.level_to_point(0.5)
    h = (vl.vertices - point) @ axis.direction
    rel = vl.vertices - point - np.outer(h, axis.direction)
    radius = np.linalg.norm(rel, axis=1)
    a = int(np.argmax(np.where(np.abs(h) < 6, radius, -1)))  # an outer vertex near mid-thigh
    edges = np.vstack([vl.faces[:, [0, 1]], vl.faces[:, [1, 2]], vl.faces[:, [2, 0]]])
    neighbours = np.unique(edges[edges[:, 0] == a][:, 1])
    along = np.cross(axis.direction, rel[a] / radius[a])
    b = neighbours[np.argmax((vl.vertices[neighbours] - vl.vertices[a]) @ along)]
    folded = vl.vertices.copy()
    folded[a] += 3.0 * (folded[b] - folded[a]) + 2.5 * rel[a] / radius[a]  # pushed past its neighbour, outwards
    edited = _with(default_model, "vastus_lateralis", folded)
    level = axis.to_fraction(axis.point_to_level_mm(vl.vertices[a]) + 0.3)
    section = SectionEngine(edited, axis=axis).section(level)
    clean = SectionEngine(default_model).section(level).areas_cm2["vastus_lateralis"]
    assert "vastus_lateralis" in section.repaired and section.without_area == {}
    assert section.areas_cm2["vastus_lateralis"] == pytest.approx(clean, rel=0.02)
    from thighview.io.writers import write_glb

    path = write_glb(edited, tmp_path / "folded.glb")
    assert main(["areas", str(path), "--level", f"{level:.9f}"]) == 0
    assert "vastus lateralis: its outline crosses itself here; repaired to a valid outline" in capsys.readouterr().out


def test_a_dropped_structure_is_named_next_to_the_totals(tmp_path, capsys):
    from synthetic_thigh import synthetic_model

    from thighview.io.writers import write_glb

    thigh = synthetic_model()
    rf = thigh.structures["rectus_femoris"]
    shifted = rf.vertices + [5.0, 0.0, 0.0]  # a second shell through the first: far too much to repair
    thigh.structures["rectus_femoris"] = Structure("rectus_femoris", np.vstack([rf.vertices, shifted]),
                                                   np.vstack([rf.faces, rf.faces + len(shifted)]), rf.compartment)
    path = write_glb(thigh, tmp_path / "crossed.glb")
    assert main(["areas", str(path)]) == 0
    out = capsys.readouterr().out
    assert "All muscle (without rectus femoris)" in out and "Whole section (without rectus femoris)" in out


def test_the_section_drawing_hatches_overlaps_and_names_them():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from section_shapes import z_axis

    from thighview.render import section2d

    section = SectionEngine(_pair("vastus_lateralis", "vastus_medialis", 30.0), axis=z_axis(100.0)).section(0.5)
    figure = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    section2d.draw_section(ax, section, {"vastus_lateralis": (1, 0, 0), "vastus_medialis": (0, 0, 1)})
    assert [p for p in ax.get_children() if getattr(p, "get_hatch", lambda: None)() == "////"]
    assert any(t.get_text().startswith("Overlaps (hatched, counted once)") and "Vastus lateralis / vastus medialis"
               in t.get_text() for t in ax.texts)
