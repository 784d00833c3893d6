"""Sessions: exact round trips, old versions, clear refusals, and autosave that survives SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thighview import session as ss
from thighview.errors import SessionError
from thighview.export.atomic import PARTIAL_PREFIX


def _full_session(model_path: str | None = None, sha: str | None = None) -> ss.Session:
    return ss.Session(
        model_path=model_path, model_sha256=sha, level=0.3712345678901234,
        colours={"mode": "area", "palette": "colorblind", "area_per": "compartment", "area_unit": "cm2"},
        visible={"femur": True, "skin": False, "mystery_muscle": True},
        opacity={"skin": 0.25, "subcutaneous_fat": 0.1 + 0.2},
        camera=((412.5, -310.25, 88.0), (1e-3, 2.5, -224.0), (0.0, 0.0, 1.0)),
        compartments={"mystery_muscle": "adductors", "ünnamed_grün": "hamstrings"},
        pressure={"at": "anterolateral", "direction": "sideways", "side": "lateral", "force_n": 40.0,
                  "tool": "hand", "lean_deg": 65.0, "sliding_kpa": None, "colour_by": "shear",
                  "large_deformation": False})


def test_round_trip_is_exact(tmp_path):
    model = tmp_path / "thigh.glb"
    model.write_bytes(b"pretend model bytes")
    original = _full_session(str(model), ss.model_checksum(model))
    path = ss.save_session(original, tmp_path / f"class{ss.SUFFIX}")
    again = ss.load_session(path)
    assert again == original
    assert again.level == original.level  # bit for bit, not approximately
    assert ss.save_session(again, tmp_path / "copy.json").read_bytes() == path.read_bytes()
    assert not ss.model_changed(again)
    model.write_bytes(b"edited model bytes")
    assert ss.model_changed(again)


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level=st.floats(0.0, 1.0), visible=st.dictionaries(names, st.booleans(), max_size=6),
       opacity=st.dictionaries(names, st.floats(0.0, 1.0), max_size=6),
       camera=st.none() | st.tuples(*[st.tuples(finite, finite, finite)] * 3),
       compartments=st.dictionaries(names, st.sampled_from([c.value for c in ss.Compartment]), max_size=4))
def test_round_trip_is_exact_for_any_values(level, visible, opacity, camera, compartments):
    original = ss.Session(level=level, visible=visible, opacity=opacity, camera=camera, compartments=compartments)
    text = json.dumps(original.to_dict(), allow_nan=False)
    assert ss.session_from_json(text) == original


def test_folder_checksum_sees_names_and_contents(tmp_path):
    folder = tmp_path / "masks"
    folder.mkdir()
    (folder / "femur.stl").write_bytes(b"a")
    first = ss.model_checksum(folder)
    (folder / "femur.stl").rename(folder / "tibia.stl")
    assert ss.model_checksum(folder) != first


def test_version_1_session_loads(tmp_path):
    old = {"format": "thighview.session", "version": 1, "model": "/data/thigh.glb", "level_percent": 25,
           "colour_mode": "muscle", "palette": "colorblind", "hidden": ["skin", "subcutaneous_fat"],
           "camera": [[1, 2, 3], [0, 0, 0], [0, 0, 1]]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    session = ss.load_session(path)
    assert session.model_path == "/data/thigh.glb" and session.model_sha256 is None
    assert session.level == 0.25
    assert session.colours["mode"] == "muscle" and session.colours["palette"] == "colorblind"
    assert session.visible == {"skin": False, "subcutaneous_fat": False}
    assert session.camera == ((1.0, 2.0, 3.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))


BAD_SESSIONS = {
    "not JSON": (b"{\"format\": ", "not valid JSON"),
    "binary": (b"\xff\xfe\x00garbage", "not UTF-8"),
    "another JSON file": (b'{"asset": {"version": "2.0"}}', "not a ThighView session"),
    "a list": (b"[1, 2]", "not a ThighView session"),
    "newer version": (b'{"format": "thighview.session", "version": 99, "model": {}}', "newer ThighView"),
    "version text": (b'{"format": "thighview.session", "version": "2"}', "version"),
    "level out of range": (b'{"format": "thighview.session", "version": 2, "model": {"path": null},'
                           b' "level": 7}', "level"),
    "level NaN": (b'{"format": "thighview.session", "version": 2, "model": {"path": null}, "level": NaN}',
                  "level"),
    "unknown colour mode": (b'{"format": "thighview.session", "version": 2, "model": {"path": null},'
                            b' "colours": {"mode": "rainbow"}}', "rainbow"),
    "unknown compartment": (b'{"format": "thighview.session", "version": 2, "model": {"path": null},'
                            b' "compartments": {"x": "calf"}}', "calf"),
    "bad camera": (b'{"format": "thighview.session", "version": 2, "model": {"path": null},'
                   b' "camera": [1, 2]}', "camera"),
    "bad checksum": (b'{"format": "thighview.session", "version": 2, "model": {"path": "a", "sha256": "00"}}',
                     "SHA-256"),
    "v1 with a broken hidden list": (b'{"format": "thighview.session", "version": 1, "hidden": 3}',
                                     "upgrade this version-1"),
    "unknown pressure setting": (b'{"format": "thighview.session", "version": 4, "model": {"path": null},'
                                 b' "pressure": {"speed": 3}}', "pressure setting 'speed' is not understood"),
    "pressure force out of range": (b'{"format": "thighview.session", "version": 4, "model": {"path": null},'
                                    b' "pressure": {"force_n": 900}}', "'force_n' must be a number from 1 to 200"),
    "unknown pressure tool": (b'{"format": "thighview.session", "version": 4, "model": {"path": null},'
                              b' "pressure": {"tool": "elbow"}}', "unknown tool 'elbow'"),
    "unknown pressure place": (b'{"format": "thighview.session", "version": 4, "model": {"path": null},'
                               b' "pressure": {"at": "knee"}}', "unknown contact place 'knee'"),
    "v4 direction label": (b'{"format": "thighview.session", "version": 4, "model": {"path": null},'
                           b' "pressure": {"direction": "Sideways"}}', "'direction' must be one of compare"),
    "large deformation not a yes/no": (b'{"format": "thighview.session", "version": 5, "model": {"path": null},'
                                       b' "pressure": {"large_deformation": "yes"}}',
                                       "'large_deformation' must be true or false"),
}


def test_version_3_pressure_settings_migrate():
    """Version 3 stored the pressure panel's widget texts; they become the state's settings."""
    old = {"format": "thighview.session", "version": 3, "model": {"path": None, "sha256": None},
           "pressure": {"at": 90.0, "direction": "Compare both", "side": "auto", "force_n": 55.0, "tool": "thumb",
                        "sliding_kpa": 2.0}}
    session = ss.session_from_json(json.dumps(old))
    assert session.pressure == {"at": 90.0, "direction": "compare", "side": None, "force_n": 55.0,
                                "tool": "thumb", "lean_deg": None, "sliding_kpa": 2.0, "colour_by": "compression",
                                "large_deformation": False}   # as version 4 showed it: the linear model


@pytest.mark.parametrize("case", list(BAD_SESSIONS))
def test_bad_session_files_give_one_line_errors(tmp_path, case):
    data, expected = BAD_SESSIONS[case]
    path = tmp_path / f"bad{ss.SUFFIX}"
    path.write_bytes(data)
    with pytest.raises(SessionError, match=expected) as info:
        ss.load_session(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))


def test_missing_and_huge_session_files(tmp_path):
    with pytest.raises(SessionError, match="no such session file"):
        ss.load_session(tmp_path / "gone.json")
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(ss.MAX_SESSION_BYTES + 1)
    with pytest.raises(SessionError, match="too large"):
        ss.load_session(huge)


def test_unwritable_target_is_a_session_error(tmp_path):
    with pytest.raises(SessionError, match="folder does not exist"):
        ss.save_session(ss.Session(), tmp_path / "nowhere" / "s.json")


def test_missing_model_is_reported(tmp_path):
    with pytest.raises(SessionError, match="model is missing"):
        ss.model_changed(ss.Session(model_path=str(tmp_path / "moved.glb")))


def test_autosave_recovery_and_discard(tmp_path, monkeypatch):
    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path / "state"))
    assert ss.recoverable_session() is None
    session = _full_session()
    ss.autosave(session)
    assert ss.recoverable_session() == session
    ss.discard_autosave()
    assert ss.recoverable_session() is None
    ss.autosave_path().write_text("garbage")  # a damaged autosave is dropped, not an error at start-up
    assert ss.recoverable_session() is None and not ss.autosave_path().exists()


_AUTOSAVER = textwrap.dedent("""
    import pathlib, sys, time
    from thighview import session as ss

    real_write = pathlib.Path.write_bytes

    def slow_write(self, data):  # a slow disk: every kill lands mid-write with good odds
        with self.open("wb") as handle:
            for start in range(0, len(data), 4096):
                handle.write(data[start:start + 4096])
                handle.flush()
                time.sleep(0.002)
        return len(data)

    pathlib.Path.write_bytes = slow_write
    generation = 0
    while True:
        generation += 1
        names = {f"structure_{i}": bool((i + generation) % 2) for i in range(3000)}
        ss.autosave(ss.Session(level=(generation % 200) / 1000, visible=names,
                               pressure={"force_n": float(1 + generation % 200)}))
        print(generation, flush=True)
""")


def test_sigkill_during_autosave_never_corrupts_the_last_session(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("THIGHVIEW_STATE_DIR", str(state))
    env = dict(os.environ)
    script = tmp_path / "autosaver.py"
    script.write_text(_AUTOSAVER)
    mid_write = 0
    for attempt in range(40):  # until three kills have landed mid-write (fewer do on a loaded machine)
        child = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip()  # at least one autosave is complete
        time.sleep(0.03 + 0.037 * (attempt % 8))
        child.send_signal(signal.SIGKILL)
        child.communicate()
        mid_write += any(p.name.startswith(PARTIAL_PREFIX) for p in state.iterdir())
        recovered = ss.load_session(ss.autosave_path())  # complete and valid, never half a file
        generation = int(recovered.pressure["force_n"]) - 1  # the autosave's generation, modulo 200
        assert recovered.level == generation / 1000
        assert len(recovered.visible) == 3000
        assert recovered.visible["structure_0"] is bool(generation % 2)
        if mid_write >= 3:
            break
    assert mid_write >= 3, "the kills never landed during a write: the test proved nothing"
