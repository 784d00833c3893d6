"""Cut a triangle mesh along interior edges, so the two sides of the cut no longer share nodes.

Why: a frictional interface inside the tissue (a septum's face) needs its two sides as
separate nodes that start in the same place and may then slide. The triangles keep their
order and their corners' positions; only the vertices inside the cut are duplicated. A cut's
ends inside the body (its tips) stay shared, so the cut is held there, as a septum is held
where it meets the bone or the fascia lata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from thighview.mechanics.meshing import TriMesh


@dataclass(frozen=True)
class SplitMesh:
    """The cut mesh: the original vertices first, then the copies; ``original`` maps each vertex to its source."""

    mesh: TriMesh
    original: np.ndarray   # (n_vertices,) index into the uncut mesh's vertices

    @property
    def copies(self) -> int:
        return len(self.original) - len(np.unique(self.original))


def edge_key(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One integer per undirected edge (a, b) of a mesh of ``n`` vertices."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return lo.astype(np.int64) * n + hi


_LOCAL = np.array([[0, 1], [1, 2], [2, 0]])   # edge k of a triangle runs from corner _LOCAL[k, 0] to _LOCAL[k, 1]


@dataclass(frozen=True)
class InteriorEdges:
    """Every edge shared by two triangles: its ends, and each triangle's row in the (3 m, 2) edge list."""

    ends: np.ndarray    # (k, 2) vertices, as the first triangle runs the edge
    first: np.ndarray   # (k,) row k' * m + t: edge k' of triangle t
    second: np.ndarray
    triangles: int      # m

    @property
    def sides(self) -> tuple[np.ndarray, np.ndarray]:
        """The two triangles of each edge."""
        return self.first % self.triangles, self.second % self.triangles


def interior_edges(triangles: np.ndarray, n_vertices: int) -> InteriorEdges:
    """The edges of a triangle mesh that two triangles share."""
    tri = np.asarray(triangles)
    m = len(tri)
    ends = np.vstack([tri[:, _LOCAL[k]] for k in range(3)])
    keys = edge_key(ends[:, 0], ends[:, 1], n_vertices)
    order = np.argsort(keys, kind="stable")
    pair = np.flatnonzero(keys[order][1:] == keys[order][:-1])
    first, second = order[pair], order[pair + 1]
    return InteriorEdges(ends[first], first, second, m)


def split_along(mesh: TriMesh, cut: np.ndarray) -> SplitMesh:
    """Duplicate the vertices inside ``cut`` (an (k, 2) array of mesh edges) once per side.

    The corners of the triangles round a vertex are joined across every edge that is shared by two
    triangles and is not cut; a vertex whose corners then fall into several groups gets one vertex
    per group (the first keeps its index). Vertices off the cut are never changed.
    """
    tri = np.asarray(mesh.triangles)
    n, m = len(mesh.points), len(tri)
    cut = np.asarray(cut, dtype=int).reshape(-1, 2)
    edges = interior_edges(tri, n)
    keep = ~np.isin(edge_key(edges.ends[:, 0], edges.ends[:, 1], n), edge_key(cut[:, 0], cut[:, 1], n))
    first, second = edges.first[keep], edges.second[keep]
    a, b = edges.ends[keep, 0], edges.ends[keep, 1]

    def corner(row: np.ndarray, vertex: np.ndarray) -> np.ndarray:   # the corner of row's triangle at vertex
        t, k = row % m, row // m
        return 3 * t + np.where(tri[t, _LOCAL[k, 0]] == vertex, _LOCAL[k, 0], _LOCAL[k, 1])

    joins = np.vstack([np.column_stack([corner(first, a), corner(second, a)]),
                       np.column_stack([corner(first, b), corner(second, b)])])
    graph = sp.coo_matrix((np.ones(len(joins)), (joins[:, 0], joins[:, 1])), shape=(3 * m, 3 * m))
    _, group = connected_components(graph, directed=False)
    vertex = tri.ravel()
    group = np.where(np.isin(vertex, cut.ravel()), group, -1)   # vertices off the cut stay whole
    pairs, index = np.unique(np.column_stack([vertex, group]), axis=0, return_inverse=True)
    is_first = np.ones(len(pairs), dtype=bool)
    is_first[1:] = pairs[1:, 0] != pairs[:-1, 0]
    new_id = np.where(is_first, pairs[:, 0], n + np.cumsum(~is_first) - 1)
    original = np.concatenate([np.arange(n), pairs[~is_first, 0]])
    return SplitMesh(TriMesh(mesh.points[original], new_id[index.ravel()].reshape(m, 3)), original)
