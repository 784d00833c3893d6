"""The pressure model of one section: mesh, materials, sliding layers, one factorisation, many loads.

Build it once per section (meshing and factorising take about a second); each
:meth:`PressureModel.solve` for a new contact place, force or direction only builds a new
right-hand side and back-substitutes (milliseconds), see ``benchmarks/bench_mechanics.py``.

Out of the plane: a plane-strain slice alone has nothing but the femur to hold it, so a
sideways push would spin the whole soft tissue round the bone. In the thigh the tissue above
and below the hand holds the loaded slice back by shear along the thigh; this is modelled as an
elastic foundation per triangle, the lowest-order "shear-lag" term of a 3-D slab, with its own
length for each direction about the femur centre: ``k = mu / l_r^2`` on the radial and
``mu / l_t^2`` on the circumferential displacement (``(l_r, l_t)`` =
:attr:`MeshOptions.holding_length_mm`). The lengths are derived: fitted per level so the slice
matches the mid-plane of a 3-D solve of the extruded section (:mod:`thighview.mechanics.closure`,
shipped in ``data/mechanics_closure.json``); giving them overrides the fit.

Sliding layers: a band of ``femur_layer_mm`` around the femur and a band of
``septum_layer_mm`` on each side of each septum get the sliding shear modulus
(:attr:`Materials.sliding_kpa`, a modelling choice). Slip is the relative tangential
displacement across such a band, read just outside it on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from thighview.anatomy import Compartment
from thighview.errors import MechanicsError
from thighview.mechanics.fem import ElasticitySolver, lame
from thighview.mechanics.geometry import SectionShape
from thighview.mechanics.loads import Contact, friction_data, raised_cosine
from thighview.mechanics.materials import FEMUR_LAYER, Materials
from thighview.mechanics.meshing import TriMesh, resample, triangulate
from thighview.mechanics.results import BoneStress, Deformation

#: Compression next to the bone is read within this distance of the femur surface.
NEAR_BONE_MM = 5.0
_PROBE_GAP_MM = 0.4      # slip is read this far outside a sliding band
_SLIP_SPACING_MM = 1.0   # spacing of slip read-out points along septa and femur


def nominal_friction() -> float:
    """The nominal friction coefficient of tissue sliding on bone and along septa (``data/friction.json``)."""
    return float(friction_data()["tissue_interfaces"]["nominal"]["value"])


@dataclass(frozen=True)
class MeshOptions:
    """Element sizes (mm) and sliding-layer thicknesses (mm)."""

    h_fine: float = 1.2      # at the femur and septa
    h_skin: float = 2.5      # along the skin, where contacts act
    h_coarse: float = 5.0    # elsewhere
    growth: float = 0.3      # size increase per mm of distance from a feature
    femur_layer_mm: float = 1.5
    septum_layer_mm: float = 0.75
    #: out-of-plane shear-lag lengths (radial, circumferential about the femur centre), mm; one number holds both
    #: directions alike; None: the 3-D fit at the level
    holding_length_mm: float | tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not (0 < self.h_fine <= self.h_skin <= self.h_coarse and self.growth > 0):
            raise MechanicsError("mesh sizes must satisfy 0 < fine <= skin <= coarse")
        if self.holding_length_mm is not None and not all(v > 0 for v in np.atleast_1d(self.holding_length_mm)):
            raise MechanicsError("the holding length along the thigh must be above 0 mm")

    @property
    def holding_lengths(self) -> tuple[float, float]:
        """(radial, circumferential) holding lengths, mm."""
        if self.holding_length_mm is None:
            raise MechanicsError("no holding length set")
        r, t = np.broadcast_to(np.asarray(self.holding_length_mm, dtype=float), (2,))
        return float(r), float(t)
        if not (self.femur_layer_mm > 0 and self.septum_layer_mm > 0):
            raise MechanicsError("sliding layers must be thicker than 0 mm")


@dataclass(frozen=True)
class SlipGauge:
    """Points on both sides of a sliding band; slip = tangential displacement of ``outer`` relative to ``inner``."""

    name: str
    inner: np.ndarray     # (k, 2), on the femur side or one side of a septum
    outer: np.ndarray     # (k, 2)
    tangent: np.ndarray   # (k, 2) unit tangent of the band at each pair
    at: np.ndarray        # (k, 2) where the band is, for drawing


def _size_field(features: list[tuple[np.ndarray, float]], opts: MeshOptions) -> Callable[[np.ndarray], np.ndarray]:
    """h(x) = min over features of (feature size + growth * distance), capped at the coarse size."""
    trees = [(cKDTree(pts), h0) for pts, h0 in features if len(pts)]

    def size(points: np.ndarray) -> np.ndarray:
        h = np.full(len(points), opts.h_coarse)
        for tree, h0 in trees:
            d, _ = tree.query(points)
            h = np.minimum(h, h0 + opts.growth * d)
        return h

    return size


def _dense(geom: BaseGeometry, step: float) -> np.ndarray:
    coords = [np.asarray(g.coords)[:, :2] for g in shapely.get_parts(shapely.boundary(geom)
                                                                      if geom.geom_type.endswith("Polygon") else geom)]
    pts = [resample(c, lambda p: np.full(len(p), step), step) for c in coords if len(c) >= 2]
    return np.vstack(pts) if pts else np.empty((0, 2))


def _ring_normals(points: np.ndarray, region: Polygon) -> np.ndarray:
    """Unit normals at consecutive points of a closed ring, pointing out of ``region``."""
    tangent = np.roll(points, -1, axis=0) - np.roll(points, 1, axis=0)
    normal = np.column_stack([tangent[:, 1], -tangent[:, 0]])
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    probe = points + 0.05 * normal
    inside = shapely.contains_xy(region, probe[:, 0], probe[:, 1])
    normal[inside] *= -1
    return normal


def _femur_gauge(femur: Polygon, layer: float, domain: Polygon) -> SlipGauge:
    ring = resample(np.asarray(femur.exterior.coords), lambda p: np.full(len(p), _SLIP_SPACING_MM), _SLIP_SPACING_MM)
    n = _ring_normals(ring, femur)
    outer = ring + n * (layer + _PROBE_GAP_MM)
    ok = shapely.contains_xy(domain, outer[:, 0], outer[:, 1])
    tangent = np.column_stack([-n[:, 1], n[:, 0]])
    inner = ring + n * 0.05  # on the bone, just inside the mesh (u = 0 there)
    return SlipGauge("femur", inner[ok], outer[ok], tangent[ok], ring[ok])


def _septum_gauge(name: str, band: Polygon, domain: Polygon) -> SlipGauge | None:
    """Pairs of points facing each other across a thin band (its ends, where it is wide, are skipped)."""
    ring = resample(np.asarray(band.exterior.coords), lambda p: np.full(len(p), _SLIP_SPACING_MM), _SLIP_SPACING_MM)
    inward = -_ring_normals(ring, band)
    typical = 2.0 * band.area / band.exterior.length
    reach = 4.0 * typical
    boundary = band.exterior
    inner, outer, tangent, mid = [], [], [], []
    for p, n in zip(ring, inward):
        hit = boundary.intersection(LineString([p + 0.05 * n, p + reach * n]))
        pts = shapely.get_coordinates(hit)
        if len(pts) == 0:
            continue
        q = pts[np.argmin(np.linalg.norm(pts - p, axis=1))]
        if np.linalg.norm(q - p) > 1.8 * typical:
            continue
        inner.append(p - n * _PROBE_GAP_MM)
        outer.append(q + n * _PROBE_GAP_MM)
        tangent.append([-n[1], n[0]])
        mid.append(0.5 * (p + q))
    if not inner:
        return None
    inner, outer = np.array(inner), np.array(outer)
    ok = (shapely.contains_xy(domain, inner[:, 0], inner[:, 1])
          & shapely.contains_xy(domain, outer[:, 0], outer[:, 1]))
    if not ok.any():
        return None
    return SlipGauge(name, inner[ok], outer[ok], np.array(tangent)[ok], np.array(mid)[ok])


class PressureModel:
    """Plane-strain FE model of one section with the femur held fixed; solve many contacts quickly."""

    def __init__(self, shape: SectionShape, materials: Materials | None = None,
                 options: MeshOptions | None = None, frame=None, level: float | None = None,
                 friction: float | None = None) -> None:
        self.shape = shape
        self.frame = frame  # the section's SectionFrame (to place the deformed slab in 3-D), if known
        self.level = level  # fraction of femur length (places the attachment map); None: unknown
        self.friction = nominal_friction() if friction is None else float(friction)
        if not 0.0 <= self.friction <= 2.0:
            raise MechanicsError(f"the friction coefficient must be 0-2, not {self.friction}")
        self._bone_surface = None
        self.materials = materials or Materials.from_targets()
        opts = options or MeshOptions()
        if opts.holding_length_mm is None:
            from thighview.mechanics.closure import holding_lengths_at

            opts = replace(opts, holding_length_mm=holding_lengths_at(level))
        self.options = opts
        domain, femur = shape.domain, shape.femur
        septa = shapely.unary_union(list(shape.septa.values())) if shape.septa else Polygon()
        femur_band = (femur.buffer(opts.femur_layer_mm, 64).difference(femur).intersection(domain)
                      .difference(septa))  # the septa stay anchored to the bone (linea aspera)
        septum_bands = {n: s.buffer(opts.septum_layer_mm).difference(s).intersection(domain).difference(
            femur.buffer(opts.femur_layer_mm, 64)) for n, s in shape.septa.items()}
        self.bands: dict[str, BaseGeometry] = {FEMUR_LAYER: femur_band, **septum_bands}
        size = _size_field([(_dense(femur, opts.h_fine / 2), opts.h_fine),
                            (np.vstack([_dense(s, opts.h_fine / 2) for s in shape.septa.values()] or
                                       [np.empty((0, 2))]), opts.h_fine),
                            (_dense(shape.skin, opts.h_skin / 2), opts.h_skin)], opts)
        lines = [femur.buffer(opts.femur_layer_mm, 64).exterior, *shape.septa.values(), *septum_bands.values(),
                 *shape.regions.values()]
        self.mesh: TriMesh = triangulate(domain, lines, size, opts.h_fine)
        self.region_names, self.region = self._tag_regions()
        self.thin_cover = self._thin_layer_cover()
        self.fixed_facets, self.loaded_facets = self._boundary_facets()
        self._assemble()
        self._prepare_loads()
        self._prepare_outputs()

    def _assemble(self) -> None:
        """Materials per triangle, the out-of-plane foundation and the factorised solver."""
        mu_region = np.array([self.materials.shear_modulus_mpa(n, self.compartment_of(n), self.is_sliding(n))
                              for n in self.region_names])
        self.shear_modulus_mpa = mu_region[self.region]
        for layer, (share, host) in self.thin_cover.items():   # the thin fascia, smeared over the triangles it crosses
            k = self.region_names.index(layer)
            touched = (share > 0) | (self.region == k)
            mixed = mu_region[host] + share * (mu_region[k] - mu_region[host])
            self.shear_modulus_mpa[touched] = mixed[touched]
        # the sliding layers are soft in shear but as incompressible as muscle (loose, fluid-filled tissue)
        sliding = np.array([self.is_sliding(n) for n in self.region_names])[self.region]
        bulk_like = np.where(sliding, self.materials.working_muscle_kpa * 1e-3, self.shear_modulus_mpa)
        lam = lame(bulk_like, self.materials.poisson)
        self.poisson = lam / (2.0 * (lam + self.shear_modulus_mpa))
        self.foundation = self.foundation_for(self.shear_modulus_mpa)
        self.solver = ElasticitySolver(self.mesh, self.shear_modulus_mpa, self.poisson,
                                       fixed_facets=self.fixed_facets, loaded_facets=self.loaded_facets,
                                       foundation=self.foundation)
        self._large = None

    def foundation_for(self, mu: np.ndarray) -> np.ndarray:
        """The out-of-plane foundation (N/mm^3) of triangles of shear modulus ``mu``: a 2x2 tensor per triangle,
        ``mu / l_r^2`` along the direction from the femur centre and ``mu / l_t^2`` across it."""
        radial_mm, tangential_mm = self.options.holding_lengths
        r = self.mesh.centroids - self.shape.centre
        r /= np.linalg.norm(r, axis=1)[:, None]
        t = np.column_stack([-r[:, 1], r[:, 0]])
        mu = np.asarray(mu, dtype=float)[:, None, None]
        return mu * (r[:, :, None] * r[:, None, :] / radial_mm**2 + t[:, :, None] * t[:, None, :] / tangential_mm**2)

    def variant(self, materials: Materials | None = None,
                holding_length_mm: float | tuple[float, float] | None = None) -> PressureModel:
        """The same section and mesh with other materials or holding lengths (re-factorised, not re-meshed)."""
        import copy

        other = copy.copy(self)
        if materials is not None:
            other.materials = materials
        if holding_length_mm is not None:
            other.options = replace(self.options, holding_length_mm=holding_length_mm)
        other._assemble()
        return other

    @classmethod
    def from_polygons(cls, polygons: Mapping[str, BaseGeometry], side: str = "right",
                      centre: np.ndarray | None = None, **kwargs) -> PressureModel:
        """From ``name -> polygon`` in the section frame (mm); ``kwargs`` go to the constructor."""
        return cls(SectionShape.from_polygons(polygons, side=side, centre=centre), **kwargs)

    @classmethod
    def from_model(cls, model, level: float, *, section=None, fat_mm: float | None = None,
                   sliding_kpa: float | None = None, **kwargs) -> PressureModel:
        """The pressure model of a :class:`thighview.model.ThighModel` at a level (fraction of femur length
        from proximal). The one way the front ends build it (``thighview pressure``/``animate``, exports, the
        app's pressure panel), so the same model and level give the same mesh, materials and closure.

        ``section``: the model's section at ``level`` if already cut (the app's), else it is cut here. A model
        without skin or fat gets a ``fat_mm`` layer for the mechanics (:meth:`Section.for_mechanics`);
        ``sliding_kpa`` sets the sliding layers of the sourced materials (None: the default); the level
        places the fitted closure and the attachments (a single section has no level along a femur);
        ``kwargs`` (``options``, ``friction``) go to the constructor.
        """
        if section is None:
            from thighview.section import SectionEngine

            section = SectionEngine(model).section(level)
        if sliding_kpa is not None and kwargs.get("materials") is not None:
            raise MechanicsError("give the sliding layers' stiffness or the materials, not both")
        kwargs.setdefault("materials", Materials.from_targets() if sliding_kpa is None
                          else Materials.from_targets(sliding_kpa))
        return cls.from_section(section.for_mechanics(fat_mm), side=model.side,
                                level=None if model.flat is not None else level, **kwargs)

    @classmethod
    def from_section(cls, section, side: str = "right", **kwargs) -> PressureModel:
        """From a :class:`thighview.section.Section` (its ``polygons`` and ``femur_centre``)."""
        centre = getattr(section, "femur_centre", None)
        return cls.from_polygons(section.polygons, side=side, centre=centre, frame=getattr(section, "frame", None),
                                 **kwargs)

    # -- set-up ---------------------------------------------------------------------------------
    def is_sliding(self, region: str) -> bool:
        return region == FEMUR_LAYER or region.endswith(":sliding")

    def compartment_of(self, region: str) -> Compartment:
        if self.is_sliding(region) or region in self.shape.septa:
            return Compartment.FASCIA
        return self.shape.compartments.get(region, Compartment.UNASSIGNED)

    def _tag_regions(self) -> tuple[list[str], np.ndarray]:
        """Each triangle's region: a sliding band, else a septum, else the smallest structure holding its centroid."""
        c = self.mesh.centroids
        parts = {**{f"{n}:sliding": g for n, g in self.bands.items() if n != FEMUR_LAYER},
                 FEMUR_LAYER: self.bands[FEMUR_LAYER], **self.shape.septa}
        for name in sorted(self.shape.regions, key=lambda n: self.shape.regions[n].area):
            parts.setdefault(name, self.shape.regions[name])
        names, geoms = list(parts), list(parts.values())
        tag = np.full(len(c), -1)
        for i, g in enumerate(geoms):
            free = tag < 0
            tag[free] = np.where(shapely.contains_xy(g, c[free, 0], c[free, 1]), i, -1)
        lost = np.flatnonzero(tag < 0)
        if len(lost):  # centroids in small gaps between structures: the nearest structure
            d = np.column_stack([shapely.distance(g, shapely.points(c[lost])) for g in geoms])
            tag[lost] = np.argmin(d, axis=1)
        return names, tag

    def _thin_layer_cover(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each fascial sheet that is not a septum (the fascia lata, about 1 mm thick): the share of each
        triangle's area inside it and the region each triangle holds apart from it.

        Why: the mesher puts nodes on the sheet's two outlines but, with elements of 2.5-5 mm there, its
        triangles cross the sheet, so tagging by centroid gave the sheet 35 % of its true area at the default
        sizes, 50 % at 0.7x and 84 % at 0.5x: the stiffest tissue of the section (13x muscle) changed with
        the mesh, and so did everything a sideways hand drags round the thigh against it. Each triangle
        instead takes the area-weighted mean (Voigt) of the sheet's and its host's shear moduli, which keeps
        the sheet's in-plane stiffness (modulus x thickness) on any mesh and tends to the sharp map as the
        elements shrink. Resolving the sheet instead would need elements of its thickness all round the thigh.
        """
        sheets = [n for n in self.region_names if n in self.shape.regions and n not in self.shape.septa
                  and self.shape.compartments.get(n) is Compartment.FASCIA]
        if not sheets:
            return {}
        tri = shapely.polygons(self.mesh.points[self.mesh.triangles])
        area = np.abs(self.mesh.areas)
        c = self.mesh.centroids
        cover = {}
        for name in sheets:
            sheet = self.shape.regions[name]
            k = self.region_names.index(name)
            share = np.zeros(len(tri))
            near = shapely.intersects(sheet, tri)
            share[near] = np.clip(shapely.area(shapely.intersection(sheet, tri[near])) / area[near], 0.0, 1.0)
            kept = [self.is_sliding(n) or n in self.shape.septa for n in self.region_names]
            share[np.asarray(kept)[self.region]] = 0.0   # sliding bands and septa keep their own modulus
            host = self.region.copy()
            own = np.flatnonzero(host == k)
            others = [i for i, n in enumerate(self.region_names)
                      if i != k and (n in self.shape.regions and n not in self.shape.septa)]
            if len(own):   # the structure under a triangle tagged as the sheet: the nearest other region
                d = np.column_stack([shapely.distance(self.shape.regions[self.region_names[i]],
                                                      shapely.points(c[own])) for i in others])
                host[own] = np.asarray(others)[np.argmin(d, axis=1)]
            cover[name] = (share, host)
        return cover

    def _boundary_facets(self) -> tuple[np.ndarray, np.ndarray]:
        from skfem import MeshTri

        m = MeshTri(self.mesh.points.T.copy(), self.mesh.triangles.T.copy())
        bf = m.boundary_facets()
        mid = m.p[:, m.facets[:, bf]].mean(axis=1).T
        on_femur = shapely.distance(self.shape.femur.exterior, shapely.points(mid)) < 0.25 * self.options.h_fine
        if not on_femur.any():
            raise MechanicsError("the femur's surface could not be found in the mesh")
        return bf[on_femur], bf[~on_femur]

    def _prepare_loads(self) -> None:
        s = self.solver
        # the DOFs on the skin facets (the boundary mass also lists, with zero entries, the other DOFs of
        # the triangles touching the skin, which are not on the skin)
        facets = self.loaded_facets
        verts = np.unique(s.mesh.facets[:, facets])
        self._skin_dofs = np.unique(np.concatenate([s.ubasis.nodal_dofs[:, verts].ravel(),
                                                    s.ubasis.facet_dofs[:, facets].ravel()]))
        locs = s.ubasis.doflocs[:, self._skin_dofs].T
        skin = self.shape.skin
        self._skin_arc = shapely.line_locate_point(skin, shapely.points(locs))
        self._skin_length = skin.length
        self._comp = s.dof_component()
        self._skin_comp = self._comp[self._skin_dofs]
        # skin nodes as (x dof, y dof) pairs with their own inward normals, for the readouts under the tool
        xs = self._skin_dofs[self._skin_comp == 0]
        ys = self._skin_dofs[self._skin_comp == 1]
        key = lambda d: [tuple(np.round(q, 9)) for q in s.ubasis.doflocs[:, d].T]  # noqa: E731
        ymap = dict(zip(key(ys), ys))
        self._skin_pairs = np.array([[x, ymap[k]] for x, k in zip(xs, key(xs))])
        pts = s.ubasis.doflocs[:, self._skin_pairs[:, 0]].T
        arc = shapely.line_locate_point(skin, shapely.points(pts))
        ahead = shapely.get_coordinates(shapely.line_interpolate_point(skin, (arc + 0.5) % self._skin_length))
        behind = shapely.get_coordinates(shapely.line_interpolate_point(skin, (arc - 0.5) % self._skin_length))
        t = ahead - behind
        n = np.column_stack([-t[:, 1], t[:, 0]]) / np.linalg.norm(t, axis=1)[:, None]   # left of the skin's run
        if not self.shape.domain.exterior.is_ccw:   # the tissue lies left of a counter-clockwise ring
            n *= -1
        self._skin_nodes, self._skin_normals, self._skin_node_arc = pts, n, arc

    def _prepare_outputs(self) -> None:
        opts = self.options
        c = self.mesh.centroids
        self.near_bone = shapely.distance(self.shape.femur.exterior, shapely.points(c)) <= NEAR_BONE_MM
        gauges = [_femur_gauge(self.shape.femur, opts.femur_layer_mm, self.shape.domain)]
        for name, septum in self.shape.septa.items():
            whole = septum.buffer(opts.septum_layer_mm).intersection(self.shape.domain)
            part = max(shapely.get_parts(whole), key=lambda g: g.area)
            gauge = _septum_gauge(name, part, self.shape.domain)
            if gauge is not None:
                gauges.append(gauge)
        gauges = [g for g in (self._within_mesh(g) for g in gauges) if len(g.inner)]
        self.gauges = gauges
        self._gauge_probes = [(g, self.solver.probe(g.inner), self.solver.probe(g.outer)) for g in gauges]

    def facing(self, point: np.ndarray, half_angle_deg: float = 45.0) -> np.ndarray:
        """Triangles whose direction from the femur centre is within ``half_angle_deg`` of ``point``'s."""
        to_point = np.asarray(point, dtype=float) - self.shape.centre
        to_cells = self.mesh.centroids - self.shape.centre
        cos = (to_cells @ to_point) / (np.linalg.norm(to_cells, axis=1) * np.linalg.norm(to_point))
        return cos >= np.cos(np.radians(half_angle_deg))

    def _within_mesh(self, gauge: SlipGauge) -> SlipGauge:
        ok = self.solver.inside(gauge.inner) & self.solver.inside(gauge.outer)
        return SlipGauge(gauge.name, gauge.inner[ok], gauge.outer[ok], gauge.tangent[ok], gauge.at[ok])

    # -- loads ----------------------------------------------------------------------------------
    def contact_frame(self, contact: Contact) -> tuple[np.ndarray, np.ndarray, str]:
        """Contact point on the skin, unit force direction and the side it pushes towards."""
        point = self.shape.skin_point(contact.angle_deg)
        radial = point - self.shape.centre
        radial /= np.linalg.norm(radial)
        direction, towards = contact.force_direction(radial, self.shape.side)
        return point, direction, towards

    def skin_under(self, contact: Contact) -> tuple[np.ndarray, ...]:
        """Skin nodes under the tool: points, inward normals, pressure-profile weights, x dofs and y dofs."""
        point, _, _ = self.contact_frame(contact)
        s0 = shapely.line_locate_point(self.shape.skin, shapely.points(point))
        gap = np.abs(self._skin_node_arc - s0)
        gap = np.minimum(gap, self._skin_length - gap)
        w = raised_cosine(gap, contact.tool.width_mm)
        on = w > 0
        return (self._skin_nodes[on], self._skin_normals[on], w[on], self._skin_pairs[on, 0],
                self._skin_pairs[on, 1])

    def depth_and_travel(self, points: np.ndarray, moved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For skin ``points`` moved to ``moved``: depth below the undeformed skin (mm, inside the outline
        positive) and the signed distance travelled along it (mm)."""
        skin = self.shape.skin
        at = shapely.points(moved)
        distance = shapely.distance(skin, at)
        depth = np.where(shapely.contains_xy(self.shape.domain, moved[:, 0], moved[:, 1]), distance, -distance)
        travel = shapely.line_locate_point(skin, at) - shapely.line_locate_point(skin, shapely.points(points))
        half = 0.5 * self._skin_length
        return depth, (travel + half) % self._skin_length - half

    def load_vector(self, contact: Contact) -> np.ndarray:
        """Right-hand side for a contact: its traction profile, scaled so the resultant is exactly the force."""
        point, direction, _ = self.contact_frame(contact)
        s0 = shapely.line_locate_point(self.shape.skin, shapely.points(point))
        gap = np.abs(self._skin_arc - s0)
        gap = np.minimum(gap, self._skin_length - gap)
        profile = raised_cosine(gap, contact.tool.width_mm)
        traction = np.zeros(self.solver.n_u)
        traction[self._skin_dofs] = profile * direction[self._skin_comp]
        rhs = self.solver.traction_load(traction)
        resultant = np.array([rhs[self._comp == 0].sum(), rhs[self._comp == 1].sum()])
        magnitude = float(resultant @ direction)
        if magnitude <= 0:
            raise MechanicsError("the contact patch is too small for this mesh: widen the tool")
        return rhs * (contact.line_load_n_per_mm / magnitude)

    def preview(self, contact: Contact) -> Deformation:
        """The instant linear preview (one pair of triangular solves; it scales with the force)."""
        u, p = self.solver.solve_with_pressure(self.load_vector(contact))
        return self.deformation(u, p, contact)

    def preview_all(self, contacts: Sequence[Contact]) -> tuple[Deformation, ...]:
        """The linear previews of several contacts from one pass of the triangular solves (a drag's frame
        compares two directions: the factors are read once for both)."""
        if not contacts:
            return ()
        u, p = self.solver.solve_with_pressure(np.column_stack([self.load_vector(c) for c in contacts]))
        u, p = np.ascontiguousarray(u.T), np.ascontiguousarray(p.T)   # one row per contact
        return tuple(self.deformation(u[i], p[i], c) for i, c in enumerate(contacts))

    def solve(self, contact: Contact, nonlinear: bool = False, cancel=None, on_step=None) -> Deformation:
        """Deformation under one contact: the linear model (default) or, with ``nonlinear``, the
        large-deformation solution with friction (``cancel()`` stops it, ``on_step(fraction)`` hears of
        each load step)."""
        if not nonlinear:
            return self.preview(contact)
        return self.solve_path(contact, cancel=cancel, on_step=on_step)

    @property
    def large(self):
        """The large-deformation solver with the bone interface (built on first use)."""
        if self._large is None:
            from thighview.mechanics.interface import build_large_deformation

            self._large = build_large_deformation(self)
        return self._large

    def solve_path(self, contact: Contact, fractions=None, cancel=None, friction: float | None = None,
                   on_step=None) -> Deformation:
        """The solution path of a contact in load steps; the result is the last step, with every step on ``path``."""
        from thighview.mechanics.interface import solve_path

        return solve_path(self, contact, fractions, cancel, friction, on_step)

    @property
    def bone_surface(self):
        """The tissue nodes on the femur outline: where they are, their structure, whether bonded (made once)."""
        if self._bone_surface is None:
            from thighview.mechanics.interface import bone_surface

            self._bone_surface = bone_surface(self)
        return self._bone_surface

    def bone_stress(self, reaction: np.ndarray) -> BoneStress:
        """Stress the held femur puts on the tissue (kPa, compression positive) from the reaction forces on the
        displacement DOFs (N per mm of thigh): nodal force over the node's share of the outline (Simpson weights)."""
        s = self.bone_surface
        f = np.column_stack([reaction[s.xdof], reaction[s.ydof]])
        tangent = np.column_stack([-s.normal[:, 1], s.normal[:, 0]])
        k = len(s.points)
        return BoneStress(s.angle_deg, s.weight, 1e3 * (f * s.normal).sum(axis=1) / s.weight,
                          1e3 * np.abs((f * tangent).sum(axis=1)) / s.weight, ("held",) * k, np.zeros(k))

    def deformation(self, u: np.ndarray, p: np.ndarray, contact: Contact,
                    reaction: np.ndarray | None = None) -> Deformation:
        """The linear result for displacement ``u`` and pressure ``p``; ``reaction`` (on the displacement DOFs) is
        the femur's hold on the tissue, by default that of this model's own solver."""
        if reaction is None:
            reaction = (self.solver.matrix @ np.concatenate([u, p]))[: self.solver.n_u]
        point, direction, towards = self.contact_frame(contact)
        strains = self.solver.strains
        slips = {}
        for gauge, p_in, p_out in self._gauge_probes:
            k = len(gauge.inner)
            du = (p_out @ u - p_in @ u).reshape(2, k).T
            slips[gauge.name] = np.abs((du * gauge.tangent).sum(axis=1))
        return Deformation(
            model=self, contact=contact, point=point, direction=direction, towards=towards, dofs=u,
            displacement=self.solver.vertex_displacement(u), compression=self.solver.compression_from_pressure @ p,
            shear=strains.max_shear(u), slip=slips, bone=self.bone_stress(reaction))
