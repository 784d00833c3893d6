"""Property-based fuzzing: every loader and the section engine, fed random and damaged input.

The property is the one users rely on: whatever the input, ThighView either works or raises a
one-line :class:`~thighview.errors.ThighViewError`; nothing else escapes, no case hangs (each
has a wall-clock limit), and memory stays bounded (tight import limits, peak RSS checked).

Two profiles, chosen by ``THIGHVIEW_FUZZ``:

* unset (CI): a few hundred cases in about a minute;
* ``long``: at least 10 000 cases (``THIGHVIEW_FUZZ_SCALE`` multiplies it further).

``THIGHVIEW_FUZZ_REPORT=path.json`` writes the case counts per target at the end.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import resource
import signal
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from data import make_bad_corpus as corpus
from thighview.errors import ThighViewError
from thighview.io import load_model
from thighview.io.limits import Limits

LONG = os.environ.get("THIGHVIEW_FUZZ") == "long"
SCALE = float(os.environ.get("THIGHVIEW_FUZZ_SCALE", "1"))
#: examples per parametrised test: CI ~800 cases in all, long ~12 000.
EXAMPLES = int((450 if LONG else 30) * SCALE)
PER_CASE_S = 30.0  # generous: the machine is shared; a hang is minutes
#: Small limits: a damaged header can only make a loader try to read this much.
LIMITS = Limits(max_file_mb=8, max_triangles=200_000, max_voxels=4_000_000, max_labels=200)
CASES: Counter = Counter()

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def _report():
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024
    total = sum(CASES.values())
    print(f"\nfuzz: {total} cases ({'long' if LONG else 'CI'} profile), peak RSS grew {grown_mb:.0f} MB")
    if os.environ.get("THIGHVIEW_FUZZ_REPORT"):
        Path(os.environ["THIGHVIEW_FUZZ_REPORT"]).write_text(json.dumps(
            {"profile": "long" if LONG else "ci", "total": total, "per_target": dict(CASES),
             "peak_rss_growth_mb": round(grown_mb)}, indent=1))
    assert grown_mb < 1500, f"memory blew up: peak RSS grew {grown_mb:.0f} MB"


@contextlib.contextmanager
def time_limit(seconds: float = PER_CASE_S):
    """Fail a case that runs longer than ``seconds`` (a hang), instead of stalling the run."""
    def expire(*_):
        raise TimeoutError(f"case ran over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def opens_or_says_why(path: Path, target: str) -> None:
    """The property: load (and measure, as the app does) or raise a one-line ThighViewError."""
    from thighview.section import SectionEngine

    CASES[target] += 1
    with time_limit():
        try:
            model = load_model(path, limits=LIMITS)
            SectionEngine(model).section(0.5)
        except ThighViewError as exc:
            assert "\n" not in str(exc) and path.name in str(exc), str(exc)


# --- seeds: one valid file per format ---------------------------------------------------------

def _section_image(kind: str) -> bytes:
    """A small labelled section (Braus's colours around a white femur) as PNG or JPEG bytes."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (64, 64), "white")
    draw = ImageDraw.Draw(picture)
    for start, colour in ((200, "#c8372d"), (320, "#3f9a45"), (80, "#2f62b5")):
        draw.pieslice((4, 4, 60, 60), start, start + 120, fill=colour)
    draw.ellipse((26, 26, 38, 38), fill="white")
    out = io.BytesIO()
    picture.save(out, format=kind)
    return out.getvalue()


def _seeds() -> dict[str, bytes]:
    parts = corpus.base_parts()
    femur = parts["femur"]
    nii = corpus.nifti_bytes(corpus.labels())
    return {".glb": corpus.glb_bytes(parts), ".obj": corpus.obj_text(parts).encode(),
            ".stl": corpus.stl_bytes(*femur), ".ply": corpus.ply_text(*femur).encode(),
            ".vtk": corpus.vtk_text(*femur).encode(), ".nii": nii, ".nii.gz": gzip.compress(nii, mtime=0),
            ".nrrd": corpus.nrrd_bytes(corpus.labels()), ".png": _section_image("PNG"),
            ".jpg": _section_image("JPEG")}


SEEDS = _seeds()
SUFFIXES = sorted({*SEEDS, ".gltf", ".vtp", ".vtm", ".seg.nrrd", ".nhdr"})
INTERESTING = [b"nan", b"-inf", b"1e308", b"-1", b"0", b"4294967295", b"\xff\xfe", b"\x00" * 8, b"\n", b"{"]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed with a few edits: flipped bytes, cuts, insertions (random or interesting tokens)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "token", "repeat"]))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "token":
            data[at:at + draw(st.integers(0, 8))] = draw(st.sampled_from(INTERESTING))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 256))]
    return bytes(data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_loaders_survive_random_bytes(scratch, suffix, data):
    path = scratch / f"random{suffix}"
    path.write_bytes(data)
    opens_or_says_why(path, f"random bytes {suffix}")


@pytest.mark.parametrize("suffix", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_loaders_survive_mutated_valid_files(scratch, suffix, data):
    path = scratch / f"mutated{suffix}"
    path.write_bytes(data.draw(mutated(SEEDS[suffix])))
    opens_or_says_why(path, f"mutated {suffix}")


@FUZZ
@given(text=st.text(max_size=400))
def test_colour_table_and_session_readers_survive_random_text(scratch, text):
    from thighview.io.colour_tables import read_colour_table
    from thighview.session import load_session

    for name, read in (("table.txt", read_colour_table), ("table.json", read_colour_table),
                       ("s.thighview-session", load_session)):
        path = scratch / name
        path.write_text(text, encoding="utf-8")
        CASES[f"text {name}"] += 1
        with time_limit():
            try:
                read(path)
            except ThighViewError as exc:
                assert "\n" not in str(exc)


# --- the section engine ------------------------------------------------------------------------

coordinate = st.floats(-400, 400, allow_nan=False, width=32)


@FUZZ
@given(vertices=hnp.arrays(np.float64, st.tuples(st.integers(3, 24), st.just(3)), elements=coordinate),
       faces=st.lists(st.tuples(*[st.integers(0, 23)] * 3), min_size=1, max_size=40),
       level=st.floats(-0.2, 1.2, allow_nan=False))
def test_section_engine_survives_random_meshes(vertices, faces, level):
    """A random 'femur' plus a valid muscle: any level gives areas or a clear refusal."""
    from thighview.model import Structure, ThighModel
    from thighview.section import SectionEngine

    CASES["section: random mesh"] += 1
    faces = np.array(faces) % len(vertices)
    muscle = corpus.base_parts()["vastus_lateralis"]
    with time_limit():
        try:
            model = ThighModel({"femur": Structure("femur", vertices, faces),
                                "vastus_lateralis": Structure("vastus_lateralis", *muscle)})
            section = SectionEngine(model).section(level)
        except ThighViewError as exc:
            assert "\n" not in str(exc)
            return
    assert all(math.isfinite(a) for a in section.areas_cm2.values())


def _rotation(quaternion: np.ndarray) -> np.ndarray:
    w, x, y, z = quaternion / np.linalg.norm(quaternion)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def _thigh(rotation: np.ndarray, shift: np.ndarray):
    from thighview.anatomy import compartment_of
    from thighview.model import Structure, ThighModel

    structures = {name: Structure(name, v @ rotation.T + shift, f, compartment_of(name))
                  for name, (v, f) in corpus.base_parts().items()}
    return ThighModel(structures, anterior_hint=rotation @ np.array([0.0, 1.0, 0.0]))


@FUZZ
@given(quaternion=hnp.arrays(np.float64, 4, elements=st.floats(-1, 1)).filter(lambda q: np.linalg.norm(q) > 0.1),
       shift=hnp.arrays(np.float64, 3, elements=st.floats(-1e4, 1e4)), level=st.floats(0.02, 0.98))
def test_section_areas_do_not_depend_on_where_the_thigh_lies(quaternion, shift, level):
    """Rotating and moving the whole thigh changes no area (the frame follows the femur)."""
    from thighview.section import SectionEngine

    CASES["section: rigid motion"] += 1
    with time_limit():
        reference = SectionEngine(_thigh(np.eye(3), np.zeros(3))).areas(level)
        moved = SectionEngine(_thigh(_rotation(quaternion), shift)).areas(level)
    assert moved.keys() == reference.keys()
    for name, area in reference.items():
        assert moved[name] == pytest.approx(area, rel=1e-6, abs=1e-6), name


@FUZZ
@given(points=hnp.arrays(np.float64, st.tuples(st.integers(3, 30), st.just(2)), elements=coordinate),
       faces=st.lists(st.tuples(*[st.integers(0, 29)] * 3), min_size=1, max_size=60),
       objects=st.integers(1, 4), names=st.sampled_from([("femur", "quads", "x"), ("a", "b", "c")]),
       tilt=st.booleans())
def test_planar_sections_open_or_say_why(scratch, points, faces, objects, names, tilt):
    """Random flat triangle soups (a drawing's export gone wrong): a single section or a clear refusal."""
    vertices = np.c_[points, np.zeros(len(points))]
    if tilt:
        vertices = vertices @ _rotation(np.array([0.9, 0.3, -0.2, 0.1])).T + [10.0, -20.0, 30.0]
    faces = np.array(faces) % len(points)
    text = "".join(f"v {x!r} {y!r} {z!r}\n" for x, y, z in vertices.tolist())
    for k, chunk in enumerate(np.array_split(faces, objects)):
        text += f"o {names[k % 3]}{k}\n" + "".join(f"f {a + 1} {b + 1} {c + 1}\n" for a, b, c in chunk.tolist())
    path = scratch / "planar.obj"
    path.write_text(text)
    opens_or_says_why(path, "planar section")
