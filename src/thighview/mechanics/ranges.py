"""Each headline figure with its range over plausible tissue parameters: a sensitivity sweep of the linear model.

At each fitted level of the built-in thigh, the linear model (the instant preview; the sweep
needs many solves) is re-solved at every combination of the ends and middle of:

- muscle stiffness: the MR-elastography range of relaxed muscle (``anatomy_targets.json``);
- fat stiffness: the elastography value spread as Isogai et al. 2022 measured subcutaneous tissue
  (mean +/- one standard deviation, ``indentation_calibration.json``), since no elastography range
  was sourced;

both times the working-strain stiffening, for a hand pressing 40 N at the anterolateral thigh
into the bone and sideways. The range of each figure is then widened by the 3-D closure's fit
error at that level. Friction does not enter: the linear model has no frictional interface (the
large-deformation solve takes ``--friction``; its range is in ``friction.json``), and the
readouts say so. ``thighview calibrate-mechanics`` regenerates the shipped file.

Other contacts, forces and tools get the same *relative* spread around their own values (the
linear model scales with force, so the spread does not depend on it).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any


from thighview._resources import data_path

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.model import PressureModel
    from thighview.mechanics.results import Readout

RANGES_FILE = "mechanics_ranges.json"

#: Figures of one load, as read from a :class:`Readout`.
LOAD_FIGURES: dict[str, Callable[[Readout], float]] = {
    "indentation_mm": lambda r: r.indentation_mm,
    "drag_mm": lambda r: r.drag_mm,
    "femur_slip_max_mm": lambda r: r.femur_slip.max_mm,
    "septal_slip_max_mm": lambda r: r.septal_slip_max_mm,
    "compression_at_bone_facing_contact_pct": lambda r: r.under_contact_mean_pct,
    "bone_normal_stress_kpa": lambda r: r.bone_normal_kpa[1],   # mean facing the contact
}
#: Figures comparing the two loads (sideways over into the bone).
COMPARE_FIGURES: dict[str, Callable[[Readout, Readout], float]] = {
    "femur_slip_ratio": lambda side, into: side.femur_slip.max_mm / into.femur_slip.max_mm,
    "septal_slip_ratio": lambda side, into: side.septal_slip_max_mm / max(into.septal_slip_max_mm, 1e-12),
    "indentation_ratio": lambda side, into: side.indentation_mm / into.indentation_mm,
}


def parameter_ranges() -> dict[str, Any]:
    """The swept parameters (elastography kPa: low, nominal, high) and where each range comes from."""
    targets = json.loads(data_path("anatomy_targets.json").read_text())["materials_shear_modulus_kPa"]
    isogai = json.loads(data_path("indentation_calibration.json").read_text())["data"]["gluteal_compression_moduli_kPa"]
    muscle, fat = targets["relaxed_muscle"], targets["subcutaneous_fat"]
    sub = isogai["subcutaneous_at_1N"]
    spread = (1.0 - sub["sd"] / sub["value"], 1.0 + sub["sd"] / sub["value"])
    return {
        "muscle_kpa": {"values": [muscle["range"][0], muscle["value"], muscle["range"][1]],
                       "source": f"relaxed muscle, MR elastography: {muscle['sources']}"},
        "fat_kpa": {"values": [round(fat["value"] * spread[0], 3), fat["value"], round(fat["value"] * spread[1], 3)],
                    "source": f"{fat['value']:g} kPa ({fat['source']}) x (1 +/- SD/mean) of subcutaneous tissue "
                              f"under a probe, {sub['value']:g} +/- {sub['sd']:g} kPa ({isogai['source']})"},
    }


def sweep(model: PressureModel, fit_error: float) -> dict[str, dict[str, list[float]]]:
    """Nominal value and [min, max] of every headline figure over the parameter box, widened by ``fit_error``."""
    from dataclasses import replace

    from thighview.mechanics.closure import fit_contacts

    box = parameter_ranges()
    samples: dict[str, list[float]] = {}
    nominal: dict[str, float] = {}
    for muscle, fat in itertools.product(box["muscle_kpa"]["values"], box["fat_kpa"]["values"]):
        varied = model.variant(materials=replace(model.materials, muscle_kpa=muscle, fat_kpa=fat))
        into, side = (varied.preview(c).readout(with_ranges=False) for c in fit_contacts())
        values = {f"{load}.{name}": read(r) for load, r in (("into-bone", into), ("sideways", side))
                  for name, read in LOAD_FIGURES.items()}
        values.update({f"compare.{name}": read(side, into) for name, read in COMPARE_FIGURES.items()})
        for key, value in values.items():
            samples.setdefault(key, []).append(float(value))
        if (muscle, fat) == (box["muscle_kpa"]["values"][1], box["fat_kpa"]["values"][1]):
            nominal = values
    return {key: {"nominal": round(nominal[key], 4),
                  "range": [round(min(v) * (1.0 - fit_error), 4), round(max(v) * (1.0 + fit_error), 4)]}
            for key, v in samples.items()}


def document(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """The ranges file: per level the figures, with the swept parameters and their sources."""
    return {
        "about": "Headline figures of the pressure demo with their ranges over plausible tissue parameters: a "
                 "sensitivity sweep of the linear model (every combination of low, nominal and high muscle and fat "
                 "stiffness), widened by the 3-D closure's fit error at the level. Regenerate with "
                 "`thighview calibrate-mechanics`.",
        "loads": "hand (60 x 80 mm), 40 N, anterolateral, into-bone (lean 0) and sideways (lean preset)",
        "parameters": parameter_ranges(),
        "not_swept": {"friction": "the linear model has no frictional interface; friction acts only in the "
                                  "large-deformation solve (friction.json gives its range)"},
        "levels": levels,
    }


@lru_cache(maxsize=1)
def ranges_data() -> dict[str, Any]:
    """The shipped ranges (``data/mechanics_ranges.json``)."""
    return json.loads(data_path(RANGES_FILE).read_text())


def _nearest_level(level: float | None) -> dict[str, Any]:
    rows = ranges_data()["levels"]
    at = 0.5 if level is None else float(level)
    return min(rows, key=lambda r: abs(r["level"] - at))


def relative_range(level: float | None, key: str) -> tuple[float, float]:
    """A figure's [min, max] over its nominal value at the nearest swept level."""
    entry = _nearest_level(level)["figures"][key]
    nominal = entry["nominal"]
    if nominal == 0:
        return 1.0, 1.0
    return entry["range"][0] / nominal, entry["range"][1] / nominal


def load_ranges(readout: Readout, level: float | None) -> dict[str, tuple[float, float]]:
    """The readout's headline figures with their plausible-parameter ranges (the swept spread around its values)."""
    load = "into-bone" if readout.lean_deg == 0.0 else "sideways"
    out = {}
    for name, read in LOAD_FIGURES.items():
        lo, hi = relative_range(level, f"{load}.{name}")
        value = read(readout)
        out[name] = (value * lo, value * hi)
    return out


def ratio_spread(level: float | None) -> dict[str, tuple[float, float]]:
    """Each sideways / into-bone ratio's [min, max] over its nominal value at the nearest swept level."""
    return {name: relative_range(level, f"compare.{name}") for name in COMPARE_FIGURES}
