"""From a client's measurements to the generator's targets, with the published regressions.

Each figure is a factor on the reference man (``anatomy_targets.json``), so the reference
measurements give exactly the default model:

* femur length from height and sex (Trotter & Gleser), its cross-section scaled with it;
* the muscle volume from height x mass (Handsfield 2014), times a training factor
  (Handsfield 2017 for athletes); every muscle keeps its share;
* the anterior fat at mid-thigh from the skinfold (half the fold less a caliper offset,
  Selkow 2011) or from ultrasound as given;
* the skin circumference along the thigh scaled so that mid-thigh has the tape's figure.

At mid-thigh, circumference, fat and muscle must fit together. The tape wins, then the fat;
the muscle volume moves to fit them, but only inside the regression's interval. What gave
way, and by how much, is said in ``warnings`` (and in the model's JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from scipy.optimize import brentq

from thighview.procedural import outline, partition
from thighview.procedural.measurements import Measurements
from thighview.procedural.plan import MUSCLES, SOFT_TISSUE_RANGE, Body, area_plan, reference_body, targets

#: The level of "mid-thigh": half the femur's length.
MID = 0.5
_REFERENCE = Measurements()


@dataclass
class Derivation:
    """The body the generator builds, the numbers it aims for, and what gave way."""

    measurements: Measurements
    body: Body
    aims: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """What the model's JSON stores under ``client``."""
        return {"measurements": self.measurements.to_dict(), "targets": self.aims, "warnings": list(self.warnings)}


def _client() -> dict:
    return targets()["client"]


def femur_length_mm(m: Measurements) -> tuple[float, tuple[float, float]]:
    """Femur length (mm) from height and sex, and its interval (one standard error of estimate)."""
    rules = _client()["femur_length"]

    def trotter(height_m: float, sex: str) -> float:
        rule = rules[sex]
        return (height_m * 100.0 - rule["b"]) / rule["a"]

    reference = reference_body().femur_length_mm
    ratio = trotter(m.height_m, m.sex) / trotter(_REFERENCE.height_m, _REFERENCE.sex)
    length = reference * ratio
    spread = 10.0 * rules[m.sex]["see_stature_cm"] / rules[m.sex]["a"] * ratio
    return length, (length - spread, length + spread)


def _regression_cm3(height_m: float, mass_kg: float) -> float:
    return 47.0 * height_m * mass_kg + 1285.0  # Handsfield 2014 (see anatomy_targets.json)


def muscle_factor(m: Measurements) -> tuple[float, tuple[float, float]]:
    """Every muscle's volume relative to the reference man's, and the interval it may move in."""
    rules = _client()
    factor = _regression_cm3(m.height_m, m.mass_kg) / _regression_cm3(_REFERENCE.height_m, _REFERENCE.mass_kg)
    training = rules["training_factor"]
    low, high = training["athlete_range"] if m.training == "athlete" else (training[m.training],) * 2
    lo_pct, hi_pct = rules["muscle_volume"]["interval_percent"]
    return factor * training[m.training], (factor * low * (1 + lo_pct / 100.0), factor * high * (1 + hi_pct / 100.0))


def fat_from_measurements(m: Measurements) -> tuple[float | None, list[str]]:
    """Anterior subcutaneous fat at mid-thigh (mm) from the skinfold or the ultrasound; None if neither."""
    if m.fat_ultrasound_mm is not None:
        return float(m.fat_ultrasound_mm), []
    if m.skinfold_mm is None:
        return None, []
    rule = _client()["skinfold_to_fat"]
    fat = m.skinfold_mm / 2.0 - rule["offset_mm"]
    if fat < rule["least_fat_mm"]:
        return rule["least_fat_mm"], [f"a {m.skinfold_mm:g} mm skinfold implies {fat:.1f} mm of fat; the model keeps "
                                      f"at least {rule['least_fat_mm']:g} mm"]
    return fat, []


def _mid_ring_mm2(body: Body) -> float:
    """The area the partition must fill at mid-thigh for ``body``'s muscle volumes."""
    areas = partition.level_areas(area_plan(body).areas(MID))
    return float(sum(areas.values()))


def _muscle_scale_for(body: Body, fat_mm: float) -> float:
    """The muscle factor that fills the ring left at mid-thigh by ``fat_mm`` of fat under the body's skin."""
    ring = partition.muscle_ring_area(MID, fat_mm / outline.FAT_ANTERIOR_MM, body.circumference_scale, body)

    def gap(k: float) -> float:
        return _mid_ring_mm2(replace(body, muscle_scale=k)) - ring

    if gap(1e-3) >= 0:  # not even the thin structures fit
        return 1e-3
    return float(brentq(gap, 1e-3, 50.0, xtol=1e-9))


def _circumference_scale_for(body: Body, fat_mm: float) -> float:
    """The circumference factor at which ``fat_mm`` of fat covers the body's muscles at mid-thigh."""
    need = _mid_ring_mm2(body)
    return float(brentq(lambda s: partition.muscle_ring_area(MID, fat_mm / outline.FAT_ANTERIOR_MM, s, body) - need,
                        0.2, 5.0, xtol=1e-10))


def reference_circumference_cm() -> float:
    """The reference man's mid-thigh circumference (cm)."""
    return outline.circumference_cm(MID)


def derive(m: Measurements) -> Derivation:
    """The body to build for ``m`` and the numbers it aims for (see the module docstring)."""
    if m.is_reference:
        body = replace(reference_body(), side=m.side)
        return _finish(Derivation(m, body), fat_wanted=None, k_wanted=1.0, k_range=muscle_factor(m)[1])
    length, _ = femur_length_mm(m)
    k_wanted, k_range = muscle_factor(m)
    fat, warnings = fat_from_measurements(m)
    least = None if fat is None else min(partition.MIN_FAT_SCALE, 0.5 * fat / outline.FAT_ANTERIOR_MM)
    body = Body(length, length / reference_body().femur_length_mm, 1.0, k_wanted, least, m.side)
    if m.thigh_circumference_cm is not None:
        body = replace(body, circumference_scale=m.thigh_circumference_cm / reference_circumference_cm())
        if fat is not None:
            k = _muscle_scale_for(body, fat)
        else:  # the muscles may not need more room than the tape leaves over the thinnest fat
            thinnest = partition.MIN_FAT_SCALE * outline.FAT_ANTERIOR_MM
            k = min(k_wanted, _muscle_scale_for(body, thinnest))
        clipped = min(max(k, k_range[0]), k_range[1])
        if clipped != k:
            edge = "upper" if clipped > k_wanted else "lower"
            given = "the tape and the fat" if fat is not None else "the tape (over the thinnest fat the model allows)"
            warnings.append(f"{given} would need {100 * (k / k_wanted - 1):+.0f} % muscle volume against "
                            f"the height x mass regression; the muscle stops at the {edge} end of its interval "
                            f"({100 * (clipped / k_wanted - 1):+.0f} %)")
        body = replace(body, muscle_scale=clipped)
    elif fat is not None:
        body = replace(body, circumference_scale=_circumference_scale_for(body, fat))
    else:
        scale = math.sqrt((m.mass_kg / m.height_m) / (_REFERENCE.mass_kg / _REFERENCE.height_m))
        body = replace(body, circumference_scale=scale)
    return _finish(Derivation(m, body, warnings=warnings), fat_wanted=fat, k_wanted=k_wanted, k_range=k_range)


def _finish(d: Derivation, fat_wanted: float | None, k_wanted: float, k_range: tuple[float, float]) -> Derivation:
    """Lay out mid-thigh as the generator will, and say what it achieves and what gave way."""
    m, body = d.measurements, d.body
    plan = area_plan(body)
    for t in SOFT_TISSUE_RANGE:  # the thinnest ends fail first (a typed error) if the body cannot be built
        partition.solve_level(t, plan.areas(t), body=body)
    geo = partition.solve_level(MID, plan.areas(MID), body=body)
    circumference = reference_circumference_cm() * geo.skin_scale
    fat = geo.fat_scale * outline.FAT_ANTERIOR_MM
    reference_volumes = targets()["muscle_volume_cm3"]
    thigh_total = sum(reference_volumes[n] for n in MUSCLES)
    if m.thigh_circumference_cm is not None and abs(circumference / m.thigh_circumference_cm - 1) > 0.005:
        d.warnings.append(f"the circumference gave way: the muscles need {circumference:.1f} cm at mid-thigh, "
                          f"not the {m.thigh_circumference_cm:g} cm measured ({circumference - m.thigh_circumference_cm:+.1f} cm)")
    if fat_wanted is not None and abs(fat - fat_wanted) > 0.5:
        source = (f"the {m.skinfold_mm:g} mm skinfold" if m.skinfold_mm is not None
                  else "the ultrasound")
        d.warnings.append(f"the fat gave way: {fat:.1f} mm over the front of the thigh instead of the "
                          f"{fat_wanted:.1f} mm from {source} ({fat - fat_wanted:+.1f} mm)")
    _, length_range = femur_length_mm(m)
    fat_rule = _client()["skinfold_to_fat"]
    d.aims = {
        "femur_length_mm": {"value": round(body.femur_length_mm, 2),
                            "interval": [round(v, 1) for v in length_range] if not m.is_reference else None,
                            "from": "reference" if m.is_reference else "Trotter & Gleser 1952 (height, sex)"},
        "femur_diameter_mm": {"value": round(targets()["femur"]["midshaft_diameter_mm"]["value"] * body.bone_scale, 2),
                              "from": "scaled with femur length (estimate)"},
        "thigh_muscle_volume_cm3": {
            "value": round(thigh_total * body.muscle_scale, 1),
            "regression": round(thigh_total * k_wanted, 1),
            "interval": [round(thigh_total * k, 1) for k in k_range],
            "from": "Handsfield 2014 (height x mass) x training factor (Handsfield 2017)"},
        "muscle_volumes_cm3": {n: round(reference_volumes[n] * body.muscle_scale, 2) for n in MUSCLES},
        "mid_thigh_circumference_cm": {
            "value": round(circumference, 2), "measured": m.thigh_circumference_cm,
            "from": "tape" if m.thigh_circumference_cm is not None else "estimate (see anatomy_targets.json)"},
        "anterior_fat_mid_thigh_mm": {
            "value": round(fat, 2),
            "from_measurement": None if fat_wanted is None else round(fat_wanted, 2),
            "interval": None if m.skinfold_mm is None else [round(fat_wanted + v, 1) for v in fat_rule["interval_mm"]],
            "from": ("skinfold (Selkow 2011)" if m.skinfold_mm is not None else "ultrasound"
                     if m.fat_ultrasound_mm is not None else "what the tape leaves over the muscles")},
        "muscle_scale": round(body.muscle_scale, 6),
        "circumference_scale": round(body.circumference_scale, 6),
    }
    return d
