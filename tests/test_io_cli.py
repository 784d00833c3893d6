"""``thighview info`` and ``thighview convert`` on imported files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import io_samples as S
from thighview.cli import main
from thighview.io import load_model


@pytest.fixture(scope="module")
def label_map(tmp_path_factory):
    phantom = S.phantom()
    return S.save_nifti(tmp_path_factory.mktemp("cli") / "thigh.nii.gz", phantom.labels, phantom.affine,
                        phantom.names)


def test_info_json_lists_structures_units_and_axis(label_map, capsys):
    assert main(["info", str(label_map), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = {row["structure"]: row for row in summary["structures"]}
    assert rows["hamstrings"]["name_in_file"] == "thigh_posterior_compartment_right"
    assert rows["hamstrings"]["compartment"] == "hamstrings"
    assert rows["femur"]["volume_cm3"] == pytest.approx(S.EXACT["femur"][0] / 1000, rel=0.02)
    lo, hi = np.array(rows["femur"]["bounds_mm"])
    assert np.all(lo < S.CENTRE_WORLD) and np.all(hi > S.CENTRE_WORLD)
    assert summary["units"]["reason"] == "the NIfTI header says mm"
    assert summary["femur_axis"]["found"] is True
    assert summary["femur_axis"]["length_mm"] == pytest.approx(180.0, abs=S.SPACING.max())


def test_info_table_names_units_and_unknowns(tmp_path, capsys):
    import trimesh

    scene = trimesh.Scene()
    for name, offset in (("Femur", 0), ("Vastus_Lateralis_L", 40), ("Kidney", 80)):
        box = trimesh.creation.box((0.03, 0.03, 0.4))  # metres
        box.apply_translation((offset / 1000, 0, 0))
        scene.add_geometry(box, node_name=name, geom_name=name)
    scene.export(tmp_path / "m.glb")
    assert main(["info", str(tmp_path / "m.glb")]) == 0
    out = capsys.readouterr().out
    assert "units: m in the file" in out and "so metres" in out
    assert "kidney (unknown)" in out and "unassigned" in out
    assert "Vastus_Lateralis_L" in out and "quadriceps" in out


def test_convert_writes_a_glb_that_reopens_the_same(label_map, tmp_path, capsys):
    target = tmp_path / "thigh.glb"
    assert main(["convert", str(label_map), str(target)]) == 0
    original, converted = load_model(label_map), load_model(target)
    assert sorted(converted.names) == sorted(original.names)
    for name in original.names:
        assert converted[name].compartment is original[name].compartment
        assert converted[name].raw_name == original[name].raw_name
        assert converted[name].signed_volume_mm3() == pytest.approx(original[name].signed_volume_mm3(), rel=1e-6)
    np.testing.assert_allclose(converted.anterior_hint, [0, 1, 0])
    # an existing output is refused (one line), then replaced with --force
    capsys.readouterr()
    assert main(["convert", str(label_map), str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["convert", str(label_map), str(target), "--force"]) == 0


def test_convert_leaves_nothing_behind_on_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.nii.gz"
    bad.write_bytes(b"\x1f\x8b broken")
    assert main(["convert", str(bad), str(tmp_path / "out.glb")]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nii.gz"]


def test_info_without_a_femur_says_why_there_is_no_axis(tmp_path, capsys):
    import trimesh

    trimesh.creation.box((60, 40, 300)).export(tmp_path / "Gracilis.stl")
    assert main(["info", str(tmp_path / "Gracilis.stl")]) == 0
    out = capsys.readouterr().out
    assert "femur axis: none (" in out and "no femur" in out
    assert "gracilis" in out and "adductors" in out
