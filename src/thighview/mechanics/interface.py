"""The section's large-deformation model: tissue bonded to the femur where muscles attach, sliding with friction elsewhere.

Why node-to-rigid-surface penalty contact: the femur is held fixed (rigid), so the interface
needs no second body, no mortar projection and no new mesh: the tissue nodes on the bone
outline either stay put (bonded, from :mod:`thighview.attachments`) or touch the bone through a
normal penalty and penalty-regularised Coulomb friction (:class:`~thighview.mechanics.hyperelastic.FrictionInterface`).
An augmented Lagrangian would remove the small penetration the penalty leaves; with the
penalty set to 100 muscle moduli per element size the penetration and the elastic stick are
below 1 % of the slip reported, which the tests check, so plain penalty is enough here.

The septa are frictional interfaces too: the mesh is cut along one face of each septum
(:mod:`thighview.mechanics.septa`) and the same law acts node to node across the cut, on the
displacement of one face relative to the other. Both sliding bands of the linear preview (round
the femur and beside the septa) take the stiffness of the tissue they lie in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from thighview.attachments import is_bonded
from thighview.mechanics.geometry import lateral_sign
from thighview.mechanics.hyperelastic import FrictionInterface, HyperelasticSolver, LoadStep
from thighview.mechanics.loads import Contact
from thighview.mechanics.results import BoneStress, Deformation, SeptumInterface
from thighview.mechanics.split import SplitMesh, edge_key

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.septa import SeptalCuts

#: Load steps of the default solution path (fractions of the force); each is a Newton solve.
DEFAULT_FRACTIONS = tuple(np.linspace(0.125, 1.0, 8))
#: Contact penalty per (muscle shear modulus / finest element size): numerical, see the module docstring.
PENALTY_FACTOR = 100.0


@dataclass(frozen=True)
class BoneSurface:
    """The tissue nodes on the femur outline (P2 vertices and edge midpoints)."""

    points: np.ndarray     # (k, 2) mm
    normal: np.ndarray     # (k, 2) unit, out of the bone
    weight: np.ndarray     # (k,) mm of outline per node
    xdof: np.ndarray
    ydof: np.ndarray
    structure: tuple[str, ...]
    angle_deg: np.ndarray  # (k,) round the femur, 0 anterior, + towards lateral
    bonded: np.ndarray     # (k,) bool

    @property
    def tangent(self) -> np.ndarray:
        return np.column_stack([-self.normal[:, 1], self.normal[:, 0]])


@dataclass(frozen=True)
class LargeModel:
    """The solver on the cut mesh, the bone's nodes (cut-mesh DOFs), the septal cuts and the slip gauges' probes."""

    solver: HyperelasticSolver
    surface: BoneSurface
    cuts: SeptalCuts
    probes: list   # (gauge, inner probe, outer probe) on the cut mesh

    @property
    def bone_nodes(self) -> int:
        """How many interface nodes are the bone's sliding nodes (they come first; the septal pairs follow)."""
        return int((~self.surface.bonded).sum())


@dataclass(frozen=True)
class FacetNodes:
    """The P2 nodes (vertices, then edge midpoints) of a set of boundary facets, as interface nodes."""

    points: np.ndarray     # (k, 2) mm
    normal: np.ndarray     # (k, 2) unit, into the body (out of the surface it touches)
    weight: np.ndarray     # (k,) mm of outline per node: nodal force = traction * weight
    xdof: np.ndarray
    ydof: np.ndarray


def facet_nodes(mesh, ubasis, facets: np.ndarray) -> FacetNodes:
    """Interface nodes of boundary ``facets`` of a scikit-fem triangle ``mesh`` with a P2 vector ``ubasis``.

    Weights are Simpson's (1/6, 4/6, 1/6 of each facet), exact for the quadratic fields, so the
    weighted sum of a uniform traction is its resultant; normals point into the body (towards the
    triangle on each facet), averaged by length at the vertices. One piece of code for every
    node-to-rigid-surface interface: the femur in the section and the verification block.
    """
    m, ub = mesh, ubasis
    facets = np.asarray(facets)
    a, b = m.p[:, m.facets[0, facets]].T, m.p[:, m.facets[1, facets]].T
    length = np.linalg.norm(b - a, axis=1)
    normal = np.column_stack([(b - a)[:, 1], -(b - a)[:, 0]]) / length[:, None]
    towards_body = m.p[:, m.t[:, m.f2t[0, facets]]].mean(axis=1).T - 0.5 * (a + b)
    normal *= np.sign((normal * towards_body).sum(axis=1))[:, None]
    verts = np.unique(m.facets[:, facets])
    index = {v: i for i, v in enumerate(verts)}
    v_weight = np.zeros(len(verts))
    v_normal = np.zeros((len(verts), 2))
    for end in (0, 1):
        ids = np.array([index[v] for v in m.facets[end, facets]])
        np.add.at(v_weight, ids, length / 6.0)          # Simpson: exact for the quadratic (P2) fields
        np.add.at(v_normal, ids, normal * length[:, None])
    v_normal /= np.linalg.norm(v_normal, axis=1)[:, None]
    return FacetNodes(points=np.vstack([m.p[:, verts].T, 0.5 * (a + b)]),
                      normal=np.vstack([v_normal, normal]),
                      weight=np.concatenate([v_weight, 2.0 * length / 3.0]),
                      xdof=np.concatenate([ub.nodal_dofs[0][verts], ub.facet_dofs[0][facets]]),
                      ydof=np.concatenate([ub.nodal_dofs[1][verts], ub.facet_dofs[1][facets]]))


@dataclass(frozen=True)
class NodePairs:
    """Interface nodes on side A of a cut, each with its partner on side B (a :class:`FacetNodes` plus partners)."""

    nodes: FacetNodes      # normals out of side B into side A
    other_xdof: np.ndarray
    other_ydof: np.ndarray
    edge: np.ndarray       # (k,) the cut edge each node lies on (a vertex: one of its edges)


def pairs_across(split: SplitMesh, bases, cut: np.ndarray, side_a: np.ndarray, side_b: np.ndarray) -> NodePairs:
    """The P2 nodes of the cut edges ``cut`` ((k, 2) uncut vertices) on the face of triangles ``side_a``, with their
    partners on the face of ``side_b`` (one triangle per edge on each side) of the cut mesh ``split``.

    A cut's tips (vertices shared by both sides) are left out: they cannot move relative to themselves.
    """
    tri, original = split.mesh.triangles, split.original
    cut = np.asarray(cut, dtype=int).reshape(-1, 2)

    def copy(t: np.ndarray, v: np.ndarray) -> np.ndarray:   # the cut mesh's vertex of uncut v in triangle t
        rows = tri[t]
        return rows[np.arange(len(t)), np.argmax(original[rows] == v[:, None], axis=1)]

    a = np.column_stack([copy(side_a, cut[:, 0]), copy(side_a, cut[:, 1])])
    b = np.column_stack([copy(side_b, cut[:, 0]), copy(side_b, cut[:, 1])])
    m, ub = bases.mesh, bases.ubasis
    n = m.p.shape[1]
    key = edge_key(*m.facets, n)
    order = np.argsort(key)

    def facet(ends: np.ndarray) -> np.ndarray:
        return order[np.searchsorted(key[order], edge_key(ends[:, 0], ends[:, 1], n))]

    fa, fb = facet(a), facet(b)
    nodes = facet_nodes(m, ub, fa)
    partner = np.arange(ub.N)   # each displacement DOF of side A's cut face -> its partner's on side B
    edge_of = np.zeros(ub.N, dtype=int)
    for c in (0, 1):
        partner[ub.nodal_dofs[c][a.ravel()]] = ub.nodal_dofs[c][b.ravel()]
        partner[ub.facet_dofs[c][fa]] = ub.facet_dofs[c][fb]
    edge_of[ub.nodal_dofs[0][a.ravel()]] = np.repeat(np.arange(len(cut)), 2)
    edge_of[ub.facet_dofs[0][fa]] = np.arange(len(cut))
    moving = partner[nodes.xdof] != nodes.xdof
    keep = lambda x: x[moving]  # noqa: E731
    return NodePairs(FacetNodes(*(keep(getattr(nodes, f)) for f in ("points", "normal", "weight", "xdof", "ydof"))),
                     keep(partner[nodes.xdof]), keep(partner[nodes.ydof]), keep(edge_of[nodes.xdof]))


def bone_surface(model) -> BoneSurface:
    """The nodes on the femur outline with their normals, weights and whether they are bonded."""
    lin = model.solver
    nodes = facet_nodes(lin.mesh, lin.ubasis, model.fixed_facets)
    points, normals = nodes.points, nodes.normal
    shape = model.shape
    rel = points - shape.centre
    angle = np.degrees(np.arctan2(lateral_sign(shape.side) * rel[:, 0], rel[:, 1])) % 360.0
    beyond = points + normals * (model.options.femur_layer_mm + 0.6)   # past the linear model's band
    structure = shape.structure_at(beyond)
    bonded = np.array([name in shape.septa or is_bonded(name, ang, model.level)
                       for name, ang in zip(structure, angle)])
    return BoneSurface(points, normals, nodes.weight, nodes.xdof, nodes.ydof, tuple(structure), angle, bonded)


def build_large_deformation(model) -> LargeModel:
    """Neo-Hookean solver on the model's mesh cut along the septa: the sliding bands take their tissue's stiffness;
    the bone interface and the septal interfaces are frictional."""
    from thighview.mechanics.septa import cut_septa

    mu = model.shear_modulus_mpa.copy()
    nu = np.broadcast_to(np.asarray(model.poisson, dtype=float), mu.shape).copy()
    band = np.array([model.is_sliding(n) for n in model.region_names])[model.region]
    if band.any():
        names = model.shape.structure_at(model.mesh.centroids[band])
        mu[band] = [model.materials.shear_modulus_mpa(n, model.compartment_of(n), False) for n in names]
        nu[band] = model.materials.poisson
    cuts = cut_septa(model)
    lin = model.bone_surface
    surface = replace(lin, xdof=cuts.to_split[lin.xdof], ydof=cuts.to_split[lin.ydof])
    slide = ~surface.bonded
    pairs = cuts.pairs
    penalty = PENALTY_FACTOR * model.materials.working_muscle_kpa * 1e-3 / model.options.h_fine
    bone, pair = (surface.xdof[slide], surface.ydof[slide]), pairs.nodes
    interface = FrictionInterface(
        np.concatenate([bone[0], pair.xdof]), np.concatenate([bone[1], pair.ydof]),
        np.vstack([surface.normal[slide], pair.normal]), np.concatenate([surface.weight[slide], pair.weight]),
        model.friction, penalty, other_xdof=np.concatenate([bone[0], pairs.other_xdof]),
        other_ydof=np.concatenate([bone[1], pairs.other_ydof]))   # a bone node is its own partner: the bone
    fixed = np.concatenate([surface.xdof[surface.bonded], surface.ydof[surface.bonded]])
    solver = HyperelasticSolver(cuts.bases, mu, nu, fixed=fixed, interface=interface,
                                foundation=model.foundation_for(mu))
    probes = [(g, cuts.bases.probe(g.inner), cuts.bases.probe(g.outer)) for g in model.gauges]
    return LargeModel(solver, surface, cuts, probes)


def solve_path(model, contact: Contact, fractions=None, cancel=None, friction: float | None = None,
               on_step: Callable[[float], None] | None = None) -> Deformation:
    """Load steps of one contact; the last step's deformation carries every step on ``path``.
    ``on_step(fraction)`` hears of each converged step (the GUI's progress)."""
    large = model.large
    load = large.cuts.load(model.load_vector(contact))
    fractions = DEFAULT_FRACTIONS if fractions is None else tuple(fractions)
    mu = model.friction if friction is None else float(friction)
    steps = []
    for step in large.solver.path(load, fractions, cancel=cancel, friction=mu):
        steps.append(step)
        if on_step is not None:
            on_step(step.fraction)
    path = tuple(deformation_of(model, large, s, contact, load, mu) for s in steps)
    return replace(path[-1], path=path)


def deformation_of(model, large: LargeModel, step: LoadStep, contact: Contact, load: np.ndarray,
                   friction: float) -> Deformation:
    """Fields, slip and the stress on the bone of one converged load step (``load``: on the cut mesh's DOFs).

    Triangle fields are the cut mesh's (same triangles); the displacement drawn is on the uncut mesh, each
    cut node at the mean of its copies."""
    solver, surface = large.solver, large.surface
    u, p = step.u, step.p
    H = solver.gradient(u)
    F = H + np.eye(2)[:, :, None, None]
    E = 0.5 * (np.einsum("kiEq,kjEq->ijEq", F, F) - np.eye(2)[:, :, None, None])
    weights = solver.dx / solver.dx.sum(axis=1, keepdims=True)
    mean = lambda a: (a * weights).sum(axis=-1)  # noqa: E731  (element means)
    exx, eyy, exy = mean(E[0, 0]), mean(E[1, 1]), mean(E[0, 1])
    mid, radius = 0.5 * (exx + eyy), np.hypot(0.5 * (exx - eyy), exy)   # Mohr's circle of E
    principal = np.maximum(np.abs(mid + radius), np.abs(mid - radius))
    least_stretch = np.sqrt(np.maximum(1.0 + 2.0 * (mid - radius), 0.0))   # C = I + 2E
    slips = {}
    for gauge, p_in, p_out in large.probes:
        k = len(gauge.inner)
        if gauge.name == "femur":   # the bone is fixed: slip is the tissue's own tangential motion there
            du = (p_in @ u).reshape(2, k).T
        else:
            du = (p_out @ u - p_in @ u).reshape(2, k).T
        slips[gauge.name] = np.abs((du * gauge.tangent).sum(axis=1))
    bone = _bone_stress(solver, surface, step, load, u, p, large.bone_nodes)
    point, direction, towards = model.contact_frame(contact)
    dofs = large.cuts.restrict @ u
    # the volume change as the mixed elements constrain it, J - 1 = -p / kappa (as the linear model reads its
    # own from the pressure): each triangle's own J oscillates from one triangle to the next in the thin,
    # strongly sheared skin and fat, a checkerboard of +/- several % that is not tissue behaviour
    return Deformation(
        model=model, contact=contact, point=point, direction=direction, towards=towards, dofs=dofs,
        displacement=model.solver.vertex_displacement(dofs), compression=mean(solver.pressure_at_points(p) / solver.kappa_q),
        shear=2.0 * radius, slip=slips, kind="neo-Hookean", fraction=step.fraction, bone=bone,
        friction=friction, principal_strain=principal, least_stretch=least_stretch,
        newton_iterations=step.iterations, septa=_septa_state(large, step))


def _septa_state(large: LargeModel, step: LoadStep) -> dict[str, SeptumInterface]:
    """Each septum's cut face: the share of its length bonded, sticking or slipping, the slip and the normal stress
    across it."""
    cuts, k = large.cuts, large.bone_nodes
    slip = np.abs(large.solver.interface.gaps(step.u)[1][k:])
    slipping, normal = step.slipping[k:], 1e3 * step.contact_pressure[k:]
    weight = cuts.pairs.nodes.weight
    septum = np.array(cuts.septum, dtype=object)
    out = {}
    for name in cuts.face:
        on = septum == name
        w = weight[on]
        total = max(cuts.bonded_mm[name] + float(w.sum()), 1e-12)   # the cut's tips are joined: not in either
        shares = {"bonded": cuts.bonded_mm[name] / total, "stick": float(w[~slipping[on]].sum()) / total,
                  "slip": float(w[slipping[on]].sum()) / total}
        mean = (lambda a: float(np.average(a[on], weights=w))) if on.any() else (lambda a: 0.0)
        out[name] = SeptumInterface(cuts.face[name], {key: round(v, 4) for key, v in shares.items()},
                                    (float(slip[on].max()) if on.any() else 0.0, mean(slip)), mean(normal))
    return out


def _bone_stress(solver: HyperelasticSolver, surface: BoneSurface, step: LoadStep, load: np.ndarray,
                 u: np.ndarray, p: np.ndarray, nodes: int) -> BoneStress:
    """Normal (compression +) and shear stress the tissue puts on the bone at every outline node, kPa."""
    k = len(surface.points)
    normal, shear = np.zeros(k), np.zeros(k)
    state = np.full(k, "bonded", dtype=object)
    slide = ~surface.bonded
    pressure, friction, slipping = step.contact_pressure[:nodes], step.contact_shear[:nodes], step.slipping[:nodes]
    normal[slide] = 1e3 * pressure
    shear[slide] = 1e3 * np.abs(friction)
    state[slide] = np.where(pressure <= 0, "open", np.where(slipping, "slip", "stick"))
    if surface.bonded.any():
        x = np.concatenate([u, p])
        R, _ = solver.assemble(x, load * step.fraction, np.zeros(len(solver.interface.xdof)), tangent=False)
        f = np.column_stack([R[surface.xdof], R[surface.ydof]])[surface.bonded]   # the bone's force on the tissue
        w = surface.weight[surface.bonded, None]
        normal[surface.bonded] = 1e3 * (f * surface.normal[surface.bonded]).sum(axis=1) / w[:, 0]
        shear[surface.bonded] = 1e3 * np.abs((f * surface.tangent[surface.bonded]).sum(axis=1)) / w[:, 0]
    d = np.column_stack([u[surface.xdof], u[surface.ydof]])
    slip = np.abs((d * surface.tangent).sum(axis=1))
    return BoneStress(surface.angle_deg, surface.weight, normal, shear, tuple(state), slip)
