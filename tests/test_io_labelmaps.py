"""Label maps with known geometry: volumes, section areas and positions against exact values.

The phantom (tests/io_samples.py) sits on an anisotropic grid with a rotated direction matrix;
every format must put it at the same RAS position with volumes and areas within 2 %.
"""

from __future__ import annotations

import numpy as np
import pytest

import io_samples as S
from thighview.anatomy import Compartment
from thighview.io import load_model

TOLERANCE = 0.02


@pytest.fixture(scope="module")
def phantom():
    return S.phantom()


@pytest.fixture(scope="module")
def nifti_model(phantom, tmp_path_factory):
    path = S.save_nifti(tmp_path_factory.mktemp("nifti") / "thigh.nii.gz", phantom.labels, phantom.affine,
                        phantom.names)
    return load_model(path)


def _centre(name: str, phantom: S.Phantom) -> np.ndarray:
    return phantom.to_world(S.ELLIPSOID_CENTRE) if name == "sartorius" else S.CENTRE_WORLD


def test_volumes_and_section_areas_match_exact_values(nifti_model, phantom):
    for name, (volume, area) in S.EXACT.items():
        s = nifti_model[name]
        assert s.signed_volume_mm3() == pytest.approx(volume, rel=TOLERANCE), name
        cut = S.section_area(s.vertices, s.faces, _centre(name, phantom), phantom.axis)
        assert cut == pytest.approx(area, rel=TOLERANCE), name


def test_positions_within_one_voxel(nifti_model, phantom):
    voxel = S.SPACING.max()
    femur = nifti_model["femur"]
    assert np.linalg.norm(S.volume_centroid(femur.vertices, femur.faces) - S.CENTRE_WORLD) < voxel
    sartorius = nifti_model["sartorius"]
    assert np.linalg.norm(S.volume_centroid(sartorius.vertices, sartorius.faces)
                          - phantom.to_world(S.ELLIPSOID_CENTRE)) < voxel
    # the femur runs along the rotated k axis: its ends lie 90 mm either side of the centre
    along = (femur.vertices - S.CENTRE_WORLD) @ phantom.axis
    assert along.max() == pytest.approx(90.0, abs=voxel)
    assert along.min() == pytest.approx(-90.0, abs=voxel)


def test_surfaces_are_closed_and_outward(nifti_model):
    import trimesh

    for s in nifti_model.structures.values():
        mesh = trimesh.Trimesh(s.vertices, s.faces, process=False)
        assert mesh.is_watertight, s.name
        assert s.signed_volume_mm3() > 0, s.name


def test_names_compartments_and_metadata(nifti_model):
    compartments = {n: s.compartment for n, s in nifti_model.structures.items()}
    assert compartments == {"femur": Compartment.BONE, "quadriceps_femoris": Compartment.QUADRICEPS,
                            "hamstrings": Compartment.HAMSTRINGS, "sartorius": Compartment.OTHER_MUSCLE}
    assert nifti_model["hamstrings"].raw_name == "thigh_posterior_compartment_right"
    assert nifti_model.side == "right"
    assert nifti_model.provenance["space"] == "RAS"
    assert nifti_model.provenance["units"]["reason"] == "the NIfTI header says mm"
    np.testing.assert_allclose(nifti_model.anterior_hint, [0, 1, 0])


def test_section_engine_areas_match(nifti_model, phantom):
    from thighview.section import SectionEngine  # the project's own module: an import error fails

    engine = SectionEngine(nifti_model)
    level_mm = float((S.CENTRE_WORLD - nifti_model.femur_axis.origin) @ nifti_model.femur_axis.direction)
    areas = engine.section(level_mm=level_mm).areas_cm2
    for name in ("femur", "quadriceps_femoris", "hamstrings"):
        assert areas[name] == pytest.approx(S.EXACT[name][1] / 100.0, rel=TOLERANCE), name


def test_nrrd_in_lps_lands_where_the_nifti_does(phantom, nifti_model, tmp_path):
    path = S.save_nrrd(tmp_path / "thigh.nrrd", phantom.labels, phantom.affine)
    (tmp_path / "thigh.ctbl").write_text(
        "# Slicer colour table\n0 Background 0 0 0 0\n1 Femur 230 220 200 255\n2 Quadriceps 200 50 40 255\n"
        "3 Hamstrings 50 90 180 255\n4 Sartorius 200 140 60 255\n")
    model = load_model(path)
    assert set(model.names) == set(nifti_model.names)
    for name in model.names:
        a, b = model[name], nifti_model[name]
        np.testing.assert_allclose(a.vertices.mean(axis=0), b.vertices.mean(axis=0), atol=1e-3)
        assert a.signed_volume_mm3() == pytest.approx(b.signed_volume_mm3(), rel=1e-6)
    assert model["quadriceps_femoris"].colour == "#c83228"
    assert "thigh.ctbl" in model.provenance["names_from"]


def test_seg_nrrd_layers_and_segment_names(phantom, tmp_path):
    """3D Slicer .seg.nrrd with two layers (overlapping segments) named in the header."""
    labels = phantom.labels
    layer0 = np.where(np.isin(labels, [1, 2]), labels, 0)
    layer1 = np.where(labels == 3, 1, 0) + np.where(labels == 4, 2, 0)
    stacked = np.stack([layer0, layer1]).astype(np.uint8)
    extra = {}
    for index, (name, layer, value) in enumerate([("Femur", 0, 1), ("Quadriceps femoris", 0, 2),
                                                  ("Hamstrings", 1, 1), ("Sartorius muscle", 1, 2)]):
        extra.update({f"Segment{index}_Name": name, f"Segment{index}_Layer": str(layer),
                      f"Segment{index}_LabelValue": str(value), f"Segment{index}_Color": "0.5 0.25 1"})
    path = S.save_nrrd(tmp_path / "thigh.seg.nrrd", stacked, phantom.affine, extra, layers=True)
    model = load_model(path)
    assert sorted(model.names) == ["femur", "hamstrings", "quadriceps_femoris", "sartorius"]
    assert model["sartorius"].signed_volume_mm3() == pytest.approx(S.EXACT["sartorius"][0], rel=TOLERANCE)
    assert model["femur"].colour == "#8040ff"
    assert model.provenance["names_from"] == "the file's header"


def test_metres_in_the_header_become_millimetres(phantom, tmp_path):
    affine = phantom.affine.copy()
    affine[:3, :] /= 1000.0
    model = load_model(S.save_nifti(tmp_path / "m.nii", phantom.labels, affine, phantom.names, units="meter"))
    assert model["femur"].signed_volume_mm3() == pytest.approx(S.EXACT["femur"][0], rel=TOLERANCE)
    assert model.provenance["units"]["found"] == "m"


def test_float_label_map_with_integral_values_is_accepted(phantom, tmp_path):
    path = S.save_nifti(tmp_path / "float.nii.gz", phantom.labels.astype(np.float32), phantom.affine,
                        phantom.names)
    assert load_model(path)["femur"].n_triangles > 100


def test_totalsegmentator_multilabel_keeps_one_thigh(tmp_path):
    """Both thighs in one file: the right one is kept (or the one asked for); the other is listed."""
    labels = np.zeros((60, 40, 30), dtype=np.uint8)
    labels[8:14, 16:24, 3:27] = 1  # femur_right (patient's right = +x in RAS)
    labels[4:22, 25:32, 5:25] = 2  # quadriceps_femoris_right
    labels[46:52, 16:24, 3:27] = 3  # femur_left
    labels[42:56, 25:32, 5:25] = 4  # quadriceps_femoris_left
    labels[4:22, 8:14, 5:25] = 5  # thigh_posterior_compartment_right
    affine = np.diag([3.0, 3.0, 6.0, 1.0])
    names = {1: "femur_right", 2: "quadriceps_femoris_right", 3: "femur_left", 4: "quadriceps_femoris_left",
             5: "thigh_posterior_compartment_right"}
    path = S.save_nifti(tmp_path / "seg.nii.gz", labels, affine, names)
    right = load_model(path)
    assert sorted(right.names) == ["femur", "hamstrings", "quadriceps_femoris"]
    assert sorted(right.provenance["dropped_other_side"]) == ["femur_left", "quadriceps_femoris_left"]
    left = load_model(path, side="left")
    assert left.side == "left" and sorted(left.names) == ["femur", "quadriceps_femoris"]
    assert left["femur"].vertices[:, 0].min() > right["femur"].vertices[:, 0].max()


def _masks(folder, names_and_boxes, shape=(40, 30, 24), affine=None):
    affine = np.diag([2.0, 2.0, 5.0, 1.0]) if affine is None else affine
    folder.mkdir(parents=True, exist_ok=True)
    for name, box in names_and_boxes.items():
        mask = np.zeros(shape, dtype=np.uint8)
        if box is not None:
            mask[box] = 1
        S.save_nifti(folder / f"{name}.nii.gz", mask, affine, units=None)
    return folder


def test_totalsegmentator_folder_every_structure_in_its_compartment(tmp_path):
    out = tmp_path / "ts_out"
    boxes = {
        "femur_right": np.s_[4:8, 12:16, 2:22], "femur_left": np.s_[30:34, 12:16, 2:22],
        "quadriceps_femoris_right": np.s_[2:12, 17:22, 4:20], "quadriceps_femoris_left": np.s_[28:38, 17:22, 4:20],
        "thigh_medial_compartment_right": np.s_[9:13, 6:11, 4:20],
        "thigh_posterior_compartment_right": np.s_[2:8, 5:11, 4:20],
        "sartorius_right": np.s_[12:15, 17:20, 4:20], "gluteus_maximus_right": np.s_[2:12, 4:12, 20:23],
        "subcutaneous_fat": np.s_[1:14, 2:25, 1:3], "liver": None, "spleen": None,
    }
    _masks(out / "segmentations", boxes)
    model = load_model(out)  # TotalSegmentator's top folder: the lone sub-folder is read
    expected = {"femur": Compartment.BONE, "quadriceps_femoris": Compartment.QUADRICEPS,
                "adductors": Compartment.ADDUCTORS, "hamstrings": Compartment.HAMSTRINGS,
                "sartorius": Compartment.OTHER_MUSCLE, "gluteus_maximus": Compartment.OTHER_MUSCLE,
                "subcutaneous_fat": Compartment.FAT}
    assert {n: s.compartment for n, s in model.structures.items()} == expected
    assert model.provenance["empty_masks"] == ["liver.nii.gz", "spleen.nii.gz"]
    assert sorted(model.provenance["dropped_other_side"]) == ["femur_left", "quadriceps_femoris_left"]
    # the NIfTI names no unit: its default (mm) is used and said
    assert "default is mm" in model.provenance["units"]["reason"]
    # the femur box (voxels 4-7, 12-15, 2-21 of 2 x 2 x 5 mm) lands within one voxel of its place
    lo, hi = model["femur"].vertices.min(axis=0), model["femur"].vertices.max(axis=0)
    assert np.all(np.abs(lo - [7.0, 23.0, 7.5]) <= [2.0, 2.0, 5.0])
    assert np.all(np.abs(hi - [15.0, 31.0, 107.5]) <= [2.0, 2.0, 5.0])


def test_slicer_style_mask_folder_with_prefix_and_unknown_structure(tmp_path):
    boxes = {"Segmentation-Vastus lateralis": np.s_[2:10, 2:10, 2:10],
             "Segmentation-Vastus medialis": np.s_[12:20, 2:10, 2:10],
             "Segmentation-Tumour": np.s_[22:30, 2:10, 2:10]}
    model = load_model(_masks(tmp_path / "slicer", boxes))
    assert model["vastus_lateralis"].compartment is Compartment.QUADRICEPS
    assert model["vastus_medialis"].compartment is Compartment.QUADRICEPS
    assert model["tumour"].compartment is Compartment.UNASSIGNED
    assert model["tumour"].raw_name == "Tumour"


@pytest.mark.parametrize("table_name, text", [
    ("labels.txt", "# Slicer LUT\n1 femur_r 200 200 200 255\n2 vastus_lateralis_r 200 0 0 255\n"),
    ("labels.label", '################################################\n'
                     '    0     0    0    0        0  0  0    "Clear Label"\n'
                     '    1   200  200  200        1  1  1    "Femur"\n'
                     '    2   200    0    0        1  1  1    "Vastus lateralis"\n'),
    ("labels.csv", "LabelValue,Name,Color_R,Color_G,Color_B,Color_A\n1,femur,200,200,200,255\n"
                   "2,vastus lateralis,200,0,0,255\n"),
    ("labels.json", '{"1": "femur_right", "2": "vastus_lateralis_right"}'),
])
def test_colour_tables_name_the_labels(tmp_path, table_name, text):
    labels = np.zeros((20, 20, 20), dtype=np.uint8)
    labels[2:8, 2:8, 2:18] = 1
    labels[10:18, 2:8, 2:18] = 2
    image = S.save_nifti(tmp_path / "image.nii.gz", labels, np.diag([5.0, 5.0, 10.0, 1.0]))
    table = tmp_path / "tables" / table_name
    table.parent.mkdir()
    table.write_text(text)
    model = load_model(image, labels=table)
    assert sorted(model.names) == ["femur", "vastus_lateralis"]
    assert model["vastus_lateralis"].compartment is Compartment.QUADRICEPS
    assert model.provenance["names_from"] == f"colour table {table_name}"


def test_colour_table_beside_the_image_only_when_unambiguous(tmp_path):
    labels = np.zeros((20, 20, 20), dtype=np.uint8)
    labels[2:8, 2:8, 2:18] = 1
    image = S.save_nifti(tmp_path / "scan.nii.gz", labels, np.diag([5.0, 5.0, 10.0, 1.0]))
    (tmp_path / "notes.txt").write_text("not a table at all\n")
    (tmp_path / "a.ctbl").write_text("1 Femur 1 1 1 255\n")
    assert load_model(image).names == ["femur"]  # the only colour table in the folder
    (tmp_path / "b.ctbl").write_text("1 Gracilis 1 1 1 255\n")
    assert load_model(image).names == ["label_1"]  # two tables: neither is guessed
    (tmp_path / "scan.ctbl").write_text("1 Sartorius 1 1 1 255\n")
    assert load_model(image).names == ["sartorius"]  # same stem wins


def test_progress_reports_and_cancel_stops(phantom, tmp_path):
    import threading

    from thighview.io import Cancelled

    path = S.save_nifti(tmp_path / "p.nii.gz", phantom.labels, phantom.affine, phantom.names)
    seen: list[float] = []
    load_model(path, progress=lambda progress: seen.append(progress.fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    assert len(seen) >= 5

    cancel = threading.Event()

    def cancel_midway(progress) -> None:
        if progress.fraction > 0.3:
            cancel.set()

    with pytest.raises(Cancelled, match="cancelled"):
        load_model(path, progress=cancel_midway, cancel=cancel)


def test_surfaces_stay_closed_where_labels_touch_themselves_along_edges():
    """Thresholded noise touches itself along voxel edges everywhere; SurfaceNets doubles the
    points there. Every surface must still be closed, and the staircase must hold the voxels."""
    from scipy import ndimage

    from thighview.io.summary import is_closed
    from thighview.io.surfaces import label_surfaces

    field = ndimage.gaussian_filter(np.random.default_rng(0).random((40, 40, 40)), 2.5)
    labels = np.digitize(field, np.quantile(field, [0.3, 0.5, 0.7])).astype(np.uint16)
    affine = np.diag([1.0, 1.5, 2.0, 1.0])
    for smoothing in (False, True):
        for value, (vertices, faces) in label_surfaces(labels, affine, smoothing=smoothing).items():
            assert is_closed(faces), (smoothing, value)
            if not smoothing:
                t = vertices[faces]
                volume = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6
                assert volume == pytest.approx((labels == value).sum() * 3.0, rel=1e-9)
