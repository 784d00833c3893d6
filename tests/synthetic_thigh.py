"""A small synthetic right thigh made of straight prisms, for render and GUI tests.

The prisms taper by 20% from hip to knee (so the femur axis finder can tell proximal from
distal) and every section is the same picture scaled: femur at the centre, quadriceps in
front (x > 0 is lateral for a right thigh in RAS), adductors postero-medially, hamstrings
postero-laterally, then fat and skin rings.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from thighview.anatomy import compartment_of
from thighview.model import Structure, ThighModel

LENGTH_MM = 400.0
TAPER = 0.2
FEMUR_R, MUSCLE_R, FAT_R, SKIN_R = 14.0, 60.0, 70.0, 73.0


def _wedge(start_deg: float, stop_deg: float, radius: float = 500.0) -> Polygon:
    angles = np.radians(np.linspace(start_deg, stop_deg, 64))
    return Polygon([(0.0, 0.0), *zip(radius * np.cos(angles), radius * np.sin(angles))])


def section_polygons() -> dict[str, shapely.Geometry]:
    """Each structure's cross-section in model x (right = lateral) and y (anterior), mm."""
    ring = Point(0, 0).buffer(MUSCLE_R, 64).difference(Point(0, 0).buffer(FEMUR_R, 32))
    return {
        "femur": Point(0, 0).buffer(FEMUR_R, 32),
        # angles measured from +x (lateral) towards +y (anterior)
        "vastus_lateralis": ring.intersection(_wedge(-40, 60)),
        "rectus_femoris": ring.intersection(_wedge(60, 120)),
        "vastus_medialis": ring.intersection(_wedge(120, 200)),
        "adductor_magnus": ring.intersection(_wedge(200, 270)),
        "semimembranosus": ring.intersection(_wedge(270, 290)),
        "biceps_femoris_long_head": ring.intersection(_wedge(290, 320)),
        "subcutaneous_fat": Point(0, 0).buffer(FAT_R, 64).difference(Point(0, 0).buffer(MUSCLE_R, 64)),
        "skin": Point(0, 0).buffer(SKIN_R, 64).difference(Point(0, 0).buffer(FAT_R, 64)),
    }


def _prism(polygon: Polygon) -> tuple[np.ndarray, np.ndarray]:
    import trimesh

    # caps by GEOS constrained Delaunay (Triangle, trimesh's default engine, is not a dependency)
    # (collinear corners along the wedges' straight sides dropped first: no zero-area triangles)
    triangles = shapely.constrained_delaunay_triangles(polygon.simplify(1e-9))
    corners = shapely.get_coordinates(shapely.get_parts(triangles))
    points, index = np.unique(corners.reshape(-1, 4, 2)[:, :3].reshape(-1, 2), axis=0, return_inverse=True)
    mesh = trimesh.creation.extrude_triangulation(points, index.reshape(-1, 3), LENGTH_MM)
    vertices = np.asarray(mesh.vertices) - (0.0, 0.0, LENGTH_MM)
    vertices[:, :2] *= (1.0 + TAPER * vertices[:, 2:] / LENGTH_MM)  # z = 0: full size, z = -400: 80%
    return vertices, np.asarray(mesh.faces)


def synthetic_model(name: str = "synthetic") -> ThighModel:
    """The prism thigh as a ThighModel (right side, RAS, mm; femur from z = 0 down to -400)."""
    structures = {}
    for structure_name, polygon in section_polygons().items():
        polygon = max(shapely.get_parts(polygon), key=lambda p: p.area)
        vertices, faces = _prism(polygon)
        structures[structure_name] = Structure(structure_name, vertices, faces, compartment_of(structure_name))
    return ThighModel(structures, name=name, side="right", anterior_hint=np.array([0.0, 1.0, 0.0]),
                      provenance={"about": "synthetic prisms for tests"})
