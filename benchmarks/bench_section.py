"""Section areas: our engine against the naive way (pyvista ``slice`` per structure + polygon areas).

The model is the default thigh generated at about 1.2 M triangles (``thighview build-model
--resolution 150``), or the file named by ``THIGHVIEW_BENCH_MODEL``. Every timed call cuts a level never
cut before, so nothing is reused between calls but the engine's per-model precomputation.

    python -m benchmarks section          # through the shared runner
    python -m benchmarks.bench_section    # standalone
"""

from __future__ import annotations

import itertools
import json
import os

import numpy as np

from benchmarks.case import Case

#: ``build-model --resolution`` giving about 1.2 M triangles.
BENCH_RESOLUTION = 150
PROFILE_LEVELS = 100


def _model():
    """The file named by ``THIGHVIEW_BENCH_MODEL``, else the default thigh built at ~1 M triangles."""
    import tempfile

    from thighview.io import load_model

    path = os.environ.get("THIGHVIEW_BENCH_MODEL")
    if path:
        return load_model(path)
    from thighview.procedural import build

    with tempfile.TemporaryDirectory() as folder:
        _, glb, _ = build(folder, resolution=BENCH_RESOLUTION)
        return load_model(glb)


def _naive_areas(meshes: dict, normal: np.ndarray, origin: np.ndarray, frame: tuple) -> dict[str, float]:
    """pyvista ``slice`` of every structure, loops joined by VTK, polygons combined even-odd (holes
    and nested shells) by shapely, areas in cm^2: the straightforward way to the same numbers."""
    from shapely.geometry import Polygon

    x_axis, y_axis = frame
    areas = {}
    for name, mesh in meshes.items():
        cut = mesh.slice(normal=normal, origin=origin).strip()
        shape = Polygon()
        lines, offset = cut.lines, 0
        while offset < len(lines):
            n = lines[offset]
            points = cut.points[lines[offset + 1 : offset + 1 + n]] - origin
            offset += n + 1
            if n >= 3:
                shape = shape.symmetric_difference(Polygon(np.column_stack([points @ x_axis, points @ y_axis]))
                                                   .buffer(0))
        areas[name] = shape.area / 100.0
    return areas


def _setup():
    import pyvista as pv

    from thighview.section import SectionEngine

    model = _model()
    engine = SectionEngine(model)
    meshes = {name: pv.PolyData.from_regular_faces(s.vertices, s.faces) for name, s in model.structures.items()}
    rng = np.random.default_rng(4)
    fresh = itertools.cycle(rng.uniform(0.05, 0.95, 10_000))  # every call a level not cut before
    return {"model": model, "engine": engine, "meshes": meshes, "levels": fresh,
            "triangles": sum(s.n_triangles for s in model.structures.values())}


def _ours_one(data) -> dict[str, float]:
    return data["engine"].areas(next(data["levels"]))


def _baseline_one(data) -> dict[str, float]:
    engine = data["engine"]
    level = next(data["levels"])
    x_axis, y_axis, normal = engine.axis.frame_axes()
    return _naive_areas(data["meshes"], normal, engine.axis.level_to_point(level), (x_axis, y_axis))


def _profile_levels(data) -> np.ndarray:
    start = next(data["levels"]) * 0.01
    return start + np.arange(PROFILE_LEVELS) / PROFILE_LEVELS * 0.99


def _ours_profile(data):
    return data["engine"].profile(_profile_levels(data))


def _baseline_profile(data):
    engine = data["engine"]
    x_axis, y_axis, normal = engine.axis.frame_axes()
    return [_naive_areas(data["meshes"], normal, engine.axis.level_to_point(level), (x_axis, y_axis))
            for level in _profile_levels(data)]


_SHARED: dict = {}


def _shared_setup():
    """Build the million-triangle model once for both cases."""
    if not _SHARED:
        _SHARED.update(_setup())
    return _SHARED


CASES = [
    Case(name="areas of all structures at a new level (default thigh, ~1.2M triangles)", ours=_ours_one, baseline=_baseline_one,
         setup=_shared_setup, repeats=15, targets={"min_ratio": 20, "max_ours_s": 0.016}),
    Case(name=f"area profile at {PROFILE_LEVELS} levels (default thigh, ~1.2M triangles)", ours=_ours_profile,
         baseline=_baseline_profile, setup=_shared_setup, repeats=3, targets={"max_ours_s": 1.0}),
]


def _check(data) -> float:
    """Largest relative difference between our areas and the naive ones at one level (sanity)."""
    engine = data["engine"]
    x_axis, y_axis, normal = engine.axis.frame_axes()
    ours = engine.areas(0.5)
    naive = _naive_areas(data["meshes"], normal, engine.axis.level_to_point(0.5), (x_axis, y_axis))
    return max(abs(ours[n] - naive[n]) / max(naive[n], 1e-12) for n in naive if naive[n] > 0)


if __name__ == "__main__":
    from benchmarks.run import run_case

    data = _shared_setup()
    print(json.dumps({"model": data["model"].name, "triangles": data["triangles"],
                      "max_rel_difference_vs_naive": _check(data)}))
    for case in CASES:
        print(json.dumps(run_case(case)), flush=True)
