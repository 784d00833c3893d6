"""Label-map import: SurfaceNets on all labels at once vs per-label scikit-image marching cubes.

The input is a thigh-like label map of 256^3 voxels with 20 labels (femur, 18 muscle wedges, a
fat ring), extruded along a tilted axis on an anisotropic grid, so every cross-section area
is known exactly. Both methods get the same array and affine and return world-space surfaces.

    python -m benchmarks import            # timings (ratio = marching cubes time / ours)
    python -m benchmarks.bench_import      # section-area accuracy against the exact areas, CPU time
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.case import Case
from tests.io_samples import section_area  # the same independent reference the io tests use

N = 256
SPACING = np.array([0.8, 0.8, 1.5])
R_FEMUR, R_MUSCLE, R_FAT, HALF_LENGTH = 15.0, 80.0, 95.0, 180.0
WEDGES = 18


def _rotation() -> np.ndarray:
    c, s = np.cos(np.radians(20.0)), np.sin(np.radians(20.0))
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def phantom() -> dict:
    """Labels ``[i, j, k]`` (Fortran order, as NIfTI loads), affine, values and exact section areas."""
    centre = (N - 1) / 2
    i, j, k = np.meshgrid(*[np.arange(N)] * 3, indexing="ij", sparse=True)
    x, y, z = (i - centre) * SPACING[0], (j - centre) * SPACING[1], (k - centre) * SPACING[2]
    r = np.sqrt(x**2 + y**2)
    wedge = ((np.arctan2(y, x) + np.pi) / (2 * np.pi) * WEDGES).astype(np.int64) % WEDGES
    inside = np.abs(z) < HALF_LENGTH
    labels = np.zeros((N, N, N), dtype=np.uint16, order="F")
    labels[inside & (r < R_FEMUR)] = 1
    muscle = inside & (r >= R_FEMUR) & (r < R_MUSCLE)
    labels[muscle] = np.broadcast_to(2 + wedge, labels.shape)[muscle]
    labels[inside & (r >= R_MUSCLE) & (r < R_FAT)] = 2 + WEDGES
    rotation = _rotation()
    affine = np.eye(4)
    affine[:3, :3] = rotation * SPACING
    affine[:3, 3] = -rotation @ (SPACING * centre)
    exact = {1: np.pi * R_FEMUR**2, 2 + WEDGES: np.pi * (R_FAT**2 - R_MUSCLE**2)}
    exact.update({2 + w: np.pi * (R_MUSCLE**2 - R_FEMUR**2) / WEDGES for w in range(WEDGES)})
    return {"labels": labels, "affine": affine, "values": sorted(exact), "exact_area": exact,
            "axis": rotation[:, 2]}


def ours(data: dict) -> dict:
    from thighview.io.surfaces import label_surfaces

    return label_surfaces(data["labels"], data["affine"], data["values"])


def ours_staircase(data: dict) -> dict:
    """SurfaceNets alone: the voxels' exact staircase, unsmoothed (what the smoothing costs)."""
    from thighview.io.surfaces import label_surfaces

    return label_surfaces(data["labels"], data["affine"], data["values"], smoothing=False)


def marching_cubes(data: dict) -> dict:
    """What a per-label script does: one boolean mask and one marching cubes per label."""
    from skimage.measure import marching_cubes as mc

    affine = data["affine"]
    out = {}
    for value in data["values"]:
        vertices, faces, _, _ = mc(data["labels"] == value, 0.5)
        out[value] = (vertices @ affine[:3, :3].T + affine[:3, 3], faces)
    return out


def _nifti_setup() -> dict:
    import nibabel as nib

    data = phantom()
    folder = Path(tempfile.mkdtemp(prefix="thighview-bench-"))
    data["path"] = folder / "thigh.nii.gz"
    nib.save(nib.Nifti1Image(data["labels"], data["affine"]), str(data["path"]))
    return data


def load_ours(data: dict):
    from thighview.io import load_model

    return load_model(data["path"])


def load_marching_cubes(data: dict) -> dict:
    import nibabel as nib

    image = nib.load(str(data["path"]))
    labels = np.asanyarray(image.dataobj)
    return marching_cubes({"labels": labels, "affine": image.affine, "values": data["values"]})


def area_errors(surfaces: dict, data: dict) -> dict[int, float]:
    """Relative error of each label's section area through the centre, against the exact area."""
    return {value: section_area(vertices, faces, np.zeros(3), data["axis"]) / data["exact_area"][value] - 1.0
            for value, (vertices, faces) in surfaces.items()}


def accuracy_report() -> dict:
    """Section-area errors of each method, and its CPU time (robust where the machine is shared)."""
    import time

    data = phantom()
    report = {}
    for name, method in (("surface_nets_smoothed", ours), ("surface_nets_staircase", ours_staircase),
                         ("marching_cubes", marching_cubes)):
        method(data)  # warm up
        start = time.process_time()
        surfaces = method(data)
        cpu = time.process_time() - start
        errors = np.abs(list(area_errors(surfaces, data).values()))
        report[name] = {"cpu_s": round(cpu, 3), "mean_abs_area_error": float(errors.mean()),
                        "max_abs_area_error": float(errors.max())}
    return report


CASES = [
    Case(name="20 labels of 256^3: SurfaceNets+smoothing vs per-label marching cubes",
         ours=ours, baseline=marching_cubes, setup=phantom, repeats=3, targets={"min_ratio": 5}),
    Case(name="20 labels of 256^3: SurfaceNets staircase (no smoothing) vs per-label marching cubes",
         ours=ours_staircase, baseline=marching_cubes, setup=phantom, repeats=3, targets={"min_ratio": 5}),
    Case(name="import a 256^3 20-label NIfTI: load_model vs nibabel + per-label marching cubes",
         ours=load_ours, baseline=load_marching_cubes, setup=_nifti_setup, repeats=3,
         targets={"max_ours_s": 5.0}),
]


if __name__ == "__main__":
    print(json.dumps(accuracy_report(), indent=2))
