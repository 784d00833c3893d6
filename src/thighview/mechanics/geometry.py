"""The section as the mechanics sees it: soft tissue around a fixed femur, septa, and the skin.

Input is a plain mapping ``name -> shapely polygon`` in the section's 2-D frame (mm; y
anterior, x to the viewer's right, so lateral is -x for a right thigh), which is what
``Section.polygons`` holds; tests build such mappings by hand. Structures are tagged with
their compartment through :func:`thighview.anatomy.compartment_of`.

Septa are taken from the named septum polygons when the section has them; otherwise from
the interface between the two compartments each septum separates (lateral: quadriceps /
hamstrings, medial: quadriceps / adductors, posterior: adductors / hamstrings).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from thighview.anatomy import Compartment, compartment_of
from thighview.errors import MechanicsError

#: Each septum and the two compartments it separates (used when the section has no septum polygon).
SEPTA: dict[str, tuple[Compartment, Compartment]] = {
    "lateral_intermuscular_septum": (Compartment.QUADRICEPS, Compartment.HAMSTRINGS),
    "medial_intermuscular_septum": (Compartment.QUADRICEPS, Compartment.ADDUCTORS),
    "posterior_intermuscular_septum": (Compartment.ADDUCTORS, Compartment.HAMSTRINGS),
}

#: Named contact places: angle around the femur in degrees, 0 = anterior, positive towards lateral.
PLACES: dict[str, float] = {
    "anterior": 0.0, "anterolateral": 45.0, "lateral": 90.0, "posterolateral": 135.0,
    "posterior": 180.0, "posteromedial": 225.0, "medial": 270.0, "anteromedial": 315.0,
}

_GAP_CLOSE_MM = 0.6     # gaps narrower than about twice this between structures are closed
_INTERFACE_MM = 0.8     # half-width of a septum strip derived from a compartment interface
_MIN_AREA_MM2 = 1.0     # slivers smaller than this are ignored


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def _largest(geom: BaseGeometry) -> Polygon | None:
    parts = _polygons(geom)
    return max(parts, key=lambda p: p.area) if parts else None


def lateral_sign(side: str) -> float:
    """x-sign of 'lateral' in the section frame: -1 for a right thigh, +1 for a left one."""
    if side not in ("right", "left"):
        raise MechanicsError(f"thigh side must be 'right' or 'left', not {side!r}")
    return -1.0 if side == "right" else 1.0


def place_angle(at: str | float) -> float:
    """An angle in degrees (0 anterior, towards lateral) from a place name or a number."""
    if isinstance(at, str):
        key = at.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        for name, angle in PLACES.items():
            if key == name:
                return angle
        try:
            return float(at)
        except ValueError:
            raise MechanicsError(
                f"unknown contact place {at!r}: use one of {', '.join(PLACES)} or an angle in degrees") from None
    angle = float(at)
    if not math.isfinite(angle):
        raise MechanicsError(f"contact angle must be a finite number of degrees, not {at!r}")
    return angle


@dataclass(frozen=True)
class SectionShape:
    """The soft tissue of one section, ready to mesh.

    ``domain`` is the soft tissue (a polygon whose hole is the femur); ``regions`` maps each
    structure to its part of the domain; ``septa`` maps each septum to a thin strip polygon.
    """

    domain: Polygon
    femur: Polygon
    regions: dict[str, BaseGeometry]
    compartments: dict[str, Compartment]
    septa: dict[str, Polygon]
    centre: np.ndarray
    side: str = "right"

    @property
    def skin(self) -> LineString:
        return LineString(self.domain.exterior.coords)

    def direction_of(self, angle_deg: float) -> np.ndarray:
        """Unit vector from the femur centre towards ``angle_deg`` (0 anterior, + towards lateral)."""
        a = math.radians(angle_deg)
        return np.array([lateral_sign(self.side) * math.sin(a), math.cos(a)])

    def skin_point(self, angle_deg: float) -> np.ndarray:
        """Where a ray from the femur centre at ``angle_deg`` leaves the skin (the outermost crossing)."""
        ray_end = self.centre + self.direction_of(angle_deg) * 10.0 * math.sqrt(self.domain.area + 1.0)
        hits = shapely.get_coordinates(self.skin.intersection(LineString([self.centre, ray_end])))
        if len(hits) == 0:
            raise MechanicsError(f"no skin found at {angle_deg:g} degrees around the femur")
        return hits[np.argmax(np.linalg.norm(hits - self.centre, axis=1))]

    def structure_at(self, points: np.ndarray) -> list[str]:
        """The structure at each point (a septum before the structures round it): the smallest one holding it,
        else the nearest."""
        names = list(self.septa) + sorted(self.regions, key=lambda n: self.regions[n].area)
        geoms = [self.septa.get(n, self.regions.get(n)) for n in names]
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

    @classmethod
    def from_polygons(cls, polygons: Mapping[str, BaseGeometry], side: str = "right",
                      centre: np.ndarray | None = None) -> SectionShape:
        """Build from ``name -> polygon``; needs a ``femur`` entry and at least one soft structure."""
        lateral_sign(side)
        femur_geom = polygons.get("femur")
        femur_part = _largest(femur_geom) if femur_geom is not None else None
        if femur_part is None:
            raise MechanicsError("the section has no femur: the pressure model holds the bone fixed")
        femur = Polygon(femur_part.exterior.coords)  # the marrow is part of the (rigid) bone
        soft = {n: shapely.make_valid(g) for n, g in polygons.items()
                if n != "femur" and g is not None and not g.is_empty and g.area > _MIN_AREA_MM2}
        if not soft:
            raise MechanicsError("the section has no soft tissue around the femur")
        outline = shapely.unary_union([g.buffer(_GAP_CLOSE_MM) for g in soft.values()] + [femur])
        outline = _largest(outline.buffer(-_GAP_CLOSE_MM))
        if outline is None:
            raise MechanicsError("the soft tissue of the section is empty")
        domain = _largest(Polygon(outline.exterior.coords).difference(femur))
        if domain is None or len(domain.interiors) != 1:
            raise MechanicsError("the femur must lie inside the soft tissue of the section")
        domain = shapely.set_precision(domain, 1e-6)
        regions = {n: g.intersection(domain) for n, g in soft.items()}
        regions = {n: g for n, g in regions.items() if g.area > _MIN_AREA_MM2}
        compartments = {n: compartment_of(n) for n in regions}
        septa = _septa(regions, compartments, domain)
        c = np.asarray(centre if centre is not None else femur.centroid.coords[0], dtype=float)
        return cls(domain, femur, regions, compartments, septa, c, side)


def _septa(regions: dict[str, BaseGeometry], compartments: dict[str, Compartment],
           domain: Polygon) -> dict[str, Polygon]:
    """A thin strip per septum: the septum's own polygon, else the interface of its two compartments."""
    septa: dict[str, Polygon] = {}
    groups: dict[Compartment, BaseGeometry] = {}
    for name, geom in regions.items():
        comp = compartments[name]
        groups[comp] = geom if comp not in groups else groups[comp].union(geom)
    for name, (a, b) in SEPTA.items():
        if name in regions:
            strip = regions[name]
        elif a in groups and b in groups:
            strip = (groups[a].buffer(_INTERFACE_MM).intersection(groups[b].buffer(_INTERFACE_MM))
                     .intersection(domain))
        else:
            continue
        part = _largest(strip)
        if part is not None and part.area > _MIN_AREA_MM2:
            septa[name] = part
    return septa


def toy_section(outer_radius: float = 80.0, femur_radius: float = 14.0, femur_offset: tuple[float, float] = (0.0, 8.0),
                fat_mm: float = 8.0, septum_mm: float = 1.0, fascia_mm: float = 1.0) -> dict[str, MultiPolygon]:
    """A synthetic right-thigh section (discs and sectors) for tests and demos without a model.

    Quadriceps in front, hamstrings behind, adductors medial (+x for a right thigh), three thin
    septa from the fascia lata to the femur, the fascia lata around the muscles, fat under the skin.
    """
    fx, fy = femur_offset
    muscle_r = outer_radius - fat_mm
    femur = Point(fx, fy).buffer(femur_radius, 64)
    body = Point(0, 0).buffer(outer_radius, 128)
    fascia = Point(0, 0).buffer(muscle_r, 128).difference(Point(0, 0).buffer(muscle_r - fascia_mm, 128))
    muscle = Point(0, 0).buffer(muscle_r - fascia_mm, 128).difference(femur)

    def sector(a0: float, a1: float) -> Polygon:
        # angles as in PLACES (0 anterior, + towards lateral = -x for a right thigh)
        ts = np.radians(np.linspace(a0, a1, 64))
        far = 3 * outer_radius
        pts = [(fx, fy)] + [(fx - far * math.sin(t), fy + far * math.cos(t)) for t in ts]
        return Polygon(pts)

    septum_angles = {"lateral_intermuscular_septum": 120.0, "posterior_intermuscular_septum": 215.0,
                     "medial_intermuscular_septum": 290.0}
    septa = {}
    for name, a in septum_angles.items():
        t = math.radians(a)
        line = LineString([(fx, fy), (fx - 2 * outer_radius * math.sin(t), fy + 2 * outer_radius * math.cos(t))])
        septa[name] = line.buffer(septum_mm / 2, cap_style="flat").intersection(muscle)
    all_septa = shapely.unary_union(list(septa.values()))
    quads = muscle.intersection(sector(-70.0, 120.0)).difference(all_septa)
    hams = muscle.intersection(sector(120.0, 215.0)).difference(all_septa)
    adds = muscle.intersection(sector(215.0, 290.0)).difference(all_septa)
    quad_inner = Point(fx, fy).buffer(femur_radius + 14.0, 64)
    out = {
        "femur": femur,
        "vastus_intermedius": quads.intersection(quad_inner),
        "vastus_lateralis": quads.difference(quad_inner).intersection(sector(35.0, 120.0)),
        "rectus_femoris": quads.difference(quad_inner).intersection(sector(-70.0, 35.0)),
        "biceps_femoris_long_head": hams,
        "adductor_magnus": adds,
        "subcutaneous_fat": body.difference(Point(0, 0).buffer(muscle_r, 128)),
        "fascia_lata": fascia,
        **septa,
    }
    return {k: MultiPolygon(_polygons(v)) for k, v in out.items()}
