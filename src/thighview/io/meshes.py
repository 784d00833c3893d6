"""Surface-mesh readers: GLB/glTF, OBJ, STL, PLY, VTK legacy, VTP and VTM.

Each reader returns :class:`~thighview.io.parts.Part` objects, one per structure: per node
(glTF), per object or group (OBJ), per solid (ASCII STL), per block (VTM); a file holding a
single surface is named after the file. Triangle strips and polygons are triangulated. trimesh
runs with no resolver (a glTF never fetches anything), and nothing is unpickled or evaluated.

3D Slicer writes ``SPACE=LPS`` or ``SPACE=RAS`` in the header of the meshes it saves;
:func:`declared_space` reads it so the model lands in RAS.
"""

from __future__ import annotations

import contextlib
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.errors import FileFormatError
from thighview.io import formats
from thighview.io.parts import Part, refuse_duplicates

#: Mesh formats read with VTK (the others with trimesh); which formats are meshes: :mod:`thighview.io.formats`.
VTK_SUFFIXES = (".vtk", ".vtp", ".vtm")
_SPACE = re.compile(rb"SPACE\s*=\s*(LPS|RAS)", re.IGNORECASE)
_HEADER_BYTES = 4096


def is_mesh_file(path: Path) -> bool:
    return formats.read_by(path, formats.MESH)


def declared_space(path: Path) -> str | None:
    """``"LPS"``/``"RAS"`` where the file's header says so (3D Slicer's convention), else None."""
    if path.suffix.lower() in (".glb", ".gltf", ".vtm"):
        return None  # glTF is defined in its own frame; VTM blocks carry their own headers
    with path.open("rb") as handle:
        match = _SPACE.search(handle.read(_HEADER_BYTES))
    return match.group(1).decode().upper() if match else None


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."


def _part(name: str, vertices, faces) -> Part:
    return Part(name, np.asarray(vertices, dtype=np.float64), np.asarray(faces, dtype=np.int64).reshape(-1, 3))


def _weld_soup(part: Part) -> Part:
    """Join vertices that sit at exactly one place: STL stores three corners per triangle, and
    glTF/OBJ/PLY exporters split vertices along UV seams and flat-shaded edges. Sections and the
    closed-surface check need shared edges. NaN corners and out-of-range indices are left for the report."""
    indices_ok = part.faces.size == 0 or (part.faces.min() >= 0 and part.faces.max() < len(part.vertices))
    if len(part.vertices) and indices_ok and np.all(np.isfinite(part.vertices)):
        part.vertices, inverse = np.unique(part.vertices, axis=0, return_inverse=True)
        part.faces = inverse.reshape(-1)[part.faces]
    return part


class _FolderResolver:
    """Lets a .gltf read its buffers from its own folder, and nothing else (no network, no '..')."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def get(self, name: str) -> bytes:
        target = (self.folder / name).resolve()
        if self.folder not in target.parents:
            raise ValueError(f"refusing to read {name!r} outside the model's folder")
        return target.read_bytes()

    __getitem__ = get

    def get_base(self) -> _FolderResolver:
        return self


def _obj_options(path: Path) -> dict:
    """OBJ: one structure per object (``o``) where the file has objects, else per group (``g``).

    Blender writes ``o Name`` and then a ``g`` per material; splitting by both would name the
    structures ``Name_Name_material``. trimesh joins objects of one name, so a name used twice
    is caught here.
    """
    with path.open("rb") as handle:
        objects = re.findall(rb"^o[ \t]+(.*?)\s*$", handle.read(), re.MULTILINE)
    refuse_duplicates([name.decode("utf-8", errors="replace") for name in objects], path)
    return {"split_objects": bool(objects), "split_groups": not objects, "group_material": False}


def _node_name(node: str, geometry: str, kind: str) -> str:
    """glTF: the node's name, or its mesh's where only that one is a known structure
    (exporters that call every node ``Node_12``); other formats name the geometry."""
    if kind not in ("glb", "gltf"):
        return geometry
    if anatomy.match_name(node).canonical is None and anatomy.match_name(geometry).canonical is not None:
        return geometry
    return node


def _face_colours(mesh) -> np.ndarray | None:
    """Per-triangle RGB where the file colours its faces (or vertices) in more than one colour:
    a section drawn as one surface is split into regions by them (:mod:`thighview.io.flat`)."""
    visual = getattr(mesh, "visual", None)
    if getattr(visual, "kind", None) not in ("face", "vertex"):
        return None
    try:
        colours = np.asarray(visual.face_colors)[:, :3]
    except Exception:  # a broken colour table: the mesh is still usable without it
        return None
    if len(colours) != len(mesh.faces) or len(np.unique(colours, axis=0)) < 2:
        return None
    return colours.astype(np.uint8)


def _read_trimesh(path: Path) -> tuple[list[Part], dict]:
    import trimesh

    kind = path.suffix.lower().lstrip(".")
    options = _obj_options(path) if kind == "obj" else {}
    resolver = _FolderResolver(path.parent) if kind == "gltf" else None
    try:  # process=False: keep NaN vertices and bad faces for build_model to report, not drop them
        with path.open("rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warnings on garbage data: the error line says it
            scene = trimesh.load(handle, file_type=kind, force="scene", resolver=resolver, process=False, **options)
    except Exception as exc:
        raise FileFormatError(f"not a readable {kind.upper()} file ({_short(exc)})", path) from None
    parts = []
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        mesh = scene.geometry[geometry_name]
        if not hasattr(mesh, "faces") or len(mesh.faces) == 0:
            continue
        points = np.asarray(mesh.vertices, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3:  # e.g. OBJ "v x y" lines
            raise FileFormatError(f"surface '{geometry_name}' has vertices of shape {points.shape}, not 3-D points",
                                  path)
        vertices = trimesh.transform_points(points, transform)
        part = _part(_node_name(str(node), str(geometry_name), kind), vertices, mesh.faces)
        part.face_colours = _face_colours(mesh)
        parts.append(_weld_soup(part))
    meta = scene.metadata.get("thighview") if kind in ("glb", "gltf") else None
    return parts, meta if isinstance(meta, dict) else {}


def _check_cells(data, path: Path) -> None:
    """VTK trusts a file's point indices: one past the end crashes its filters (found by fuzzing)."""
    import pyvista as pv
    from vtkmodules.util.numpy_support import vtk_to_numpy

    if isinstance(data, pv.PolyData):
        arrays = [data.GetVerts(), data.GetLines(), data.GetPolys(), data.GetStrips()]
    else:
        arrays = [data.GetCells()] if isinstance(data, pv.UnstructuredGrid) else []
    for cells in arrays:
        if cells is None or cells.GetNumberOfCells() == 0:
            continue
        ids = vtk_to_numpy(cells.GetConnectivityArray())
        if len(ids) and (ids.min() < 0 or ids.max() >= data.n_points):
            raise FileFormatError("cells refer to points that are not in the file (corrupt or truncated)", path)


def _polydata_part(name: str, data, path: Path) -> Part | None:
    """Triangles of a VTK dataset (strips and polygons triangulated, volume cells' boundary)."""
    import pyvista as pv

    _check_cells(data, path)
    if not isinstance(data, pv.PolyData):
        data = data.extract_surface(algorithm=None)
    if data.n_cells == 0:
        return None
    surface = data.triangulate()
    faces = surface.regular_faces
    return _weld_soup(_part(name, surface.points, faces)) if len(faces) else None


@contextlib.contextmanager
def _quiet_vtk() -> Iterator[None]:
    """VTK readers print errors for bad files to the terminal; ours say it in one line instead."""
    import pyvista as pv
    from vtkmodules.vtkCommonCore import vtkObject

    shown = vtkObject.GetGlobalWarningDisplay()
    vtkObject.GlobalWarningDisplayOff()
    try:
        with pv.vtk_verbosity("off"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        vtkObject.SetGlobalWarningDisplay(shown)


def _read_vtk(path: Path) -> list[Part]:
    import pyvista as pv

    kind = path.suffix.lower()
    try:
        with _quiet_vtk():
            data = pv.read(path, force_ext=kind)
    except Exception as exc:
        raise FileFormatError(f"not a readable {kind[1:].upper()} file ({_short(exc)})", path) from None
    if data is None:
        raise FileFormatError(f"not a readable {kind[1:].upper()} file", path)
    if isinstance(data, pv.MultiBlock):
        blocks = []

        def walk(block, name):
            if isinstance(block, pv.MultiBlock):
                for index in range(block.n_blocks):
                    walk(block[index], block.get_block_name(index) or f"{name}_{index}")
            elif block is not None:
                blocks.append((name, block))

        walk(data, path.stem)
        return [p for name, block in blocks if (p := _polydata_part(name, block, path)) is not None]
    part = _polydata_part(path.stem, data, path)
    return [part] if part else []


def read_mesh_parts(path: Path) -> tuple[list[Part], dict]:
    """Every surface in a mesh file (a lone one takes the file's name), and the ThighView
    metadata a GLB written by :func:`thighview.io.writers.write_glb` carries (else ``{}``)."""
    meta: dict = {}
    if path.suffix.lower() in VTK_SUFFIXES:
        parts = _read_vtk(path)
    else:
        parts, meta = _read_trimesh(path)
    if not parts:
        raise FileFormatError("the file holds no triangle surfaces", path)
    if len(parts) == 1 and path.suffix.lower() not in (".glb", ".gltf", ".vtm"):
        parts[0].raw_name = path.stem
    return parts, meta


def read_sidecar(path: Path) -> dict:
    """The JSON metadata written beside a ThighView GLB (same stem), if any."""
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"metadata file is not valid JSON ({exc})", sidecar) from None
    if not isinstance(meta, dict):
        raise FileFormatError("metadata file is not a JSON object", sidecar)
    return meta
