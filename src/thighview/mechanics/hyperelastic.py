"""Large deformation of nearly incompressible tissue: neo-Hookean, mixed u-p (Taylor-Hood), Newton with load steps.

Why: under a hand the tissue strains by tens of percent and turns round the bone, where a
linear model's small-strain kinematics are wrong, and the one mechanism the massage advice
rests on, friction at the layers (pressing into the bone raises the normal stress that holds
them together), is nonlinear. The linear model (:mod:`thighview.mechanics.fem`) stays as the
instant preview.

Formulation (total Lagrangian, plane strain, so F33 = 1 and J = det F of the 2x2 block):

    Pi(u, p) = integral  mu/2 (J^-2/3 I1 - 3) - p (J - 1) - p^2 / (2 kappa)  dX  - W_ext(u)

with I1 = F:F + 1 (the 3-D isochoric neo-Hookean energy) and kappa = lambda + 2 mu / 3, so the
linearisation at u = 0 is exactly the linear model with the same mu and Poisson's ratio.
``p`` (P1) is the pressure, positive in compression; u is P2 (Taylor-Hood, no locking). Loads are
dead tractions on the reference skin. Newton's method on the saddle-point system, in load steps.

The interface with the femur (see :class:`FrictionInterface`) is node-to-rigid-surface contact:
bonded nodes are held (Dirichlet); the others touch the bone through a normal penalty
(unilateral: tissue may lift off) and Coulomb friction with a penalty-regularised stick and a
return mapping for slip, the standard frictional contact of Wriggers (*Computational Contact
Mechanics*, 2nd ed., 2006, ch. 5 and 10). Slip is history dependent, so it is updated only
when a load step has converged. Where the mesh is cut along a septum, the same law acts node
to node on the displacement of one face relative to the other (two-sided: each pair's forces and
tangent blocks go to both faces with opposite signs).

Speed: scikit-fem provides the elements, quadrature, DOF maps and basis gradients; the
tangent and residual are contracted for all elements at once, on the scalar P2 gradients (the
vector basis is the scalar one per component), and summed into a fixed sparse pattern built once
(:class:`_Pattern`); each load step starts from a secant predictor, and the residual of the
accepted line-search point is the next iteration's. The sparse LU of the tangent was most of the
cost (about 88 % on the default section), so Newton steps are solved by GMRES preconditioned with
the LU of an earlier tangent, to a tolerance that shrinks with the residual (inexact Newton-Krylov,
:class:`_KeptLU`); a new LU is made only when GMRES is slow. Unlike modified Newton (a kept LU used
as the tangent, tried and dropped: sideways it led the frictional problem to other equilibria), the
step is the current tangent's: on the default section the tests find full Newton's states in both
directions (the frictional problem can have several equilibria, and which one a solver reaches can
depend on its iterates: docs/mechanics.md, Limits (6)).
:func:`naive_newton` (the same loop with the tangent and residual from scikit-fem forms,
``asm`` every call) is the reference the benchmark and tests compare with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from skfem import BilinearForm, ElementTriP0, LinearForm, asm

from thighview.errors import MechanicsError
from thighview.mechanics.blas import on_one_blas_thread
from thighview.mechanics.fem import ElasticitySolver, foundation_matrix
from thighview.mechanics.lu import splu  # made and freed on one thread (see lu.py)

#: The least half-width (mm) of the elastic stick window of the friction law (:meth:`FrictionInterface.law`).
STICK_MM = 1e-3
#: Newton stops when the residual norm falls below this fraction of the external load's norm.
NEWTON_RTOL = 1e-8
NEWTON_MAX_ITERATIONS = 25


def bulk_modulus(mu: np.ndarray, nu: np.ndarray | float) -> np.ndarray:
    """kappa = lambda + 2 mu / 3: the bulk modulus that makes the mixed energy match (mu, nu) at small strain."""
    nu = np.asarray(nu, dtype=float)
    return 2.0 * np.asarray(mu, dtype=float) * (1.0 + nu) / (3.0 * (1.0 - 2.0 * nu))


# -- kinematics and the neo-Hookean stress, at all quadrature points at once ----------------------
def _inv_transpose(F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    J = F[0, 0] * F[1, 1] - F[0, 1] * F[1, 0]
    FiT = np.array([[F[1, 1], -F[1, 0]], [-F[0, 1], F[0, 0]]]) / J
    return J, FiT


def stress_and_tangent(H: np.ndarray, p: np.ndarray, mu: np.ndarray,
                       tangent: bool = True) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """First Piola stress P, its derivative A = dP/dF, J and J F^-T, for a displacement gradient H (2, 2, ...).

    ``p`` is the pressure and ``mu`` the shear modulus at the same points.
    """
    F = H + np.eye(2).reshape(2, 2, *([1] * (H.ndim - 2)))
    J, FiT = _inv_transpose(F)
    if np.any(J <= 0):
        raise MechanicsError("the tissue was turned inside out (J <= 0): the load step is too large")
    I1 = (F * F).sum(axis=(0, 1)) + 1.0
    a = mu * J ** (-2.0 / 3.0)
    dev = F - I1 / 3.0 * FiT
    P = a * dev - p * J * FiT
    if not tangent:
        return P, None, J, J * FiT
    eye = np.eye(2)
    d_ik_jl = np.einsum("ik,jl->ijkl", eye, eye).reshape(2, 2, 2, 2, *([1] * (H.ndim - 2)))
    A = (a * (-2.0 / 3.0 * (np.einsum("kl...,ij...->ijkl...", FiT, dev) + np.einsum("kl...,ij...->ijkl...", F, FiT))
              + d_ik_jl + I1 / 3.0 * np.einsum("il...,kj...->ijkl...", FiT, FiT))
         - p * J * (np.einsum("kl...,ij...->ijkl...", FiT, FiT) - np.einsum("il...,kj...->ijkl...", FiT, FiT)))
    return P, A, J, J * FiT


# -- frictional interfaces: tissue on the bone, and tissue on tissue across a cut septum ----------------
@dataclass(frozen=True)
class FrictionInterface:
    """Frictional contact at interface nodes: with the fixed femur, or with a partner node across a cut.

    ``xdof``/``ydof``: the displacement DOFs of each interface node; ``normal``: unit normal
    out of the other side (the bone, or the partner's tissue) into this node's tissue; ``weight``: the node's
    share of the interface (mm of outline, per mm of slice), so a traction times the weight is the nodal force.
    ``other_xdof``/``other_ydof`` (optional): the partner node's DOFs across a cut, where the gap and slip are
    the displacement relative to the partner and the partner takes the opposite force; a node that is its own
    partner (the default) touches the rigid bone. Paired faces do not separate (nothing fills a gap inside
    the thigh: the loose tissue between them holds them by its fluid pressure) and slide with friction on the
    compression across them; a node on the bone may lift off.
    ``penalty`` (N/mm^3) is a numerical stiffness, large enough that penetration and elastic
    stick are small against the slip (stated in the readout), not a tissue property.
    """

    xdof: np.ndarray
    ydof: np.ndarray
    normal: np.ndarray
    weight: np.ndarray
    friction: float
    penalty: float
    other_xdof: np.ndarray | None = None
    other_ydof: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.other_xdof is None:
            object.__setattr__(self, "other_xdof", self.xdof)
            object.__setattr__(self, "other_ydof", self.ydof)

    @cached_property
    def paired(self) -> np.ndarray:
        """Which nodes have a partner across a cut (the others touch the bone)."""
        return self.other_xdof != self.xdof

    @property
    def tangent(self) -> np.ndarray:
        return np.column_stack([-self.normal[:, 1], self.normal[:, 0]])

    def relative(self, u: np.ndarray) -> np.ndarray:
        """(k, 2) displacement of each node relative to the other side (the bone does not move)."""
        c = self.paired.astype(float)
        return (np.column_stack([u[self.xdof], u[self.ydof]])
                - c[:, None] * np.column_stack([u[self.other_xdof], u[self.other_ydof]]))

    def gaps(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normal gap (positive = lifted off the other side) and tangential displacement (slip) at each node, mm."""
        d = self.relative(u)
        return (d * self.normal).sum(axis=1), (d * self.tangent).sum(axis=1)

    def law(self, u: np.ndarray, slip_before: np.ndarray, friction: float | None = None) -> dict[str, np.ndarray]:
        """The friction law at each node: normal traction (compression +; >= 0 on the bone), friction traction on the
        node, whether it slips, and what the tangent needs.

        Return mapping: a node sticks elastically while its slip since the last converged step, ``s``, stays within
        a window ``max(mu p / penalty, STICK_MM)`` (the friction traction growing linearly to mu p across it), and
        slides beyond it with the traction held at mu * p (a paired face in tension slides freely). The window's
        floor keeps a barely pressed node's stick (for the penalty alone 2 mu p / penalty wide, nanometres) wider
        than a Newton step's wobble, or Newton cycles there; it is far below any slip reported.
        """
        mu = self.friction if friction is None else friction
        gn, gt = self.gaps(u)
        pressure = self.penalty * np.where(self.paired, -gn, np.maximum(-gn, 0.0))
        limit = mu * np.maximum(pressure, 0.0)
        s = gt - slip_before
        window = np.maximum(limit / self.penalty, STICK_MM)
        slipping = (np.abs(s) > window) | (limit == 0.0)   # nothing holds an unpressed node
        stiffness = limit / window                     # the stick's: the penalty, or softer where p is small
        shear = np.where(slipping, -np.sign(s) * limit, -stiffness * s)   # the other side resists the motion
        return {"pressure": pressure, "shear": shear, "slipping": slipping, "gn": gn, "gt": gt, "s": s,
                "limit": limit, "window": window, "stiffness": stiffness, "mu": mu}

    def tractions(self, u: np.ndarray, slip_before: np.ndarray,
                  friction: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Normal traction (compression +; >= 0 on the bone), friction traction on the node and the slipping nodes."""
        law = self.law(u, slip_before, friction)
        return law["pressure"], law["shear"], law["slipping"]

    def slip_after(self, u: np.ndarray, slip_before: np.ndarray) -> np.ndarray:
        """The irreversible (plastic) slip once a load step has converged: a sliding node's slip less its window
        (all of it where nothing presses the node)."""
        law = self.law(u, slip_before)
        held = np.where(law["limit"] > 0.0, np.sign(law["s"]) * law["window"], 0.0)
        return np.where(law["slipping"], law["gt"] - held, slip_before)

    @cached_property
    def blocks(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]]:
        """The tangent's sixteen node-wise COO blocks: (rows, cols, coefficient, row component, column component).

        A node's 2x2 contact stiffness B acts on the relative displacement, so it enters (own, own) as B,
        (own, other) and (other, own) as -B and (other, other) as B; for a node on the bone the coefficient of
        every block with the other side is 0 (its pattern entries are the node's own).
        """
        c = self.paired.astype(float)
        sides = [((self.xdof, self.ydof), np.ones(len(c))), ((self.other_xdof, self.other_ydof), -c)]
        out = []
        for (rdofs, rc) in sides:
            for a in (0, 1):
                for (cdofs, cc) in sides:
                    for b in (0, 1):
                        out.append((rdofs[a], cdofs[b], rc * cc, a, b))
        return out


# -- the sparse pattern, built once ------------------------------------------------------------
class _Pattern:
    """A fixed CSR pattern on the free DOFs; :meth:`matrix` sums COO values into it without sorting."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, free: np.ndarray, size: int) -> None:
        index = np.full(size, -1)
        index[free] = np.arange(len(free))
        r, c = index[rows], index[cols]
        self.keep = (r >= 0) & (c >= 0)
        n = len(free)
        keys = r[self.keep].astype(np.int64) * n + c[self.keep]
        unique, self.slot = np.unique(keys, return_inverse=True)
        self.shape = (n, n)
        self.indices = (unique % n).astype(np.int32)
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(unique // n, minlength=n))]).astype(np.int32)
        self.nnz = len(unique)

    def matrix(self, values: np.ndarray) -> sp.csr_matrix:
        data = np.bincount(self.slot, weights=values[self.keep], minlength=self.nnz)
        return sp.csr_matrix((data, self.indices, self.indptr), shape=self.shape)


@dataclass
class LoadStep:
    """One converged point of the solution path."""

    fraction: float
    u: np.ndarray = field(repr=False)
    p: np.ndarray = field(repr=False)
    iterations: int
    residuals: tuple[float, ...]
    contact_pressure: np.ndarray = field(repr=False)   # N/mm^2 at each interface node
    contact_shear: np.ndarray = field(repr=False)      # N/mm^2 at each interface node (on the tissue)
    slipping: np.ndarray = field(repr=False)           # bool per interface node


class HyperelasticSolver:
    """Nearly incompressible neo-Hookean section on the linear solver's mesh, bases and load vectors.

    ``fixed`` are the DOFs held at zero (bonded to the bone); ``interface`` the frictional
    contact with the bone (optional); ``foundation`` the out-of-plane holding (N/mm^3 per triangle,
    or a 2x2 tensor per triangle).
    """

    def __init__(self, linear: ElasticitySolver, mu: np.ndarray, nu: np.ndarray | float,
                 fixed: np.ndarray, interface: FrictionInterface | None = None,
                 foundation: np.ndarray | None = None) -> None:
        self.linear = linear
        ub, pb = linear.ubasis, linear.pbasis
        self.n_u, self.n_p = ub.N, pb.N
        size = self.n_u + self.n_p
        ne = linear.mesh.nelements
        self.mu_cell = np.broadcast_to(np.asarray(mu, dtype=float), (ne,)).copy()
        self.kappa_cell = bulk_modulus(self.mu_cell, np.broadcast_to(np.asarray(nu, dtype=float), (ne,)))
        self.mu_q = self.mu_cell[:, None]
        self.kappa_q = self.kappa_cell[:, None]
        self.interface = interface
        self.fixed = np.unique(np.asarray(fixed, dtype=int))
        self.free = np.setdiff1d(np.arange(size), self.fixed)
        # basis data at the quadrature points, fixed for a total-Lagrangian solve
        # the vector P2 basis is the scalar one per component, interleaved (x, y of node 0, then node 1, ...):
        # only the scalar gradients are kept, which makes the tangent's contraction four times smaller
        G = np.stack([ub.basis[i][0].grad for i in range(ub.Nbfun)])   # (12, 2, 2, E, Q)
        self.g = G[0::2, 0]                                               # (6, 2, E, Q)
        if not (np.array_equal(G[1::2, 1], self.g) and not G[0::2, 1].any() and not G[1::2, 0].any()):
            raise MechanicsError("unexpected layout of the vector basis")
        self.Q = np.stack([pb.basis[i][0].value for i in range(pb.Nbfun)])  # (3, E, Q)
        self.dx = ub.dx
        self.udofs = ub.element_dofs
        self.pdofs = pb.element_dofs + self.n_u
        # the fixed factors of the tangent (total Lagrangian): the gradients laid out for two batched
        # matrix products per element in Kuu, and Kpp, which does not depend on the state
        ne, nq = self.dx.shape
        self._g_rows = np.ascontiguousarray(self.g.transpose(2, 0, 1, 3)).reshape(ne, len(self.g), 2 * nq)
        self._g_dx = np.ascontiguousarray((self.g * self.dx).transpose(2, 3, 1, 0))
        self._kpp = -np.einsum("aeq,beq,eq->abe", self.Q, self.Q, self.dx / self.kappa_q).ravel()
        self._q_dx = np.ascontiguousarray((self.Q * self.dx).transpose(1, 2, 0))   # (e, q, b)
        self.foundation = None
        if foundation is not None:
            self.foundation = foundation_matrix(ub, foundation).tocoo()
        rows, cols = self._coo_index()
        self.pattern = _Pattern(rows, cols, self.free, size)
        self.factorisations = 0         # LU factorisations so far
        self.naive = False              # the textbook baseline: tangent and residual from scikit-fem forms
        self.krylov = True              # False: full Newton, a new LU every iteration (the tests' reference)
        self._forms = None

    # -- assembly ------------------------------------------------------------------------------
    def _coo_index(self) -> tuple[np.ndarray, np.ndarray]:
        def pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:   # (a_i, b_j, element), C order
            shape = (a.shape[0], b.shape[0], a.shape[1])
            return np.broadcast_to(a[:, None, :], shape).ravel(), np.broadcast_to(b[None, :, :], shape).ravel()

        (uu_r, uu_c), (up_r, up_c), (pp_r, pp_c) = (pairs(self.udofs, self.udofs), pairs(self.udofs, self.pdofs),
                                                    pairs(self.pdofs, self.pdofs))
        # the (P, U) block in the (U, P) block's order, so that Kup's values serve both
        rows, cols = [uu_r, up_r, up_c, pp_r], [uu_c, up_c, up_r, pp_c]
        if self.foundation is not None:
            rows.append(self.foundation.row)
            cols.append(self.foundation.col)
        if self.interface is not None:
            for r, c, _, _, _ in self.interface.blocks:
                rows.append(r)
                cols.append(c)
        return np.concatenate(rows), np.concatenate(cols)

    def gradient(self, u: np.ndarray) -> np.ndarray:
        """Displacement gradient (2, 2, E, Q) at the quadrature points."""
        ne = self.udofs.shape[1]
        return np.einsum("ace,ajeq->cjeq", u[self.udofs].reshape(-1, 2, ne), self.g)

    def pressure_at_points(self, p: np.ndarray) -> np.ndarray:
        return np.einsum("ae,aeq->eq", p[self.pdofs - self.n_u], self.Q)

    def assemble(self, x: np.ndarray, load: np.ndarray, slip_before: np.ndarray | None,
                 tangent: bool = True, friction: float | None = None,
                 residual: bool = True) -> tuple[np.ndarray | None, sp.csr_matrix | None]:
        """Residual on all DOFs (internal minus external forces) and the tangent on the free DOFs.

        ``residual`` False skips the residual (None): Newton has it already from its line search."""
        if self.naive:
            return self._assemble_textbook(x, load, slip_before, tangent, friction)
        u, p = x[: self.n_u], x[self.n_u:]
        P, A, J, JFiT = stress_and_tangent(self.gradient(u), self.pressure_at_points(p), self.mu_q, tangent)
        dx = self.dx
        R = None
        if residual:
            size = self.n_u + self.n_p
            Ru = np.einsum("cjeq,ajeq,eq->ace", P, self.g, dx).reshape(-1, dx.shape[0])
            Rp = np.einsum("eq,beq,eq->be", -(J - 1.0) - self.pressure_at_points(p) / self.kappa_q, self.Q, dx)
            R = np.bincount(self.udofs.ravel(), Ru.ravel(), size) + np.bincount(self.pdofs.ravel(), Rp.ravel(), size)
            R[: self.n_u] -= load
        values = []
        if tangent:
            g, (ne, nq) = self.g, dx.shape
            nb = len(g)
            # Kuu[a c, b d] = sum over q, j, l of g[a j] A[c j d l] g[b l] dx, as two batched products per element
            Ag = np.matmul(A.transpose(4, 5, 0, 1, 2, 3).reshape(ne, nq, 8, 2), self._g_dx)   # (e, q, c j d, b)
            Ag = Ag.reshape(ne, nq, 2, 2, 2, nb).transpose(0, 3, 1, 2, 4, 5).reshape(ne, 2 * nq, 4 * nb)
            Kuu = np.matmul(self._g_rows, Ag).reshape(ne, nb, 2, 2, nb).transpose(1, 2, 4, 3, 0)  # (a, c, b, d, e)
            # Kup[a c, b] = -sum over q, j of g[a j] (J F^-T)[c j] Q[b] dx, as one batched product per element
            gJ = np.einsum("ajeq,cjeq->eacq", g, JFiT).reshape(ne, 2 * nb, nq)
            Kup = -np.matmul(gJ, self._q_dx).reshape(ne, nb, 2, -1).transpose(1, 2, 3, 0)   # (a, c, b, e)
            values = [Kuu.ravel(), Kup.ravel(), Kup.ravel(), self._kpp]
        if self.foundation is not None:
            f = self.foundation
            if residual:
                R[: self.n_u] += np.bincount(f.row, f.data * u[f.col], self.n_u)
            if tangent:
                values.append(f.data)
        if self.interface is not None:
            kc = self._contact(u, slip_before, R, friction)
            if tangent:
                values.extend(kc)
        if not tangent:
            return R, None
        return R, self.pattern.matrix(np.concatenate(values))

    def _assemble_textbook(self, x: np.ndarray, load: np.ndarray, slip_before: np.ndarray | None,
                           tangent: bool, friction: float | None) -> tuple[np.ndarray, sp.csr_matrix | None]:
        """The same residual and tangent from scikit-fem forms (``asm``, sorted and summed anew each call).

        An independent implementation of the energy, written with scikit-fem's helpers: the tests
        compare it with the vectorised assembly and the benchmark uses it as the naive baseline.
        The foundation and the contact are nodal terms shared with :meth:`assemble`.
        """
        ub, pb = self.linear.ubasis, self.linear.pbasis
        if self._forms is None:
            self._forms = _textbook_forms(self)
        k_uu, k_up, k_pp, r_u, r_p, mu, kappa = self._forms
        u, p = x[: self.n_u], x[self.n_u:]
        uf, pf = ub.interpolate(u), pb.interpolate(p)
        R = np.concatenate([asm(r_u, ub, u=uf, p=pf, mu=mu) - load, asm(r_p, pb, u=uf, p=pf, mu=mu, kappa=kappa)])
        K = None
        if tangent:
            Kuu = asm(k_uu, ub, u=uf, p=pf, mu=mu)
            Kup = asm(k_up, pb, ub, u=uf, p=pf, mu=mu)
            K = sp.bmat([[Kuu, Kup], [Kup.T, asm(k_pp, pb, kappa=kappa)]], format="csr")
        if self.foundation is not None:
            F = self.foundation.tocsr()
            R[: self.n_u] += F @ u
            if tangent:
                K = K + sp.block_diag([F, sp.csr_matrix((self.n_p, self.n_p))], format="csr")
        if self.interface is not None:
            kc = self._contact(u, slip_before, R, friction)
            if tangent:
                blocks = self.interface.blocks
                rows, cols = (np.concatenate([b[k] for b in blocks]) for k in (0, 1))
                K = K + sp.csr_matrix((np.concatenate(kc), (rows, cols)), shape=K.shape)
        if not tangent:
            return R, None
        return R, K[self.free][:, self.free].tocsr()

    def _contact(self, u: np.ndarray, slip_before: np.ndarray, R: np.ndarray | None,
                 friction: float | None) -> list[np.ndarray]:
        """Add the contact forces to ``R`` (unless None); return the contact tangent's values in the order of
        :attr:`FrictionInterface.blocks`.

        A slipping node has no tangential stiffness, only the friction's dependence on the pressure.
        """
        i = self.interface
        law = i.law(u, slip_before, friction)
        pressure, shear, slipping, gn = law["pressure"], law["shear"], law["slipping"], law["gn"]
        n, t, w, eps, mu = i.normal, i.tangent, i.weight, i.penalty, law["mu"]
        if R is not None:
            force = w[:, None] * (pressure[:, None] * n + shear[:, None] * t)   # the other side's force on the node
            c = i.paired.astype(float)
            for k, (own, other) in enumerate(((i.xdof, i.other_xdof), (i.ydof, i.other_ydof))):
                np.subtract.at(R, own, force[:, k])
                np.add.at(R, other, c * force[:, k])
        # closed at zero gap (the other side can push from the start); a paired face never opens
        touching = ((gn <= 0) | i.paired).astype(float)
        compressed = (gn <= 0).astype(float)
        # d(-force)/d(relative u): normal penalty n n^T; stick: k t t^T, and where k = mu p / window (a barely
        # pressed node) its dependence on the pressure; slip: mu eps sign t n^T (d|shear|/d gap)
        soft = ~slipping & (law["limit"] < eps * STICK_MM)
        k_nn = w * eps * touching
        k_tt = w * law["stiffness"] * ~slipping
        k_tn = w * mu * eps * compressed * np.where(slipping, -np.sign(law["s"]),
                                                     np.where(soft, -law["s"] / law["window"], 0.0))
        node = [[k_nn * n[:, a] * n[:, b] + k_tt * t[:, a] * t[:, b] + k_tn * t[:, a] * n[:, b] for b in (0, 1)]
                for a in (0, 1)]
        return [coefficient * node[a][b] for _, _, coefficient, a, b in i.blocks]

    # -- Newton ----------------------------------------------------------------------------------
    def path(self, load: np.ndarray, fractions: Sequence[float], cancel: Callable[[], bool] | None = None,
             friction: float | None = None) -> Iterator[LoadStep]:
        """Converged states at each load fraction: the real solution path, step by step.

        Each step starts from a linear extrapolation of the last two (a secant predictor), which
        saves about one Newton iteration per step.
        """
        x = np.zeros(self.n_u + self.n_p)
        last, last_fraction = x.copy(), 0.0
        slip = np.zeros(len(self.interface.xdof)) if self.interface is not None else None
        done = 0.0
        kept = _KeptLU(self)   # dropped with this call, on this thread (mechanics/lu.py's note)
        for fraction in fractions:
            guess = x + (x - last) * ((float(fraction) - done) / (done - last_fraction)) if done > 0 else x
            last, last_fraction = x, done
            try:
                x, its, res = self.newton(guess, load * float(fraction), slip, cancel, friction, kept)
            except _NoConvergence:
                x, its, res = self._step(x, load, done, float(fraction), slip, cancel, friction, kept)
            done = float(fraction)
            yield self._record(x, done, its, res, slip, friction)
            if self.interface is not None:
                slip = self.interface.slip_after(x[: self.n_u], slip)

    def _record(self, x, fraction, its, res, slip, friction) -> LoadStep:
        u, p = x[: self.n_u], x[self.n_u:]
        if self.interface is None:
            empty = np.empty(0)
            return LoadStep(fraction, u.copy(), p.copy(), its, tuple(res), empty, empty, empty.astype(bool))
        pressure, shear, slipping = self.interface.tractions(u, slip, friction)
        return LoadStep(fraction, u.copy(), p.copy(), its, tuple(res), pressure, shear, slipping)

    def _step(self, x, load, start, end, slip, cancel, friction, kept, depth: int = 0):
        """Newton from the state at ``start`` to ``end``; halves the step (at most 5 times) if it fails."""
        try:
            return self.newton(x, load * end, slip, cancel, friction, kept)
        except _NoConvergence:
            if depth >= 5:
                raise MechanicsError("the large-deformation solve did not converge (try a smaller force)") from None
            mid = 0.5 * (start + end)
            x, _, _ = self._step(x, load, start, mid, slip, cancel, friction, kept, depth + 1)
            return self._step(x, load, mid, end, slip, cancel, friction, kept, depth + 1)

    @on_one_blas_thread   # its dense products, without OpenBLAS's spinning threads (mechanics/blas.py)
    def newton(self, x0: np.ndarray, load: np.ndarray, slip: np.ndarray | None,
               cancel: Callable[[], bool] | None = None, friction: float | None = None,
               kept: _KeptLU | None = None):
        """Newton iterations to equilibrium under ``load``; returns (x, iterations, residual norms).

        ``kept`` carries a factorisation from earlier iterations or load steps (see :class:`_KeptLU`).
        """
        kept = _KeptLU(self) if kept is None else kept
        x = x0.copy()
        scale = max(float(np.linalg.norm(load)), 1e-30)
        residuals = []
        R = self._residual(x, load, slip, friction)
        for it in range(NEWTON_MAX_ITERATIONS + 1):
            if cancel is not None and cancel():
                raise MechanicsError("the large-deformation solve was cancelled")
            norm = float(np.linalg.norm(R[self.free]))
            residuals.append(norm / scale)
            if norm <= NEWTON_RTOL * scale:
                return x, it, residuals
            if it == NEWTON_MAX_ITERATIONS or not np.isfinite(norm):
                break
            _, K = self.assemble(x, load, slip, friction=friction, residual=False)
            step = kept.solve(K, -R[self.free], min(KRYLOV_RTOL, norm / scale))
            x, R = self._line_search(x, step, np.inf if it == 0 else norm,
                                     load, slip, friction)
        raise _NoConvergence()

    def _residual(self, x, load, slip, friction) -> np.ndarray:
        try:
            R, _ = self.assemble(x, load, slip, tangent=False, friction=friction)
        except MechanicsError:   # inverted elements
            raise _NoConvergence() from None
        return R

    def _line_search(self, x, step, norm, load, slip, friction):
        """Backtrack along the Newton step until the residual falls (Armijo); the friction law is only
        piecewise smooth. If no fraction of the step lowers it, the full step is taken, as plain Newton would.
        The first iteration of a load step passes ``norm`` = inf: its full step is kept unless it inverts
        elements (the first step from a new load often raises the residual before Newton converges).
        Returns the new state and its residual.
        """
        full = None
        alpha = 1.0
        for _ in range(6):
            trial = x.copy()
            trial[self.free] += alpha * step
            try:
                R, _ = self.assemble(trial, load, slip, tangent=False, friction=friction)
                trial_norm = float(np.linalg.norm(R[self.free]))
            except MechanicsError:   # inverted elements: shorten the step
                trial_norm, R = np.inf, None
            if full is None and np.isfinite(trial_norm):
                full = trial, R
            if np.isfinite(trial_norm) and trial_norm <= (1.0 - 1e-4 * alpha) * norm:
                return trial, R
            alpha *= 0.5
        if full is None:
            raise _NoConvergence()
        return full


class _NoConvergence(Exception):
    pass


#: GMRES on a kept factorisation stops when the linear residual is below this fraction of the Newton
#: right-hand side, or below the Newton residual relative to the load if that is smaller: a forcing
#: term of order |R| keeps Newton's quadratic convergence (Eisenstat and Walker, SIAM J Sci Comput
#: 17 (1996) 16-32). Tightened to |R|^2 it led the into-bone sequence to another equilibrium at 30 N.
KRYLOV_RTOL = 1e-3
#: A kept factorisation is dropped for a new one when GMRES would need more iterations than this.
KRYLOV_MAX_ITERATIONS = 12


def _factorise(K: sp.csr_matrix, single: bool = False):
    """Sparse LU of the Newton system (minimum-degree ordering of A + A^T, as the linear model); ``single``:
    in float32, for a preconditioner (:class:`_SingleLU`)."""
    A = K.tocsc()
    lu = splu(A.astype(np.float32) if single else A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
              options={"SymmetricMode": True})
    return _SingleLU(lu) if single else lu


class _SingleLU:
    """A float32 LU that solves float64 vectors.

    Why: in the Newton-Krylov steps the LU is only a preconditioner, and GMRES measures the true residual
    in float64, so its precision bounds nothing but the iteration count (unchanged on the default
    section). Its triangular solves, most of a step's time, move half the bytes.
    """

    __slots__ = ("lu",)

    def __init__(self, lu) -> None:
        self.lu = lu

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        return self.lu.solve(rhs.astype(np.float32)).astype(np.float64)


def _lu_solve(K: sp.csr_matrix, lu, rhs: np.ndarray) -> np.ndarray:
    """A direct solve with one step of iterative refinement."""
    dx = lu.solve(rhs)
    return dx + lu.solve(rhs - K @ dx)


class _KeptLU:
    """Newton steps solved by GMRES preconditioned with the LU of an earlier tangent (inexact Newton-Krylov).

    Why: the factorisation is most of the cost of an iteration, and the tangent changes little
    from one iteration (or load step) to the next, so its LU is a near-exact preconditioner.
    Unlike modified Newton (a kept tangent), the step is still the Newton step of the current
    tangent, solved to the forcing term (:data:`KRYLOV_RTOL`), so the iterates stay close to full
    Newton's. When GMRES does not reach that within :data:`KRYLOV_MAX_ITERATIONS`, the current
    tangent is factorised and kept.
    The naive baseline and ``solver.krylov = False`` factorise every iteration. Held for one
    :meth:`HyperelasticSolver.path` call, but not always dropped on its thread: a cancelled solve's
    exception carries the path's frame, and with it this LU, to the GUI thread (see
    :mod:`thighview.mechanics.lu`).
    """

    def __init__(self, solver: HyperelasticSolver) -> None:
        self.solver = solver
        self.lu = None

    def solve(self, K: sp.csr_matrix, rhs: np.ndarray, rtol: float) -> np.ndarray:
        """The Newton step: GMRES to ``rtol`` on the kept LU, or a new LU (direct, refined) and keep it.

        The kept LU is in float32 (:class:`_SingleLU`); a direct step on it that misses ``rtol`` is
        solved again in float64 (the naive baseline and full Newton factorise in float64 throughout).
        """
        inexact = self.solver.krylov and not self.solver.naive
        if self.lu is not None and inexact:
            step = self._gmres(K, rhs, rtol)
            if step is not None:
                return step
        if inexact:
            self.lu = _factorise(K, single=True)
            self.solver.factorisations += 1
            step = _lu_solve(K, self.lu, rhs)
            if np.linalg.norm(rhs - K @ step) <= rtol * np.linalg.norm(rhs):
                return step
        self.lu = _factorise(K)
        self.solver.factorisations += 1
        return _lu_solve(K, self.lu, rhs)

    def _gmres(self, K: sp.csr_matrix, rhs: np.ndarray, rtol: float) -> np.ndarray | None:
        """Right-preconditioned GMRES (K M^-1 y = rhs, x = M^-1 y: its residual is the true one); None if it
        does not converge within :data:`KRYLOV_MAX_ITERATIONS` (no restart: then a new LU is cheaper).

        Written out instead of :func:`scipy.sparse.linalg.gmres`, which measures the left-preconditioned
        residual and uses BLAS dot products: on vectors this long OpenBLAS runs them on all threads,
        whose busy-waiting took ten times the CPU of the arithmetic on a shared machine. The inner
        products here are :func:`numpy.einsum` without BLAS (classical Gram-Schmidt, done twice).
        """
        lu, m = self.lu, KRYLOV_MAX_ITERATIONS
        norm = lambda v: float(np.sqrt(np.einsum("i,i->", v, v)))  # noqa: E731
        beta = norm(rhs)
        if beta == 0.0:
            return np.zeros_like(rhs)
        V = np.empty((m + 1, len(rhs)))
        Z = np.empty((m, len(rhs)))   # M^-1 V, kept so the step needs no further triangular solve
        H = np.zeros((m + 1, m))
        V[0] = rhs / beta
        for j in range(m):
            Z[j] = lu.solve(V[j])
            w = K @ Z[j]
            for _ in range(2):
                h = np.einsum("kn,n->k", V[: j + 1], w)
                w -= np.einsum("kn,k->n", V[: j + 1], h)
                H[: j + 1, j] += h
            H[j + 1, j] = norm(w)
            e1 = np.zeros(j + 2)
            e1[0] = beta
            z, *_ = np.linalg.lstsq(H[: j + 2, : j + 1], e1, rcond=None)
            residual = norm(e1 - H[: j + 2, : j + 1] @ z)
            if residual <= rtol * beta or H[j + 1, j] == 0.0:
                return np.einsum("kn,k->n", Z[: j + 1], z)
            V[j + 1] = w / H[j + 1, j]
        return None


def _textbook_forms(solver: HyperelasticSolver):
    """The energy's tangent and residual as scikit-fem forms, with the cell parameters as fields."""
    from skfem.helpers import ddot, grad

    cells = solver.linear.ubasis.with_element(ElementTriP0())

    @BilinearForm
    def k_uu(du, v, w):
        _, A, _, _ = stress_and_tangent(grad(w.u), w.p, w.mu)
        return np.einsum("ij...,ijkl...,kl...->...", grad(v), A, grad(du))

    @BilinearForm
    def k_up(dp, v, w):
        _, _, _, JFiT = stress_and_tangent(grad(w.u), w.p, w.mu, tangent=False)
        return -ddot(JFiT, grad(v)) * dp

    @BilinearForm
    def k_pp(dp, q, w):
        return -dp * q / w.kappa

    @LinearForm
    def r_u(v, w):
        P, _, _, _ = stress_and_tangent(grad(w.u), w.p, w.mu, tangent=False)
        return ddot(P, grad(v))

    @LinearForm
    def r_p(q, w):
        _, _, J, _ = stress_and_tangent(grad(w.u), w.p, w.mu, tangent=False)
        return (-(J - 1.0) - w.p / w.kappa) * q

    return k_uu, k_up, k_pp, r_u, r_p, cells.interpolate(solver.mu_cell), cells.interpolate(solver.kappa_cell)


def naive_newton(solver: HyperelasticSolver, load: np.ndarray, fractions: Sequence[float],
                 friction: float | None = None) -> list[LoadStep]:
    """The textbook loop: the forms assembled with scikit-fem's ``asm`` and factorised anew at every iteration.

    The same load steps, line search, contact and stopping rule as :meth:`HyperelasticSolver.path`
    (only the assembly and the linear solves differ), so the tests can ask that both reach the same
    states, and the benchmark's ratio is what the vectorised assembly and the kept LU save.
    """
    solver.naive = True
    try:
        return list(solver.path(load, fractions, friction=friction))
    finally:
        solver.naive = False
