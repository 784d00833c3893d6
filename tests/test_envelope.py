"""A model of muscles and bone only (no skin or fat label): areas, pressure, animate and export run,
say which envelope they used, and never count fat that is not in the file."""

from __future__ import annotations

import pytest
import shapely

from thighview.cli import main
from thighview.model import ThighModel
from thighview.section import ENVELOPE_NOTE, SectionEngine, default_fat_mm


@pytest.fixture(scope="module")
def bare_thigh(default_model, tmp_path_factory):
    from thighview.io.writers import write_glb

    kept = {n: s for n, s in default_model.structures.items() if n not in ("skin", "subcutaneous_fat")}
    model = ThighModel(kept, name="no skin", side=default_model.side, anterior_hint=default_model.anterior_hint)
    return model, write_glb(model, tmp_path_factory.mktemp("bare") / "bare.glb")


def test_areas_never_invent_fat_and_name_the_envelope(bare_thigh, capsys):
    model, path = bare_thigh
    section = SectionEngine(model).section(0.5)
    assert section.envelope_note == ENVELOPE_NOTE and "subcutaneous_fat" not in section.areas_cm2
    assert main(["areas", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"envelope: {ENVELOPE_NOTE}" in out and "Subcutaneous fat" not in out


def test_the_mechanics_gets_a_fat_layer_of_the_stated_thickness(bare_thigh, default_model):
    model, _ = bare_thigh
    section = SectionEngine(model).section(0.5)
    def outline(fat_mm):
        return shapely.union_all(list(section.for_mechanics(fat_mm).polygons.values())).convex_hull

    bare, padded = outline(0.0), outline(None)  # no layer: only the gaps between muscles are filled
    layer_mm = (padded.area - bare.area) / ((padded.length + bare.length) / 2)  # a ring: area / mid perimeter
    assert layer_mm == pytest.approx(default_fat_mm(), rel=0.02)
    assert default_fat_mm() == pytest.approx(10.4)
    full = SectionEngine(default_model).section(0.5)
    assert full.for_mechanics() is full and full.envelope_note == ""


def test_pressure_animate_and_export_run_with_a_one_line_note(bare_thigh, tmp_path, capsys):
    _, path = bare_thigh
    assert main(["pressure", str(path), "--at", "lateral"]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if "note:" in line]
    assert len(notes) == 1 and "10.4 mm fat layer" in notes[0] and "slip" in captured.out
    assert main(["pressure", str(path), "--fat-mm", "4", "--format", "json"]) == 0
    assert "a 4 mm fat layer" in capsys.readouterr().err
    gif = tmp_path / "a.gif"
    assert main(["animate", str(path), "--out", str(gif), "--frames", "3"]) == 0
    assert gif.stat().st_size > 0 and "note:" in capsys.readouterr().err
    out = tmp_path / "export"
    out.mkdir()
    assert main(["export", str(path), "--levels", "0.5", "--format", "png,csv,gif", "--animation", "pressure",
                 "--frames", "3", "--out", str(out), "--quiet"]) == 0
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".gif", ".png"]
    assert sum("note:" in line for line in capsys.readouterr().err.splitlines()) == 1
