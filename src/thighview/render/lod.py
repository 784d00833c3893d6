"""Low-detail display meshes for the 3-D view while the user rotates, zooms or drags the level.

Software OpenGL (Mesa llvmpipe) draws the default thigh's ~350 000 visible triangles in a few
tenths of a second: a slideshow while the camera moves. During an interaction the scene draws
these meshes instead, and redraws at full detail when it stops. They are for display only:
areas, sections and every number come from the model's full surfaces.

Each structure is decimated by VTK's quadric error decimation to its share of
``LOW_DETAIL_TRIANGLES`` (in proportion to its triangle count). Quadric clustering, ten times
quicker, was tried and left shards and holes at this budget (compared side by side). The
decimation takes seconds, so it runs once per model off the UI thread, and its result is kept
in a small disk cache keyed by a hash of the model's surfaces (``THIGHVIEW_CACHE_DIR`` or the
user's cache folder): the next start with the same model reads it in milliseconds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from thighview.model import Structure

#: Triangle budget for the whole model at low detail (about 5 % of the default thigh).
LOW_DETAIL_TRIANGLES = 30_000
#: The fewest triangles a structure keeps (small ones stay recognisable).
MIN_TRIANGLES = 200
_CACHE_VERSION = b"lod-1"

Meshes = dict[str, tuple[np.ndarray, np.ndarray]]


def low_detail(structure: Structure, triangles: int) -> tuple[np.ndarray, np.ndarray]:
    """``(vertices, faces)`` of ``structure`` decimated to about ``triangles`` (quadric error
    decimation, volume preserved); the surface itself where it has no more than that."""
    import pyvista as pv
    from vtkmodules.vtkFiltersCore import vtkQuadricDecimation

    if structure.n_triangles <= triangles:
        return structure.vertices, structure.faces
    decimation = vtkQuadricDecimation()
    decimation.SetInputData(pv.PolyData.from_regular_faces(structure.vertices, structure.faces, deep=False))
    decimation.SetTargetReduction(1.0 - triangles / structure.n_triangles)
    decimation.VolumePreservationOn()
    decimation.Update()
    out = pv.wrap(decimation.GetOutput())
    return np.asarray(out.points, dtype=np.float64), out.regular_faces.astype(np.int64)


def cache_dir() -> Path:
    folder = os.environ.get("THIGHVIEW_CACHE_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_cache_dir("ThighView", appauthor=False)
    return Path(folder) / "low_detail"


def model_key(structures: dict[str, Structure], budget: int) -> str:
    """A hash of every surface (names, vertices, triangles) and the budget."""
    digest = hashlib.sha256(_CACHE_VERSION + str(budget).encode())
    for name, structure in structures.items():
        digest.update(name.encode() + b"\0")
        digest.update(structure.vertices.tobytes())
        digest.update(structure.faces.tobytes())
    return digest.hexdigest()[:32]


def low_detail_meshes(structures: dict[str, Structure], budget: int = LOW_DETAIL_TRIANGLES,
                      cache: bool = True) -> Meshes:
    """Every structure at low detail, by name: from the disk cache when it has this model.

    Pure numpy/VTK (no rendering): safe to run on a worker thread. A cache that cannot be read
    or written is ignored (it only saves time).
    """
    path = cache_dir() / f"{model_key(structures, budget)}.npz" if cache else None
    if path is not None:
        cached = _read(path, structures)
        if cached is not None:
            return cached
    total = sum(s.n_triangles for s in structures.values())
    meshes = {name: low_detail(s, max(MIN_TRIANGLES, round(budget * s.n_triangles / total)))
              for name, s in structures.items()}
    if path is not None:
        _write(path, meshes)
    return meshes


def _read(path: Path, structures: dict[str, Structure]) -> Meshes | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: (data[f"{i}v"], data[f"{i}f"]) for i, name in enumerate(structures)}
    except (OSError, KeyError, ValueError):
        return None


def _write(path: Path, meshes: Meshes) -> None:
    arrays = {}
    for i, (vertices, faces) in enumerate(meshes.values()):
        arrays[f"{i}v"], arrays[f"{i}f"] = vertices, faces
    temp = path.with_name(f".{path.stem}-{os.getpid()}.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(temp, **arrays)
        os.replace(temp, path)  # complete or absent: a reader never sees half a file
    except OSError:
        temp.unlink(missing_ok=True)
