"""Surface-mesh readers: one structure per node (GLB/glTF) or per file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.errors import FileFormatError, ModelError, UnsupportedFormatError
from thighview.model import Structure, ThighModel

MESH_SUFFIXES = (".glb", ".gltf")


def _structure(raw_name: str, vertices: np.ndarray, faces: np.ndarray, path: Path) -> Structure:
    match = anatomy.match_name(raw_name)
    name = match.canonical or raw_name
    try:
        return Structure(name=name, vertices=vertices, faces=faces, compartment=match.compartment, raw_name=raw_name)
    except Exception as exc:  # MeshError without a path: add the file
        raise type(exc)(str(exc), path) from None


def _read_gltf(path: Path) -> dict[str, Structure]:
    import trimesh

    try:
        scene = trimesh.load(path, force="scene", resolver=None)
    except Exception as exc:
        raise FileFormatError(f"not a readable glTF/GLB file ({exc})", path) from None
    structures: dict[str, Structure] = {}
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        mesh = scene.geometry[geometry_name]
        if not hasattr(mesh, "faces") or len(mesh.faces) == 0:
            continue
        vertices = trimesh.transform_points(np.asarray(mesh.vertices), transform)
        structure = _structure(str(node), vertices, np.asarray(mesh.faces), path)
        if structure.name in structures:
            raise ModelError(f"two structures are both named '{structure.name}'", path)
        structures[structure.name] = structure
    if not structures:
        raise FileFormatError("the file holds no triangle meshes", path)
    return structures


def _read_sidecar(path: Path) -> dict:
    """The JSON metadata written beside a ThighView GLB (same stem), if any."""
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"metadata file is not valid JSON ({exc})", sidecar) from None


def read_mesh_model(path: Path) -> ThighModel:
    """Read a GLB/glTF scene (one named node per structure) and its optional JSON sidecar."""
    if not path.exists():
        raise FileFormatError("no such file or folder", path)
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise UnsupportedFormatError(f"unsupported file type '{suffix or path.name}'", path)
    structures = _read_gltf(path)
    meta = _read_sidecar(path)
    for name, entry in meta.get("structures", {}).items():
        if name in structures and "compartment" in entry:
            structures[name].compartment = anatomy.Compartment(entry["compartment"])
    anterior = meta.get("anterior")
    return ThighModel(
        structures=structures,
        name=meta.get("name", path.stem),
        side=meta.get("side", "right"),
        units=meta.get("units", "mm"),
        source=path,
        anterior_hint=np.asarray(anterior, dtype=float) if anterior is not None else None,
        provenance=meta,
    )
