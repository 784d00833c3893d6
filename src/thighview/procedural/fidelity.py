"""How close a generated thigh is to its anatomical targets, measured as the app measures it.

One definition of each measurement, read by ``tests/test_default_model.py`` (which holds the
built-in model to the targets) and by ``docs/gen_model.py`` (which writes the figures into the
README and ``docs/default_model.md``), so the stated figures are the measured ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from thighview import anatomy
from thighview._resources import data_path
from thighview.anatomy import Compartment
from thighview.model import ThighModel
from thighview.procedural import outline
from thighview.procedural.plan import HIP_MUSCLE_VOLUMES_CM3
from thighview.section import Section, SectionEngine

#: Levels at which quadriceps share the muscle area "about half" (fractions of femur length).
QUADRICEPS_SHARE_LEVELS = (0.3, 0.5, 0.7)
#: Levels whose sections must tile the thigh (50 evenly from 5 % to 95 %).
TILING_LEVELS = tuple(float(t) for t in np.linspace(0.05, 0.95, 50))
#: Targets given for a group of muscles: the group's summed area.
PEAK_GROUPS = {
    "adductors_group": ("adductor_longus", "adductor_brevis", "adductor_magnus"),
    "biceps_femoris": ("biceps_femoris_long_head", "biceps_femoris_short_head"),
}
MID_THIGH, NEAR_KNEE = 0.5, 0.9


def targets() -> dict:
    """The published figures the generator aims at (``data/anatomy_targets.json``)."""
    return json.loads(data_path("anatomy_targets.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Fidelity:
    """Measured figures of a model against :func:`targets` (areas in cm², lengths as named)."""

    volume_cm3: dict[str, tuple[float, float]]  # muscle -> (target, model)
    peak_percent: dict[str, tuple[float, float]]  # muscle or group -> (target, model), % of femur length
    femur_length_mm: float
    midshaft_diameter_mm: float
    circumference_cm: dict[float, float]  # level -> skin outline length
    quadriceps_share: dict[float, float]  # level -> % of muscle area
    quadriceps_adductors_mid: float  # % of muscle area at mid-thigh
    hamstrings_share_near_knee: float
    muscle_area_peak_level: float  # of the thigh's own muscles (hip muscles left out), fraction
    quadriceps_border_mid: float  # fraction of the femur's outline the quadriceps border at mid-thigh
    overlap_percent: float  # largest over TILING_LEVELS, % of the skin outline's area
    gap_percent: float

    def volume_error_percent(self, name: str) -> float:
        target, model = self.volume_cm3[name]
        return 100.0 * (model - target) / target

    @property
    def largest_volume_error_percent(self) -> float:
        return max(abs(self.volume_error_percent(n)) for n in self.volume_cm3)

    @property
    def largest_peak_offset_points(self) -> float:
        return max(abs(model - target) for target, model in self.peak_percent.values())


def tiling(sections: Iterable[Section]) -> tuple[float, float]:
    """Largest overlap and gap between the structures' sections (e.g. at ``TILING_LEVELS``), % of
    the area inside the skin (the default model's test and every client's hold them to the same bands)."""
    import shapely

    overlap = gap = 0.0
    for section in sections:
        polygons = [p for p in section.polygons.values() if not p.is_empty]
        skin = max(section.polygons["skin"].geoms, key=lambda g: g.area)
        inside = shapely.Polygon(skin.exterior).area
        union = shapely.union_all(polygons).area
        overlap = max(overlap, 100.0 * (sum(p.area for p in polygons) - union) / inside)
        gap = max(gap, 100.0 * (inside - union) / inside)
    return overlap, gap


def measure(model: ThighModel, engine: SectionEngine | None = None) -> Fidelity:
    """Measure ``model`` (the built-in thigh, or one built with another seed) against the targets."""
    goals = targets()
    engine = engine or SectionEngine(model)
    muscles = [n for n in goals["muscle_volume_cm3"] if n in anatomy.canonical_names()]
    volumes = {n: (float(goals["muscle_volume_cm3"][n]), model[n].signed_volume_mm3() / 1000.0) for n in muscles}
    profile = engine.profile(np.linspace(0.02, 0.98, 97))
    peaks = {}
    for key, percent in goals["csa_peak_position_percent_from_proximal"].items():
        if key != "source":
            area = sum(np.asarray(profile.areas_cm2[n]) for n in PEAK_GROUPS.get(key, (key,)))
            peaks[key] = (float(percent), 100.0 * float(profile.levels[int(np.nanargmax(area))]))
    thigh_muscles = [n for n, s in model.structures.items() if s.is_muscle and n not in HIP_MUSCLE_VOLUMES_CM3]
    muscle_area = sum(np.asarray(profile.areas_cm2[n]) for n in thigh_muscles)
    mid = engine.section(MID_THIGH)
    x0, _, x1, _ = mid.polygons["femur"].bounds  # x = mediolateral: the transverse diameter
    circumference = {}
    for level in (outline.GLUTEAL_FOLD_LEVEL, outline.ABOVE_KNEE_LEVEL):
        skin = max(engine.section(level).polygons["skin"].geoms, key=lambda g: g.area)
        circumference[level] = skin.exterior.length / 10.0
    overlap, gap = tiling(engine.sections(TILING_LEVELS))
    return Fidelity(
        volume_cm3=volumes, peak_percent=peaks,
        femur_length_mm=model.femur_axis.length_mm, midshaft_diameter_mm=x1 - x0,
        circumference_cm=circumference,
        quadriceps_share={t: engine.section(t).percent_of_muscle(Compartment.QUADRICEPS)
                          for t in QUADRICEPS_SHARE_LEVELS},
        quadriceps_adductors_mid=(mid.percent_of_muscle(Compartment.QUADRICEPS)
                                  + mid.percent_of_muscle(Compartment.ADDUCTORS)),
        hamstrings_share_near_knee=engine.section(NEAR_KNEE).percent_of_muscle(Compartment.HAMSTRINGS),
        muscle_area_peak_level=float(profile.levels[int(np.nanargmax(muscle_area))]),
        quadriceps_border_mid=mid.bone_coverage[Compartment.QUADRICEPS],
        overlap_percent=overlap, gap_percent=gap)
