"""Sections of the thigh perpendicular to the femur shaft: polygons, exact areas, bone coverage.

``SectionEngine(model)`` precomputes once per model (every structure's vertices projected on
the femur axis and the section plane, and an interval index of the triangles along the
axis); a new level then costs only the triangles that cross it:

* areas come from Green's theorem over the oriented intersection segments (see
  :mod:`thighview._planecut`), exact for the faceted surfaces, holes and nested shells
  included, with no loop assembly (``engine.areas``, ``engine.profile``);
* polygons (for drawing, the mechanics and bone coverage) join the same segments into loops
  by the mesh edges they lie on, then into shapely ``MultiPolygon``s with holes
  (``engine.section``).

A structure whose surface is not closed at a level has no exact area there: it is left out
of the areas, listed in ``open_structures`` and its contour is kept as lines in
``open_contours`` (``strict=True`` raises :class:`~thighview.errors.SectionError` instead).
Likewise a closed surface whose contour crosses itself at a level (or whose loops cross each
other: a surface passing through itself), which has no single inside whose area could be
meant: ``engine.section`` repairs a small fold (``REPAIRABLE_FRACTION``; the valid polygon's area,
the change in ``repaired``), else lists it in ``self_intersecting`` and keeps its contour in
``open_contours``. Crossings that change no area by more than ``SELF_INTERSECTION_TOLERANCE_MM2``
are let through (meshes from real segmentations graze themselves here and there). The fast
paths (``engine.areas``, ``engine.profile``) assemble no loops and cannot see self-intersection.

In-plane frame ("viewed from below", as in CT/MRI): ``y`` = anterior, ``x`` = the patient's
left (for a right thigh lateral is on the viewer's left), origin = the femur axis point at
the level; millimetres. Areas are cm^2. A level exactly on vertices is the limit from the
proximal side (see :mod:`thighview._planecut`).

JSON form (``Section.to_dict``; a list of these for several levels), stable for scripts::

    {"model": "thigh_default", "level": 0.5, "level_mm": 224.0,
     "units": {"area": "cm2", "length": "mm"},
     "structures": {"vastus_lateralis": {"compartment": "quadriceps", "area_cm2": 31.2}, ...},
     "compartments": {"quadriceps": {"area_cm2": 80.1, "percent_of_muscle": 52.3,
                                     "percent_of_total": 38.0}, ...},
     "bone_coverage": {"quadriceps": 0.66, ...},
     "open_structures": [], "self_intersecting_structures": [],
     "overlaps": [{"structures": ["vastus_lateralis", "rectus_femoris"], "area_cm2": 1.2,
                   "counted_in": {"vastus_lateralis": 0.7, "rectus_femoris": 0.5}}],
     "overlap_rule": "tissue", "repaired_structures": {"vastus_medialis": 0.01}}

Overlaps (two structures' sections covering the same area, see :data:`OVERLAP_RULES`) are counted
once: ``structures`` areas are after the rule; the whole section is the union of all sections.
``repaired_structures`` names contours that crossed themselves a little and were repaired (the
area change, cm^2).

For part of a femur (a knee or hip scan, a thigh MRI: see :class:`~thighview.femur_axis.FemurPiece`)
it adds ``"level_from_landmark": "40 mm above the knee joint line"``.

``percent_of_muscle`` is ``null`` for compartments that are not muscle; ``percent_of_total``
is relative to the summed area of every structure with an exact area at that level;
``bone_coverage`` is the fraction (0..1) of the femur's outer perimeter bordered (within
``COVERAGE_GAP_MM``, probed along the outline's outward normal) by each compartment. ``AreaProfile.to_dict`` gives
``{"model", "units", "levels", "levels_mm", "structures": {name: [cm2, ...]},
"compartments": {name: [cm2, ...]}}`` with ``null`` where a surface is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from thighview._planecut import Cut, closed_and_oriented, cut_faces, project, unmatched_edges, weld
from thighview.anatomy import Compartment
from thighview.errors import SectionError

if TYPE_CHECKING:
    from thighview.femur_axis import FemurAxis
    from thighview.model import ThighModel

MM2_PER_CM2 = 100.0
#: A structure within this distance outwards of the femur's outline counts as bordering it.
COVERAGE_GAP_MM = 3.0
#: Samples along the femur's outline for bone coverage.
COVERAGE_SAMPLES = 720
#: A structure whose contour crosses itself is flagged when the area inside it counted other than
#: once (twice, or negatively) exceeds this: far below the 0.01 cm^2 the tables print.
SELF_INTERSECTION_TOLERANCE_MM2 = 0.1
#: A contour that crosses itself is repaired (its valid polygon kept, the area change stated) when the
#: area it winds around other than once is at most this share of its area; beyond that it is dropped.
REPAIRABLE_FRACTION = 0.05
#: Gaps narrower than twice this between the outermost structures are closed when a section
#: without skin or fat gets its envelope (the tissue between two muscles under the skin).
ENVELOPE_CLOSING_MM = 5.0
#: Two structures' sections overlapping by more than this (mm^2) are reported as an overlap.
OVERLAP_MIN_MM2 = 1.0
#: Who gets an area two structures' sections both cover (``overlap_rule``): "tissue" (default) gives
#: it to bone before muscle (and vessels, nerves) before fascia before fat before skin, and between
#: two of the same kind splits it along the line halfway between their own parts; "halfway" always
#: splits it so.
OVERLAP_RULES = ("tissue", "halfway")
_GRAZE_MM = 0.01  # neighbours whose outlines cross by less than this only touch (rounding)
_TISSUE_RANK = {Compartment.BONE: 0, Compartment.FASCIA: 2, Compartment.FAT: 3, Compartment.SKIN: 4}
#: What the areas say of a model without skin or fat.
ENVELOPE_NOTE = ("no skin or fat in this model: the section's outline is the outermost muscle and fascia surfaces "
                 "(closed, smoothed); no fat area is counted")


def default_fat_mm() -> float:
    """The fat layer (mm) the mechanics adds around a section without skin or fat: the mean anterior
    mid-thigh subcutaneous fat thickness by ultrasound (``anatomy_targets.json``: Mechelli)."""
    from thighview.procedural.plan import targets

    return float(targets()["thigh_outline"]["subcutaneous_fat_anterior_mm"]["value"])


@dataclass(frozen=True)
class SectionFrame:
    """The section plane: origin on the femur axis, in-plane axes, normal (proximal->distal)."""

    origin: np.ndarray
    x_axis: np.ndarray
    y_axis: np.ndarray
    normal: np.ndarray

    def to_3d(self, xy: np.ndarray, offset: float | np.ndarray = 0.0) -> np.ndarray:
        """In-plane points (n, 2) -> model coordinates (n, 3), mm; ``offset`` moves them along the
        normal (a flat section's prisms stand either side of their plane)."""
        xy = np.asarray(xy, dtype=float)
        return (self.origin + xy[..., :1] * self.x_axis + xy[..., 1:2] * self.y_axis
                + np.asarray(offset, dtype=float)[..., None] * self.normal)

    def to_2d(self, xyz: np.ndarray) -> np.ndarray:
        """Model coordinates (n, 3) -> in-plane points (n, 2), projected onto the plane."""
        rel = np.asarray(xyz, dtype=float) - self.origin
        return np.stack([rel @ self.x_axis, rel @ self.y_axis], axis=-1)


class Areas(dict):
    """Areas in cm^2 by structure name; ``open`` names structures without an exact area here."""

    def __init__(self, values: dict[str, float], open_structures: tuple[str, ...] = ()) -> None:
        super().__init__(values)
        self.open = open_structures


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


@dataclass(frozen=True)
class Overlap:
    """Two structures' sections covering the same area: ``area_cm2`` of it, ``given`` (cm^2 each
    structure counts of it under the section's overlap rule; they add up to ``area_cm2``) and its
    ``shape`` (for drawing)."""

    first: str
    second: str
    area_cm2: float
    given: dict[str, float]
    shape: MultiPolygon

    def to_dict(self) -> dict[str, Any]:
        return {"structures": [self.first, self.second], "area_cm2": round(self.area_cm2, 6),
                "counted_in": {n: round(a, 6) for n, a in self.given.items()}}


@dataclass
class Section:
    """One cut through the thigh at a level. Built by :meth:`SectionEngine.section`.

    ``polygons`` and ``areas_cm2`` hold every structure with an exact area here (an empty
    MultiPolygon and 0.0 where the structure does not reach the level); structures whose
    surface is open here (``open_structures``) or whose contour crosses itself here
    (``self_intersecting``) have no area: their contours are in ``open_contours``, as lines.
    """

    level: float
    level_mm: float
    frame: SectionFrame
    polygons: dict[str, MultiPolygon]
    areas_cm2: dict[str, float]
    compartments: dict[str, Compartment]
    femur_centre: np.ndarray
    open_structures: tuple[str, ...] = ()
    open_contours: dict[str, MultiLineString] = field(default_factory=dict)
    self_intersecting: tuple[str, ...] = ()
    #: Overlapping structures (counted once each: ``areas_cm2`` is after ``overlap_rule``; ``own_areas_cm2``
    #: before it) and structures whose crossing contour was repaired (name -> the area change, cm^2).
    overlaps: tuple[Overlap, ...] = ()
    overlap_rule: str = "tissue"
    own_areas_cm2: dict[str, float] = field(default_factory=dict)
    repaired: dict[str, float] = field(default_factory=dict)
    #: Where the level lies from a named landmark, for part of a femur (``"40 mm above the knee
    #: joint line"``, see ``FemurAxis.level_words``); empty where levels are fractions of a length.
    where: str = ""

    @property
    def without_area(self) -> dict[str, str]:
        """Why each structure present here has no area: name -> "not closed" | "self-intersecting"."""
        reasons = {name: "not closed" for name in self.open_structures}
        reasons.update((name, "self-intersecting") for name in self.self_intersecting)
        return reasons

    @cached_property
    def compartment_areas_cm2(self) -> dict[Compartment, float]:
        return _group_by_compartment(self.areas_cm2, self.compartments)

    @property
    def envelope_note(self) -> str:
        """``ENVELOPE_NOTE`` for a model without skin or fat (its outline is the muscles'), else ""."""
        outer = (Compartment.SKIN, Compartment.FAT)
        return "" if any(c in outer for c in self.compartments.values()) else ENVELOPE_NOTE

    def for_mechanics(self, fat_mm: float | None = None) -> Section:
        """The section the pressure model meshes: this one where the model has skin or fat; else the
        envelope of its structures (gaps closed) plus a fat layer ``fat_mm`` thick (default
        :func:`default_fat_mm`) as ``subcutaneous_fat``, filling the gaps too. For the mechanics
        only: areas never count this fat."""
        if not self.envelope_note:
            return self
        from dataclasses import replace

        thickness = default_fat_mm() if fat_mm is None else float(fat_mm)
        if not (np.isfinite(thickness) and thickness >= 0):
            raise SectionError(f"the fat layer must be a thickness of 0 mm or more, not {fat_mm!r}")
        tissue = shapely.union_all([g for g in self.polygons.values() if not g.is_empty])
        if tissue.is_empty:
            return self
        closed = tissue.buffer(ENVELOPE_CLOSING_MM, quad_segs=16).buffer(-ENVELOPE_CLOSING_MM, quad_segs=16)
        envelope = max(_as_multipolygon(closed).geoms, key=lambda p: p.area)
        outline = Polygon(envelope.exterior).buffer(thickness, quad_segs=16) if thickness > 0 else \
            Polygon(envelope.exterior)
        fat = _as_multipolygon(outline.difference(tissue))
        polygons = {**self.polygons, "subcutaneous_fat": fat}
        return replace(self, polygons=polygons, compartments={**self.compartments, "subcutaneous_fat": Compartment.FAT})

    @property
    def muscle_area_cm2(self) -> float:
        return sum(a for name, a in self.areas_cm2.items() if self.compartments[name].is_muscle)

    @property
    def total_area_cm2(self) -> float:
        return sum(self.areas_cm2.values())

    def _area_and_muscle(self, key: str | Compartment) -> tuple[float, bool]:
        if isinstance(key, Compartment):
            return self.compartment_areas_cm2.get(key, 0.0), key.is_muscle
        if key not in self.compartments:
            raise SectionError(f"no structure named '{key}' in this model")
        return self.areas_cm2.get(key, 0.0), self.compartments[key].is_muscle

    def percent_of_muscle(self, key: str | Compartment) -> float | None:
        """Share (0-100) of the muscle area at this level; ``None`` for a non-muscle key."""
        area, is_muscle = self._area_and_muscle(key)
        return _percent(area, self.muscle_area_cm2) if is_muscle else None

    def percent_of_total(self, key: str | Compartment) -> float:
        """Share (0-100) of the summed area of all structures at this level."""
        area, _ = self._area_and_muscle(key)
        return _percent(area, self.total_area_cm2)

    @cached_property
    def bone_coverage(self) -> dict[Compartment, float]:
        """Fraction (0..1) of the femur's outer perimeter bordered by each compartment."""
        return _bone_coverage(self.polygons, self.compartments)

    def to_dict(self, model_name: str | None = None) -> dict[str, Any]:
        """The documented JSON form (see the module docstring)."""
        compartments = {}
        for compartment, area in self.compartment_areas_cm2.items():
            share = self.percent_of_muscle(compartment)
            compartments[compartment.value] = {
                "area_cm2": round(area, 6),
                "percent_of_muscle": None if share is None else round(share, 4),
                "percent_of_total": round(self.percent_of_total(compartment), 4),
            }
        return {
            "model": model_name,
            "level": round(self.level, 6),
            "level_mm": round(self.level_mm, 4),
            "units": {"area": "cm2", "length": "mm"},
            "structures": {name: {"compartment": self.compartments[name].value, "area_cm2": round(area, 6)}
                           for name, area in self.areas_cm2.items()},
            "compartments": compartments,
            "bone_coverage": {c.value: round(f, 4) for c, f in self.bone_coverage.items()},
            "open_structures": list(self.open_structures),
            "self_intersecting_structures": list(self.self_intersecting),
            "overlaps": [o.to_dict() for o in self.overlaps],
            "overlap_rule": self.overlap_rule,
            "repaired_structures": {n: round(a, 6) for n, a in self.repaired.items()},
            **({"level_from_landmark": self.where} if self.where else {}),
        }


@dataclass(frozen=True)
class AreaProfile:
    """Areas (cm^2) at many levels: one array per structure, NaN where a surface is open."""

    levels: np.ndarray
    levels_mm: np.ndarray
    areas_cm2: dict[str, np.ndarray]
    compartments: dict[str, Compartment]

    @cached_property
    def compartment_areas_cm2(self) -> dict[Compartment, np.ndarray]:
        return _group_by_compartment(self.areas_cm2, self.compartments, zero=np.zeros(len(self.levels)))

    def to_dict(self, model_name: str | None = None) -> dict[str, Any]:
        def listed(values: np.ndarray) -> list[float | None]:
            return [None if np.isnan(v) else round(float(v), 6) for v in values]

        return {
            "model": model_name,
            "units": {"area": "cm2", "length": "mm"},
            "levels": [round(float(v), 6) for v in self.levels],
            "levels_mm": [round(float(v), 4) for v in self.levels_mm],
            "structures": {name: listed(a) for name, a in self.areas_cm2.items()},
            "compartments": {c.value: listed(a) for c, a in self.compartment_areas_cm2.items()},
        }


def _group_by_compartment(areas: dict[str, Any], compartments: dict[str, Compartment], zero: Any = 0.0) -> dict:
    """Sum per compartment, in the vocabulary's order, over the compartments the model has."""
    present = set(compartments.values())
    grouped = {c: zero for c in Compartment if c in present}
    for name, area in areas.items():
        grouped[compartments[name]] = grouped[compartments[name]] + area
    return grouped


class _IntervalIndex:
    """Which triangles cross a level: triangles bucketed by their extent along the axis.

    Buckets are about one typical triangle tall, so a query reads roughly the crossing
    triangles and their neighbours, and keeps those whose extent holds the level (each
    bucket's extents are stored contiguously); the few very tall triangles are always checked.
    """

    _MAX_BUCKETS_PER_TRIANGLE = 8

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.start = float(lo.min())
        extent = max(float(hi.max()) - self.start, 1e-9)
        self.width = max(float(np.percentile(hi - lo, 75)), extent / 65536)
        self.n = int(extent // self.width) + 1
        first = np.floor((lo - self.start) / self.width).astype(np.int64)
        count = np.floor((hi - self.start) / self.width).astype(np.int64) - first + 1
        tall = count > self._MAX_BUCKETS_PER_TRIANGLE
        short = np.flatnonzero(~tall)
        count = count[short]
        owner = np.repeat(short, count)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        bucket = first[owner] + step
        order = np.argsort(bucket, kind="stable")
        members = np.concatenate([owner[order], np.flatnonzero(tall)])
        self.members, self.lo, self.hi = members, lo[members], hi[members]
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(bucket, minlength=self.n))])
        self.n_short = len(owner)

    def crossing(self, t: float) -> np.ndarray:
        """Indices of the triangles with ``min h < t <= max h`` (those the plane ``h = t`` cuts)."""
        b = int(np.floor((t - self.start) / self.width))
        spans = [slice(self.n_short, len(self.members))]
        if 0 <= b < self.n:
            spans.insert(0, slice(self.indptr[b], self.indptr[b + 1]))
        found = [self.members[s][(self.lo[s] < t) & (self.hi[s] >= t)] for s in spans if s.start < s.stop]
        return np.concatenate(found) if len(found) > 1 else (found[0] if found else self.members[:0])


class SectionEngine:
    """Cuts one model at any level; build once per model, then query levels freely.

    ``strict=True`` raises :class:`SectionError` when a structure is open at a level
    instead of flagging it.
    """

    def __init__(self, model: ThighModel, *, axis: FemurAxis | None = None, strict: bool = False,
                 overlap_rule: str = "tissue") -> None:
        if overlap_rule not in OVERLAP_RULES:
            raise SectionError(f"overlap rule must be one of {', '.join(OVERLAP_RULES)}, not {overlap_rule!r}")
        self.overlap_rule = overlap_rule
        self.model = model
        self.axis = axis if axis is not None else model.femur_axis
        self.strict = strict
        self.names = list(model.structures)
        self.compartments = {name: s.compartment for name, s in model.structures.items()}
        x_axis, y_axis, normal = self.axis.frame_axes()
        huv, faces, owner = [], [], []
        self._closed = np.zeros(len(self.names), dtype=bool)
        offset = 0
        for i, name in enumerate(self.names):
            vertices, f = weld(model.structures[name].vertices, model.structures[name].faces)
            self._closed[i] = closed_and_oriented(f, len(vertices))
            huv.append(project(vertices, self.axis.origin, x_axis, y_axis, normal))
            faces.append(f + offset)
            owner.append(np.full(len(f), i, dtype=np.int64))
            offset += len(vertices)
        # Vertices in order along the axis: a level's crossing triangles then read one narrow,
        # contiguous band of memory.
        huv = np.concatenate(huv)
        order = np.argsort(huv[:, 0], kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self._huv = np.ascontiguousarray(huv[order])
        self._faces = rank[np.concatenate(faces)]
        self._owner = np.concatenate(owner)
        face_h = self._huv[self._faces, 0]
        self._index = _IntervalIndex(face_h.min(axis=1), face_h.max(axis=1))
        self._femur = self.names.index("femur") if "femur" in model.structures else None

    # --- levels and frames ----------------------------------------------------------------

    def frame(self, level: float | None = None, *, level_mm: float | None = None) -> SectionFrame:
        x_axis, y_axis, normal = self.axis.frame_axes()
        return SectionFrame(self.axis.level_to_point(level, level_mm=level_mm), x_axis, y_axis, normal)

    def _cut(self, t: float) -> tuple[Cut, np.ndarray, np.ndarray]:
        """Segments at height ``t`` mm, their structure index, and which structures are open."""
        candidates = self._index.crossing(t)
        cut = cut_faces(self._huv, self._faces[candidates], t)
        owner = self._owner[candidates[cut.face]]
        is_open = np.zeros(len(self.names), dtype=bool)
        check = ~self._closed[owner]
        if check.any():
            bad = unmatched_edges(cut.start_edge[check], cut.end_edge[check])
            loose = np.isin(cut.start_edge, bad) | np.isin(cut.end_edge, bad)
            is_open[np.unique(owner[check & loose])] = True
        if self.strict and is_open.any():
            names = ", ".join(n for n, o in zip(self.names, is_open) if o)
            raise SectionError(f"the surface of {names} is not closed at {t:.2f} mm from the proximal femur end",
                               self.model.source)
        return cut, owner, is_open

    def _signed_areas_mm2(self, cut: Cut, owner: np.ndarray) -> np.ndarray:
        """Per structure: the shoelace sum, +area for outward-facing surfaces, -area for inward.

        Consistent orientation is guaranteed where the segments close up (checked globally
        or at the level), so the magnitude is the exact area whichever way the file faces.
        """
        return np.bincount(owner, weights=cut.area_terms(), minlength=len(self.names)) / 2.0

    # --- public queries ---------------------------------------------------------------------

    def areas(self, level: float | None = None, *, level_mm: float | None = None) -> Areas:
        """Exact areas (cm^2) of every structure at a level; open ones are left out (``.open``).

        The fast path (no loops are assembled): it does not check whether a closed surface
        crosses itself at the level, and gives such a structure its signed-area sum. Use
        :meth:`section` where that must be caught (the ``areas`` command does).
        """
        _, t = self.axis.resolve(level, level_mm)
        cut, owner, is_open = self._cut(t)
        cm2 = np.abs(self._signed_areas_mm2(cut, owner)) / MM2_PER_CM2
        values = {n: float(a) for n, a, o in zip(self.names, cm2, is_open) if not o}
        return Areas(values, tuple(n for n, o in zip(self.names, is_open) if o))

    def profile(self, levels: Iterable[float] | None = None, *, n: int = 100) -> AreaProfile:
        """Areas at many levels (default: ``n`` evenly spaced level centres).

        Like :meth:`areas`, it flags open surfaces but does not check for self-intersection.
        """
        fractions = (np.arange(n) + 0.5) / n if levels is None else np.asarray(list(levels), dtype=float)
        millimetres = np.array([self.axis.resolve(level)[1] for level in fractions])
        table = np.empty((len(fractions), len(self.names)))
        for row, t in enumerate(millimetres):
            cut, owner, is_open = self._cut(t)
            table[row] = np.abs(self._signed_areas_mm2(cut, owner)) / MM2_PER_CM2
            table[row, is_open] = np.nan
        return AreaProfile(fractions, millimetres, {name: table[:, i].copy() for i, name in enumerate(self.names)},
                           self.compartments)

    def section(self, level: float | None = None, *, level_mm: float | None = None) -> Section:
        """The full section at a level: polygons, areas, femur centre (bone coverage on demand).

        Also checks every closed structure's loops for crossings (``self_intersecting``).
        """
        fraction, t = self.axis.resolve(level, level_mm)
        cut, owner, is_open = self._cut(t)
        signed = self._signed_areas_mm2(cut, owner)
        areas_mm2 = np.abs(signed)
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(len(self.names) + 1))
        loops = [_assemble(cut.select(order[bounds[i] : bounds[i + 1]])) for i in range(len(self.names))]
        orientation = np.where(signed < 0, -1.0, 1.0)
        miscounted = np.where(is_open, 0.0, _miscounted_areas_mm2([rings for rings, _ in loops], orientation))
        crossed = miscounted > SELF_INTERSECTION_TOLERANCE_MM2
        if self.strict and crossed.any():
            names = ", ".join(n for n, c in zip(self.names, crossed) if c)
            raise SectionError(f"the surface of {names} intersects itself at {t:.2f} mm from the proximal femur "
                               "end", self.model.source)
        repairable = crossed & (miscounted <= REPAIRABLE_FRACTION * areas_mm2)
        crossed &= ~repairable
        no_area = is_open | crossed
        polygons: dict[str, MultiPolygon] = {}
        open_contours: dict[str, MultiLineString] = {}
        repaired: dict[str, float] = {}
        for i, (name, (rings, chains)) in enumerate(zip(self.names, loops)):
            if no_area[i]:
                closed = [np.vstack([r, r[:1]]) for r in rings]
                open_contours[name] = MultiLineString([LineString(c) for c in [*closed, *chains] if len(c) >= 2])
            else:
                polygons[name] = _polygonise(rings, orientation[i])
            if repairable[i]:  # a small fold: the valid polygon's area, and by how much it differs
                repaired[name] = float(polygons[name].area - areas_mm2[i]) / MM2_PER_CM2
                areas_mm2[i] = polygons[name].area
        centre = np.zeros(2)
        if self._femur is not None and not no_area[self._femur] and not polygons["femur"].is_empty:
            centre = np.asarray(polygons["femur"].centroid.coords[0])
        own = {n: float(a / MM2_PER_CM2) for n, a, o in zip(self.names, areas_mm2, no_area) if not o}
        overlaps = _overlaps(polygons, self.compartments, self.overlap_rule)
        counted = dict(own)
        for overlap in overlaps:  # each structure keeps the part of the overlap the rule gives it
            for name in (overlap.first, overlap.second):
                counted[name] -= overlap.area_cm2 - overlap.given[name]
        return Section(
            level=fraction,
            level_mm=t,
            frame=self.frame(level_mm=t),
            polygons=polygons,
            areas_cm2=counted,
            overlaps=overlaps,
            overlap_rule=self.overlap_rule,
            own_areas_cm2=own,
            repaired=repaired,
            compartments=dict(self.compartments),
            femur_centre=centre,
            open_structures=tuple(n for n, o in zip(self.names, is_open) if o),
            open_contours=open_contours,
            self_intersecting=tuple(n for n, c in zip(self.names, crossed) if c),
            where=self.axis.level_words(t) if self.axis.levels_in_mm else "",
        )

    def sections(self, levels: Iterable[float]) -> list[Section]:
        """Full sections at several levels (fractions of femur length)."""
        return [self.section(level) for level in levels]


# --- loops and polygons ---------------------------------------------------------------------


def _assemble(cut: Cut) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Join segments end to start (by mesh edge) into closed rings and open chains of points."""
    k = len(cut)
    if k == 0:
        return [], []
    order = np.argsort(cut.start_edge, kind="stable")
    keys = cut.start_edge[order]
    pos = np.minimum(np.searchsorted(keys, cut.end_edge), k - 1)
    following = np.where(keys[pos] == cut.end_edge, order[pos], -1)
    has_previous = np.zeros(k, dtype=bool)
    has_previous[following[following >= 0]] = True
    nxt = following.tolist()
    visited = [False] * k
    rings, chains = [], []

    def walk(first: int) -> tuple[list[int], bool]:
        path, i = [], first
        while i >= 0 and not visited[i]:
            visited[i] = True
            path.append(i)
            i = nxt[i]
        return path, i == first

    for first in np.flatnonzero(~has_previous).tolist():
        path, _ = walk(first)
        chains.append(np.vstack([cut.start[path], cut.end[path[-1:]]]))
    for first in range(k):
        if not visited[first]:
            path, closed = walk(first)
            if closed:
                rings.append(_without_repeats(cut.start[path]))
            else:
                chains.append(np.vstack([cut.start[path], cut.end[path[-1:]]]))
    return rings, chains


def _without_repeats(ring: np.ndarray) -> np.ndarray:
    """Drop points equal to their predecessor (a level through a vertex repeats it)."""
    keep = np.any(ring != np.roll(ring, 1, axis=0), axis=1)
    return ring[keep] if keep.any() else ring[:1]


def _miscounted_areas_mm2(rings_per_structure: list[list[np.ndarray]], orientation: np.ndarray) -> np.ndarray:
    """Per structure, the area its loops wind around other than once (0 where they are simple).

    The loops of a sound surface are simple and never cross (nested shells just nest), so one
    vectorised ``is_simple`` clears almost every structure; the rare rest are measured by
    :func:`_miscounted_area_mm2`.
    """
    miscounted = np.zeros(len(rings_per_structure))
    rings = [[r for r in rings if len(r) >= 3] for rings in rings_per_structure]
    candidates = [i for i, r in enumerate(rings) if r]
    if not candidates:
        return miscounted
    loops = [_loops(rings[i]) for i in candidates]
    for i, simple, lines in zip(candidates, shapely.is_simple(loops), loops):
        if not simple:
            miscounted[i] = _miscounted_area_mm2(lines, rings[i], orientation[i])
    return miscounted


def _loops(rings: list[np.ndarray]) -> MultiLineString:
    return shapely.multilinestrings([shapely.linearrings(r) for r in rings])


def _miscounted_area_mm2(loops: MultiLineString, rings: list[np.ndarray], orientation: float) -> float:
    """The area the loops wind around other than 0 or 1 times (outward-facing): where a
    contour folds over itself or two loops overlap, so no one answer for the area exists."""
    noded = shapely.node(loops)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if len(faces) == 0:
        return 0.0
    points = shapely.get_coordinates(shapely.point_on_surface(faces))
    winding = orientation * sum(_winding_numbers(points, ring) for ring in rings)
    return float(shapely.area(faces)[(winding != 0) & (winding != 1)].sum())


def _winding_numbers(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """How many times the closed ``ring`` winds counter-clockwise around each point (none on it)."""
    a, b = ring, np.roll(ring, -1, axis=0)
    px, py = points[:, None, 0], points[:, None, 1]
    left = (b[:, 0] - a[:, 0]) * (py - a[:, 1]) - (px - a[:, 0]) * (b[:, 1] - a[:, 1])
    up = (a[:, 1] <= py) & (b[:, 1] > py) & (left > 0)
    down = (a[:, 1] > py) & (b[:, 1] <= py) & (left < 0)
    return (up.sum(axis=1) - down.sum(axis=1)).astype(float)


def _overlaps(polygons: dict[str, MultiPolygon], compartments: dict[str, Compartment], rule: str
              ) -> tuple[Overlap, ...]:
    """Every pair of sections covering the same area (more than ``OVERLAP_MIN_MM2``), and who
    counts how much of it under ``rule`` (see ``OVERLAP_RULES``)."""
    names = [n for n, g in polygons.items() if not g.is_empty]
    shapes = [polygons[n] for n in names]
    if len(shapes) < 2:
        return ()
    first, second = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    corners = [shapely.get_coordinates(g) for g in shapes]
    outlines = [g.boundary for g in shapes]
    shapely.prepare(shapes)

    def reaches_into(i: int, j: int) -> bool:  # a corner of j deeper than _GRAZE_MM inside i
        inside = shapely.contains_xy(shapes[i], corners[j][:, 0], corners[j][:, 1])
        return bool(inside.any()) and shapely.distance(shapely.points(corners[j][inside]), outlines[i]).max() > _GRAZE_MM

    found = []
    for i, j in zip(first.tolist(), second.tolist()):
        if i >= j or not (reaches_into(i, j) or reaches_into(j, i)):  # neighbours only touching: cheap
            continue
        shared = _as_multipolygon(shapes[i].intersection(shapes[j]))
        if shared.area <= OVERLAP_MIN_MM2:
            continue
        a, b = names[i], names[j]
        rank_a, rank_b = (_TISSUE_RANK.get(compartments[n], 1) for n in (a, b))
        if rule == "tissue" and rank_a != rank_b:
            to_a = shared.area if rank_a < rank_b else 0.0
        else:
            to_a = _halfway_share(shared, polygons[a].difference(polygons[b]), polygons[b].difference(polygons[a]))
        given = {a: to_a / MM2_PER_CM2, b: (shared.area - to_a) / MM2_PER_CM2}
        found.append(Overlap(a, b, shared.area / MM2_PER_CM2, given, shared))
    return tuple(found)


def _halfway_share(shared: MultiPolygon, own_a, own_b) -> float:
    """How much of ``shared`` (mm^2) lies nearer ``own_a`` than ``own_b`` (each structure's part
    outside the other): the overlap split along the line halfway between them, triangle by
    triangle. A structure lying wholly inside the other keeps the whole overlap."""
    if own_a.is_empty or own_b.is_empty:
        return shared.area if own_a.is_empty else 0.0
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(shared))
    centres = shapely.centroid(triangles)
    nearer_a = shapely.distance(centres, own_a) <= shapely.distance(centres, own_b)
    areas = shapely.area(triangles)
    return float(shared.area * areas[nearer_a].sum() / areas.sum()) if areas.sum() > 0 else 0.0


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2.0)


def _polygonise(rings: list[np.ndarray], orientation: float) -> MultiPolygon:
    """Rings -> MultiPolygon: counter-clockwise rings add, clockwise rings cut holes.

    Largest first, so a hole is cut after its outer ring and an island in a hole is added
    after the hole (nested shells).
    """
    signed = [(orientation * _signed_area(r), r) for r in rings if len(r) >= 3]
    signed = [(a, r) for a, r in signed if a != 0.0]
    if not signed:
        return MultiPolygon()
    signed.sort(key=lambda item: -abs(item[0]))
    if all(a > 0 for a, _ in signed):
        shape = shapely.union_all([_valid(Polygon(r)) for _, r in signed])
    else:
        shape = Polygon()
        for area, ring in signed:
            piece = _valid(Polygon(ring))
            shape = shape.union(piece) if area > 0 else shape.difference(piece)
    return _as_multipolygon(shape)


def _valid(polygon: Polygon):
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


def _as_multipolygon(shape) -> MultiPolygon:
    if isinstance(shape, MultiPolygon):
        return shape
    if isinstance(shape, Polygon):
        return MultiPolygon([shape]) if not shape.is_empty else MultiPolygon()
    return MultiPolygon([g for g in getattr(shape, "geoms", []) if isinstance(g, Polygon) and not g.is_empty])


def _bone_coverage(polygons: dict[str, MultiPolygon], compartments: dict[str, Compartment]) -> dict[Compartment, float]:
    """Probe outwards from evenly spaced points of the femur's outline; the first structure hit
    within ``COVERAGE_GAP_MM`` borders the bone there. Rays along the outline's normal (rather
    than nearest distances) keep a neighbour from claiming the bone beside its own edge."""
    femur = polygons.get("femur")
    if femur is None or femur.is_empty:
        return {}
    points, normals = _outline_samples(femur, COVERAGE_SAMPLES)
    low, high = points.min(axis=0) - COVERAGE_GAP_MM, points.max(axis=0) + COVERAGE_GAP_MM
    names, hits = [], []
    for name, shape in polygons.items():
        if compartments[name] is Compartment.BONE or shape.is_empty:
            continue
        x0, y0, x1, y1 = shape.bounds
        if x0 > high[0] or y0 > high[1] or x1 < low[0] or y1 < low[1]:
            continue
        hit = _ray_hits(points, normals, _edges_near(shape, low, high))
        hit[shapely.contains_xy(shape, points[:, 0], points[:, 1])] = 0.0  # overlapping the bone
        names.append(name)
        hits.append(hit)
    if not names:
        return {}
    hits = np.vstack(hits)
    first = hits.argmin(axis=0)
    bordered = np.isfinite(hits[first, np.arange(len(points))])
    coverage: dict[Compartment, float] = {}
    for index in first[bordered]:
        compartment = compartments[names[index]]
        coverage[compartment] = coverage.get(compartment, 0.0) + 1.0 / len(points)
    return dict(sorted(coverage.items(), key=lambda item: list(Compartment).index(item[0])))


def _edges_near(shape: MultiPolygon, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundary edges (starts, ends) of ``shape`` that touch the box ``low``-``high``."""
    starts, ends = [], []
    for ring in (r for p in shape.geoms for r in (p.exterior, *p.interiors)):
        xy = np.asarray(ring.coords)
        starts.append(xy[:-1])
        ends.append(xy[1:])
    a, b = np.vstack(starts), np.vstack(ends)
    near = np.all((np.minimum(a, b) <= high) & (np.maximum(a, b) >= low), axis=1)
    return a[near], b[near]


def _ray_hits(origins: np.ndarray, directions: np.ndarray, edges: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Distance along each unit ray to the nearest edge within ``COVERAGE_GAP_MM`` (inf if none)."""
    a, b = edges
    if len(a) == 0:
        return np.full(len(origins), np.inf)
    d = b - a  # (m, 2)
    w = a[None, :, :] - origins[:, None, :]  # (n, m, 2)
    denom = directions[:, None, 0] * d[None, :, 1] - directions[:, None, 1] * d[None, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        along = (w[..., 0] * d[None, :, 1] - w[..., 1] * d[None, :, 0]) / denom
        on_edge = (w[..., 0] * directions[:, None, 1] - w[..., 1] * directions[:, None, 0]) / denom
    valid = (denom != 0) & (along >= 0) & (along <= COVERAGE_GAP_MM) & (on_edge >= 0) & (on_edge <= 1)
    return np.where(valid, along, np.inf).min(axis=1)


def _outline_samples(shape: MultiPolygon, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points evenly spaced along the outer rings of ``shape`` and their outward normals."""
    points, normals = [], []
    rings = [orient(p, 1.0).exterior for p in shape.geoms]  # counter-clockwise
    spacing = sum(r.length for r in rings) / n
    for ring in rings:
        xy = np.asarray(ring.coords)
        steps = np.diff(xy, axis=0)
        lengths = np.linalg.norm(steps, axis=1)
        cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
        at = np.arange(spacing / 2, cumulative[-1], spacing)
        segment = np.clip(np.searchsorted(cumulative, at, side="right") - 1, 0, len(steps) - 1)
        fraction = (at - cumulative[segment]) / np.where(lengths[segment] > 0, lengths[segment], 1.0)
        points.append(xy[segment] + fraction[:, None] * steps[segment])
        tangent = steps[segment] / np.where(lengths[segment] > 0, lengths[segment], 1.0)[:, None]
        normals.append(np.column_stack([tangent[:, 1], -tangent[:, 0]]))
    return np.vstack(points), np.vstack(normals)
