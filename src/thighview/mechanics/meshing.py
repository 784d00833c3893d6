"""Quality triangulation of a polygon with internal lines, using only permissively licensed code.

Why not Shewchuk's Triangle: its licence forbids commercial use without permission, and gmsh
is GPL; ThighView is BSD-3. This mesher is the force-based point placement of Persson &
Strang's DistMesh idea (written from the paper, SIAM Review 46(2), 2004) on top of
:class:`scipy.spatial.Delaunay` (Qhull, permissive licence):

1. nodes are placed along the boundary and along every internal line (structure outlines,
   sliding-layer edges) at the local target size, merging nodes closer than about half a size,
   so neighbouring regions share their interface nodes (a conforming mesh);
2. interior nodes are seeded by rejection from a hexagonal lattice, densest near the femur and
   septa, then relaxed by repulsive springs while the line nodes stay fixed;
3. the final Delaunay triangles whose centroid lies outside the domain are dropped.

Regions are assigned later by triangle centroid, so region borders follow the input polygons
to within the local element size and exactly where their outline nodes were kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import Delaunay, cKDTree
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

SizeField = Callable[[np.ndarray], np.ndarray]

_MERGE = 0.55       # line nodes closer than this many local sizes are merged
_RELAX_STEPS = 30   # spring relaxation iterations
_SEED = 20260126    # same input, same mesh
_SLIVER_ROUNDS = 10  # sliver removal rounds at most (the built-in thigh at 97.8 % needs more than 5, 8 clear it)


@dataclass(frozen=True)
class TriMesh:
    """Nodes ``points`` (n, 2) in mm and counter-clockwise ``triangles`` (m, 3)."""

    points: np.ndarray
    triangles: np.ndarray

    @property
    def centroids(self) -> np.ndarray:
        return self.points[self.triangles].mean(axis=1)

    @property
    def areas(self) -> np.ndarray:
        a, b, c = (self.points[self.triangles[:, i]] for i in range(3))
        return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))

    def min_angles_deg(self) -> np.ndarray:
        """The smallest interior angle of each triangle (quality: above ~25 degrees is good)."""
        return _angles(self.points, self.triangles).min(axis=1)


def _lines_of(geom: BaseGeometry) -> list[np.ndarray]:
    """Every ring or line of a geometry as an (n, 2) coordinate array."""
    out = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            out.extend(np.asarray(r.coords) for r in (part.exterior, *part.interiors))
        elif part.geom_type in ("LineString", "LinearRing"):
            out.append(np.asarray(part.coords))
    return [c[:, :2] for c in out if len(c) >= 2]


def _corners(coords: np.ndarray, closed: bool) -> np.ndarray:
    """Indices of vertices where a polyline turns by more than 30 degrees (kept as mesh nodes)."""
    pts = coords[:-1] if closed else coords
    if len(pts) < 3:
        return np.empty(0, dtype=int)
    before = pts - np.roll(pts, 1, axis=0)
    after = np.roll(pts, -1, axis=0) - pts
    cos = (before * after).sum(1) / np.maximum(np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1), 1e-12)
    sharp = np.flatnonzero(cos < np.cos(np.radians(30.0)))
    return sharp if closed else sharp[(sharp > 0) & (sharp < len(pts) - 1)]


def _resample_piece(coords: np.ndarray, size: SizeField, h_min: float) -> np.ndarray:
    """Points from the start to the end of an open polyline (both included), spaced by the local size."""
    seg = np.diff(coords, axis=0)
    lengths = np.linalg.norm(seg, axis=1)
    n_sub = np.maximum(1, np.ceil(lengths / (0.25 * h_min)).astype(int))
    fine = [coords[:1]]
    for p, d, n in zip(coords[:-1], seg, n_sub):
        fine.append(p + d * (np.arange(1, n + 1)[:, None] / n))
    fine = np.vstack(fine)
    step = np.linalg.norm(np.diff(fine, axis=0), axis=1)
    walked = np.concatenate([[0.0], np.cumsum(step / size(0.5 * (fine[:-1] + fine[1:])))])
    n = max(1, int(round(walked[-1])))
    targets = np.linspace(0.0, walked[-1], n + 1)
    return np.column_stack([np.interp(targets, walked, fine[:, k]) for k in range(2)])


def resample(coords: np.ndarray, size: SizeField, h_min: float) -> np.ndarray:
    """Points along a polyline spaced by the local size, keeping its sharp corners (rings: no duplicate end)."""
    coords = np.asarray(coords, dtype=float)
    closed = len(coords) > 3 and np.allclose(coords[0], coords[-1])
    corners = _corners(coords, closed)
    if closed:
        if len(corners) == 0:  # a smooth ring: start anywhere, at least three nodes
            pts = _resample_piece(coords, size, h_min)[:-1]
            return pts if len(pts) >= 3 else _resample_piece(coords, lambda p: size(p) / 3, h_min)[:-1]
        ring = coords[:-1]
        coords = np.vstack([np.roll(ring, -corners[0], axis=0), ring[corners[0]]])
        corners = (corners - corners[0]) % len(ring)
        cuts = [*sorted(corners), len(ring)]
    else:
        cuts = [0, *corners, len(coords) - 1]
    pieces = [_resample_piece(coords[a:b + 1], size, h_min) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    pts = np.vstack([pieces[0]] + [p[1:] for p in pieces[1:]])
    return pts[:-1] if closed else pts


def _fixed_nodes(lines: Sequence[np.ndarray], size: SizeField, h_min: float) -> np.ndarray:
    """Line nodes in priority order; a node too close to one already kept is dropped."""
    kept = np.empty((0, 2))
    for coords in lines:
        pts = resample(coords, size, h_min)
        if len(kept):
            dist, _ = cKDTree(kept).query(pts)
            pts = pts[dist > _MERGE * size(pts)]
        kept = np.vstack([kept, pts])
    return kept


def _seed_interior(domain: Polygon, size: SizeField, h_min: float, fixed: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = domain.bounds
    dy = h_min * np.sqrt(3) / 2
    ys = np.arange(y0, y1 + dy, dy)
    xs = np.arange(x0, x1 + h_min, h_min)
    gx, gy = np.meshgrid(xs, ys)
    gx = gx + (np.arange(len(ys))[:, None] % 2) * h_min / 2
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts[shapely.contains_xy(domain, pts[:, 0], pts[:, 1])]
    h = size(pts)
    pts = pts[rng.random(len(pts)) < (h_min / h) ** 2]
    dist, _ = cKDTree(fixed).query(pts)
    return pts[dist > 0.7 * size(pts)]


def _inside_triangles(points: np.ndarray, domain: Polygon) -> np.ndarray:
    tri = Delaunay(points).simplices
    c = points[tri].mean(axis=1)
    return tri[shapely.contains_xy(domain, c[:, 0], c[:, 1])]


def _relax(points: np.ndarray, n_fixed: int, domain: Polygon, size: SizeField) -> np.ndarray:
    """Repulsive-spring relaxation of the free nodes (the fixed line nodes come first)."""
    p = points.copy()
    for _ in range(_RELAX_STEPS):
        tri = _inside_triangles(p, domain)
        bars = np.unique(np.sort(np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]]), axis=1), axis=0)
        vec = p[bars[:, 0]] - p[bars[:, 1]]
        length = np.linalg.norm(vec, axis=1)
        h = size(0.5 * (p[bars[:, 0]] + p[bars[:, 1]]))
        target = 1.2 * h * np.sqrt((length**2).sum() / (h**2).sum())
        push = np.maximum(target - length, 0.0)[:, None] * vec / np.maximum(length, 1e-12)[:, None]
        force = np.zeros_like(p)
        np.add.at(force, bars[:, 0], push)
        np.add.at(force, bars[:, 1], -push)
        force[:n_fixed] = 0.0
        moved = p + 0.2 * force
        ok = shapely.contains_xy(domain, moved[:, 0], moved[:, 1])
        p[ok] = moved[ok]
    return p


def _angles(points: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """(m, 3) interior angles in degrees at each corner."""
    p = points[tri]
    out = np.empty(tri.shape)
    for i in range(3):
        u, v = p[:, (i + 1) % 3] - p[:, i], p[:, (i + 2) % 3] - p[:, i]
        cos = (u * v).sum(1) / np.maximum(np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1), 1e-300)
        out[:, i] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return out


def _without_slivers(points: np.ndarray, domain: Polygon, min_angle: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Drop the node that makes a triangle degenerate, where two input lines nearly touch.

    A flat triangle (one angle near 180 degrees) loses the node on the long edge; a needle (two
    nodes almost on top of each other) loses one of the two close nodes. At most
    :data:`_SLIVER_ROUNDS` rounds; the triangles returned are always those of the points returned.
    """
    for _ in range(_SLIVER_ROUNDS):
        tri = _inside_triangles(points, domain)
        angles = _angles(points, tri)
        bad = np.flatnonzero(angles.min(axis=1) < min_angle)
        if len(bad) == 0:
            return points, tri
        flat = angles[bad].max(axis=1) > 150.0
        at_big = tri[bad, np.argmax(angles[bad], axis=1)]
        after_small = tri[bad, (np.argmin(angles[bad], axis=1) + 1) % 3]
        points = np.delete(points, np.unique(np.where(flat, at_big, after_small)), axis=0)
    return points, _inside_triangles(points, domain)  # the last round's nodes are gone: triangulate again


def triangulate(domain: Polygon, lines: Sequence[BaseGeometry], size: SizeField, h_min: float) -> TriMesh:
    """Mesh ``domain`` with nodes on its boundary and on ``lines`` (clipped to it), sized by ``size``.

    ``size(points) -> h`` gives the target edge length in mm at each point; ``h_min`` is its minimum.
    """
    rng = np.random.default_rng(_SEED)
    boundary = _lines_of(domain)
    internal = []
    interior = shapely.buffer(domain, -0.3 * h_min)
    for geom in lines:
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = shapely.boundary(geom)
        internal.extend(_lines_of(shapely.intersection(geom, interior)))
    fixed = _fixed_nodes(boundary + internal, size, h_min)
    free = _seed_interior(domain, size, h_min, fixed, rng)
    points = _relax(np.vstack([fixed, free]), len(fixed), domain, size)
    points, tri = _without_slivers(points, domain)
    mesh = TriMesh(points, tri)
    areas = mesh.areas
    tri[areas < 0] = tri[areas < 0][:, [0, 2, 1]]
    tri = tri[np.abs(areas) > 1e-6 * h_min**2]
    used, tri = np.unique(tri, return_inverse=True)
    return TriMesh(points[used], tri.reshape(-1, 3))
