"""The bad-input corpus (tests/data/bad, from tests/data/make_bad_corpus.py) in the CLI and the GUI.

Every case that must fail gives exactly one line naming the file and the problem, exit code 1,
and no traceback (``--debug`` shows one); odd but usable inputs open and say what is odd. In the
app, every failure is a dialog and the window keeps working.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from thighview.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())


def test_corpus_on_disk_is_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_bad_corpus", CORPUS.parent / "make_bad_corpus.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write_corpus(tmp_path)
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert fresh == {p.name: p.read_bytes() for p in CORPUS.iterdir()}, "run tests/data/make_bad_corpus.py"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_cli_answers_every_bad_input_in_one_line(name, capfd):
    case = MANIFEST[name]
    path = CORPUS / name
    code = main([case["command"], str(path)])
    out, err = capfd.readouterr()  # file-descriptor level: C libraries' prints count too
    assert "Traceback" not in err
    if case["outcome"] == "ok":
        assert (code, err) == (0, ""), err
        assert case["phrase"] in out
        return
    assert code == 1, f"accepted: {out[-300:]}"
    assert err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith(f"thighview: error: {path}:"), err
    assert case["phrase"] in err


@pytest.mark.parametrize("name", ["truncated.glb", "zero_area_femur.obj"])
def test_traceback_only_with_debug(name):
    path = str(CORPUS / name)
    command = MANIFEST[name]["command"]
    quiet = subprocess.run([sys.executable, "-m", "thighview", command, path], capture_output=True, text=True,
                           timeout=120)
    loud = subprocess.run([sys.executable, "-m", "thighview", "--debug", command, path], capture_output=True,
                          text=True, timeout=120)
    assert quiet.returncode == 1 and quiet.stderr.count("\n") == 1 and "Traceback" not in quiet.stderr
    assert loud.returncode != 0 and "Traceback" in loud.stderr


# --- the app ---------------------------------------------------------------------------------

from test_gui import synthetic, window  # noqa: E402,F401  (the GUI engineer's window fixture)


#: Not an error in the app: it asks which axis to cut along instead (here the user cancels).
ASKS_FOR_AN_AXIS = {"no_femur.glb"}


@pytest.mark.gui
def test_gui_shows_each_bad_input_in_a_dialog_and_stays_usable(window, synthetic, qtbot, monkeypatch):
    """One window opens the whole corpus in turn, as a user dragging files onto it would."""
    monkeypatch.setattr("thighview.gui.axis_dialog.ask_axis", lambda *args: None)  # "Cancel" in the axis dialog
    model, engine = synthetic
    window.state.set_model(model, engine, level=0.5)
    problems = []
    for name, case in sorted(MANIFEST.items()):
        if case["outcome"] != "error":
            continue
        before = window.state.model
        window.load(CORPUS / name)
        qtbot.waitUntil(lambda: window.error_box is not None or window.busy.isHidden(), timeout=30000)
        box = window.error_box
        if name in ASKS_FOR_AN_AXIS:
            if box is not None or window.state.model is not before:
                problems.append(f"{name}: expected the axis question, cancelled, and the old model kept")
            continue
        if box is None:
            problems.append(f"{name}: no error dialog")
            continue
        text = box.text()
        if name not in text or "Traceback" in text or "Unexpected" in text or case["phrase"] not in text:
            problems.append(f"{name}: {text!r}")
        box.accept()
        qtbot.waitUntil(lambda: window.error_box is None)
        if window.state.model is not before:
            problems.append(f"{name}: the previous model was replaced")
    assert not problems, "\n".join(problems)
    window.state.set_level(0.3)  # still usable: the views follow the level
    assert window.areas.row_values("femur")[0] == f"{window.state.section.areas_cm2['femur']:.1f}"


@pytest.mark.gui
def test_gui_shows_a_self_intersecting_muscle_as_crossed_not_measured(window, qtbot):
    window.load(CORPUS / "self_intersecting.obj")
    qtbot.waitUntil(lambda: window.state.model is not None and window.state.model.source is not None
                    and window.state.model.source.name == "self_intersecting.obj" and window.busy.isHidden(),
                    timeout=30000)
    assert window.error_box is None
    assert window.state.section.self_intersecting == ("vastus_lateralis",)
    assert window.areas.row_values("vastus_lateralis") == ("crossed", "")
