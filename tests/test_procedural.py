"""The default-thigh generator: its 2-D partitions, its surfaces, its files and its command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
import trimesh
from shapely.geometry import Polygon

from thighview import anatomy
from thighview.cli import main
from thighview.procedural import generate, plan
from thighview.procedural.generator import layout, level_rings, partition_rings
from thighview.procedural.writer import write_model

SMALL = 24  # levels: enough to exercise every code path in a second


@pytest.fixture(scope="module")
def reference_layout():
    return layout()


@pytest.fixture(scope="module")
def small_model():
    return generate(SMALL)


def _polygons(rings: dict[str, list[np.ndarray]]) -> dict[str, Polygon]:
    return {name: Polygon(r[0], r[1:]) for name, r in rings.items()}


def _tested_levels(lay) -> list[int]:
    """50 of the layout's levels between 5 % and 95 % of the femur."""
    inside = np.flatnonzero((lay.levels >= 0.05) & (lay.levels <= 0.95))
    return [int(k) for k in inside[np.linspace(0, len(inside) - 1, 50).round().astype(int)]]


def test_partition_tiles_the_section_with_the_planned_areas(reference_layout):
    """At 50 levels the 2-D partition is valid, overlap-free, gap-free and holds the planned areas."""
    lay = reference_layout
    for k in _tested_levels(lay):
        rings = level_rings(lay, k)
        polygons = _polygons(rings)
        assert all(p.is_valid for p in polygons.values()), f"invalid outline at level {lay.levels[k]:.3f}"
        outline = Polygon(rings["skin"][0]).area
        union = shapely.union_all(list(polygons.values())).area
        overlap = sum(p.area for p in polygons.values()) - union
        assert overlap < 0.005 * outline
        assert outline - union < 0.01 * outline
        planned = lay.plan.areas(float(lay.levels[k]))
        for name, area in planned.items():
            if area > 0:
                assert polygons[name].area == pytest.approx(area, rel=0.01, abs=2.0), (name, lay.levels[k])


def test_rings_are_counter_clockwise_and_keep_their_point_counts(reference_layout):
    lay = reference_layout
    first, middle = level_rings(lay, 0), level_rings(lay, len(lay.levels) // 2)
    for name, rings in middle.items():
        for ring in rings:
            x, y = ring.T
            assert np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)) > 0, name
        if name in first:
            assert [len(r) for r in first[name]] == [len(r) for r in rings], name


def test_the_femur_and_fascia_share_their_points_with_the_muscles(reference_layout):
    """Bone and fascia are sampled at exactly the muscles' boundary points, so walls coincide."""
    k = len(reference_layout.levels) // 2
    rings = level_rings(reference_layout, k)
    muscle_points = {tuple(p) for ring in partition_rings(reference_layout, k).values() for p in ring}
    for name, ring in (("femur", rings["femur"][0]), ("fascia_lata", rings["fascia_lata"][1])):
        assert all(tuple(p) in muscle_points for p in ring), name


def test_every_surface_is_closed_manifold_and_outward(small_model):
    assert set(small_model.surfaces) == set(anatomy.canonical_names())
    for name, (vertices, faces) in small_model.surfaces.items():
        mesh = trimesh.Trimesh(vertices, faces, process=False)
        assert mesh.is_watertight, name
        assert mesh.is_winding_consistent, name
        assert mesh.volume > 0, name


def test_muscle_volumes_and_peaks_follow_the_plan(small_model):
    volumes = plan.targets()["muscle_volume_cm3"]
    for name in plan.MUSCLES:
        vertices, faces = small_model.surfaces[name]
        volume = trimesh.Trimesh(vertices, faces, process=False).volume / 1000.0
        assert volume == pytest.approx(volumes[name], rel=0.06), name
    for name, volume in plan.HIP_MUSCLE_VOLUMES_CM3.items():  # the hip muscles' parts in the thigh
        vertices, faces = small_model.surfaces[name]
        assert trimesh.Trimesh(vertices, faces, process=False).volume / 1000.0 == pytest.approx(volume, rel=0.1)
    courses = plan.courses()
    assert courses["vastus_medialis"].peak == pytest.approx(0.745)
    assert courses["adductor_magnus"].peak == pytest.approx(0.27)


def test_same_seed_same_surfaces_other_seed_another_individual(small_model):
    again = generate(SMALL)
    for name, (vertices, faces) in small_model.surfaces.items():
        assert np.array_equal(vertices, again.surfaces[name][0])
        assert np.array_equal(faces, again.surfaces[name][1])
    other = generate(SMALL, seed=7)
    assert not np.allclose(other.surfaces["vastus_lateralis"][0].mean(axis=0),
                           small_model.surfaces["vastus_lateralis"][0].mean(axis=0))


def test_written_files_are_byte_identical_and_complete(small_model, tmp_path):
    glb_a, json_a = write_model(small_model, tmp_path / "a")
    glb_b, json_b = write_model(generate(SMALL), tmp_path / "b")
    assert glb_a.read_bytes() == glb_b.read_bytes()
    assert json_a.read_bytes() == json_b.read_bytes()
    meta = json.loads(json_a.read_text())
    assert meta["units"] == "mm" and meta["side"] == "right" and meta["anterior"] == [0.0, 1.0, 0.0]
    assert meta["femur_axis"]["distal"] == [0.0, 0.0, -448.0]
    assert meta["generator"]["resolution"] == SMALL and meta["generator"]["seed"] == 0
    assert meta["sources"] and all(isinstance(s, str) for s in meta["sources"])
    for name, entry in meta["structures"].items():
        assert entry["compartment"] == anatomy.compartment_of(name).value
        assert entry["colour"] == anatomy.structure_colour(name)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["thigh_default.glb", "thigh_default.json"]


def test_build_model_command_writes_a_loadable_model(tmp_path, capsys):
    from thighview.io import load_model

    assert main(["build-model", "--out", str(tmp_path), "--resolution", str(SMALL)]) == 0
    model = load_model(tmp_path / "thigh_default.glb")
    assert set(model.names) >= set(plan.MUSCLES) | {"femur", "skin", "subcutaneous_fat", "fascia_lata"}
    assert model.structures["vastus_lateralis"].compartment is anatomy.Compartment.QUADRICEPS
    assert "triangles" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--resolution", "3"], "--resolution must be between"),
    (["--resolution", "401"], "--resolution must be between"),
])
def test_build_model_rejects_bad_resolution_in_one_line(tmp_path, capsys, args, message):
    assert main(["build-model", "--out", str(tmp_path / "m"), *args]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "m").exists()


def test_build_model_into_a_file_fails_cleanly(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["build-model", "--out", str(blocker), "--resolution", str(SMALL)]) == 1
    err = capsys.readouterr().err.strip()
    assert str(blocker) in err and "\n" not in err
    assert blocker.read_text() == "not a folder"
    assert not list(Path(tmp_path).glob("*.tmp"))
