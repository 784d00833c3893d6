"""``--assign NAME=COMPARTMENT`` on the commands that open a model: the CLI's counterpart of the
Structures panel's "assign to compartment"."""

from __future__ import annotations

import json

import pytest
from synthetic_thigh import synthetic_model

from thighview.anatomy import Compartment
from thighview.cli import main
from thighview.model import Structure


@pytest.fixture(scope="module")
def mystery_glb(tmp_path_factory):
    """The synthetic thigh with its semimembranosus exported as ``Segment_7`` (unknown: unassigned)."""
    from thighview.io.writers import write_glb

    model = synthetic_model()
    old = model.structures.pop("semimembranosus")
    model.structures["Segment_7"] = Structure("Segment_7", old.vertices, old.faces, Compartment.UNASSIGNED)
    return write_glb(model, tmp_path_factory.mktemp("assign") / "segments.glb")


def _areas(path, capsys, *extra: str) -> dict:
    assert main(["areas", str(path), "--level", "0.5", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_assign_moves_the_structure_and_its_area(mystery_glb, capsys):
    plain = _areas(mystery_glb, capsys)
    name = next(n for n in plain["structures"] if n.lower() == "segment_7")
    assert plain["structures"][name]["compartment"] == "unassigned"
    area = plain["structures"][name]["area_cm2"]
    assigned = _areas(mystery_glb, capsys, "--assign", "Segment 7=Hamstrings", "--assign", "femur=bone")
    assert assigned["structures"][name]["compartment"] == "hamstrings"
    hamstrings = assigned["compartments"]["hamstrings"]["area_cm2"]
    assert hamstrings == pytest.approx(plain["compartments"]["hamstrings"]["area_cm2"] + area, abs=1e-5)
    assert "unassigned" not in assigned["compartments"]


def test_info_shows_the_assignment(mystery_glb, capsys):
    assert main(["info", str(mystery_glb), "--format", "json", "--assign", "segment_7=other muscle"]) == 0
    rows = {row["structure"]: row for row in json.loads(capsys.readouterr().out)["structures"]}
    assert rows["segment_7"]["compartment"] == "other_muscle"


@pytest.mark.parametrize(("spec", "message"), [
    ("nope=quadriceps", "this model has no structure 'nope' (it has: adductor_magnus"),
    ("segment_7=muscle", "'muscle' is not a compartment (quadriceps, adductors"),
    ("segment_7", "give NAME=COMPARTMENT"),
])
def test_a_bad_assignment_is_one_line_naming_the_file(mystery_glb, capsys, spec, message):
    assert main(["areas", str(mystery_glb), "--assign", spec]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(mystery_glb) in err and message in err


def test_export_and_profile_take_assign_too(capsys):
    for command in ("export", "profile", "convert", "pressure"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--assign NAME=COMPARTMENT" in capsys.readouterr().out
