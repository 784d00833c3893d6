"""The 3-D solve of an extruded section (Fourier modes along the thigh) against a tetrahedral extrusion and Lamé.

The reference is the brute-force route: the ring's triangulation extruded into prisms, each split
into three tetrahedra (the split follows global vertex numbers, so neighbouring prisms share their
face diagonals), solved with scikit-fem's Taylor-Hood P2/P1 tetrahedra and the same forms as the
2-D solver.
"""

from __future__ import annotations

import numpy as np
import pytest
from skfem import (
    Basis, ElementTetP1, ElementTetP2, ElementTriP2, ElementVector, FacetBasis, LinearForm, MeshTet, MeshTri, asm,
)
from skfem.helpers import dot
from scipy.sparse import bmat
from scipy.sparse.linalg import splu

from thighview.mechanics.meshing import TriMesh
from thighview.mechanics.fem import ElasticitySolver, _compliance, _divergence, _shear, lame
from thighview.mechanics.solid3d import ExtrudedSection, SlabOptions, in_plane_map

MU, NU, A, B = 0.015, 0.49, 14.0, 50.0
PRESSURE = 0.002   # N/mm^2 on the loaded skin
PATCH_DEG = 60.0   # width of the pressed patch round the ring


def ring(nr: int = 4, nt: int = 20) -> MeshTri:
    r = np.linspace(A, B, nr)
    t = np.linspace(0.0, 2 * np.pi, nt, endpoint=False)
    p = np.array([[ri * np.cos(tj), ri * np.sin(tj)] for ri in r for tj in t])
    tri = []
    for i in range(nr - 1):
        for j in range(nt):
            a, b, c, d = i * nt + j, i * nt + (j + 1) % nt, (i + 1) * nt + j, (i + 1) * nt + (j + 1) % nt
            tri += [[a, b, d], [a, d, c]]
    return MeshTri(p.T.copy(), np.array(tri).T.copy())


def extrude(mesh: MeshTri, z: np.ndarray) -> MeshTet:
    """Prisms over each triangle and layer, three tetrahedra each (diagonals from lower to higher vertex number)."""
    n = mesh.nvertices
    p = np.vstack([np.column_stack([mesh.p.T, np.full(n, zi)]) for zi in z])
    i, j, k = np.sort(mesh.t, axis=0)
    tets = []
    for layer in range(len(z) - 1):
        lo, hi = layer * n, (layer + 1) * n
        tets += [np.column_stack(c) for c in ([i + lo, j + lo, k + lo, k + hi], [i + lo, j + lo, j + hi, k + hi],
                                              [i + lo, i + hi, j + hi, k + hi])]
    tets = np.vstack(tets)
    a, b, c, d = (p[tets[:, i]] for i in range(4))
    flip = np.einsum("ij,ij->i", np.cross(b - a, c - a), d - a) < 0
    tets[flip] = tets[flip][:, [0, 2, 1, 3]]   # positively oriented
    return MeshTet(p.T.copy(), tets.T.copy())


def patch_traction(x: np.ndarray) -> np.ndarray:
    """Inward pressure on the skin over +/- PATCH_DEG/2 round the +x axis, raised-cosine in angle (in-plane)."""
    angle = np.degrees(np.arctan2(x[1], x[0]))
    weight = np.where(np.abs(angle) < PATCH_DEG / 2, np.cos(np.pi * angle / PATCH_DEG) ** 2, 0.0)
    r = np.hypot(x[0], x[1])
    return -PRESSURE * weight * np.array([x[0] / r, x[1] / r])


def boundary(mesh, test) -> np.ndarray:
    bf = mesh.boundary_facets()
    return bf[test(mesh.p[:, mesh.facets[:, bf]].mean(axis=1))]


def tet_solve(z: np.ndarray, length_mm: float):
    """Tetrahedral solve of the ring extruded over z (z[0] = 0 symmetry plane, z[-1] roller end), patch |z| < L/2."""
    mesh = extrude(ring(), z)
    ub, pb = Basis(mesh, ElementVector(ElementTetP2()), intorder=4), Basis(mesh, ElementTetP1(), intorder=4)
    K = bmat([[asm(_shear, ub, mu=MU), -asm(_divergence, ub, pb).T],
              [-asm(_divergence, ub, pb), -asm(_compliance, pb, inv_lam=1.0 / lame(MU, NU))]], format="csc")
    ends = boundary(mesh, lambda m: (m[2] < 1e-9) | (m[2] > z[-1] - 1e-9))
    femur = np.setdiff1d(boundary(mesh, lambda m: np.hypot(m[0], m[1]) < (A + B) / 2), ends)
    skin = np.setdiff1d(boundary(mesh, lambda m: (np.hypot(m[0], m[1]) > (A + B) / 2) & (m[2] < 0.5 * length_mm)),
                        ends)
    fixed = np.unique(np.concatenate([ub.get_dofs(femur).all(), ub.get_dofs(ends).all("u^3")]))

    @LinearForm
    def load(v, w):
        t = patch_traction(w.x)
        return t[0] * v[0] + t[1] * v[1]

    rhs = np.zeros(K.shape[0])
    rhs[: ub.N] = asm(load, FacetBasis(mesh, ub.elem, facets=skin, intorder=4))
    free = np.setdiff1d(np.arange(K.shape[0]), fixed)
    x = np.zeros(K.shape[0])
    x[free] = splu(K[free][:, free].tocsc()).solve(rhs[free])
    return ub, x[: ub.N]


def modes_solve(length_mm: float, half_length_mm: float, modes: int):
    mesh = ring()
    solid = ExtrudedSection(mesh, MU, NU, boundary(mesh, lambda m: np.hypot(m[0], m[1]) < (A + B) / 2),
                            SlabOptions(half_length_mm, modes))

    @LinearForm
    def load(v, w):
        return dot(patch_traction(w.x), v[:2])

    skin = boundary(mesh, lambda m: np.hypot(m[0], m[1]) > (A + B) / 2)
    rhs = asm(load, FacetBasis(mesh, solid.ubasis.elem, facets=skin, intorder=4))
    u, _, _ = solid.mid_plane(rhs, [length_mm])
    flat = Basis(mesh, ElementVector(ElementTriP2()), intorder=4)   # probed through the 2-D basis of the same nodes
    return flat, u[in_plane_map(flat, solid.ubasis), 0]


def mid_plane_probe(basis, u: np.ndarray, three_d: bool) -> np.ndarray:
    """(x, y) displacement on the mid-plane along the outer half of the ring's +x radius and round the skin."""
    angles = np.radians([0.0, 15.0, 40.0, 90.0, 180.0])
    pts = np.vstack([np.column_stack([r * np.cos(angles), r * np.sin(angles)]) for r in (0.98 * B, 0.75 * B)])
    if three_d:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    values = (basis.probes(pts.T.copy()) @ u).reshape(-1, len(pts))
    return values[:2].T


def test_an_extruded_ring_under_a_load_uniform_along_it_is_the_plane_strain_ring():
    """Plane-strain end conditions and a load the same at every z: the modes are the 2-D solve exactly (only the
    uniform mode is loaded), the tetrahedral extrusion agrees with it within 5 % (its P1 pressure and split
    prisms make it a different discretisation of the same problem)."""
    length = 60.0
    ub3, u3 = tet_solve(np.linspace(0.0, length / 2, 4), length)
    ubm, um = modes_solve(length, length / 2, 4)
    mesh = ring()
    solver = ElasticitySolver(TriMesh(mesh.p.T, mesh.t.T), MU, NU,
                              fixed_facets=boundary(mesh, lambda m: np.hypot(m[0], m[1]) < (A + B) / 2))

    @LinearForm
    def load(v, w):
        return dot(patch_traction(w.x), v)

    rhs = asm(load, FacetBasis(solver.mesh, solver.ubasis.elem,
                               facets=boundary(mesh, lambda m: np.hypot(m[0], m[1]) > (A + B) / 2), intorder=4))
    u2 = solver.solve(rhs)
    flat = mid_plane_probe(solver.ubasis, u2, False)
    scale = np.abs(flat).max()
    error = np.abs(mid_plane_probe(ub3, u3, True) - flat).max() / scale
    print(f"plane strain: tetrahedra vs 2-D {100 * error:.2f} % of the largest displacement")
    assert error < 0.05
    assert np.abs(mid_plane_probe(ubm, um, False) - flat).max() < 1e-6 * scale


def test_fourier_modes_along_the_thigh_match_a_tetrahedral_extrusion_under_a_short_patch():
    """A patch 40 mm long on a ring 2 x 100 mm long: the mid-plane displacement within 5 % (max over probes)."""
    length, half = 40.0, 100.0
    z = np.array([0.0, 6.0, 13.0, 20.0, 27.0, 36.0, 50.0, 70.0, 100.0])
    ub3, u3 = tet_solve(z, length)
    ubm, um = modes_solve(length, half, 24)
    tet, modes = mid_plane_probe(ub3, u3, True), mid_plane_probe(ubm, um, False)
    error = np.abs(modes - tet).max() / np.abs(tet).max()
    print(f"modes vs tetrahedra, mid-plane: {100 * error:.2f} % of the largest displacement")
    assert error < 0.05


@pytest.mark.slow
def test_the_default_sections_3d_figures_change_under_two_percent_from_16_to_32_modes(default_model):
    """The closure is fitted to the 3-D mid-plane with 16 modes along the thigh (the shipped slab): twice as many
    modes must not move the figures it is fitted to or checked against (docs/mechanics.md)."""
    from thighview.mechanics import closure
    from thighview.mechanics.model import PressureModel
    from thighview.mechanics.solid3d import solve_in_3d

    model = PressureModel.from_model(default_model, 0.5)
    slab = closure.slab_for(default_model)
    contacts = closure.fit_contacts()
    coarse, fine = ([closure.figures(d) for d in solve_in_3d(model, contacts, SlabOptions(slab.half_length_mm, n))]
                    for n in (slab.modes, 2 * slab.modes))
    for a, b in zip(coarse, fine):
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=0.02), key
