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
    with vertex indices ``lo < hi``): segment ``j`` follows segment ``i`` when
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


_NEXT = np.array([1, 2, 0])
_PREV = np.array([2, 0, 1])


def cut_faces(h: np.ndarray, uv: np.ndarray, faces: np.ndarray, t: float) -> Cut:
    """Cut ``faces`` (indices into ``h``/``uv``) by the plane ``h = t``.

    ``h`` (n,) is each vertex's height along the plane normal, ``uv`` (n, 2) its in-plane
    coordinates. Vectorised; cost is linear in ``len(faces)``.
    """
    fh = h[faces]
    above = fh >= t
    n_above = above.sum(axis=1)
    crossing = (n_above == 1) | (n_above == 2)
    faces = faces[crossing]
    above = above[crossing]
    fh = fh[crossing]
    lone_above = n_above[crossing] == 1
    # The vertex on its own side of the plane; the two cut edges both start from it.
    lone = np.where(lone_above, above.argmax(axis=1), above.argmin(axis=1))
    rows = np.arange(len(faces))
    i0 = faces[rows, lone]
    i1 = faces[rows, _NEXT[lone]]
    i2 = faces[rows, _PREV[lone]]
    p, key_p = _edge_points(h, uv, i0, i1, lone_above, t)
    q, key_q = _edge_points(h, uv, i0, i2, lone_above, t)
    # Lone vertex above: p -> q runs with the region on its left; below: q -> p.
    flip = ~lone_above
    start = np.where(flip[:, None], q, p)
    end = np.where(flip[:, None], p, q)
    start_edge = np.where(flip, key_q, key_p)
    end_edge = np.where(flip, key_p, key_q)
    return Cut(start, end, start_edge, end_edge, np.flatnonzero(crossing))


def _edge_points(h: np.ndarray, uv: np.ndarray, lone: np.ndarray, other: np.ndarray, lone_above: np.ndarray,
                 t: float) -> tuple[np.ndarray, np.ndarray]:
    """Where the plane meets edges (lone, other).

    Interpolated from the upper vertex: a vertex exactly on the plane is always the upper
    one (``h >= t``), so it is reproduced bit for bit.
    """
    lo = np.where(lone_above, other, lone)
    hi = np.where(lone_above, lone, other)
    h_hi = h[hi]
    mu = (h_hi - t) / (h_hi - h[lo])
    uv_hi = uv[hi]
    points = uv_hi + mu[:, None] * (uv[lo] - uv_hi)
    n = np.int64(len(h))
    key = np.minimum(lo, hi).astype(np.int64) * n + np.maximum(lo, hi)
    return points, key


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
