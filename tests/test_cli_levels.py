"""Levels on the command line in the app's units (30 %, a fraction, or cm), and tables in the app's words."""

from __future__ import annotations

import json

import pytest

from thighview.cli import main


def _areas(capsys, *args: str) -> dict:
    assert main(["areas", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_percent_fraction_and_cm_give_the_same_section(default_model, capsys):
    from thighview.section import SectionEngine

    at_30 = _areas(capsys, "--level", "30%")
    assert _areas(capsys, "--level", "0.3") == at_30
    cm = SectionEngine(default_model).section(0.3).level_mm / 10
    by_cm = _areas(capsys, "--level-cm", f"{cm:.4f}")
    assert by_cm["level"] == pytest.approx(0.3, abs=1e-5)
    for name, row in at_30["structures"].items():
        assert by_cm["structures"][name]["area_cm2"] == pytest.approx(row["area_cm2"], abs=1e-3), name


def test_level_lists_and_ranges_take_percentages(capsys):
    from thighview.cli_commands.areas import parse_levels

    assert parse_levels("25%,50%,75%") == [0.25, 0.5, 0.75] == parse_levels("0.25,0.5,0.75")
    assert parse_levels("10%:30%:10%") == pytest.approx([0.1, 0.2, 0.3])


def test_a_level_above_one_without_percent_is_a_one_line_error(capsys):
    assert main(["areas", "--level", "30"]) == 1
    err = capsys.readouterr().err.strip()
    assert "did you mean 30%?" in err and "\n" not in err


def test_the_table_uses_the_apps_words(capsys):
    assert main(["areas", "--level", "50%"]) == 0
    out = capsys.readouterr().out
    assert "level 50.0% of femur length" in out and " cm from its proximal end" in out
    assert "Other muscle" in out and "Quadriceps" in out
    assert "other_muscle" not in out and "cm3" not in out
