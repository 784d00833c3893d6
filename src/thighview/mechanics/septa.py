"""The septa as frictional interfaces: where the large-deformation model's mesh is cut, and its DOFs on the uncut mesh.

Why one face of each septum, and which: a septum's sheet (0.5-2 mm in the built-in model) is
thinner than the elements round it, so its two faces carry the same normal and shear traction
and, with one friction coefficient, reach the sliding threshold together; one frictional
plane gives the slip that two in series would share. The face that is cut is the one no muscle
arises from (``septum_origins`` in ``data/femur_attachments.json``: the vasti and the short head of
biceps arise from the septa, so their faces are bonded); where both faces are free the longer
free face is cut, and where both are bonded the septum is not cut at that level. The cut ends
where the septum meets the bone's sliding layer and where it meets the fascia lata or fat:
its tips stay joined (the linea aspera and the fascia lata hold the septum).

The cut mesh only serves the large-deformation solve; the linear preview and the drawings keep
the uncut mesh, which sees the solve's displacement with each cut node at the mean of its two
copies (the slip across a septum is at most about one fine element, drawn as a shear of the
elements beside it; the readouts measure it on the cut mesh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from thighview.attachments import arises_from
from thighview.mechanics.fem import MixedBases
from thighview.mechanics.geometry import SEPTA
from thighview.mechanics.interface import NodePairs, pairs_across
from thighview.mechanics.split import SplitMesh, edge_key, interior_edges, split_along

_CLEAR_MM = 0.6   # past the linear model's sliding band, as at the bone


@dataclass(frozen=True)
class SeptalCuts:
    """The cut mesh of a pressure model, its bases, the node pairs across the cuts, the map back to the uncut mesh."""

    split: SplitMesh
    bases: MixedBases
    pairs: NodePairs
    septum: tuple[str, ...]          # the septum of each pair node
    face: dict[str, str]             # per septum: the structure group whose face is cut ("" where none is)
    bonded_mm: dict[str, float]      # per septum: length of the chosen face left bonded (a muscle arises from it)
    restrict: sp.csr_matrix          # (uncut u DOFs, cut u DOFs): each uncut node the mean of its copies
    to_split: np.ndarray             # uncut u DOF -> its first copy's DOF

    def load(self, load: np.ndarray) -> np.ndarray:
        """An uncut load vector on the cut DOFs (a node's load shared by its copies)."""
        return self.restrict.T @ load


def cut_septa(model) -> SeptalCuts:
    """Cut the model's mesh along the free face of each septum (see the module docstring)."""
    mesh, names, region = model.mesh, model.region_names, model.region
    edges = interior_edges(mesh.triangles, len(mesh.points))
    t1, t2 = edges.sides
    cut, a_side, b_side, which = [], [], [], []
    face, bonded_mm = {}, {}
    for name, groups in SEPTA.items():
        if name not in names or f"{name}:sliding" not in names:
            continue
        strip, band = names.index(name), names.index(f"{name}:sliding")
        first = (region[t1] == strip) & (region[t2] == band)
        on = first | ((region[t2] == strip) & (region[t1] == band))
        ts, tb = np.where(first, t1, t2)[on], np.where(first, t2, t1)[on]
        ends = edges.ends[on]
        p, q = mesh.points[ends[:, 0]], mesh.points[ends[:, 1]]
        length = np.linalg.norm(q - p, axis=1)
        normal = np.column_stack([(q - p)[:, 1], -(q - p)[:, 0]]) / length[:, None]
        mid = 0.5 * (p + q)
        normal *= np.sign(((mesh.centroids[tb] - mid) * normal).sum(axis=1))[:, None]   # out of the strip
        beyond = model.shape.structure_at(mid + normal * (model.options.septum_layer_mm + _CLEAR_MM))
        group = [model.shape.compartments.get(s) for s in beyond]
        side = np.array([groups.index(g) if g in groups else -1 for g in group])
        bonded = np.array([arises_from(s, name, model.level) for s in beyond], dtype=bool)
        free = [float(length[(side == k) & ~bonded].sum()) for k in (0, 1)]
        chosen = side == int(np.argmax(free))
        face[name] = groups[int(np.argmax(free))].value if max(free) > 0 else ""
        bonded_mm[name] = float(length[chosen & bonded].sum())
        take = chosen & ~bonded   # nothing where neither face has a free edge
        cut.append(ends[take])
        a_side.append(ts[take])
        b_side.append(tb[take])
        which += [name] * int(take.sum())
    cut = np.vstack(cut) if cut else np.empty((0, 2), dtype=int)
    split = split_along(mesh, cut)
    bases = MixedBases.of(split.mesh)
    pairs = pairs_across(split, bases, cut, np.concatenate(a_side or [[]]).astype(int),
                         np.concatenate(b_side or [[]]).astype(int))
    restrict, to_split = _dof_maps(model.solver, bases, split.original)
    return SeptalCuts(split, bases, pairs, tuple(which[e] for e in pairs.edge), face, bonded_mm,
                      restrict, to_split)


def _dof_maps(uncut, bases: MixedBases, original: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The mean-of-copies map from cut to uncut displacement DOFs, and each uncut DOF's first copy."""
    ub, lub = bases.ubasis, uncut.ubasis
    n = lub.mesh.p.shape[1]
    to_uncut = np.empty(ub.N, dtype=int)
    uncut_key = edge_key(*lub.mesh.facets, n)
    order = np.argsort(uncut_key)
    facet = order[np.searchsorted(uncut_key[order], edge_key(*original[bases.mesh.facets], n))]
    for c in (0, 1):
        to_uncut[ub.nodal_dofs[c]] = lub.nodal_dofs[c][original]
        to_uncut[ub.facet_dofs[c]] = lub.facet_dofs[c][facet]
    copies = np.bincount(to_uncut, minlength=lub.N)
    restrict = sp.csr_matrix((1.0 / copies[to_uncut], (to_uncut, np.arange(ub.N))), shape=(lub.N, ub.N))
    first = np.empty(lub.N, dtype=int)
    first[to_uncut[::-1]] = np.arange(ub.N)[::-1]
    return restrict, first
