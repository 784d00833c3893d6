"""Regions of one cross-section (polygons with holes) as thin closed prisms.

A flat section (a planar mesh, a labelled image) has regions, not closed surfaces. Each
region is extruded a little either side of its plane into a prism whose walls stand
perpendicular to it: cut at the plane, a prism gives back exactly its polygon, so the section
engine, the 3-D view, the mechanics and every export work on a flat section unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from thighview.errors import MeshError
from thighview.io.parts import Part
from thighview.section import SectionFrame

#: A prism's thickness as a fraction of the section's size: thin, yet visible as a slab in 3-D.
THICKNESS_FRACTION = 0.05


@dataclass
class Region:
    """One named region of a section: polygons (holes kept) in the section's plane coordinates."""

    name: str
    shape: Polygon | MultiPolygon
    colour: str | None = None

    @property
    def area(self) -> float:
        return float(self.shape.area)


def xy_plane() -> SectionFrame:
    """The z = 0 plane, drawn as seen from +z (x right, y up): where an image's regions lie."""
    return SectionFrame(np.zeros(3), np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]))


def _ring(coords) -> np.ndarray:
    """A ring's points without the closing repeat or consecutive duplicates."""
    points = np.asarray(coords, dtype=float)[:-1]
    keep = np.any(points != np.roll(points, 1, axis=0), axis=1)
    return points[keep]


def _prism(polygon: Polygon, thickness: float, path: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """A closed, outward-facing prism over one polygon (holes included): in-plane x, y and w
    (the offset along the normal, -thickness/2 .. +thickness/2) per vertex, and triangles."""
    polygon = orient(polygon, 1.0)  # exterior counter-clockwise, holes clockwise: material on the left
    rings = [_ring(polygon.exterior.coords)] + [_ring(hole.coords) for hole in polygon.interiors]
    rings = [r for r in rings if len(r) >= 3]
    points = np.concatenate(rings)
    n = len(points)
    index: dict[tuple[float, float], int] = {}
    for i, p in enumerate(map(tuple, points.tolist())):
        index.setdefault(p, i)
    triangles = shapely.get_coordinates(shapely.get_parts(shapely.constrained_delaunay_triangles(polygon)))
    try:  # constrained Delaunay adds no points: every corner is a ring point
        cap = np.array([index[p] for p in map(tuple, triangles.reshape(-1, 4, 2)[:, :3].reshape(-1, 2).tolist())],
                       dtype=np.int64).reshape(-1, 3)
    except KeyError:
        raise MeshError("a region's outline could not be triangulated (it crosses itself)", path) from None
    a, b = points[cap[:, 1]] - points[cap[:, 0]], points[cap[:, 2]] - points[cap[:, 0]]
    clockwise = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0
    cap[clockwise] = cap[clockwise][:, ::-1]
    walls, start = [], 0
    for ring in rings:
        i = np.arange(start, start + len(ring))
        j = np.roll(i, -1)
        walls += [np.column_stack([i, j, j + n]), np.column_stack([i, j + n, i + n])]
        start += len(ring)
    faces = np.concatenate([cap[:, ::-1], cap + n, *walls])  # bottom faces -normal, top +normal
    xyw = np.concatenate([np.column_stack([points, np.full(n, -thickness / 2)]),
                          np.column_stack([points, np.full(n, thickness / 2)])])
    return xyw, faces


def region_parts(regions: list[Region], plane: SectionFrame, thickness: float, path: Path | None = None
                 ) -> list[Part]:
    """Each region as one closed prism (all its polygons) about ``plane``, as import parts."""
    parts = []
    for region in regions:
        pieces = [p for p in shapely.get_parts(region.shape) if isinstance(p, Polygon) and p.area > 0]
        if not pieces:
            continue
        chunks, faces, offset = [], [], 0
        for piece in pieces:
            xyw, f = _prism(piece, thickness, path)
            chunks.append(plane.to_3d(xyw[:, :2], xyw[:, 2]))
            faces.append(f + offset)
            offset += len(xyw)
        parts.append(Part(region.name, np.concatenate(chunks), np.concatenate(faces), region.colour))
    return parts


def section_size(regions: list[Region]) -> float:
    """The diagonal of the regions' bounding box (what a prism's thickness is a fraction of)."""
    x0, y0, x1, y1 = shapely.union_all([r.shape for r in regions]).bounds
    return float(np.hypot(x1 - x0, y1 - y0))


def enclosed_core(regions: list[Region]) -> str | None:
    """The name of the region the others surround, the femur of an unnamed section, or None.

    Surrounded: nearly every ray out from its centre (29 of 32) meets another region. It must
    also be roughly round (isoperimetric ratio over 0.5; a muscle belly is rarely that compact
    and surrounded at once) and cover under 20 % of the section; of such regions, the one nearest
    the section's centre of area.
    """
    if len(regions) < 3:
        return None
    whole = shapely.union_all([r.shape for r in regions])
    x0, y0, x1, y1 = whole.bounds
    reach = 2.0 * np.hypot(x1 - x0, y1 - y0)
    angles = (np.arange(32) + 0.5) * (2 * np.pi / 32)
    best, best_distance = None, np.inf
    for region in regions:
        shape = region.shape
        if not shape.length > 0 or shape.area >= 0.2 * whole.area or 4 * np.pi * shape.area / shape.length ** 2 < 0.5:
            continue
        others = shapely.union_all([r.shape for r in regions if r is not region])
        c = shape.centroid
        rays = shapely.linestrings(np.stack([np.broadcast_to([c.x, c.y], (32, 2)),
                                             np.c_[c.x + reach * np.cos(angles), c.y + reach * np.sin(angles)]],
                                            axis=1))
        if shapely.intersects(others, rays).sum() < 29:
            continue
        distance = c.distance(whole.centroid)
        if distance < best_distance:
            best, best_distance = region.name, distance
    return best
