"""Partial femurs cut from the built-in model, as a knee MRI, a hip CT or a thigh MRI holds them.

Each structure is cut by two planes across the femur shaft and closed with flat caps (as a
label map's surfaces are where the scan ends), then the whole piece is rotated and moved.
"""

from __future__ import annotations

import numpy as np
import shapely
import trimesh
from scipy.spatial import cKDTree

from thighview._planecut import orthonormal_basis
from thighview.model import Structure, ThighModel


def clip(vertices: np.ndarray, faces: np.ndarray, origin: np.ndarray, normal: np.ndarray):
    """The part of a closed surface on the ``+normal`` side of a plane, capped flat where the rim
    is simple (else left open); ``None`` when nothing is on that side."""
    mesh = trimesh.Trimesh(vertices, faces, process=False).slice_plane(origin, normal, cap=False)
    if mesh is None or len(mesh.faces) == 0:
        return None
    mesh.merge_vertices()
    edges, counts = np.unique(mesh.edges_sorted, axis=0, return_counts=True)
    rim = edges[counts == 1]
    if len(rim) == 0:
        return np.asarray(mesh.vertices), np.asarray(mesh.faces)
    x, y = orthonormal_basis(normal)
    uv = np.column_stack([(mesh.vertices - origin) @ x, (mesh.vertices - origin) @ y])
    region = shapely.Polygon()
    for ring in shapely.get_parts(shapely.polygonize([shapely.LineString(uv[e]) for e in rim])):
        region = region.symmetric_difference(ring)  # even-odd: a ring inside another is a hole
    corners = shapely.get_coordinates(shapely.get_parts(shapely.constrained_delaunay_triangles(region)))
    used = np.unique(rim)
    distance, nearest = cKDTree(uv[used]).query(corners.reshape(-1, 4, 2)[:, :3].reshape(-1, 2))
    if len(distance) == 0 or distance.max() > 1e-6:  # the rim crosses itself: leave it open
        return np.asarray(mesh.vertices), np.asarray(mesh.faces)
    cap = used[nearest].reshape(-1, 3)
    tri = mesh.vertices[cap]
    inward = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]) @ normal > 0
    cap[inward] = cap[inward][:, ::-1]  # the cap faces out of the kept side, along -normal
    return np.asarray(mesh.vertices), np.vstack([mesh.faces, cap])


def piece(model: ThighModel, start_mm: float, stop_mm: float, rotation, shift, *, bone_only: bool = False
          ) -> ThighModel:
    """The structures of ``model`` between two levels (mm from the proximal femur end), rotated
    (a scipy ``Rotation``) and moved by ``shift`` (mm); its anterior hint turns with it."""
    axis = model.femur_axis
    structures = {}
    for name, s in model.structures.items():
        if bone_only and name != "femur":
            continue
        kept = clip(s.vertices, s.faces, axis.origin + start_mm * axis.direction, axis.direction)
        if kept is not None:
            kept = clip(*kept, axis.origin + stop_mm * axis.direction, -axis.direction)
        if kept is not None:
            structures[name] = Structure(name, rotation.apply(kept[0]) + shift, kept[1], s.compartment, s.raw_name)
    hint = None if model.anterior_hint is None else rotation.apply(model.anterior_hint)  # the file says, as RAS does
    return ThighModel(structures, name=f"{model.name} piece", side=model.side, anterior_hint=hint)
