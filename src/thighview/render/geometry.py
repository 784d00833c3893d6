"""Turn model surfaces and section polygons into pyvista meshes.

The model keeps plain numpy arrays; this is the one place they become VTK data. The section's
2-D polygons (with holes) are triangulated with shapely's constrained Delaunay and lifted into
the cutting plane, one cell array ``structure`` telling which structure each triangle belongs to
(so one actor draws the whole filled section and picking a triangle names its structure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyvista as pv
    import shapely

    from thighview.model import Structure


def structure_mesh(structure: Structure) -> pv.PolyData:
    """A structure's closed surface as PolyData (vertices in mm), sharing the model's arrays."""
    import pyvista as pv

    return pv.PolyData.from_regular_faces(structure.vertices, structure.faces, deep=False)


def display_mesh(vertices: np.ndarray, faces: np.ndarray, *, normals: bool = True) -> pv.PolyData:
    """A surface to draw: PolyData over these very arrays (no copy), with point normals for
    smooth shading (float32, the adjacent triangles' normals weighted by their areas).

    Drawing it with Phong interpolation gives what pyvista's ``smooth_shading`` gives, without
    that option's filtered copy of every surface (points, cells and normals again).
    """
    import pyvista as pv

    mesh = pv.PolyData.from_regular_faces(vertices, faces, deep=False)
    if not normals:
        return mesh
    corners = vertices[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])  # length = 2 x area
    summed = np.stack([np.bincount(faces.ravel(), np.repeat(face_normals[:, k], 3), minlength=len(vertices))
                        for k in range(3)], axis=1)
    length = np.linalg.norm(summed, axis=1, keepdims=True)
    mesh.point_data["Normals"] = (summed / np.where(length > 0, length, 1.0)).astype(np.float32)
    mesh.point_data.active_normals_name = "Normals"
    return mesh


def triangulate(polygon: shapely.Geometry) -> np.ndarray:
    """Triangles ``(n, 3, 2)`` exactly covering a (multi)polygon with holes.

    Ear clipping (mapbox earcut): the fill is redrawn at every level while the user drags it,
    and this is ten times quicker than shapely's constrained Delaunay triangulation (about 6 ms
    against 70 ms for the default thigh's section); the triangles' shapes do not show in a
    flat fill.
    """
    import mapbox_earcut
    import shapely

    if polygon is None or polygon.is_empty:
        return np.empty((0, 3, 2))
    chunks = []
    for part in shapely.get_parts(polygon):
        rings = [part.exterior, *part.interiors]
        corners = [shapely.get_coordinates(ring)[:-1] for ring in rings]  # a ring repeats its first point
        ends = np.cumsum([len(c) for c in corners]).astype(np.uint32)
        points = np.concatenate(corners)
        chunks.append(points[mapbox_earcut.triangulate_float64(points, ends)].reshape(-1, 3, 2))
    return np.concatenate(chunks) if chunks else np.empty((0, 3, 2))


def section_fill_mesh(polygons: Mapping[str, shapely.Geometry], names: Sequence[str], frame) -> pv.PolyData:
    """The filled section as triangles in the cutting plane.

    ``names`` fixes the index stored per triangle in the ``structure`` cell array (structures
    missing from ``names`` are skipped). ``frame`` is the section's ``SectionFrame``.
    """
    import pyvista as pv

    chunks, ids = [], []
    for index, name in enumerate(names):
        tris = triangulate(polygons.get(name))
        if len(tris):
            chunks.append(tris.reshape(-1, 2))
            ids.append(np.full(len(tris), index, dtype=np.int32))
    if not chunks:
        return pv.PolyData()
    points = frame.to_3d(np.concatenate(chunks))
    n = len(points) // 3
    faces = np.arange(3 * n, dtype=np.int64).reshape(n, 3)
    mesh = pv.PolyData.from_regular_faces(points, faces, deep=True)
    mesh.cell_data["structure"] = np.concatenate(ids)
    return mesh


def section_outline_mesh(polygons: Mapping[str, shapely.Geometry], frame) -> pv.PolyData:
    """Every ring of every polygon as closed lines in the cutting plane (the drawn outlines)."""
    import pyvista as pv
    import shapely

    rings = []
    for geometry in polygons.values():
        if geometry is None or geometry.is_empty:
            continue
        for part in shapely.get_parts(geometry):
            if part.geom_type != "Polygon":
                continue
            rings.append(np.asarray(part.exterior.coords))
            rings.extend(np.asarray(hole.coords) for hole in part.interiors)
    if not rings:
        return pv.PolyData()
    points = frame.to_3d(np.concatenate(rings))
    lines, start = [], 0
    for ring in rings:
        lines.append(np.r_[len(ring), np.arange(start, start + len(ring))])
        start += len(ring)
    return pv.PolyData(points, lines=np.concatenate(lines))


def plane_mesh(frame, size_mm: float) -> pv.PolyData:
    """A square of side ``size_mm`` in the cutting plane, centred on the femur axis."""
    import pyvista as pv

    return pv.Plane(center=frame.origin, direction=frame.normal, i_size=size_mm, j_size=size_mm,
                    i_resolution=1, j_resolution=1)
