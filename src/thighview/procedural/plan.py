"""What each muscle's cross-section should be at each level: areas from the reference volumes.

Every muscle gets a smooth bump of cross-sectional area along the femur: zero at its
(possibly out-of-model) start and end, peaking at the level the MRI study reports, scaled so
that its volume *inside the model* equals the Handsfield et al. (2014) volume in
``anatomy_targets.json``. Thin structures (septa, vessels, nerve) get a fixed, small area.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from thighview._resources import data_path

#: The model's soft tissue spans these fractions of the femur length (the femur spans 0..1).
SOFT_TISSUE_RANGE = (0.02, 0.98)
#: Below this area (mm^2) a muscle is absent at that level: its neighbours close over the sliver
#: left in the partition, and the muscle's surface is capped at its first and last level with
#: at least this area (a thinner section could not be drawn without crossing itself).
ABSENT_MM2 = 10.0


@lru_cache(maxsize=1)
def targets() -> dict:
    """The reference figures shipped with the package (never the repository's shared copy)."""
    return json.loads(data_path("anatomy_targets.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MuscleCourse:
    """Where a muscle's belly lies along the femur (fractions of femur length from proximal).

    ``start``/``end`` may lie outside the model (a muscle from the pelvis is cut at the top);
    ``peak`` is where its cross-section is largest. ``peak_key`` names the figure in
    ``csa_peak_position_percent_from_proximal`` that ``peak`` comes from (None = a choice).
    """

    start: float
    peak: float
    end: float
    peak_key: str | None = None


# The courses: origins and insertions from standard anatomy; peaks from the targets file
# (filled in by :func:`courses`), or where no figure exists, a stated choice.
_COURSES: dict[str, MuscleCourse] = {
    "rectus_femoris": MuscleCourse(-0.25, 0.0, 0.90, "rectus_femoris"),
    "vastus_lateralis": MuscleCourse(-0.05, 0.0, 0.96, "vastus_lateralis"),
    "vastus_intermedius": MuscleCourse(0.05, 0.0, 0.93, "vastus_intermedius"),
    "vastus_medialis": MuscleCourse(0.12, 0.0, 1.00, "vastus_medialis"),
    "sartorius": MuscleCourse(-0.45, 0.0, 1.25, "sartorius"),
    "gracilis": MuscleCourse(-0.22, 0.0, 1.15, "gracilis"),
    "adductor_longus": MuscleCourse(-0.20, 0.0, 0.66, "adductors_group"),
    "adductor_brevis": MuscleCourse(-0.15, 0.0, 0.50, "adductors_group"),
    "adductor_magnus": MuscleCourse(-0.20, 0.0, 0.93, "adductors_group"),
    "biceps_femoris_long_head": MuscleCourse(-0.05, 0.0, 1.14, "biceps_femoris"),
    "biceps_femoris_short_head": MuscleCourse(0.38, 0.68, 1.06, None),
    "semitendinosus": MuscleCourse(-0.10, 0.45, 1.08, None),
    "semimembranosus": MuscleCourse(0.02, 0.0, 1.12, "semimembranosus"),
}

#: Muscles of the hip that reach into the top of the thigh: not in the targets file, so their
#: volumes *inside the model* are estimates (Handsfield et al. 2014 give whole-muscle volumes of
#: about 850, 70, 500 and 60 cm^3 for gluteus maximus, tensor fasciae latae, iliopsoas and
#: pectineus for this body; these are the parts below the top of the femoral head).
HIP_MUSCLE_VOLUMES_CM3 = {
    "gluteus_maximus": 300.0,
    "tensor_fasciae_latae": 45.0,
    "iliopsoas": 70.0,
    "pectineus": 40.0,
}
_HIP_COURSES: dict[str, MuscleCourse] = {
    "gluteus_maximus": MuscleCourse(-0.60, 0.02, 0.27),  # to the gluteal tuberosity and the iliotibial tract
    "tensor_fasciae_latae": MuscleCourse(-0.20, 0.04, 0.22),
    "iliopsoas": MuscleCourse(-0.40, 0.02, 0.16),  # to the lesser trochanter
    "pectineus": MuscleCourse(-0.10, 0.05, 0.20),
}

#: Cross-sectional areas (mm^2) of the thin structures along the thigh.
THIN_AREAS_MM2 = {
    "lateral_intermuscular_septum": 45.0,
    "medial_intermuscular_septum": 30.0,
    "posterior_intermuscular_septum": 30.0,
    "femoral_vessels": 110.0,
    "sciatic_nerve": 45.0,
}
#: Where a thin structure fades out distally (level where the fade starts, level where it is gone):
#: the femoral vessels become the popliteal vessels at the adductor hiatus; the septa end at the
#: epicondyles. The sciatic nerve (then the tibial nerve) runs on to the knee.
THIN_ENDS = {
    "femoral_vessels": (0.66, 0.76),
    "lateral_intermuscular_septum": (0.86, 0.97),
    "medial_intermuscular_septum": (0.86, 0.97),
    "posterior_intermuscular_septum": (0.86, 0.97),
}

#: The thigh muscles with reference volumes in ``anatomy_targets.json``.
MUSCLES = tuple(_COURSES)


def courses() -> dict[str, MuscleCourse]:
    """Each muscle's course, with peaks from the targets file where it gives one."""
    peaks = targets()["csa_peak_position_percent_from_proximal"]
    out = {}
    for name, c in _COURSES.items():
        peak = peaks[c.peak_key] / 100.0 if c.peak_key else c.peak
        out[name] = MuscleCourse(c.start, peak, c.end, c.peak_key)
    out.update(_HIP_COURSES)
    return out


_TAPER = 1.4


def _bump(t: np.ndarray, c: MuscleCourse) -> np.ndarray:
    """A broad bump: sine rise from ``start`` to ``peak``, cosine fall to ``end`` (bellies are full),
    raised to a power a little over 1 so that a muscle's ends taper rather than stop."""
    t = np.asarray(t, dtype=float)
    rise = np.clip((t - c.start) / (c.peak - c.start), 0.0, 1.0)
    fall = np.clip((t - c.peak) / (c.end - c.peak), 0.0, 1.0)
    return np.where(t <= c.peak, np.sin(0.5 * np.pi * rise), np.cos(0.5 * np.pi * fall)) ** _TAPER


@dataclass(frozen=True)
class AreaPlan:
    """Target cross-sectional areas (mm^2) of every structure inside the muscle envelope."""

    femur_length_mm: float
    volumes_mm3: dict[str, float]
    courses: dict[str, MuscleCourse]

    @cached_property
    def _norms(self) -> dict[str, float]:
        """Each muscle's bump integrated over the model (mm): its volume / its peak area."""
        lo, hi = SOFT_TISSUE_RANGE
        grid = np.linspace(lo, hi, 961)
        return {name: _trapezoid(_bump(grid, course), grid) * self.femur_length_mm
                for name, course in self.courses.items()}

    def areas(self, t: float) -> dict[str, float]:
        """Area per structure at level ``t`` (fraction of femur length); 0 where absent."""
        return self.areas_along([t])[0]

    def areas_along(self, levels) -> list[dict[str, float]]:
        """:meth:`areas` at each of ``levels`` (each muscle's bump evaluated once for all of them)."""
        levels = np.asarray(levels, dtype=float)
        bumps = {name: _bump(levels, course) for name, course in self.courses.items()}
        rows = []
        for k, t in enumerate(levels.tolist()):
            out: dict[str, float] = {}
            for name in self.courses:
                area = float(self.volumes_mm3[name] * bumps[name][k] / self._norms[name])
                out[name] = area if area >= ABSENT_MM2 else 0.0
            for name, area in THIN_AREAS_MM2.items():
                fade = 1.0 - _smooth(t, *THIN_ENDS[name]) if name in THIN_ENDS else 1.0
                out[name] = area * fade if area * fade >= ABSENT_MM2 else 0.0
            rows.append(out)
        return rows


def _smooth(t: float, a: float, b: float) -> float:
    u = min(max((t - a) / (b - a), 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))


@dataclass(frozen=True)
class Body:
    """What makes one thigh differ from the reference man, as factors on his figures.

    Every factor is 1 for the reference (``REFERENCE``), so the default model is built from
    exactly the reference figures; :mod:`thighview.procedural.derive` turns a client's
    measurements into a ``Body``.
    """

    femur_length_mm: float
    bone_scale: float = 1.0  # femur cross-section, relative to the reference diameter
    circumference_scale: float = 1.0  # skin circumference at every level, relative to ANSUR
    muscle_scale: float = 1.0  # every muscle's volume, relative to the reference volumes
    min_fat_scale: float | None = None  # thinnest fat (relative to the reference pattern); None = the default
    side: str = "right"


def reference_body() -> Body:
    """The reference man of ``anatomy_targets.json`` (1.75 m, 75 kg, right thigh)."""
    return Body(float(targets()["femur"]["length_mm"]["value"]))


def area_plan(body: Body | None = None) -> AreaPlan:
    """The plan built from ``anatomy_targets.json`` (scaled to ``body``; default: the reference man)."""
    data = targets()
    body = body or reference_body()
    k = body.muscle_scale
    volumes = {name: float(data["muscle_volume_cm3"][name]) * 1000.0 * k for name in MUSCLES}
    volumes.update({name: v * 1000.0 * k for name, v in HIP_MUSCLE_VOLUMES_CM3.items()})
    return AreaPlan(body.femur_length_mm, volumes, courses())
