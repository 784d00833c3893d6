"""The section extruded along the thigh and solved in 3-D: what the 2-D model's out-of-plane closure stands for.

The plane-strain model holds its slice back with an elastic foundation ``k = mu / l^2``, one length
for the radial and one for the circumferential displacement (:attr:`MeshOptions.holding_length_mm`).
Here the same section is a prism of length ``2 H`` along the femur: the same triangulation,
materials and Taylor-Hood P2/P1 mixed form, the femur held, the tool's traction acting over its
real length along the thigh (``Tool.length_mm``), and nothing else holding the tissue. Its mid-plane response is what the 2-D closure is fitted to.

Because the prism's geometry and materials do not change along ``z``, the 3-D problem separates
exactly into Fourier modes along the thigh (the finite-strip method; Cheung 1976): with roller
ends at ``z = +/-H`` (no axial motion, no shear: the plane-strain end condition)

    u_x, u_y, p = sum_n (U_n, V_n, P_n)(x, y) cos(k_n z),   u_z = sum_n W_n(x, y) sin(k_n z),
    k_n = n pi / H,

and each mode is a 2-D problem for (U, V, W, P) on the section's own mesh. This is the 3-D solve
of the extruded mesh at the section's full in-plane resolution: an extrusion into tetrahedra at
that resolution would have about half a million unknowns, while the modes cost one 2-D
factorisation each (``tests/test_mechanics_solid3d.py`` checks the modes against a tetrahedral
extrusion of a ring and the plane-strain limit against the 2-D solver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from skfem import Basis, MeshTri, BilinearForm, ElementTriP0, ElementTriP1, ElementTriP2, ElementVector, asm

from thighview.errors import MechanicsError
from thighview.mechanics.fem import _factorise, lame

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel
    from thighview.mechanics.results import Deformation


def _strains(u, k):
    """Strains (e_xx, e_yy, e_zz, g_xy, g_xz, g_yz) of the mode (U cos kz, V cos kz, W sin kz), less the z factor."""
    (ux, uy), (vx, vy), (wx, wy) = u.grad
    uu, vv, ww = u[0], u[1], u[2]
    return ux, vy, k * ww, uy + vx, wx - k * uu, wy - k * vv


@BilinearForm
def _mode_shear(u, v, w):
    a, b = _strains(u, w.k), _strains(v, w.k)
    return w.mu * (2.0 * (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) + a[3] * b[3] + a[4] * b[4] + a[5] * b[5])


@BilinearForm
def _mode_divergence(u, q, w):
    e = _strains(u, w.k)
    return (e[0] + e[1] + e[2]) * q


@BilinearForm
def _compliance(p, q, w):
    return p * q * w.inv_lam


@dataclass(frozen=True)
class SlabOptions:
    """The extruded length and its resolution along the thigh.

    ``half_length_mm``: the prism reaches this far either side of the section (roller ends);
    ``modes``: Fourier modes along the thigh (the shortest wave is ``2 H / modes``).
    """

    half_length_mm: float = 240.0
    modes: int = 16

    def __post_init__(self) -> None:
        if not (self.half_length_mm > 0 and self.modes >= 1):
            raise MechanicsError("the extruded section needs a positive length and at least one mode along it")


class ExtrudedSection:
    """A triangulated section as a 3-D prism along ``z``, solved mode by mode (linear elasticity, mixed u-p).

    ``mu`` and ``nu`` are per triangle; ``fixed_facets`` (the femur) hold all three components.
    Loads are in-plane tractions per mm of length, given as load vectors on the displacement
    DOFs of :attr:`ubasis` (three components per node, z left at zero).
    """

    def __init__(self, mesh: MeshTri, mu: np.ndarray, nu: np.ndarray | float, fixed_facets: np.ndarray,
                 options: SlabOptions | None = None) -> None:
        self.options = options or SlabOptions()
        self.ubasis = Basis(mesh, ElementVector(ElementTriP2(), dim=3), intorder=4)
        self.pbasis = Basis(mesh, ElementTriP1(), intorder=4)
        cells = self.ubasis.with_element(ElementTriP0())
        mu = np.broadcast_to(np.asarray(mu, dtype=float), (mesh.nelements,))
        self._mu = cells.interpolate(mu)
        self._C = asm(_compliance, self.pbasis, inv_lam=cells.interpolate(1.0 / lame(mu, nu)))
        self.n_u = self.ubasis.N
        fixed = self.ubasis.get_dofs(np.asarray(fixed_facets)).all()
        self._free = np.setdiff1d(np.arange(self.n_u + self.pbasis.N), fixed)

    def wave_numbers(self) -> np.ndarray:
        return np.arange(self.options.modes) * math.pi / self.options.half_length_mm

    def _system_terms(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """The system is K0 + k K1 + k^2 K2 (assembled from k = 0, 1 and -1)."""
        def system(k: float) -> sp.csr_matrix:
            A = asm(_mode_shear, self.ubasis, mu=self._mu, k=k)
            B = asm(_mode_divergence, self.ubasis, self.pbasis, k=k)
            return sp.bmat([[A, -B.T], [-B, -self._C]], format="csr")

        k0, plus, minus = system(0.0), system(1.0), system(-1.0)
        return k0, 0.5 * (plus - minus), 0.5 * (plus + minus) - k0

    def load_weights(self, length_mm: float) -> np.ndarray:
        """Fourier coefficients of the tool's footprint along the thigh (1 within +/- length/2 of the section).

        Lanczos sigma factors damp the truncated series' ripple (Gibbs) at the footprint's ends.
        """
        h, half = self.options.half_length_mm, 0.5 * min(length_mm, 2.0 * self.options.half_length_mm)
        k = self.wave_numbers()
        g = np.empty_like(k)
        g[0] = half / h
        g[1:] = 2.0 * np.sin(k[1:] * half) / (k[1:] * h)
        return g * np.sinc(np.arange(len(k)) / len(k))

    def mid_plane(self, loads: np.ndarray, lengths_mm) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Displacement (n_u, m), pressure (n_p, m) and the reaction on the displacement DOFs (n_u, m; at the
        femur: its hold on the tissue per mm of length) at z = 0 under ``m`` loads (columns) over their lengths."""
        loads = np.asarray(loads, dtype=float).reshape(self.n_u, -1)
        rhs = np.zeros((self.n_u + self.pbasis.N, loads.shape[1]))
        rhs[: self.n_u] = loads
        weights = np.column_stack([self.load_weights(length) for length in np.atleast_1d(lengths_mm)])
        k0, k1, k2 = self._system_terms()
        total, reaction = np.zeros_like(rhs), np.zeros_like(loads)
        for i, k in enumerate(self.wave_numbers()):
            matrix = (k0 + k * k1 + k * k * k2).tocsr()
            x = np.zeros_like(rhs)
            x[self._free] = _factorise(matrix[self._free][:, self._free].tocsc()).solve(
                np.ascontiguousarray(rhs[self._free] * weights[i])).reshape(len(self._free), -1)
            total += x
            reaction += (matrix @ x)[: self.n_u]
        return total[: self.n_u], total[self.n_u:], reaction


def in_plane_map(basis2d: Basis, basis3d: Basis) -> np.ndarray:
    """For each DOF of a 2-D vector basis (x, y), the same node's DOF of the 3-component basis on the same mesh."""
    out = np.empty(basis2d.N, dtype=int)
    for kind in ("nodal_dofs", "facet_dofs"):
        d2, d3 = getattr(basis2d, kind), getattr(basis3d, kind)
        for c in (0, 1):
            out[d2[c]] = d3[c]
    return out


def solve_in_3d(model: PressureModel, contacts: list[Contact], options: SlabOptions | None = None) -> list[Deformation]:
    """The pressure model's section extruded along the femur: the mid-plane deformation under each contact."""
    solid = ExtrudedSection(model.solver.mesh, model.shear_modulus_mpa, model.poisson, model.fixed_facets, options)
    to3 = in_plane_map(model.solver.ubasis, solid.ubasis)
    loads = np.zeros((solid.n_u, len(contacts)))
    for j, c in enumerate(contacts):
        loads[to3, j] = model.load_vector(c)
    u, p, reaction = solid.mid_plane(loads, [c.tool.length_mm for c in contacts])
    return [model.deformation(u[to3, j], p[:, j], c, reaction[to3, j]) for j, c in enumerate(contacts)]
