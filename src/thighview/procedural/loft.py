"""Closed surfaces from stacks of rings: side walls between levels, caps at both ends.

A structure is a sequence of rings, one per level, each with the same number of points in
the same order (point ``i`` of every ring lies on the same boundary curve of the partition).
Neighbouring structures sample their shared boundary with the same points, so their walls
coincide and sections tile. Rings are counter-clockwise seen from +z; levels run from the
top (proximal, higher z) down.
"""

from __future__ import annotations

import numpy as np
import shapely


def _walls(vertices: np.ndarray, n_levels: int, n: int, offset: int = 0, flip: bool = False) -> np.ndarray:
    """Quads between consecutive rings (index ``k * n + i``), split into outward triangles.

    Each quad is split along its shorter diagonal: a rule that does not depend on which way
    round the quad is walked, so two structures sharing a wall split it the same way and
    their walls coincide exactly.
    """
    k = np.arange(n_levels - 1)[:, None]
    i = np.arange(n)[None, :]
    a = (offset + k * n + i).ravel()  # upper ring, point i
    b = (offset + k * n + (i + 1) % n).ravel()  # upper ring, point i + 1
    d = a + n  # lower ring, point i
    c = b + n  # lower ring, point i + 1
    ac = np.linalg.norm(vertices[a] - vertices[c], axis=1)
    bd = np.linalg.norm(vertices[b] - vertices[d], axis=1)
    use_ac = (ac < bd)[:, None]
    first = np.where(use_ac, np.column_stack([a, d, c]), np.column_stack([a, d, b]))
    second = np.where(use_ac, np.column_stack([a, c, b]), np.column_stack([b, d, c]))
    tris = np.concatenate([first, second])
    return tris[:, ::-1] if flip else tris


def _polygon_cap(ring: np.ndarray) -> np.ndarray:
    """Triangles filling a simple polygon (indices into ``ring``), counter-clockwise.

    Uses GEOS's constrained Delaunay triangulation (through shapely), which adds no points, so
    the cap shares the ring's vertices exactly; falls back to a fan if the polygon is too thin
    to triangulate as given (a tapered end of a few mm^2).
    """
    n = len(ring)
    index = {tuple(p): i for i, p in enumerate(ring.tolist())}
    try:
        pieces = shapely.get_parts(shapely.constrained_delaunay_triangles(shapely.Polygon(ring)))
    except shapely.errors.GEOSException:  # degenerate input: fall back below
        pieces = []
    if len(index) == n and len(pieces) == n - 2:
        corners = [[index.get(tuple(p)) for p in shapely.get_coordinates(t)[:3].tolist()] for t in pieces]
        if all(i is not None for c in corners for i in c):
            return _ccw(np.asarray(corners, dtype=int), ring)
    return np.column_stack([np.zeros(n - 2, int), np.arange(1, n - 1), np.arange(2, n)])


def _ccw(tris: np.ndarray, pts: np.ndarray) -> np.ndarray:
    u = pts[tris[:, 1]] - pts[tris[:, 0]]
    v = pts[tris[:, 2]] - pts[tris[:, 0]]
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    tris = tris.copy()
    tris[cross < 0] = tris[cross < 0][:, ::-1]
    return tris


def tube(rings: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A solid from rings (levels, n, 2) at heights ``z`` (decreasing): walls plus polygon caps."""
    n_levels, n, _ = rings.shape
    vertices = np.column_stack([rings.reshape(-1, 2), np.repeat(z, n)])
    top = _polygon_cap(rings[0])
    bottom = _polygon_cap(rings[-1])[:, ::-1] + (n_levels - 1) * n
    faces = np.concatenate([_walls(vertices, n_levels, n), top, bottom])
    return vertices, faces


def shell(outer: np.ndarray, inner: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A hollow solid between two ring stacks of equal point counts (skin, fat, fascia)."""
    n_levels, n, _ = outer.shape
    m = n_levels * n
    vertices = np.concatenate([
        np.column_stack([outer.reshape(-1, 2), np.repeat(z, n)]),
        np.column_stack([inner.reshape(-1, 2), np.repeat(z, n)]),
    ])
    i = np.arange(n)
    j = (i + 1) % n

    def strip(level: int) -> np.ndarray:
        o, q = level * n, m + level * n
        return np.concatenate([np.column_stack([o + i, o + j, q + j]), np.column_stack([o + i, q + j, q + i])])

    faces = np.concatenate([
        _walls(vertices, n_levels, n),
        _walls(vertices, n_levels, n, offset=m, flip=True),
        strip(0),
        strip(n_levels - 1)[:, ::-1],
    ])
    return vertices, faces


def capped_star(rings: np.ndarray, z: np.ndarray, top_z: float, bottom_z: float) -> tuple[np.ndarray, np.ndarray]:
    """A star-shaped solid (the femur): walls plus a fan to an apex on the axis at each end."""
    n_levels, n, _ = rings.shape
    vertices = np.concatenate([
        np.column_stack([rings.reshape(-1, 2), np.repeat(z, n)]),
        [[0.0, 0.0, top_z], [0.0, 0.0, bottom_z]],
    ])
    apex_top, apex_bottom = n_levels * n, n_levels * n + 1
    i = np.arange(n)
    j = (i + 1) % n
    last = (n_levels - 1) * n
    faces = np.concatenate([
        _walls(vertices, n_levels, n),
        np.column_stack([np.full(n, apex_top), i, j]),
        np.column_stack([np.full(n, apex_bottom), last + j, last + i]),
    ])
    return vertices, faces
