"""The plane-cut kernel shared by the section engine and the femur-axis finder.

A closed, outward-oriented triangle surface cut by a plane gives oriented segments whose
shoelace sum is the exact (faceted) section area: no loop assembly, holes and nested shells
come out right by orientation alone.

Exactness at vertices: a vertex counts as *above* the plane when ``h >= t`` (``h`` = its
coordinate along the plane normal). That is the section at ``t - epsilon`` for an
infinitesimal epsilon, so a level exactly on a vertex, an edge or a whole face needs no
special case and no random perturbation. A cut point is always interpolated from the edge's
upper towards its lower vertex, so the two triangles sharing an edge produce bit-identical
points and a vertex on the plane is hit exactly.

Segment direction: the section region lies to the left (counter-clockwise outer boundaries)
in the right-handed in-plane frame ``(x, y, normal)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cut:
    """Oriented section segments: ``start[i] -> end[i]`` in the plane (mm).

    ``start_edge``/``end_edge`` name the mesh edges the endpoints lie on (``lo * n + hi``
    with ``lo`` the edge's vertex below the plane, ``hi`` the one above): segment ``j`` follows segment ``i`` when
    ``start_edge[j] == end_edge[i]``. ``face`` indexes the faces that were passed in.
    """

    start: np.ndarray  # (k, 2)
    end: np.ndarray  # (k, 2)
    start_edge: np.ndarray  # (k,) int64
    end_edge: np.ndarray  # (k,) int64
    face: np.ndarray  # (k,) int64

    def __len__(self) -> int:
        return len(self.face)

    def area_terms(self) -> np.ndarray:
        """Twice the signed area each segment contributes (shoelace cross products)."""
        return self.start[:, 0] * self.end[:, 1] - self.end[:, 0] * self.start[:, 1]

    def select(self, mask: np.ndarray) -> Cut:
        return Cut(self.start[mask], self.end[mask], self.start_edge[mask], self.end_edge[mask], self.face[mask])


def _corner_table() -> tuple[np.ndarray, np.ndarray]:
    """For each above/below pattern of a triangle's corners (bit k = corner k is above), which
    corners bound the segment's start edge and end edge, as (below, above) pairs.

    The lone corner (alone on its side) shares both cut edges. Walking the triangle's own
    order, the start edge is the one to the next corner when the lone corner is above and the
    one to the previous corner when it is below: then the section lies left of the segment.
    """
    table = np.zeros((8, 4), dtype=np.int64)
    crosses = np.zeros(8, dtype=bool)
    for code in range(1, 7):
        above = [(code >> k) & 1 for k in range(3)]
        lone_above = sum(above) == 1
        lone = above.index(1 if lone_above else 0)
        nxt, prv = (lone + 1) % 3, (lone + 2) % 3
        first, second = (nxt, prv) if lone_above else (prv, nxt)
        if lone_above:
            table[code] = (first, lone, second, lone)
        else:
            table[code] = (lone, first, lone, second)
        crosses[code] = True
    return table, crosses


_CORNERS, _CROSSES = _corner_table()


def project(vertices: np.ndarray, origin: np.ndarray, x: np.ndarray, y: np.ndarray, normal: np.ndarray
            ) -> np.ndarray:
    """Vertices as rows ``(h, u, v)``: height along ``normal`` and in-plane coordinates.

    One row per vertex keeps everything a cut reads about a vertex in one cache line.
    """
    rel = np.asarray(vertices, dtype=float) - origin
    return np.ascontiguousarray(rel @ np.column_stack([normal, x, y]))


def cut_faces(huv: np.ndarray, faces: np.ndarray, t: float) -> Cut:
    """Cut ``faces`` (vertex indices into ``huv``) by the plane ``h = t``.

    ``huv`` (n, 3) holds each vertex's height along the plane normal and its in-plane
    coordinates (see :func:`project`). Vectorised; cost is linear in ``len(faces)``.
    """
    above = huv[faces, 0] >= t
    code = above[:, 0] + 2 * above[:, 1].astype(np.int64) + 4 * above[:, 2]
    crossing = np.flatnonzero(_CROSSES[code])
    faces = faces[crossing]
    corners = _CORNERS[code[crossing]]
    ends = np.take_along_axis(faces, corners, axis=1)  # vertex ids: start below/above, end below/above
    start, start_edge = _edge_points(huv, ends[:, 0], ends[:, 1], t)
    end, end_edge = _edge_points(huv, ends[:, 2], ends[:, 3], t)
    return Cut(start, end, start_edge, end_edge, crossing)


def _edge_points(huv: np.ndarray, lo: np.ndarray, hi: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Where the plane meets edges from a vertex below (``lo``) to one above (``hi``).

    Interpolated from the upper vertex: a vertex exactly on the plane is always the upper
    one (``h >= t``), so it is reproduced bit for bit. The edge key ``lo * n + hi`` is the
    same for both triangles sharing the edge.
    """
    upper = huv[hi]
    lower = huv[lo]
    mu = (upper[:, 0] - t) / (upper[:, 0] - lower[:, 0])
    points = upper[:, 1:] + mu[:, None] * (lower[:, 1:] - upper[:, 1:])
    return points, lo * np.int64(len(huv)) + hi


def area_and_centroid(cut: Cut) -> tuple[float, np.ndarray]:
    """Signed area (mm^2) and area centroid (2,) of the region bounded by closed segments."""
    terms = cut.area_terms()
    area = terms.sum() / 2.0
    if area == 0.0:
        return 0.0, np.full(2, np.nan)
    centroid = ((cut.start + cut.end) * terms[:, None]).sum(axis=0) / (6.0 * area)
    return float(area), centroid


def unmatched_edges(start_edge: np.ndarray, end_edge: np.ndarray) -> np.ndarray:
    """Edge keys where the segments do not join into closed loops (start/end multisets differ)."""
    starts, n_starts = np.unique(start_edge, return_counts=True)
    ends, n_ends = np.unique(end_edge, return_counts=True)
    lone = np.setxor1d(starts, ends, assume_unique=True)
    common, i_s, i_e = np.intersect1d(starts, ends, assume_unique=True, return_indices=True)
    uneven = common[n_starts[i_s] != n_ends[i_e]]
    return np.concatenate([lone, uneven])


def orthonormal_basis(normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors completing ``normal`` to a right-handed frame ``(x, y, normal)``."""
    helper = np.eye(3)[np.argmin(np.abs(normal))]
    x = np.cross(helper, normal)
    x /= np.linalg.norm(x)
    return x, np.cross(normal, x)


def weld(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge bit-identical vertices, so that topology (shared edges) is visible by index.

    Triangles that collapse (two corners on one vertex) have no area and are dropped.
    """
    unique, inverse = np.unique(vertices, axis=0, return_inverse=True)
    faces = inverse.reshape(-1)[faces]
    keep = (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 2] != faces[:, 0])
    return unique, faces[keep]


def closed_and_oriented(faces: np.ndarray, n_vertices: int) -> bool:
    """True when every directed edge has exactly one reverse twin: closed, 2-manifold, consistent."""
    a = faces.reshape(-1).astype(np.int64)
    b = faces[:, [1, 2, 0]].reshape(-1).astype(np.int64)
    forward = np.sort(a * n_vertices + b)
    if np.any(forward[1:] == forward[:-1]):
        return False
    backward = np.sort(b * n_vertices + a)
    return bool(np.array_equal(forward, backward))
