"""Mesh formats: a round trip through each writer, names from nodes/objects/files, units, LPS."""

from __future__ import annotations

import numpy as np
import pytest

import io_samples as S
from synthetic_thigh import synthetic_model
from thighview.anatomy import Compartment
from thighview.io import load_model
from thighview.io.summary import is_closed
from thighview.io.writers import write_glb


@pytest.fixture(scope="module")
def thigh():
    return synthetic_model()


def _scene(model, scale: float = 1.0, suffix: str = ""):
    import trimesh

    scene = trimesh.Scene()
    for name, s in model.structures.items():
        scene.add_geometry(trimesh.Trimesh(s.vertices * scale, s.faces, process=False),
                           node_name=name + suffix, geom_name=name + suffix)
    return scene


def _assert_same(model, reference, *, names=None):
    names = names or {n: n for n in reference.names}
    assert sorted(model.names) == sorted(names.values())
    for name, new in names.items():
        a, b = model[new], reference[name]
        assert a.signed_volume_mm3() == pytest.approx(b.signed_volume_mm3(), rel=1e-5), name
        np.testing.assert_allclose(a.vertices.min(axis=0), b.vertices.min(axis=0), atol=1e-3)
        assert a.compartment is b.compartment


@pytest.mark.parametrize("suffix", [".glb", ".obj"])
def test_scene_formats_keep_a_structure_per_node(thigh, tmp_path, suffix):
    path = tmp_path / f"thigh{suffix}"
    _scene(thigh, suffix="_R").export(path)
    model = load_model(path)
    _assert_same(model, thigh)
    assert model["femur"].raw_name == "femur_R"


def test_glb_with_generic_node_names_uses_mesh_names(thigh, tmp_path):
    import trimesh

    scene = trimesh.Scene()
    for n, name in enumerate(["femur", "Semimembranosus"]):
        s = thigh[name.lower()]
        scene.add_geometry(trimesh.Trimesh(s.vertices, s.faces, process=False), node_name=f"Node_{n}",
                           geom_name=name)
    scene.export(tmp_path / "atlas.glb")
    assert sorted(load_model(tmp_path / "atlas.glb").names) == ["femur", "semimembranosus"]


def test_gltf_with_a_separate_buffer_reads_only_its_folder(thigh, tmp_path):
    files = _scene(thigh).export(file_type="gltf")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    _assert_same(load_model(tmp_path / "model.gltf"), thigh)


def test_obj_groups_become_structures(tmp_path):
    path = tmp_path / "groups.obj"
    path.write_text("v 0 0 0\nv 100 0 0\nv 0 100 0\nv 0 0 100\n"
                    "g Vastus_Lateralis\nf 1 3 2\nf 1 2 4\ng Gracilis\nf 1 4 3\nf 2 3 4\n")
    model = load_model(path, units="mm")
    assert sorted(model.names) == ["gracilis", "vastus_lateralis"]
    assert model["gracilis"].compartment is Compartment.ADDUCTORS


def test_blender_obj_objects_with_material_groups(tmp_path):
    """Blender: 'o Name' per object, a 'g' per material inside it, '.001' on duplicates."""
    text = ""
    for n, name in enumerate(["Vastus_Lateralis", "Gracilis.001"]):
        base = 4 * n
        text += (f"o {name}\n" + "".join(f"v {x + 200 * n} {y} {z}\n" for x, y, z in
                                          [(0, 0, 0), (100, 0, 0), (0, 100, 0), (0, 0, 100)])
                 + f"g {name}_muscle_material\nusemtl red\n"
                 + "".join(f"f {a + base} {b + base} {c + base}\n" for a, b, c in
                           [(1, 3, 2), (1, 2, 4), (1, 4, 3), (2, 3, 4)]))
    (tmp_path / "blender.obj").write_text(text)
    model = load_model(tmp_path / "blender.obj")
    assert sorted(model.names) == ["gracilis", "vastus_lateralis"]
    assert model["gracilis"].raw_name == "Gracilis.001"
    assert model["gracilis"].signed_volume_mm3() == pytest.approx(100**3 / 6)


def test_ascii_stl_with_several_solids(thigh, tmp_path):
    import trimesh

    text = ""
    for name in ("femur", "rectus_femoris"):
        s = thigh[name]
        solid = trimesh.Trimesh(s.vertices, s.faces, process=False).export(file_type="stl_ascii")
        text += solid.replace("solid ", f"solid {name}", 1).replace("endsolid ", f"endsolid {name}", 1)
    (tmp_path / "two.stl").write_text(text)
    model = load_model(tmp_path / "two.stl")
    assert sorted(model.names) == ["femur", "rectus_femoris"]


@pytest.mark.parametrize("suffix", [".stl", ".ply", ".vtp", ".vtk"])
def test_single_surface_formats_are_named_by_file(thigh, tmp_path, suffix):
    import pyvista as pv

    s = thigh["femur"]
    path = tmp_path / f"Femur_right{suffix}"
    pv.PolyData.from_regular_faces(s.vertices, s.faces).save(path)
    model = load_model(path)
    assert model.names == ["femur"]
    assert model["femur"].signed_volume_mm3() == pytest.approx(s.signed_volume_mm3(), rel=1e-5)
    assert is_closed(model["femur"].faces)  # STL's per-triangle corners are joined again


def test_vtk_legacy_triangle_strips(thigh, tmp_path):
    import pyvista as pv

    s = thigh["vastus_lateralis"]
    strips = pv.PolyData.from_regular_faces(s.vertices, s.faces).strip()
    assert strips.n_strips > 0
    strips.save(tmp_path / "vastus_lateralis.vtk", binary=False)
    model = load_model(tmp_path / "vastus_lateralis.vtk")
    assert model["vastus_lateralis"].signed_volume_mm3() == pytest.approx(s.signed_volume_mm3(), rel=1e-5)


def test_vtm_blocks_become_structures(thigh, tmp_path):
    import pyvista as pv

    blocks = pv.MultiBlock({f"{n} (right)": pv.PolyData.from_regular_faces(s.vertices, s.faces)
                            for n, s in thigh.structures.items()})
    blocks.save(tmp_path / "thigh.vtm")
    _assert_same(load_model(tmp_path / "thigh.vtm"), thigh)


def test_folder_of_mixed_mesh_files(thigh, tmp_path):
    import pyvista as pv

    writers = [".stl", ".ply", ".obj", ".vtp", ".vtk"]
    for n, (name, s) in enumerate(thigh.structures.items()):
        pv.PolyData.from_regular_faces(s.vertices, s.faces).save(tmp_path / f"{name}{writers[n % 5]}")
    _assert_same(load_model(tmp_path), thigh)


def test_slicer_export_folder_in_lps_lands_in_ras(thigh, tmp_path):
    """Slicer names files '<segmentation>_<segment>' and writes LPS with SPACE=LPS in the header."""
    slicer_names = {"femur": "Femur", "vastus_lateralis": "Vastus lateralis", "rectus_femoris": "Rectus femoris",
                    "vastus_medialis": "Vastus medialis", "adductor_magnus": "Adductor magnus",
                    "semimembranosus": "Semimembranosus", "biceps_femoris_long_head": "Biceps femoris long head",
                    "subcutaneous_fat": "Subcutaneous fat", "skin": "Skin"}
    for name, label in slicer_names.items():
        s = thigh[name]
        S.lps_stl(tmp_path / f"Segmentation_{label}.stl", s.vertices, s.faces)
    model = load_model(tmp_path)
    _assert_same(model, thigh)
    assert model.provenance["space"] == "LPS"
    assert model["femur"].raw_name == "Femur"


@pytest.mark.parametrize("scale, unit", [(0.001, "m"), (0.1, "cm"), (1.0, "mm")])
def test_units_found_from_the_anatomy(thigh, tmp_path, scale, unit):
    path = tmp_path / "thigh.glb"
    _scene(thigh, scale).export(path)
    model = load_model(path)
    assert model.provenance["units"]["found"] == unit
    assert "femur" in model.provenance["units"]["reason"]
    _assert_same(model, thigh)


def test_units_override(thigh, tmp_path):
    path = tmp_path / "thigh.glb"
    _scene(thigh, 0.1).export(path)
    model = load_model(path, units="mm")  # the user says so, even if it looks like centimetres
    assert model["femur"].signed_volume_mm3() == pytest.approx(thigh["femur"].signed_volume_mm3() / 1000, rel=1e-5)
    assert model.provenance["units"]["reason"] == "units set to mm by the user"


def test_partial_data_loads(thigh, tmp_path):
    """Only some muscles, no femur, no fat or skin: it opens; the femur axis says why it is missing."""
    from thighview.errors import ModelError

    scene = _scene(thigh)
    for name in ("femur", "subcutaneous_fat", "skin"):
        scene.delete_geometry(name)
    scene.export(tmp_path / "muscles.glb")
    model = load_model(tmp_path / "muscles.glb")
    assert "femur" not in model and model["vastus_lateralis"].compartment is Compartment.QUADRICEPS
    with pytest.raises(ModelError, match="femur"):
        model.femur_axis


def test_parts_with_one_canonical_name_are_merged(tmp_path):
    import trimesh

    scene = trimesh.Scene()
    for n, name in enumerate(["Femoral artery", "Femoral vein", "femur"]):
        box = trimesh.creation.box((10, 10, 300))
        box.apply_translation((30 * n, 0, 0))
        scene.add_geometry(box, node_name=name, geom_name=name)
    scene.export(tmp_path / "vessels.glb")
    model = load_model(tmp_path / "vessels.glb")
    assert sorted(model.names) == ["femoral_vessels", "femur"]
    assert model["femoral_vessels"].signed_volume_mm3() == pytest.approx(2 * 10 * 10 * 300)
    assert sorted(model.provenance["merged"]["femoral_vessels"]) == ["Femoral artery", "Femoral vein"]


def test_write_glb_round_trip_keeps_assigned_compartments(thigh, tmp_path):
    import trimesh

    scene = _scene(thigh)
    scene.add_geometry(trimesh.creation.box((5, 5, 100)), node_name="Mystery band", geom_name="Mystery band")
    scene.export(tmp_path / "in.glb")
    model = load_model(tmp_path / "in.glb")
    assert model["mystery_band"].compartment is Compartment.UNASSIGNED
    model["mystery_band"].compartment = Compartment.FASCIA  # what the GUI lets the user do
    write_glb(model, tmp_path / "out.glb")
    again = load_model(tmp_path / "out.glb")
    assert again["mystery_band"].compartment is Compartment.FASCIA
    assert again["mystery_band"].raw_name == "Mystery band"
    _assert_same(again, model)


def test_glb_sidecar_json_sets_side_compartments_and_anterior(thigh, tmp_path):
    """The built-in model's layout: a GLB and a JSON of the same stem beside it."""
    import json

    _scene(thigh).export(tmp_path / "thigh_default.glb")
    (tmp_path / "thigh_default.json").write_text(json.dumps({
        "name": "default thigh", "side": "left", "units": "mm", "anterior": [0, 1, 0],
        "structures": {"skin": {"compartment": "fascia"}}, "about": "test"}))
    model = load_model(tmp_path / "thigh_default.glb")
    assert (model.name, model.side) == ("default thigh", "left")
    assert model["skin"].compartment is Compartment.FASCIA
    assert model.provenance["about"] == "test"
    assert model.provenance["units"]["reason"] == "the model's metadata says mm"
    np.testing.assert_allclose(model.anterior_hint, [0, 1, 0])


def test_inside_out_surfaces_are_turned_and_open_ones_reported(thigh, tmp_path, capsys):
    import trimesh

    from thighview.cli import main

    s = thigh["femur"]
    trimesh.Trimesh(s.vertices, s.faces[:, ::-1], process=False).export(tmp_path / "femur.stl")
    model = load_model(tmp_path / "femur.stl")
    assert model["femur"].signed_volume_mm3() == pytest.approx(s.signed_volume_mm3(), rel=1e-6)
    assert model.provenance["turned_outward"] == ["femur"]
    (tmp_path / "open").mkdir()
    trimesh.Trimesh(s.vertices, s.faces[:-4], process=False).export(tmp_path / "open" / "femur.stl")
    assert main(["info", str(tmp_path / "open" / "femur.stl")]) == 0
    assert "NO (open)" in capsys.readouterr().out
