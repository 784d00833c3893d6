"""The per-level 2-D partition of the thigh section, in area-preserving polar coordinates.

At one level, the muscle layer is the ring between the femur (radius ``R_b(phi)``) and the
inside of the fascia lata (``R_m(phi)``). It is mapped onto the unit square ``(s, rho)``:

* ``rho`` in [0, 1] goes outwards with ``r^2 = R_b^2 + rho (R_m^2 - R_b^2)``;
* ``s`` in [0, 1) goes once round the femur (counter-clockwise seen from above, starting
  posteriorly at the linea aspera), as the cumulative area fraction of the ring.

This map has a constant Jacobian, so the area of any polygon in ``(s, rho)`` is exactly its
share of the ring's area. The ring is cut into COLUMNS by straight lines from the bone
(``rho = 0``) to the fascia (``rho = 1``); each column holds a stack of structures bottom
(deep) to top (superficial); a BLOCK of neighbouring columns may share its deepest layers at
a common height (the vastus intermedius under the vastus lateralis and rectus femoris).
A column's area fixes the sum of its widths at the bone and at the fascia; how that sum is
split follows anatomical landmarks at both ends (the septa at the lips of the linea aspera,
the quadriceps wrapping the shaft; Braus's superficial layout at the fascia), balanced
between the two. Every layer height then follows in closed form from the target areas. A
structure is the union of its parts in consecutive columns; its outline is a fixed
sequence of corners whose edges are shared with its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from thighview.errors import ModelError
from thighview.procedural import outline
from thighview.procedural.plan import Body, reference_body

# --- the layout: columns (in order round the femur) and blocks --------------------------

LS, MS, PS = "lateral_intermuscular_septum", "medial_intermuscular_septum", "posterior_intermuscular_septum"
VL, VI, VM, RF = "vastus_lateralis", "vastus_intermedius", "vastus_medialis", "rectus_femoris"
SA, GR, AL, AB, AM = "sartorius", "gracilis", "adductor_longus", "adductor_brevis", "adductor_magnus"
BL, BS, ST, SM = "biceps_femoris_long_head", "biceps_femoris_short_head", "semitendinosus", "semimembranosus"
FV, SN = "femoral_vessels", "sciatic_nerve"
GM, TF, IP, PE = "gluteus_maximus", "tensor_fasciae_latae", "iliopsoas", "pectineus"


@dataclass(frozen=True)
class Block:
    """Neighbouring columns that share their deepest ``shared`` layers at common heights."""

    shared: tuple[str, ...]
    stacks: tuple[tuple[str, ...], ...]  # per column, deep to superficial, above the shared layers


#: Round the femur from the lateral septum: lateral, anterior, medial, posterior.
BLOCKS: tuple[Block, ...] = (
    Block((), ((LS,),)),
    Block((), ((VL,),)),  # the vastus lateralis on the bone, posterolaterally
    Block((VI,), ((VL, TF), (RF,))),  # intermedius deep; lateralis (tensor over it at the hip) and rectus
    Block((), ((VM,),)),  # the vastus medialis, superficial anteromedially
    Block((), ((VM, SA),)),  # the sartorius strap over its edge
    Block((), ((MS, FV, SA),)),  # medial septum, femoral vessels in the adductor canal, sartorius roof
    Block((), ((IP, AB, PE, AL),)),  # iliopsoas to the lesser trochanter, pectineus at the hip
    Block((), ((AM, GR),)),
    Block((AM, PS), ((SM,), (ST,), (SN, BL))),  # adductor magnus, the posterior septum, hamstrings
    Block((), ((BS, BL),)),  # short head on the linea aspera, long head over it
    Block((), ((GM,),)),  # gluteus maximus on the gluteal tuberosity, near the hip only
)
SEPTUM_COLUMNS = {0: LS, 6: MS}

# How a structure with parts in several columns splits its area (column index -> share).
# Columns: 0 LS, 1 VL, 2-3 (VI) VL+TF/RF, 4 VM, 5 VM/SA, 6 MS/FV/SA, 7 IP/AB/PE/AL, 8 AM/GR,
# 9-11 (AM, PS) SM/ST/SN+BL, 12 BS/BL, 13 GM
_SPLITS = {
    VL: {1: 0.30, 2: 0.70},
    VM: {4: 0.96, 5: 0.04},
    SA: {5: 0.85, 6: 0.15},
    AM: {8: 0.30, "block8": 0.70},
    BL: {11: 0.45, 12: 0.55},
}

# Where columns meet the bone (degrees, 0 lateral, 90 anterior): the end of each column,
# at three levels (proximal 0.1, middle 0.5, distal 0.85). Septum columns take their width
# from their area, centred on the angle given for them.
_BONE_LEVELS = (0.1, 0.5, 0.85)
_BONE_ENDS_DEG = {
    # column: (proximal, middle, distal)
    0: (-62, -72, -68),  # lateral septum, at the lateral lip of the linea aspera
    1: (-12, -18, -12),
    2: (50, 50, 58),
    3: (118, 125, 130),
    4: (172, 200, 222),
    5: (180, 210, 230),
    6: (186, 216, 234),  # medial septum, at the medial lip
    7: (222, 238, 240),
    8: (240, 250, 247),
    9: (252, 258, 254),
    10: (262, 265, 260),
    11: (282, 276, 268),
    12: (284, 284, 288),
    13: (298, 288, 292),  # back to the lateral septum (mod 360)
}
#: Where the lateral septum reaches the fascia lata (degrees): further back at the hip, so that
#: the columns in front (tensor, rectus) leave the sartorius anterolateral, towards the ASIS.
_LS_FASCIA_DEG = (-50, -58, -60)
# Where each column ends at the fascia (degrees), as on Braus's sections: the vastus lateralis
# round the side, the rectus in front, vastus medialis and the sartorius strap anteromedially,
# adductor longus and gracilis medially, the hamstrings behind. Columns widths at the bone and
# at the fascia are a compromise between these and the bone landmarks (their mean fits the area).
_FASCIA_ENDS_DEG = {
    1: (-18, -30, -30),
    2: (65, 60, 60),
    3: (108, 105, 100),
    4: (112, 138, 150),
    5: (130, 168, 178),
    6: (133, 171, 181),
    7: (172, 200, 190),
    8: (200, 222, 212),
    9: (238, 246, 240),
    10: (262, 262, 258),
    11: (262, 280, 280),
    12: (275, 300, 298),
    13: (328, 302, 300),
}


@dataclass(frozen=True)
class Variation:
    """Small, smooth differences between individuals, drawn from a seed (seed 0 = none).

    Where each column meets the bone (degrees), where the lateral septum meets the fascia
    (degrees) and the thigh's width-to-depth ratio (factor): enough to change how a section
    looks without leaving the anatomical layout or the targets.
    """

    bone_shift_deg: tuple[float, ...]
    fascia_shift_deg: float = 0.0
    aspect: float = 1.0

    @classmethod
    def from_seed(cls, seed: int) -> Variation:
        if seed == 0:
            return cls((0.0,) * N_COLUMNS)
        rng = np.random.default_rng(seed)
        return cls(tuple(float(x) for x in rng.uniform(-2.0, 2.0, N_COLUMNS)),
                   float(rng.uniform(-5.0, 5.0)), float(rng.uniform(0.96, 1.04)))


def _columns() -> list[tuple[int, int, tuple[str, ...]]]:
    """(block index, column index, stack) for every column in order."""
    out, c = [], 0
    for b, block in enumerate(BLOCKS):
        for stack in block.stacks:
            out.append((b, c, stack))
            c += 1
    return out


COLUMNS = _columns()
N_COLUMNS = len(COLUMNS)
_BLOCK_COLUMNS = {b: [c for bb, c, _ in COLUMNS if bb == b] for b in range(len(BLOCKS))}


def _share(name: str, where: int | str) -> float:
    split = _SPLITS.get(name)
    return 1.0 if split is None else split[where]


# --- height keys and structure outlines (static) ------------------------------------------

HeightKey = tuple  # ("0",), ("1",), ("b", block, layer), ("c", column, index)
ZERO, ONE = ("0",), ("1",)


@dataclass(frozen=True)
class Part:
    column: int
    lo: HeightKey
    hi: HeightKey


def _parts() -> dict[str, list[Part]]:
    parts: dict[str, list[Part]] = {}
    for b, block in enumerate(BLOCKS):
        cols = _BLOCK_COLUMNS[b]
        for ell, name in enumerate(block.shared):
            lo = ZERO if ell == 0 else ("b", b, ell - 1)
            for c in cols:
                parts.setdefault(name, []).append(Part(c, lo, ("b", b, ell)))
        for c, stack in zip(cols, block.stacks):
            base = ("b", b, len(block.shared) - 1) if block.shared else ZERO
            for j, name in enumerate(stack):
                lo = base if j == 0 else ("c", c, j - 1)
                hi = ONE if j == len(stack) - 1 else ("c", c, j)
                parts.setdefault(name, []).append(Part(c, lo, hi))
    for name, ps in parts.items():
        ps.sort(key=lambda p: p.column)
        cols = [p.column for p in ps]
        if cols != list(range(cols[0], cols[0] + len(cols))):
            raise AssertionError(f"{name}: parts must lie in consecutive columns, not {cols}")
    return parts


PARTS = _parts()
STRUCTURES = tuple(PARTS)

Corner = tuple  # (boundary index, height key)


def _outline_corners(parts: list[Part]) -> list[Corner]:
    """The corners of the union of a structure's parts, counter-clockwise in (s, rho)."""
    corners: list[Corner] = []
    for k, p in enumerate(parts):
        if k == 0 or p.lo != parts[k - 1].lo:
            corners.append((p.column, p.lo))
        corners.append((p.column + 1, p.lo))
    corners.append((parts[-1].column + 1, parts[-1].hi))
    for k in range(len(parts) - 1, -1, -1):
        p = parts[k]
        if k < len(parts) - 1 and p.hi != parts[k + 1].hi:
            corners.append((p.column + 1, p.hi))
        corners.append((p.column, p.hi))
    return corners


OUTLINES = {name: _outline_corners(ps) for name, ps in PARTS.items()}


def edge_key(a: Corner, b: Corner) -> frozenset:
    """The identity of an edge, the same for both structures that share it."""
    return frozenset((a, b))


# --- one level ---------------------------------------------------------------------------

_GRID = 2048
#: The smallest area (mm^2) given to an absent structure so that the layout never degenerates.
SLIVER_MM2 = 0.4
_MAX_BOTTOM_RATIO = 1.6  # a column's width at the bone is at most 1.6x its mean width
_MIN_BOTTOM_RATIO = 0.25  # ... and at least a quarter of it


_PERIOD = 2 * np.pi  # of the angle round the femur


@dataclass
class LevelGeometry:
    """Everything needed to place points at one level."""

    t: float
    phi: np.ndarray  # (G+1,) grid of angles from -pi/2
    s: np.ndarray  # (G+1,) cumulative area fraction at each grid angle
    r_bone: np.ndarray  # (G+1,) femur radius on the grid
    r_muscle: np.ndarray  # (G+1,) inside of the fascia lata on the grid
    fat_scale: float
    skin_scale: float
    aspect: float  # the individual's width/depth factor (1 = the reference thigh)
    bottoms: np.ndarray  # (N+1,) s of column boundaries at the bone
    tops: np.ndarray  # (N+1,) s of column boundaries at the fascia
    heights: dict  # HeightKey -> rho (column keys resolved per column)
    bone_scale: float = 1.0  # the femur's cross-section relative to the reference

    def height(self, key: HeightKey) -> float:
        return 0.0 if key == ZERO else 1.0 if key == ONE else self.heights[key]

    def corner_srho(self, corner: Corner) -> tuple[float, float]:
        i, key = corner
        rho = self.height(key)
        return self.bottoms[i] + (self.tops[i] - self.bottoms[i]) * rho, rho

    def to_xy(self, s: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """(s, rho) -> physical (x, y) in mm."""
        s = np.mod(s, 1.0)
        phi = np.interp(s, self.s, self.phi)
        wrapped = phi % _PERIOD
        rb = np.interp(wrapped, *self._periodic[0])
        rm = np.interp(wrapped, *self._periodic[1])
        r = np.sqrt(rb**2 + rho * (rm**2 - rb**2))
        return np.column_stack([r * np.cos(phi), r * np.sin(phi)])

    @cached_property
    def _periodic(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The bone and muscle radii as ``np.interp(..., period=2 pi)`` tabulates them (sorted by
        angle, padded one turn each way), made once per level instead of once per lookup."""
        xp = self.phi % _PERIOD
        order = np.argsort(xp)
        xp = xp[order]
        xp = np.concatenate((xp[-1:] - _PERIOD, xp, xp[0:1] + _PERIOD))
        return tuple((xp, np.concatenate((fp[order][-1:], fp[order], fp[order][0:1])))
                     for fp in (self.r_bone, self.r_muscle))


#: The muscle layer never gets thinner than this over the bone (mm); the fat gives way instead.
MIN_MUSCLE_MM = 4.0


class Envelope:
    """The layers outside the muscles at angles ``phi`` of one level, for any fat and skin scale.

    What does not depend on the scales (fascia, fat pattern, the femur) is computed once, so
    that solving a level's scales costs a few array operations per trial.
    """

    def __init__(self, phi: np.ndarray, t: float, aspect: float = 1.0, bone_scale: float = 1.0) -> None:
        self.phi, self.t, self.aspect = phi, t, aspect
        self.fascia = outline.fascia_thickness(phi, t)
        self.pattern = outline.fat_pattern(phi, t)
        self.r_bone = outline.femur_radius(phi, t, bone_scale)
        self.floor = self.r_bone + MIN_MUSCLE_MM
        self._skin: tuple[float, np.ndarray, np.ndarray] | None = None  # the last skin scale asked for

    def __call__(self, fat_scale: float, skin_scale: float) -> dict[str, np.ndarray]:
        """The radii of skin, fat, fascia and muscle (mm)."""
        if self._skin is None or self._skin[0] != skin_scale:
            skin = outline.skin_radius(self.phi, self.t, skin_scale, self.aspect)
            self._skin = (skin_scale, skin, skin - outline.SKIN_MM)
        _, skin, fat_inner = self._skin
        wanted = fat_inner - fat_scale * outline.FAT_ANTERIOR_MM * self.pattern - self.fascia
        muscle = self.floor + _soft_plus(wanted - self.floor, 2.0)
        return {"skin": skin, "fat_inner": fat_inner, "fascia_outer": muscle + self.fascia, "muscle": muscle}

    def muscle_ring_area(self, fat_scale: float, skin_scale: float) -> float:
        """The area (mm^2) inside the fascia lata and outside the femur."""
        return _ring_area(self.r_bone, self(fat_scale, skin_scale)["muscle"], self.phi)


def envelope(phi: np.ndarray, t: float, fat_scale: float, skin_scale: float,
             aspect: float = 1.0, bone_scale: float = 1.0) -> dict[str, np.ndarray]:
    """The radii of the layers outside the muscles at angles ``phi``."""
    return Envelope(phi, t, aspect, bone_scale)(fat_scale, skin_scale)


def _soft_plus(x: np.ndarray, width: float) -> np.ndarray:
    """A smooth max(x, 0) over ``width`` mm."""
    return width * np.logaddexp(0.0, x / width)


def _ring_area(r_in: np.ndarray, r_out: np.ndarray, phi: np.ndarray) -> float:
    f = 0.5 * (r_out**2 - r_in**2)
    return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(phi)))


#: How often the fat's upper bracket may double while solving a level (2^40: no real body needs it).
_MAX_DOUBLINGS = 40
#: The thinnest the fat may get, relative to its reference pattern, before the thigh grows.
MIN_FAT_SCALE = 0.45


def _solve_envelope(env: Envelope, t: float, area: float, body: Body) -> tuple[float, float]:
    """Fat scale and skin scale giving the muscle ring ``area``: the skin keeps the body's
    circumference unless the muscles do not fit over the thinnest fat allowed."""
    skin = body.circumference_scale
    least = MIN_FAT_SCALE if body.min_fat_scale is None else body.min_fat_scale

    def excess(fat: float, skin: float) -> float:
        return env.muscle_ring_area(fat, skin) - area

    if excess(least, skin) >= 0:
        hi = 1.0
        for _ in range(_MAX_DOUBLINGS):
            if excess(hi, skin) <= 0:
                break
            hi *= 2.0
        else:  # even the thinnest muscle layer round the femur is more than the planned muscle
            least_mm2 = area + excess(hi, skin)
            raise ModelError(f"at {t:.0%} of the femur the planned muscle ({area / 100:.0f} cm²) cannot wrap the "
                             f"femur (at least {least_mm2 / 100:.0f} cm²): these measurements are outside what the "
                             "model can build")
        return brentq(lambda f: excess(f, skin), least, hi, xtol=1e-10), skin
    return least, brentq(lambda k: excess(least, k), skin, 3.0 * skin, xtol=1e-10)


@lru_cache(maxsize=1)
def _landmark_splines() -> tuple[PchipInterpolator, PchipInterpolator]:
    """Every column's landmark at the bone and at the fascia, smooth through their three levels."""
    bone = [_BONE_ENDS_DEG[c] for c in range(N_COLUMNS)]
    fascia = [_LS_FASCIA_DEG] + [_FASCIA_ENDS_DEG[c] for c in range(1, N_COLUMNS)]
    return (PchipInterpolator(_BONE_LEVELS, np.array(bone, dtype=float).T),
            PchipInterpolator(_BONE_LEVELS, np.array(fascia, dtype=float).T))


def _landmarks(t: float, variation: Variation) -> tuple[np.ndarray, np.ndarray]:
    """Column end angles (radians) at the bone and at the fascia; column 0 (the lateral septum)
    gives its centre instead. Constant beyond the first and last landmark levels."""
    u = float(np.clip(t, _BONE_LEVELS[0], _BONE_LEVELS[-1]))
    bone_spline, fascia_spline = _landmark_splines()
    bone = bone_spline(u) + np.asarray(variation.bone_shift_deg)
    fascia = fascia_spline(u) + variation.fascia_shift_deg
    return np.radians(bone), np.radians(fascia)


def _height(w0: float, w1: float, base: float, area: float) -> float:
    """The rho above ``base`` enclosing ``area`` in a column of widths w0 (bone) and w1 (fascia)."""
    d = w1 - w0
    c = w0 * base + 0.5 * d * base * base + area
    return 2.0 * c / (w0 + np.sqrt(max(w0 * w0 + 2.0 * d * c, 0.0)))


def _between(w0: np.ndarray, w1: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Area of each column between heights ``lo`` and ``hi``."""
    return w0 * (hi - lo) + 0.5 * (w1 - w0) * (hi * hi - lo * lo)


def level_areas(areas_mm2: dict[str, float]) -> dict[str, float]:
    """The area each structure of the partition gets (an absent one keeps a sliver)."""
    return {name: max(areas_mm2.get(name, 0.0), SLIVER_MM2) for name in STRUCTURES}


def angle_grid() -> np.ndarray:
    """The angles at which a level's outlines are tabulated (from posterior, once round)."""
    return -0.5 * np.pi + np.linspace(0.0, 2 * np.pi, _GRID + 1)


def muscle_ring_area(t: float, fat_scale: float, skin_scale: float, body: Body, aspect: float = 1.0) -> float:
    """The area (mm^2) inside the fascia lata and outside the femur for these fat and skin scales."""
    return Envelope(angle_grid(), t, aspect, body.bone_scale).muscle_ring_area(fat_scale, skin_scale)


def solve_level(t: float, areas_mm2: dict[str, float], variation: Variation | None = None,
                body: Body | None = None) -> LevelGeometry:
    """Lay out one level: the envelope from the total area, then columns and layer heights."""
    variation = variation or Variation.from_seed(0)
    body = body or reference_body()
    areas = level_areas(areas_mm2)
    phi = angle_grid()
    env = Envelope(phi, t, variation.aspect, body.bone_scale)
    r_bone = env.r_bone
    fat_scale, skin_scale = _solve_envelope(env, t, sum(areas.values()), body)
    r_muscle = env(fat_scale, skin_scale)["muscle"]
    f = 0.5 * (r_muscle**2 - r_bone**2)
    s = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(phi))])
    total = s[-1]
    s /= total
    frac = {name: a / total for name, a in areas.items()}

    def s_at(angles: np.ndarray) -> np.ndarray:
        return np.interp(np.mod(angles + 0.5 * np.pi, 2 * np.pi) - 0.5 * np.pi, phi, s)

    bone_ends, fascia_ends = (s_at(a) for a in _landmarks(t, variation))
    w0, w1, heights = _columns_and_heights(frac, bone_ends, fascia_ends, t)
    bottoms = _placed(w0, bone_ends, t)
    tops = _placed(w1, fascia_ends, t)
    return LevelGeometry(t, phi, s, r_bone, r_muscle, fat_scale, skin_scale, variation.aspect, bottoms, tops, heights,
                         body.bone_scale)


#: Levels over which the layout turns from hanging on the lateral septum to fitting every landmark.
_FIT_FROM, _FIT_TO = 0.62, 0.82


def _placed(widths: np.ndarray, ends: np.ndarray, t: float) -> np.ndarray:
    """Column boundaries (in s) for ``widths``, turned round the femur to meet the landmarks.

    Down to mid-thigh the columns hang on the lateral septum (column 0 centred on its
    landmark). Towards the knee the quadriceps shrink to their tendon while the hamstrings
    keep their bellies, so columns hung on the lateral septum would slide round the front:
    vastus medialis, sartorius and gracilis onto the anterior and lateral side, hamstrings
    onto the medial and anterior side. There the whole layout is turned instead to the
    angle that fits every column's landmark best (least squares, in s).
    """
    cum = np.concatenate([[0.0], np.cumsum(widths)])
    hung = ends[0] - 0.5 * widths[0]
    beta = outline._smooth_step(t, _FIT_FROM, _FIT_TO)
    if beta == 0.0:
        return hung + cum
    miss = np.mod(ends[1:] - cum[2:] - hung + 0.5, 1.0) - 0.5
    return hung + beta * float(miss.mean()) + cum


def _columns_and_heights(frac: dict[str, float], bone_ends: np.ndarray, fascia_ends: np.ndarray,
                         t: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """Column widths at the bone and at the fascia (in s) and every layer height (in rho).

    ``frac`` is each structure's share of the ring; ``*_ends`` are where the landmarks want
    each column to end (in s; column 0, the lateral septum, gives its centre).
    """
    top_area = np.zeros(N_COLUMNS)  # what sits above a column's shared layers
    for _, c, stack in COLUMNS:
        top_area[c] = sum(frac[n] * _share(n, c) for n in stack)
    shared_area = {b: sum(frac[n] * _share(n, f"block{b}") for n in BLOCKS[b].shared) for b in range(len(BLOCKS))}

    def wishes(ends: np.ndarray) -> np.ndarray:
        return np.mod(np.diff(np.concatenate([[ends[-1] - 1.0], ends])), 1.0)

    bone_wish, fascia_wish = wishes(bone_ends), wishes(fascia_ends)
    area = top_area.copy()  # column areas, shared layers spread by the bone widths
    for b, cols in _BLOCK_COLUMNS.items():
        if shared_area[b] > 0:
            area[cols] += shared_area[b] * bone_wish[cols] / bone_wish[cols].sum()
    # w0 + w1 = 2 * area: the bone width closest to both wishes is their mean, shifted
    wish = 0.5 * (bone_wish + 2.0 * area - fascia_wish)
    # a column is at most _MAX_BOTTOM_RATIO x its mean width at the bone, and a column of a
    # block at most that x its own (unshared) area, or it would close before the fascia
    cap = _MAX_BOTTOM_RATIO * top_area
    for b, cols in _BLOCK_COLUMNS.items():
        if shared_area[b] > 0 and len(cols) == 1:
            cap[cols] += _MAX_BOTTOM_RATIO * shared_area[b]
    w0 = _bottom_widths(np.clip(wish, _MIN_BOTTOM_RATIO * area, None), cap)

    w1 = np.zeros(N_COLUMNS)
    heights: dict = {}
    for b, block in enumerate(BLOCKS):
        cols = _BLOCK_COLUMNS[b]
        if not block.shared:
            w1[cols[0]] = 2.0 * top_area[cols[0]] - w0[cols[0]]
            continue
        h = _solve_block(w0[cols], top_area[cols], shared_area[b])
        w1[cols] = _tops_above(w0[cols], top_area[cols], h)
        lo = 0.0
        for ell, name in enumerate(block.shared):
            lo = _height(w0[cols].sum(), w1[cols].sum(), lo, frac[name] * _share(name, f"block{b}"))
            heights[("b", b, ell)] = lo
        heights[("b", b, len(block.shared) - 1)] = h  # exact, against rounding
    if np.any(w1 <= 0):
        raise AssertionError(f"level {t:.3f}: a column has no width at the fascia ({w1})")
    for b, c, stack in COLUMNS:
        block = BLOCKS[b]
        lo = heights[("b", b, len(block.shared) - 1)] if block.shared else 0.0
        for j, name in enumerate(stack[:-1]):
            lo = _height(w0[c], w1[c], lo, frac[name] * _share(name, c))
            heights[("c", c, j)] = lo
    return w0, w1, heights


def _bottom_widths(desired: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Bone widths summing to 1, in proportion to ``desired`` but never more than ``cap``.

    Septum columns take exactly the cap (thin at the fascia, thicker at the bone, so that
    they are about equally thick in millimetres); the others share what is left in
    proportion to ``desired``, capped (water filling).
    """
    w = np.zeros_like(desired)
    fixed = np.zeros(len(desired), dtype=bool)
    for c in SEPTUM_COLUMNS:
        w[c], fixed[c] = cap[c], True
    for _ in range(len(desired)):
        free = ~fixed
        left = 1.0 - w[fixed].sum()
        w[free] = left * desired[free] / desired[free].sum()
        over = free & (w > cap)
        if not over.any():
            break
        w[over], fixed[over] = cap[over], True
    return w


def _tops_above(w0: np.ndarray, top_area: np.ndarray, h: float) -> np.ndarray:
    """Fascia widths giving each column ``top_area`` above the common height ``h``."""
    return w0 + 2.0 * (top_area - w0 * (1.0 - h)) / (1.0 - h * h)


def _solve_block(w0: np.ndarray, top_area: np.ndarray, shared: float) -> float:
    """The common height of a block's shared layers."""

    def below(h: float) -> float:
        return float(_between(w0, _tops_above(w0, top_area, h), 0.0, h).sum()) - shared

    return brentq(below, 1e-9, 1.0 - 1e-9, xtol=1e-13)
