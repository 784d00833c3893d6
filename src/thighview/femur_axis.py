"""The femur's anatomical shaft axis, found from the femur surface alone.

Levels along the thigh are measured on this axis, and every section is cut perpendicular to
it, so it must not depend on how the file placed the bone. The finder:

1. takes the surface's principal axis (area-weighted PCA of the triangles) as a first guess;
2. refines it as the line through the area centroids of shaft sections (30-70 % of the
   bone's extent), so the head, neck and condyles do not tilt it; centroids of ring-shaped
   sections of a hollow femur are exact, and a femur cut off at either end still has a shaft;
3. decides which end is proximal: the thigh's soft tissue is larger proximally; a bare femur
   has its head and neck far off the shaft line proximally; a model symmetric end to end
   follows the file's convention (superior = +z, as in RAS and LPS);
4. picks anterior: the model's ``anterior_hint``, else the rectus femoris/quadriceps side,
   else opposite the hamstrings, else opposite the linea aspera (the posterior ridge).

A model without a femur gets a user-chosen axis instead (:meth:`FemurAxis.from_principal_axis`,
:meth:`FemurAxis.from_points`, set with ``ThighModel.set_axis``); its levels are then
fractions of that axis's length (the thigh's extent, or the distance between the two points),
not of femur length, and ``FemurAxis.basis`` says so.

The in-plane frame follows CT/MRI convention, "viewed from below": ``y`` = anterior,
``x`` = the patient's LEFT (so for a right thigh lateral is on the viewer's left), and
``(x, y, direction)`` is right-handed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from thighview._planecut import area_and_centroid, cut_faces, orthonormal_basis, project, weld
from thighview.anatomy import Compartment
from thighview.errors import LevelError, ModelError

if TYPE_CHECKING:
    from thighview.model import Structure, ThighModel

#: ``FemurAxis.length_name`` of a single cross-section's axis (its levels mean nothing to a user).
SINGLE_SECTION = "the thickness of a single section"
_SHAFT = np.linspace(0.3, 0.7, 9)  # where the shaft centroids are sampled (fractions of extent)
_END_ZONE = 0.15  # the share of the bone at each end compared when deciding which end is proximal


#: A bone at least this long is taken as the whole femur even without two recognisable ends (adult
#: femora are 400-500 mm long; a scan holding >= 330 mm of one holds essentially all of its shaft).
WHOLE_FEMUR_MM = 330.0
#: With less shaft-like length than this, an end piece's axis is taken across the scan's cut end
#: (the line through section centres is then too short, and bent by the condyles or the neck).
MIN_SHAFT_MM = 40.0
#: A section is shaft-like when its area is at most this multiple of the typical mid-shaft area
#: (diameter 26.5 mm, Karakas & Harma 2008; trochanteric and condylar sections are 4-6 times it).
SHAFT_AREA_FACTOR = 1.8
_TYPICAL_SHAFT_AREA_MM2 = np.pi * (26.5 / 2) ** 2
#: Muscles that reach the femur only near the hip: finding one in a piece marks its hip end.
_HIP_MUSCLES = ("iliopsoas", "pectineus", "gluteus_maximus", "tensor_fasciae_latae", "adductor_brevis")
#: A bare femur end whose farthest point stands off the axis by more than this multiple of the
#: radius of its largest section's equal-area circle is the head and neck (the condyles' ratio is
#: about 1.2-1.45, the head's 1.6-2.5).
_HEAD_STANDOFF = 1.5


@dataclass(frozen=True)
class FemurPiece:
    """Which part of the femur a model holds, and how its shaft axis was found.

    ``kind``: ``"whole"``, ``"proximal"`` (head, neck, trochanters), ``"distal"`` (condyles) or
    ``"shaft"`` (neither end). Levels on a piece are millimetres from a landmark: the knee joint
    line (distal piece), the top of the femur (proximal piece) or the top of the scan (shaft);
    with ``estimated_length_mm`` (``--femur-length``) they are fractions of that length again.
    """

    kind: str
    length_mm: float
    parts: tuple[str, ...]
    shaft_mm: float
    how: str
    uncertainty_deg: float
    estimated_length_mm: float | None = None

    @property
    def is_whole(self) -> bool:
        return self.kind == "whole"

    @property
    def levels_in_mm(self) -> bool:
        return not self.is_whole and self.estimated_length_mm is None

    @property
    def landmark(self) -> str:
        return {"distal": "the knee joint line", "proximal": "the top of the femur",
                "shaft": "the top of the scan"}.get(self.kind, "the proximal end")

    @property
    def name(self) -> str:
        return {"whole": f"whole femur {self.length_mm:.0f} mm", "distal": f"distal {self.length_mm:.0f} mm of the femur",
                "proximal": f"proximal {self.length_mm:.0f} mm of the femur",
                "shaft": f"mid-shaft {self.length_mm:.0f} mm of the femur"}[self.kind]

    @property
    def length_name(self) -> str:
        if self.estimated_length_mm is not None:
            return f"femur length (estimated: {self.estimated_length_mm:.0f} mm, as given)"
        return "femur length" if self.is_whole else f"the {self.name}"

    def describe(self) -> str:
        found = f"{self.name} ({', '.join(self.parts)})"
        if self.is_whole:
            return f"{found}: levels are fractions of femur length from its proximal end"
        axis = f"axis {self.how}, ±{self.uncertainty_deg:.1f}°"
        if self.estimated_length_mm is not None:
            return (f"{found}; {axis}: levels are fractions of an estimated femur length of "
                    f"{self.estimated_length_mm:.0f} mm (as given), from the hip")
        return f"{found}: levels in mm from {self.landmark}; {axis}"

    def level_words(self, level_mm: float) -> str:
        """Millimetres from the piece's proximal end -> words from its landmark."""
        if self.kind == "distal":
            return f"{self.length_mm - level_mm:.0f} mm above {self.landmark}"
        return f"{level_mm:.0f} mm below {self.landmark}"


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=float) / np.linalg.norm(v)


@dataclass(frozen=True)
class FemurAxis:
    """The shaft axis: a proximal end point, a unit direction proximal->distal, a length.

    ``anterior`` is a unit vector perpendicular to ``direction``. ``origin`` is the axis
    point level with the most proximal point of the bone (level 0); level 1 is level with
    the most distal point. ``basis`` names what the length measures: ``"femur"`` (found from
    the bone), ``"principal"`` (the whole thigh's extent along its longest principal axis) or
    ``"points"`` (the distance between two points the user gave) or ``"section"`` (a model of
    one cross-section: the thickness of its slab, whose one level is the middle).
    """

    origin: np.ndarray
    direction: np.ndarray
    length_mm: float
    anterior: np.ndarray
    side: str = "right"
    basis: str = "femur"
    #: What part of the femur the axis was found from (``None`` for an axis chosen without a femur).
    piece: FemurPiece | None = None

    @classmethod
    def from_principal_axis(cls, model: ThighModel) -> FemurAxis:
        """The longest principal axis of all the model's surfaces, for a model without a femur.

        Level 0 and 1 are the thigh's most proximal and most distal points along it, so levels
        are fractions of the thigh's extent, not of femur length. The proximal end is the one
        with the larger soft-tissue section (as for a femur), else superior (+z).
        """
        structures = list(model.structures.values())
        vertices = np.concatenate([s.vertices for s in structures])
        offsets = np.cumsum([0] + [len(s.vertices) for s in structures[:-1]])
        faces = np.concatenate([s.faces + o for s, o in zip(structures, offsets)])
        _check_has_area(vertices, faces, model, "the model")
        centre, direction = _principal_axis(vertices, faces)
        h = (vertices - centre) @ direction
        flip = _soft_tissue_says_flip(model, centre, direction, h.min(), h.max())
        if flip or (flip is None and direction[2] > 0):  # alike ends: superior is +z in RAS and LPS
            direction, h = -direction, -h
        return cls._spanning(model, centre + h.min() * direction, direction, float(h.max() - h.min()), "principal")

    @classmethod
    def from_points(cls, model: ThighModel, proximal_xyz, distal_xyz) -> FemurAxis:
        """The axis from a proximal to a distal point (model coordinates, mm), chosen by the user.

        Level 0 is the proximal point and level 1 the distal one, so levels are fractions of
        the distance between them.
        """
        points = []
        for what, value in (("proximal", proximal_xyz), ("distal", distal_xyz)):
            try:
                point = np.asarray(value, dtype=float).reshape(3)
            except (TypeError, ValueError):
                raise ModelError(f"the {what} axis point {value!r} is not three numbers (x, y, z in mm)",
                                 model.source) from None
            if not np.all(np.isfinite(point)):
                raise ModelError(f"the {what} axis point {value!r} is not finite", model.source)
            points.append(point)
        proximal, distal = points
        length = float(np.linalg.norm(distal - proximal))
        if not length > 0:
            raise ModelError("the proximal and distal axis points are the same point", model.source)
        return cls._spanning(model, proximal, (distal - proximal) / length, length, "points")

    @classmethod
    def _spanning(cls, model: ThighModel, origin: np.ndarray, direction: np.ndarray, length: float,
                  basis: str) -> FemurAxis:
        if not length > 0:
            raise ModelError("the model is flat along its longest axis", model.source)
        anterior = _anterior_from_muscles(model, origin, direction)
        if anterior is None:  # no hint, no muscles to go by: the file's +y (anterior in RAS)
            anterior = _perpendicular(np.array([0.0, 1.0, 0.0]), direction)
        if anterior is None:
            anterior = orthonormal_basis(direction)[1]
        return cls(origin=np.asarray(origin, dtype=float), direction=direction, length_mm=length,
                   anterior=anterior, side=model.side, basis=basis)

    @property
    def length_name(self) -> str:
        """What a level is a fraction of, in words (for tables and the UI)."""
        if self.piece is not None and not self.piece.is_whole:
            return self.piece.length_name
        return {"femur": "femur length", "principal": "the thigh's extent along its principal axis",
                "points": "the distance between the two axis points",
                "section": SINGLE_SECTION}[self.basis]

    @property
    def levels_in_mm(self) -> bool:
        """True for part of a femur: levels are millimetres from a landmark, not fractions."""
        return self.piece is not None and self.piece.levels_in_mm

    def describe(self) -> str:
        """What the axis was found from and what levels count from, in one line (CLI, app, exports)."""
        if self.piece is not None:
            return self.piece.describe()
        return f"levels are fractions of {self.length_name}, from its proximal end"

    def level_words(self, level_mm: float) -> str:
        """Where a level lies, in words: ``"52 mm above the knee joint line"`` for part of a femur,
        ``"42% of femur length, 18.8 cm from the proximal end"`` otherwise."""
        if self.levels_in_mm:
            return self.piece.level_words(level_mm)  # type: ignore[union-attr]
        return f"{self.to_fraction(level_mm) * 100:.0f}% of {self.length_name}, {level_mm / 10:.1f} cm from the " \
               "proximal end"

    def with_femur_length(self, femur_length_mm: float, source=None) -> FemurAxis:
        """This axis with levels as fractions of a femur length the user gave (``--femur-length``),
        measured from the femur end the piece holds; ModelError for a piece with neither end."""
        length = _finite_length(femur_length_mm, source)
        piece = self.piece
        if piece is None:
            raise ModelError("--femur-length is for a scan holding part of a femur; this model has no femur to "
                             "measure from", source)
        if piece.is_whole:
            raise ModelError("--femur-length is for part of a femur: this model holds the whole bone (its length "
                             f"is measured: {self.length_mm:.0f} mm)", source)
        if piece.kind == "shaft":
            raise ModelError("--femur-length needs an end of the femur (hip or knee) to count from; this scan holds "
                             "a piece of shaft with neither, so levels stay in mm from the top of the scan", source)
        if length < self.length_mm:
            raise ModelError(f"--femur-length {length:g} mm is shorter than the femur piece in the scan "
                             f"({self.length_mm:.0f} mm)", source)
        origin = self.origin if piece.kind == "proximal" else self.origin - (length - self.length_mm) * self.direction
        estimated = FemurPiece(piece.kind, piece.length_mm, piece.parts, piece.shaft_mm, piece.how,
                               piece.uncertainty_deg, estimated_length_mm=length)
        return FemurAxis(origin=origin, direction=self.direction, length_mm=length, anterior=self.anterior,
                         side=self.side, basis=self.basis, piece=estimated)

    @property
    def patient_left(self) -> np.ndarray:
        """The section frame's x axis: the patient's left (viewer's right, viewed from below)."""
        return np.cross(self.anterior, self.direction)

    @property
    def lateral(self) -> np.ndarray:
        """Unit vector towards lateral for this thigh's side."""
        return -self.patient_left if self.side == "right" else self.patient_left

    def frame_axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(x_axis, y_axis, normal)`` of every section plane: patient's left, anterior, distal."""
        return self.patient_left, self.anterior, self.direction

    def to_mm(self, level: float) -> float:
        """Fraction of femur length (0 proximal .. 1 distal) -> millimetres from proximal."""
        return float(level) * self.length_mm

    def to_fraction(self, level_mm: float) -> float:
        """Millimetres from the proximal end -> fraction of femur length."""
        return float(level_mm) / self.length_mm

    def resolve(self, level: float | None = None, level_mm: float | None = None) -> tuple[float, float]:
        """Check a level given either way; returns ``(fraction, mm)`` or raises LevelError."""
        if (level is None) == (level_mm is None):
            raise LevelError("give the level once: as a fraction of femur length or in millimetres")
        if level_mm is None:
            value = _finite(level, "level")
            if not 0.0 <= value <= 1.0:
                raise LevelError(f"level {value:g} is outside the femur (use a fraction from 0 to 1)")
            return value, self.to_mm(value)
        value = _finite(level_mm, "level in mm")
        if self.length_mm < value <= self.length_mm * (1 + 1e-9):  # the far end, up to rounding
            value = self.length_mm
        if not 0.0 <= value <= self.length_mm:
            raise LevelError(f"level {value:g} mm is outside the femur (0 to {self.length_mm:.1f} mm from proximal)")
        return self.to_fraction(value), value

    def level_to_point(self, level: float | None = None, *, level_mm: float | None = None) -> np.ndarray:
        """The 3-D axis point (model coordinates, mm) at a level."""
        _, mm = self.resolve(level, level_mm)
        return self.origin + mm * self.direction

    def point_to_level_mm(self, points: np.ndarray) -> np.ndarray:
        """Millimetres from the proximal end of the projection of points onto the axis."""
        return (np.asarray(points, dtype=float) - self.origin) @ self.direction


def _finite_length(value: object, source) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ModelError(f"--femur-length {value!r} is not a number (millimetres)", source) from None
    if not (np.isfinite(number) and number > 0):
        raise ModelError(f"--femur-length {value!r} must be a positive length in millimetres", source)
    return number


def _finite(value: object, what: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LevelError(f"{what} {value!r} is not a number") from None
    if not np.isfinite(number):
        raise LevelError(f"{what} {value!r} is not a finite number")
    return number


def find_femur_axis(model: ThighModel) -> FemurAxis:
    """Find the anatomical shaft axis of ``model``'s femur, and which part of the femur it holds
    (see the module docstring)."""
    femur = model.femur
    if femur is None:
        raise ModelError("the model has no femur: choose an axis, the longest principal axis or two points "
                         "(on the command line: --axis principal, or --axis X,Y,Z:X,Y,Z in mm)", model.source)
    vertices, faces = weld(femur.vertices, femur.faces)
    _check_has_area(vertices, faces, model)
    centre, direction = _principal_axis(vertices, faces)
    for _ in range(3):
        centre, direction = _refine_through_shaft(vertices, faces, centre, direction)
    h = (vertices - centre) @ direction
    cuts = _cut_ends(vertices, faces)
    if h.max() - h.min() >= WHOLE_FEMUR_MM or not cuts:
        piece_kind, how, uncertainty = "whole", "through the centres of mid-shaft sections", None
        if _points_proximally(model, vertices, centre, direction):
            direction = -direction
    else:
        centre, direction, piece_kind, how, uncertainty = _piece_axis(model, vertices, faces, cuts)
    h = (vertices - centre) @ direction
    origin = centre + h.min() * direction
    length = float(h.max() - h.min())
    if not length > 0:
        raise ModelError("the femur surface is flat along its own axis", model.source)
    shaft_mm = length if piece_kind == "whole" else _shaft_length(vertices, faces, origin, direction, length)
    if uncertainty is None:
        uncertainty = _centre_line_uncertainty(vertices, faces, centre, direction)
    piece = FemurPiece(piece_kind, length, _parts(piece_kind, length, shaft_mm), shaft_mm, how, uncertainty)
    anterior = _anterior(model, vertices, faces, centre, direction)
    return FemurAxis(origin=origin, direction=direction, length_mm=length, anterior=anterior, side=model.side,
                     piece=piece)


def _parts(kind: str, length: float, shaft_mm: float) -> tuple[str, ...]:
    shaft = (f"{shaft_mm:.0f} mm of shaft",) if shaft_mm >= 5.0 else ()
    if kind == "whole":
        return ("head and neck", "trochanters", "shaft", "condyles")
    if kind == "proximal":  # the lesser trochanter lies some 50-70 mm below the top of the head
        return ("head and neck", "trochanters", *shaft) if length >= 50.0 else ("head and neck",)
    if kind == "distal":
        return ("condyles", *shaft)
    return ("shaft",)


def _piece_axis(model: ThighModel, vertices: np.ndarray, faces: np.ndarray, cuts: list[tuple[np.ndarray, np.ndarray]]
                ) -> tuple[np.ndarray, np.ndarray, str, str, float | None]:
    """Axis of part of a femur: ``(centre, direction proximal->distal, kind, how, uncertainty)``.

    Starts across the scan's cut end (the bone enters the scan there), then follows the centres of
    the sections. A piece with enough shaft keeps that line; an end piece with too little shaft
    keeps the cut end's normal, and the line through the section centres, bent by the condyles or
    the neck, measures how far off that may be (the stated uncertainty).
    """
    normal, point = cuts[0]
    inward = -normal
    centre = vertices.mean(axis=0)
    line_centre, line = centre, inward
    for _ in range(8):
        line_centre, line = _refine_through_shaft(vertices, faces, line_centre, line)
    h = (vertices - line_centre) @ line
    lo, hi = h.min(), h.max()
    cut_at = [float((p - line_centre) @ line) for _, p in cuts]  # which end each cut is nearer
    cut_low = any(c - lo < hi - c for c in cut_at)
    cut_high = any(c - lo >= hi - c for c in cut_at)
    if cut_low and cut_high:  # both ends are the scan's: a piece of shaft
        direction = -line if _points_proximally(model, vertices, line_centre, line) else line
        return line_centre, direction, "shaft", "through the centres of its sections", None
    # one natural end (the one without a cut): the head or the condyles
    natural_sign = 1.0 if cut_low else -1.0  # +line points to the natural end when the cut is low
    shaft_mm = _shaft_length(vertices, faces, line_centre + lo * line, line, hi - lo)
    if shaft_mm >= MIN_SHAFT_MM:
        direction, how, uncertainty = line, "through the centres of its shaft sections", None
    else:
        direction = inward if inward @ line >= 0 else -inward
        tilt = float(np.degrees(np.arccos(np.clip(abs(inward @ line), -1.0, 1.0))))
        how = "across the scan's cut end (too little shaft for a centre line)"
        uncertainty = max(tilt, 0.1)
    proximal_end = _natural_end_is_head(model, vertices, faces, line_centre, natural_sign * line)
    kind = "proximal" if proximal_end else "distal"
    # direction runs proximal -> distal: towards the natural end for a distal piece, away for a proximal one
    direction = natural_sign * direction * (-1.0 if proximal_end else 1.0)
    return line_centre, direction, kind, how, uncertainty


def _natural_end_is_head(model: ThighModel, vertices: np.ndarray, faces: np.ndarray, centre: np.ndarray,
                         towards_end: np.ndarray) -> bool:
    """Whether the femur's own end (``towards_end`` points at it) is the hip end.

    Muscles tell best: a scan near the hip holds the iliopsoas, pectineus, gluteals, TFL or
    adductor brevis, a knee scan none of them. A bare bone: the head and neck stand far off the
    shaft line (see ``_HEAD_STANDOFF``).
    """
    muscles = [s.name for s in model.structures.values() if s.compartment.is_muscle]
    if muscles:
        return any(name in _HIP_MUSCLES for name in muscles)
    h = (vertices - centre) @ towards_end
    rel = vertices[h >= (h.max() + h.min()) / 2] - centre
    radial = np.linalg.norm(rel - np.outer(rel @ towards_end, towards_end), axis=1)
    _, areas = _section_areas(vertices, faces, centre + h.min() * towards_end, towards_end, h.max() - h.min())
    return bool(radial.max() > _HEAD_STANDOFF * np.sqrt(areas.max() / np.pi))


def _section_areas(vertices: np.ndarray, faces: np.ndarray, origin: np.ndarray, direction: np.ndarray,
                   length: float, step_mm: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Heights (mm from ``origin``) every ``step_mm`` and the bone's section area (mm^2) at each."""
    x, y = orthonormal_basis(direction)
    huv = project(vertices, origin, x, y, direction)
    heights = np.arange(step_mm / 2, max(length, step_mm), step_mm)
    areas = np.array([abs(cut_faces(huv, faces, t).area_terms().sum()) / 2.0 for t in heights])
    return heights, areas


def _shaft_length(vertices: np.ndarray, faces: np.ndarray, origin: np.ndarray, direction: np.ndarray,
                  length: float) -> float:
    """Millimetres of the bone whose sections are shaft-like (see ``SHAFT_AREA_FACTOR``)."""
    heights, areas = _section_areas(vertices, faces, origin, direction, length)
    shaft = (areas > 0) & (areas <= SHAFT_AREA_FACTOR * _TYPICAL_SHAFT_AREA_MM2)
    return float(shaft.sum() * (heights[1] - heights[0] if len(heights) > 1 else length))


def _centre_line_uncertainty(vertices: np.ndarray, faces: np.ndarray, centre: np.ndarray,
                             direction: np.ndarray) -> float:
    """Standard error (degrees) of the direction of the line through the shaft sections' centres."""
    x, y = orthonormal_basis(direction)
    huv = project(vertices, centre, x, y, direction)
    lo, hi = huv[:, 0].min(), huv[:, 0].max()
    heights, offsets = [], []
    for t in lo + _SHAFT * (hi - lo):
        area, c2 = area_and_centroid(cut_faces(huv, faces, t))
        if abs(area) > 1e-9:
            heights.append(t)
            offsets.append(c2)
    if len(heights) < 3:
        return 90.0
    heights, offsets = np.asarray(heights), np.asarray(offsets)
    spread = heights - heights.mean()
    slopes = spread @ (offsets - offsets.mean(axis=0)) / (spread @ spread)
    residual = offsets - offsets.mean(axis=0) - np.outer(spread, slopes)
    se = np.sqrt((residual**2).sum() / max(len(heights) - 2, 1) / (spread @ spread))
    return float(max(np.degrees(np.arctan(se)), 0.1))


def _cut_ends(vertices: np.ndarray, faces: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Where the scan cut the bone: ``(outward unit normal, a point)`` of each open rim or flat cap.

    An open rim is a loop of edges used by one triangle; a cap is a flat, compact patch of at
    least ``_MIN_CAP_MM2`` (a femoral shaft's section is larger) on otherwise curved bone.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    found = []
    middle_of_bone = vertices.mean(axis=0)
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    rim = unique[counts == 1]
    if len(rim):
        graph = coo_matrix((np.ones(len(rim)), (rim[:, 0], rim[:, 1])), shape=(len(vertices),) * 2)
        _, label = connected_components(graph, directed=False)
        for component in np.unique(label[rim[:, 0]]):
            found.append(_plane_facing_out(vertices[np.unique(rim[label[rim[:, 0]] == component])], middle_of_bone))
    tri = vertices[faces]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    area = np.linalg.norm(cross, axis=1) / 2
    ok = area > 0
    normals = np.zeros_like(cross)
    normals[ok] = cross[ok] / (2 * area[ok, None])
    centres = tri.mean(axis=1)
    taken = np.zeros(len(faces), dtype=bool)
    for seed in np.argsort(area)[::-1][:50]:
        if taken[seed] or not ok[seed]:
            continue
        members = ok & (normals @ normals[seed] > np.cos(np.radians(2.0))) \
            & (np.abs((centres - centres[seed]) @ normals[seed]) < 1.0)
        taken |= members
        if area[members].sum() >= _MIN_CAP_MM2 and _compact(tri[members].reshape(-1, 3)):
            found.append((normals[seed], np.average(centres[members], axis=0, weights=area[members])))
    return found


def _plane_facing_out(points: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    middle = points.mean(axis=0)
    normal = np.linalg.svd(points - middle)[2][2]
    return (normal if (middle - inside) @ normal > 0 else -normal), middle


def _compact(points: np.ndarray) -> bool:
    """A patch about as wide as long (a cut across the bone), not a strip (a flat facet along it)."""
    spread = np.linalg.eigvalsh(np.cov((points - points.mean(axis=0)).T))
    return bool(spread[1] > 0 and spread[2] / spread[1] < 10.0)


_MIN_CAP_MM2 = 150.0


def _check_has_area(vertices: np.ndarray, faces: np.ndarray, model: ThighModel, what: str = "the femur") -> None:
    """A surface whose triangles are all degenerate (a collapsed or flat mesh) has no axis to find."""
    tri = vertices[faces]
    if not np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1).sum() > 0:
        raise ModelError(f"{what} surface has no area (every triangle is degenerate)", model.source)


def _principal_axis(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tri = vertices[faces]
    weights = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    points = tri.mean(axis=1)
    centre = np.average(points, axis=0, weights=weights)
    d = points - centre
    cov = (d * weights[:, None]).T @ d
    _, vectors = np.linalg.eigh(cov)
    return centre, vectors[:, -1]


def _refine_through_shaft(vertices: np.ndarray, faces: np.ndarray, centre: np.ndarray,
                          direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The line through the centroids of shaft sections perpendicular to the current guess."""
    x, y = orthonormal_basis(direction)
    huv = project(vertices, centre, x, y, direction)
    lo, hi = huv[:, 0].min(), huv[:, 0].max()
    points = []
    for t in lo + _SHAFT * (hi - lo):
        cut = cut_faces(huv, faces, t)
        if len(cut) == 0:
            continue
        area, c2 = area_and_centroid(cut)
        if not abs(area) > 1e-9:  # not a closed section here: fall back to the contour's centroid
            lengths = np.linalg.norm(cut.end - cut.start, axis=1)
            c2 = np.average((cut.start + cut.end) / 2, axis=0, weights=lengths + 1e-12)
        points.append(centre + t * direction + c2[0] * x + c2[1] * y)
    if len(points) < 3:
        return centre, direction
    points = np.asarray(points)
    mid = points.mean(axis=0)
    new = np.linalg.svd(points - mid)[2][0]
    return mid, new if new @ direction >= 0 else -new


def _points_proximally(model: ThighModel, femur_vertices: np.ndarray, centre: np.ndarray,
                          direction: np.ndarray) -> bool:
    """True when the end that ``direction`` points to looks proximal (so it must be flipped)."""
    h = (femur_vertices - centre) @ direction
    lo, hi = h.min(), h.max()
    flip = _soft_tissue_says_flip(model, centre, direction, lo, hi)
    if flip is not None:
        return flip
    # A bare femur: the head and neck stand further off the shaft line than the condyles.
    radial = np.linalg.norm((femur_vertices - centre) - np.outer(h, direction), axis=1)
    zone = _END_ZONE * (hi - lo)
    near, far = radial[h <= lo + zone].max(), radial[h >= hi - zone].max()
    if not np.isclose(near, far, rtol=1e-3):
        return bool(far > near)
    # Nothing tells the ends apart: medical files put superior towards +z (RAS and LPS alike).
    return bool(direction[2] > 0)


def _soft_tissue_says_flip(model: ThighModel, centre: np.ndarray, direction: np.ndarray, lo: float,
                           hi: float) -> bool | None:
    """Whether ``direction`` points proximally, judged by the soft tissue at 25 % and 75 % of
    ``lo..hi`` along it (the thigh is larger proximally); None when the two are alike."""
    soft = [s for s in model.structures.values() if s.compartment is not Compartment.BONE]
    if not soft:
        return None
    near = _soft_tissue_area(soft, centre, direction, lo + 0.25 * (hi - lo))
    far = _soft_tissue_area(soft, centre, direction, lo + 0.75 * (hi - lo))
    if max(near, far) > 0 and not np.isclose(near, far, rtol=1e-3):
        return bool(far > near)
    return None


def _soft_tissue_area(structures: list[Structure], centre: np.ndarray, direction: np.ndarray, t: float) -> float:
    x, y = orthonormal_basis(direction)
    total = 0.0
    for s in structures:
        cut = cut_faces(project(s.vertices, centre, x, y, direction), s.faces, t)
        total += abs(cut.area_terms().sum()) / 2.0
    return total


def _anterior(model: ThighModel, vertices: np.ndarray, faces: np.ndarray, centre: np.ndarray,
              direction: np.ndarray) -> np.ndarray:
    anterior = _anterior_from_muscles(model, centre, direction)
    return anterior if anterior is not None else -_linea_aspera_direction(vertices, faces, centre, direction)


def _perpendicular(vector: np.ndarray, direction: np.ndarray) -> np.ndarray | None:
    """The unit part of ``vector`` perpendicular to ``direction``; None when there is none."""
    perpendicular = vector - (vector @ direction) * direction
    norm = np.linalg.norm(perpendicular)
    return perpendicular / norm if norm > 1e-6 * max(np.linalg.norm(vector), 1e-300) else None


def _anterior_from_muscles(model: ThighModel, centre: np.ndarray, direction: np.ndarray) -> np.ndarray | None:
    """Anterior from the model's hint, else the rectus femoris/quadriceps side, else opposite
    the hamstrings; None when none of them tells."""
    if model.anterior_hint is not None:
        anterior = _perpendicular(np.asarray(model.anterior_hint, dtype=float).reshape(3), direction)
        if anterior is not None:
            return anterior
    for names, sign in ((["rectus_femoris"], 1.0), (_names_in(model, Compartment.QUADRICEPS), 1.0),
                        (_names_in(model, Compartment.HAMSTRINGS), -1.0)):
        offset = _offset_from_axis(model, names, centre, direction)
        if offset is not None:
            return sign * offset
    return None


def _names_in(model: ThighModel, compartment: Compartment) -> list[str]:
    return [s.name for s in model.in_compartment(compartment)]


def _offset_from_axis(model: ThighModel, names: list[str], centre: np.ndarray,
                      direction: np.ndarray) -> np.ndarray | None:
    """Unit vector from the axis towards the vertex centroid of the named structures."""
    points = [model.structures[n].vertices for n in names if n in model.structures]
    if not points:
        return None
    rel = np.concatenate(points).mean(axis=0) - centre
    perpendicular = rel - (rel @ direction) * direction
    norm = np.linalg.norm(perpendicular)
    return perpendicular / norm if norm > 1e-6 else None


def _linea_aspera_direction(vertices: np.ndarray, faces: np.ndarray, centre: np.ndarray,
                            direction: np.ndarray) -> np.ndarray:
    """The mean direction, in mid-shaft sections, from the centroid to the farthest contour point."""
    x, y = orthonormal_basis(direction)
    huv = project(vertices, centre, x, y, direction)
    lo, hi = huv[:, 0].min(), huv[:, 0].max()
    total = np.zeros(2)
    for t in lo + np.linspace(0.35, 0.65, 7) * (hi - lo):
        cut = cut_faces(huv, faces, t)
        if len(cut) < 3:
            continue
        c2 = cut.start.mean(axis=0)
        far = cut.start[np.argmax(np.linalg.norm(cut.start - c2, axis=1))] - c2
        if np.linalg.norm(far) > 0:
            total += far / np.linalg.norm(far)
    if not np.linalg.norm(total) > 0:
        total = np.array([0.0, -1.0])
    return _unit(total[0] * x + total[1] * y)
