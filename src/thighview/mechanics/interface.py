"""The section's large-deformation model: tissue bonded to the femur where muscles attach, sliding with friction elsewhere.

Why node-to-rigid-surface penalty contact: the femur is held fixed (rigid), so the interface
needs no second body, no mortar projection and no new mesh: the tissue nodes on the bone
outline either stay put (bonded, from :mod:`thighview.attachments`) or touch the bone through a
normal penalty and penalty-regularised Coulomb friction (:class:`~thighview.mechanics.hyperelastic.BoneInterface`).
An augmented Lagrangian would remove the small penetration the penalty leaves; with the
penalty set to 100 muscle moduli per element size the penetration and the elastic stick are
below 1 % of the slip reported, which the tests check, so plain penalty is enough here.

The septa are still soft sliding bands (a shear modulus given in the materials), as in the
linear preview: a frictional interface along a septum needs the mesh split along it, which is
not done yet. Their slip is reported as such ("soft band"), separately from the femur's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import shapely

from thighview.attachments import is_bonded
from thighview.mechanics.geometry import lateral_sign
from thighview.mechanics.hyperelastic import BoneInterface, HyperelasticSolver, LoadStep
from thighview.mechanics.loads import Contact
from thighview.mechanics.results import BoneStress, Deformation

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
    solver: HyperelasticSolver
    surface: BoneSurface


def structure_at(model, points: np.ndarray) -> list[str]:
    """The section structure (not a sliding band) at each point: the smallest one holding it, else the nearest."""
    shape = model.shape
    names = sorted(shape.regions, key=lambda n: shape.regions[n].area)
    names = list(shape.septa) + names
    geoms = [shape.septa.get(n, shape.regions.get(n)) for n in names]
    pts = shapely.points(points)
    out = np.full(len(points), -1)
    for i, g in enumerate(geoms):
        free = out < 0
        out[free] = np.where(shapely.contains(g, pts[free]), i, -1)
    lost = np.flatnonzero(out < 0)
    if len(lost):
        d = np.column_stack([shapely.distance(g, pts[lost]) for g in geoms])
        out[lost] = np.argmin(d, axis=1)
    return [names[i] for i in out]


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


def bone_surface(model) -> BoneSurface:
    """The nodes on the femur outline with their normals, weights and whether they are bonded."""
    lin = model.solver
    nodes = facet_nodes(lin.mesh, lin.ubasis, model.fixed_facets)
    points, normals = nodes.points, nodes.normal
    shape = model.shape
    rel = points - shape.centre
    angle = np.degrees(np.arctan2(lateral_sign(shape.side) * rel[:, 0], rel[:, 1])) % 360.0
    beyond = points + normals * (model.options.femur_layer_mm + 0.6)   # past the linear model's band
    structure = structure_at(model, beyond)
    bonded = np.array([name in shape.septa or is_bonded(name, ang, model.level)
                       for name, ang in zip(structure, angle)])
    return BoneSurface(points, normals, nodes.weight, nodes.xdof, nodes.ydof, tuple(structure), angle, bonded)


def build_large_deformation(model) -> LargeModel:
    """Neo-Hookean solver on the model's mesh: the femur band takes its tissue's stiffness; the bone interface is real."""
    from thighview.mechanics.materials import FEMUR_LAYER

    lin = model.solver
    mu = model.shear_modulus_mpa.copy()
    nu = np.broadcast_to(np.asarray(model.poisson, dtype=float), mu.shape).copy()
    band = np.array([n == FEMUR_LAYER for n in model.region_names])[model.region]
    if band.any():
        names = structure_at(model, model.mesh.centroids[band])
        mu[band] = [model.materials.shear_modulus_mpa(n, model.compartment_of(n), False) for n in names]
        nu[band] = model.materials.poisson
    surface = bone_surface(model)
    slide = ~surface.bonded
    penalty = PENALTY_FACTOR * model.materials.working_muscle_kpa * 1e-3 / model.options.h_fine
    interface = BoneInterface(surface.xdof[slide], surface.ydof[slide], surface.normal[slide],
                              surface.weight[slide], model.friction, penalty)
    fixed = np.concatenate([surface.xdof[surface.bonded], surface.ydof[surface.bonded]])
    foundation = model.foundation_for(mu)
    solver = HyperelasticSolver(lin, mu, nu, fixed=fixed, interface=interface, foundation=foundation)
    return LargeModel(solver, surface)


def solve_path(model, contact: Contact, fractions=None, cancel=None, friction: float | None = None,
               on_step: Callable[[float], None] | None = None) -> Deformation:
    """Load steps of one contact; the last step's deformation carries every step on ``path``.
    ``on_step(fraction)`` hears of each converged step (the GUI's progress)."""
    large = model.large
    load = model.load_vector(contact)
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
    """Fields, slip and the stress on the bone of one converged load step."""
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
    for gauge, p_in, p_out in model._gauge_probes:
        k = len(gauge.inner)
        if gauge.name == "femur":   # the bone is fixed: slip is the tissue's own tangential motion there
            du = (p_in @ u).reshape(2, k).T
        else:
            du = (p_out @ u - p_in @ u).reshape(2, k).T
        slips[gauge.name] = np.abs((du * gauge.tangent).sum(axis=1))
    bone = _bone_stress(solver, surface, step, load, u, p)
    point, direction, towards = model.contact_frame(contact)
    # the volume change as the mixed elements constrain it, J - 1 = -p / kappa (as the linear model reads its
    # own from the pressure): each triangle's own J oscillates from one triangle to the next in the thin,
    # strongly sheared skin and fat, a checkerboard of +/- several % that is not tissue behaviour
    return Deformation(
        model=model, contact=contact, point=point, direction=direction, towards=towards, dofs=u,
        displacement=model.solver.vertex_displacement(u), compression=mean(solver.pressure_at_points(p) / solver.kappa_q),
        shear=2.0 * radius, slip=slips, kind="neo-Hookean", fraction=step.fraction, bone=bone,
        friction=friction, principal_strain=principal, least_stretch=least_stretch,
        newton_iterations=step.iterations)


def _bone_stress(solver: HyperelasticSolver, surface: BoneSurface, step: LoadStep, load: np.ndarray,
                 u: np.ndarray, p: np.ndarray) -> BoneStress:
    """Normal (compression +) and shear stress the tissue puts on the bone at every outline node, kPa."""
    k = len(surface.points)
    normal, shear = np.zeros(k), np.zeros(k)
    state = np.full(k, "bonded", dtype=object)
    slide = ~surface.bonded
    normal[slide] = 1e3 * step.contact_pressure
    shear[slide] = 1e3 * np.abs(step.contact_shear)
    state[slide] = np.where(step.contact_pressure <= 0, "open", np.where(step.slipping, "slip", "stick"))
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
