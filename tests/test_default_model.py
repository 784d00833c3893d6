"""The shipped default thigh (meshes/thigh_default.glb + .json) against its anatomical targets.

Every figure comes from ``anatomy_targets.json``; areas are measured on the shipped surfaces
with the section engine, the same way the app measures them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
import trimesh

from thighview import anatomy
from thighview._resources import data_path, default_model_path
from thighview.anatomy import Compartment
from thighview.procedural import build, outline
from thighview.section import SectionEngine

TARGETS = json.loads(data_path("anatomy_targets.json").read_text(encoding="utf-8"))
LEVELS = np.linspace(0.05, 0.95, 50)
MUSCLES = [n for n in TARGETS["muscle_volume_cm3"] if n in anatomy.canonical_names()]


@pytest.fixture(scope="module")
def engine(default_model):
    return SectionEngine(default_model)


@pytest.fixture(scope="module")
def sections(engine):
    return {round(float(t), 4): engine.section(float(t)) for t in LEVELS}


@pytest.fixture(scope="module")
def mid(engine):
    return engine.section(0.5)


@pytest.fixture(scope="module")
def profile(engine):
    return engine.profile(np.linspace(0.02, 0.98, 97))


def test_the_shipped_files_are_what_build_model_writes(tmp_path):
    """meshes/ holds exactly the command's output with its defaults (regenerated: a few seconds)."""
    _, glb, meta = build(tmp_path)
    shipped = default_model_path()
    assert glb.read_bytes() == shipped.read_bytes(), "run `thighview build-model --out meshes`"
    assert meta.read_bytes() == shipped.with_suffix(".json").read_bytes()
    assert shipped.stat().st_size <= 15e6


def test_every_structure_is_named_closed_manifold_and_outward(default_model):
    assert set(default_model.names) == set(anatomy.canonical_names())
    for structure in default_model.structures.values():
        assert structure.compartment is anatomy.compartment_of(structure.name)
        mesh = trimesh.Trimesh(structure.vertices, structure.faces, process=False)
        mesh.merge_vertices()
        assert mesh.is_watertight, structure.name
        assert mesh.is_winding_consistent, structure.name
        assert mesh.volume > 0, structure.name


def test_sidecar_describes_the_model(default_model):
    meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["units"] == "mm" and meta["side"] == "right"
    assert set(meta["structures"]) == set(default_model.names)
    assert meta["generator"]["version"] and meta["generator"]["seed"] == 0
    assert "Handsfield" in " ".join(meta["sources"])


def test_sections_tile_the_thigh_without_overlaps_or_gaps(sections):
    for level, section in sections.items():
        polygons = [p for p in section.polygons.values() if not p.is_empty]
        skin = max(section.polygons["skin"].geoms, key=lambda g: g.area)
        outline_area = shapely.Polygon(skin.exterior).area
        union = shapely.union_all(polygons).area
        assert sum(p.area for p in polygons) - union < 0.005 * outline_area, f"overlap at {level}"
        assert outline_area - union < 0.01 * outline_area, f"gap at {level}"
        assert not section.open_structures


def test_muscle_volumes_within_15_percent(default_model):
    for name in MUSCLES:
        volume = default_model[name].signed_volume_mm3() / 1000.0
        assert volume == pytest.approx(TARGETS["muscle_volume_cm3"][name], rel=0.15), name


_PEAK_GROUPS = {
    "adductors_group": ["adductor_longus", "adductor_brevis", "adductor_magnus"],
    "biceps_femoris": ["biceps_femoris_long_head", "biceps_femoris_short_head"],
}


def test_each_muscle_peaks_within_10_points_of_its_target(profile):
    for key, percent in TARGETS["csa_peak_position_percent_from_proximal"].items():
        if key == "source":
            continue
        area = sum(np.asarray(profile.areas_cm2[n]) for n in _PEAK_GROUPS.get(key, [key]))
        peak = 100.0 * profile.levels[int(np.nanargmax(area))]
        assert abs(peak - percent) <= 10.0, (key, peak, percent)


def test_femur_length_and_midshaft_diameter(default_model, mid):
    femur = TARGETS["femur"]
    assert default_model.femur_axis.length_mm == pytest.approx(femur["length_mm"]["value"], rel=0.05)
    x0, _, x1, _ = mid.polygons["femur"].bounds  # x = mediolateral: the transverse diameter
    assert x1 - x0 == pytest.approx(femur["midshaft_diameter_mm"]["value"], rel=0.05)


@pytest.mark.parametrize("level, key", [(outline.GLUTEAL_FOLD_LEVEL, "circumference_upper_cm"),
                                        (outline.ABOVE_KNEE_LEVEL, "circumference_lower_cm")])
def test_thigh_circumference(engine, level, key):
    skin = max(engine.section(level).polygons["skin"].geoms, key=lambda g: g.area)
    assert skin.exterior.length / 10.0 == pytest.approx(TARGETS["thigh_outline"][key]["value"], rel=0.05)


@pytest.mark.parametrize("level", [0.3, 0.5, 0.7])
def test_quadriceps_hold_about_half_the_muscle(engine, level):
    assert 45.0 <= engine.section(level).percent_of_muscle(Compartment.QUADRICEPS) <= 60.0


def test_mid_thigh_layout_reads_like_braus(mid):
    quads_and_adductors = mid.percent_of_muscle(Compartment.QUADRICEPS) + mid.percent_of_muscle(Compartment.ADDUCTORS)
    assert 70.0 <= quads_and_adductors <= 80.0
    # the vastus lateralis wraps round behind the femur's centre
    assert mid.polygons["vastus_lateralis"].bounds[1] < mid.femur_centre[1]
    assert mid.bone_coverage[Compartment.QUADRICEPS] >= 0.60
    # adductors medial (x > 0 is the patient's left = medial for a right thigh), hamstrings posterior
    adductors = shapely.union_all([mid.polygons[n] for n in ("adductor_longus", "adductor_magnus", "gracilis")])
    hamstrings = shapely.union_all([mid.polygons[n] for n in ("semitendinosus", "semimembranosus",
                                                              "biceps_femoris_long_head")])
    assert adductors.centroid.x > mid.femur_centre[0]
    assert hamstrings.centroid.y < mid.femur_centre[1] - 20.0


def _offset(section, name: str) -> np.ndarray:
    """A structure's centroid relative to the femur centre (x > 0 medial for a right thigh, y > 0 anterior)."""
    return np.asarray(section.polygons[name].centroid.coords[0]) - section.femur_centre


@pytest.mark.parametrize("level", [0.8, 0.85, 0.9])
def test_above_the_knee_nothing_slides_round_the_front(engine, level):
    sec = engine.section(level)
    assert _offset(sec, "sartorius")[0] > 25.0  # medial, towards the pes anserinus
    gracilis = _offset(sec, "gracilis")
    assert gracilis[0] > 25.0 and gracilis[1] < 0.0  # posteromedial
    for name in ("semimembranosus", "semitendinosus", "biceps_femoris_long_head"):
        assert _offset(sec, name)[1] < -20.0  # behind the femur
    assert _offset(sec, "vastus_medialis")[1] > 10.0  # in front


def test_sartorius_crosses_from_the_asis_to_the_medial_side(engine):
    top, third = (_offset(engine.section(t), "sartorius") for t in (0.05, 0.33))
    assert top[0] < 0.0 and top[1] > 20.0  # anterolateral near the hip
    assert third[0] > 40.0  # medial a third of the way down
