"""Each headline figure with its range over plausible tissue parameters: sensitivity sweeps of both models.

At each fitted level of the built-in thigh, the linear model (the instant preview) is re-solved at
every combination of the ends and middle of:

- muscle stiffness: the MR-elastography range of relaxed muscle (``anatomy_targets.json``);
- fat stiffness: the elastography value spread as Isogai et al. 2022 measured subcutaneous tissue
  (mean +/- one standard deviation, ``indentation_calibration.json``), since no elastography range
  was sourced;

both times the working-strain stiffening, for a hand pressing 40 N at the anterolateral thigh
into the bone and sideways. The large-deformation solve is swept over the same nine stiffness
combinations at the nominal friction, and over friction's measured ends (``friction.json``) at
nominal stiffness (the linear model has no frictional interface). A parameter set for which the
large-deformation solve does not reach the full force is listed with the force it reached and
left out of the range (so the range says what it covers). The range of each figure is then
widened by the 3-D closure's fit error at that level. ``thighview calibrate-mechanics``
regenerates the shipped file.

Other contacts, forces and tools get the same *relative* spread around their own values (the
linear model scales with force, so the spread does not depend on it; for the large-deformation
solve this is an approximation away from the swept load).
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


def _figures(into: Readout, side: Readout) -> dict[str, float]:
    """The headline figures of the two swept loads and their ratios, by key."""
    values = {f"{load}.{name}": float(read(r)) for load, r in (("into-bone", into), ("sideways", side))
              for name, read in LOAD_FIGURES.items()}
    values.update({f"compare.{name}": float(read(side, into)) for name, read in COMPARE_FIGURES.items()})
    return values


def _spread(samples: list[dict[str, float]], nominal: dict[str, float],
            fit_error: float) -> dict[str, dict[str, Any]]:
    """Nominal value and [min, max] of every figure over the samples, widened by ``fit_error``."""
    return {key: {"nominal": round(value, 4),
                  "range": [round(min(s[key] for s in samples) * (1.0 - fit_error), 4),
                            round(max(s[key] for s in samples) * (1.0 + fit_error), 4)]}
            for key, value in nominal.items()}


def _materials(model: PressureModel, muscle: float, fat: float) -> PressureModel:
    from dataclasses import replace

    return model.variant(materials=replace(model.materials, muscle_kpa=muscle, fat_kpa=fat))


def sweep(model: PressureModel, fit_error: float) -> dict[str, dict[str, Any]]:
    """The linear model over the stiffness box: every headline figure's nominal value and [min, max]."""
    from thighview.mechanics.closure import fit_contacts

    box = parameter_ranges()
    samples, nominal = [], {}
    for muscle, fat in itertools.product(box["muscle_kpa"]["values"], box["fat_kpa"]["values"]):
        varied = _materials(model, muscle, fat)
        values = _figures(*(varied.preview(c).readout(with_ranges=False) for c in fit_contacts()))
        samples.append(values)
        if (muscle, fat) == (box["muscle_kpa"]["values"][1], box["fat_kpa"]["values"][1]):
            nominal = values
    return _spread(samples, nominal, fit_error)


def sweep_large(model: PressureModel, fit_error: float,
                log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The large-deformation solve over the stiffness box at nominal friction and over friction's measured ends
    at nominal stiffness: each figure's nominal value and [min, max] over the parameter sets that reach the full
    force, and the sets that do not (``not_reached``: with the load, the force reached and why)."""
    from thighview.errors import MechanicsError
    from thighview.mechanics.closure import fit_contacts
    from thighview.mechanics.loads import friction_data

    box = parameter_ranges()
    (m_low, m_mid, m_high), (f_low, f_mid, f_high) = box["muscle_kpa"]["values"], box["fat_kpa"]["values"]
    low, high = friction_data()["tissue_interfaces"]["range"]
    points = [(m, f, model.friction) for m, f in itertools.product((m_low, m_mid, m_high), (f_low, f_mid, f_high))]
    points += [(m_mid, f_mid, low), (m_mid, f_mid, high)]
    samples, nominal, not_reached = [], {}, []
    for muscle, fat, friction in points:
        varied = _materials(model, muscle, fat)
        readouts = []
        for contact in fit_contacts():
            reached = [0.0]
            try:
                readouts.append(varied.solve_path(contact, friction=friction, on_step=reached.append)
                                .readout(with_ranges=False))
            except MechanicsError as exc:
                not_reached.append({"muscle_kpa": muscle, "fat_kpa": fat, "friction": friction,
                                    "load": contact.direction,
                                    "force_reached_n": round(reached[-1] * contact.force_n, 2), "reason": str(exc)})
                break
        if log is not None:
            log(f"muscle {muscle:g} kPa, fat {fat:g} kPa, friction {friction:g}: "
                + ("solved" if len(readouts) == 2 else f"not reached ({not_reached[-1]['load']})"))
        if len(readouts) < 2:
            continue
        values = _figures(*readouts)
        samples.append(values)
        if (muscle, fat, friction) == (m_mid, f_mid, model.friction):
            nominal = values
    if not nominal:
        raise MechanicsError("the large-deformation solve does not reach the full force at the nominal parameters")
    return {"figures": _spread(samples, nominal, fit_error), "not_reached": not_reached}


def document(levels: list[dict[str, Any]]) -> dict[str, Any]:
    """The ranges file: per level the figures, with the swept parameters and their sources."""
    from thighview.mechanics.loads import friction_data

    low, high = friction_data()["tissue_interfaces"]["range"]
    return {
        "about": "Headline figures of the pressure demo with their ranges over plausible tissue parameters: "
                 "sensitivity sweeps of the linear model (figures: every combination of low, nominal and high muscle "
                 "and fat stiffness) and of the large-deformation solve (large_deformation: the same nine "
                 "combinations at nominal friction, and friction's measured ends at nominal stiffness; parameter "
                 "sets that do not reach the full force are listed and left out), widened by the 3-D closure's fit "
                 "error at the level. Regenerate with `thighview calibrate-mechanics`.",
        "loads": "hand (60 x 80 mm), 40 N, anterolateral, into-bone (lean 0) and sideways (lean preset)",
        "parameters": {**parameter_ranges(), "friction": {
            "values": [low, friction_data()["tissue_interfaces"]["nominal"]["value"], high],
            "source": "tissue on bone and along the septa, friction.json; swept in the large-deformation solve only "
                      "(the linear model has no frictional interface)"}},
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


def relative_range(level: float | None, key: str, large: bool = False) -> tuple[float, float]:
    """A figure's [min, max] over its nominal value at the nearest swept level (``large``: the large-deformation
    solve's sweep)."""
    row = _nearest_level(level)
    entry = (row["large_deformation"] if large else row)["figures"][key]
    nominal = entry["nominal"]
    if nominal == 0:
        return 1.0, 1.0
    return entry["range"][0] / nominal, entry["range"][1] / nominal


def load_ranges(readout: Readout, level: float | None, large: bool = False) -> dict[str, tuple[float, float]]:
    """The readout's headline figures with their plausible-parameter ranges (the swept spread around its values)."""
    load = "into-bone" if readout.lean_deg == 0.0 else "sideways"
    out = {}
    for name, read in LOAD_FIGURES.items():
        lo, hi = relative_range(level, f"{load}.{name}", large)
        value = read(readout)
        out[name] = (value * lo, value * hi)
    return out


def ratio_spread(level: float | None, large: bool = False) -> dict[str, tuple[float, float]]:
    """Each sideways / into-bone ratio's [min, max] over its nominal value at the nearest swept level."""
    return {name: relative_range(level, f"compare.{name}", large) for name in COMPARE_FIGURES}
