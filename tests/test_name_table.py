"""The name table maps the names real tools and data sets write: no unknowns where a person would
know the muscle. The lists are the class/segment names as those tools write them."""

from __future__ import annotations

import pytest

from thighview import anatomy
from thighview.anatomy import match_name

#: TotalSegmentator v2 (Wasserthal 2023): tasks total / appendicular_bones / thigh_shoulder_muscles / total_mr.
TOTALSEGMENTATOR = {
    "femur_left": "femur", "femur_right": "femur",
    "quadriceps_femoris_left": "quadriceps_femoris", "quadriceps_femoris_right": "quadriceps_femoris",
    "thigh_medial_compartment_left": "adductors", "thigh_medial_compartment_right": "adductors",
    "thigh_posterior_compartment_left": "hamstrings", "thigh_posterior_compartment_right": "hamstrings",
    "sartorius_left": "sartorius", "sartorius_right": "sartorius",
    "gluteus_maximus_left": "gluteus_maximus", "iliopsoas_right": "iliopsoas",
    "subcutaneous_fat": "subcutaneous_fat",
}
#: 3D Slicer: terminology names, "Segment_N" prefixes, segment names from a thigh colour table.
SLICER = {
    "Segment_3_Vastus lateralis": "vastus_lateralis", "Rectus femoris muscle": "rectus_femoris",
    "Sartorius muscle": "sartorius", "Gracilis muscle": "gracilis", "Femur": "femur",
    "Right femur": "femur", "Semimembranosus muscle": "semimembranosus", "Biceps femoris muscle": "biceps_femoris",
    "Segment_12_adductor_magnus": "adductor_magnus", "Skin": "skin", "Subcutaneous adipose tissue": "subcutaneous_fat",
}
#: Thigh-muscle MRI label lists: abbreviations with side suffixes, as released with the segmentations.
MUSCLE_MRI = {
    "VL_R": "vastus_lateralis", "VM_R": "vastus_medialis", "VI_R": "vastus_intermedius", "RF_R": "rectus_femoris",
    "SA_L": "sartorius", "GR_L": "gracilis", "AM_L": "adductor_magnus", "AL_L": "adductor_longus",
    "AB_L": "adductor_brevis", "BFlh_R": "biceps_femoris_long_head", "BFsh_R": "biceps_femoris_short_head",
    "ST_R": "semitendinosus", "SM_R": "semimembranosus", "TFL_R": "tensor_fasciae_latae",
    "BF_LH": "biceps_femoris_long_head", "BF_SH": "biceps_femoris_short_head", "SART": "sartorius",
    "GRAC": "gracilis", "ADD_MAG": "adductor_magnus", "PEC": "pectineus",
    "M. quadriceps femoris": "quadriceps_femoris", "ischiocrural muscles": "hamstrings",  # MyoSegmenTUM
}
#: Mesh files from model repositories (LHDL, numbered exports), with prefixes, suffixes and extensions.
FILES = {
    "LHDL_femur_r.vtp": "femur", "LHDL_RectusFemoris_R.vtp": "rectus_femoris",
    "Model_12_vastus_medialis_muscle.stl": "vastus_medialis", "Model_3_Semitendinosus_L.stl": "semitendinosus",
    "gracilis_muscle_L.obj": "gracilis", "Femur_R_smooth.stl": "femur", "distal_femur.ply": "femur",
    "adductor_longus.nii.gz": "adductor_longus", "FMA22431.obj": "vastus_lateralis", "FMA:45887": "biceps_femoris_long_head",
    "fma_22357_semitendinosus": "semitendinosus",
}


@pytest.mark.parametrize("names", [TOTALSEGMENTATOR, SLICER, MUSCLE_MRI, FILES],
                         ids=["TotalSegmentator", "Slicer", "muscle MRI", "mesh files"])
def test_real_name_lists_have_no_unknowns(names):
    wrong = {raw: match_name(raw).canonical for raw, want in names.items() if match_name(raw).canonical != want}
    assert wrong == {}


def test_sides_survive_prefixes_and_abbreviations():
    assert match_name("LHDL_femur_r.vtp").side == "right"
    assert match_name("AL_L").side == "left" and match_name("AL_L").canonical == "adductor_longus"
    assert match_name("Segment_3").canonical is None  # a number alone names nothing


def test_the_table_has_a_source_for_every_row_and_only_known_structures():
    rows = anatomy.name_table()
    known = set(anatomy.canonical_names(groups=True))
    assert rows and all(r["source"] and r["kind"] for r in rows)
    assert {r["structure"] for r in rows} <= known
    fma = [r for r in rows if r["kind"] == "fma"]
    assert len({r["alias"] for r in fma}) == len(fma)  # one structure per FMA ID


def test_no_alias_means_two_structures():
    seen: dict[str, str] = {}
    for row in anatomy.name_table():
        key = " ".join(w for w in anatomy._words(row["alias"]) if w not in anatomy._NOISE_WORDS)
        assert seen.setdefault(key, row["structure"]) == row["structure"], row


def test_a_file_holding_one_bone_named_after_the_femur_is_the_femur(default_model, tmp_path):
    import numpy as np
    import pyvista as pv

    from thighview.io import load_model

    femur = default_model["femur"]
    path = tmp_path / "LHDL_femur_r.vtp"
    pv.PolyData(femur.vertices, np.column_stack([np.full(len(femur.faces), 3), femur.faces]).ravel()).save(path)
    model = load_model(path)
    assert list(model.structures) == ["femur"] and model.side == "right"
    assert model.femur_axis.piece.kind == "whole"
