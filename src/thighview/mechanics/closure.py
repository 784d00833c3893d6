"""The 2-D model's out-of-plane closure, derived from a 3-D solve instead of chosen.

The plane-strain slice is held back by an elastic foundation with one length per direction about
the femur centre: ``k = mu / l_r^2`` on the radial displacement, ``mu / l_t^2`` on the
circumferential one. At each fitted level of the built-in thigh, the section is extruded along
the femur and solved in 3-D (:mod:`thighview.mechanics.solid3d`); ``(l_r, l_t)`` are the lengths
for which the 2-D slice's response is closest to the 3-D mid-plane over the **matched quantities**
(indentation under the tool, the largest slip at the femur and at a septum, the normal stress on the
bone: the figures the 2-D/3-D agreement is judged on) for a hand pressing 40 N at the anterolateral
thigh into the bone and sideways. "Closest" is the Chebyshev sense: the largest |2-D / 3-D - 1| among
them is as small as it can be, and that is the **fit error**. Why that and not least squares: the fit
error widens every shipped range, so the fit minimises exactly what the ranges carry, and no matched
figure is left far off to make the others closer. Drag and the compression at the bone are not fitted:
their agreement tests the closure. Why two lengths: a single one (the previous closure) could not
match both directions (``docs/mechanics.md``). ``thighview calibrate-mechanics`` regenerates the
shipped file (``data/mechanics_closure.json``); other levels interpolate linearly, a section of
unknown level uses the mid-thigh fit.
"""

from __future__ import annotations

import json
from pathlib import Path
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from thighview._resources import data_path

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.model import PressureModel
    from thighview.mechanics.results import Deformation
    from thighview.mechanics.solid3d import SlabOptions

CLOSURE_FILE = "mechanics_closure.json"
#: Levels fitted (fraction of femur length from proximal).
LEVELS = (0.3, 0.5, 0.7)
#: The quantities the fit matches, per load (names in ranges.LOAD_FIGURES).
MATCHED = ("indentation_mm", "femur_slip_max_mm", "septal_slip_max_mm", "bone_normal_stress_kpa")
_BOUNDS_MM = (10.0, 5000.0)
_START_MM = 100.0   # where the fit starts: about the thigh's radius


def fit_contacts():
    """The loads the closure is fitted on: a hand, 40 N, anterolateral, into the bone and sideways (presets)."""
    from thighview.mechanics.loads import Contact

    return [Contact("anterolateral", "into-bone", 40.0), Contact("anterolateral", "sideways", 40.0)]


@dataclass(frozen=True)
class ClosureFit:
    """``holding_length_mm`` (radial, circumferential) fitted at one level; ``three_d`` / ``two_d``: every
    headline figure per load."""

    level: float | None
    holding_length_mm: tuple[float, float]
    fit_error: float
    three_d: dict[str, dict[str, float]]
    two_d: dict[str, dict[str, float]]
    #: the same fit with one length for both directions (the closure this one replaced), for comparison
    single: dict[str, Any]

    @property
    def shipped_lengths(self) -> tuple[float, float]:
        """The lengths as shipped (0.1 mm)."""
        return (round(self.holding_length_mm[0], 1), round(self.holding_length_mm[1], 1))

    def as_dict(self) -> dict[str, Any]:
        def rounded(table):
            return {load: {k: round(v, 4) for k, v in figures.items()} for load, figures in table.items()}

        radial, tangential = self.shipped_lengths
        return {"level": self.level, "holding_length_mm": {"radial": radial, "circumferential": tangential},
                "fit_error": round(self.fit_error, 4), "three_d": rounded(self.three_d), "two_d": rounded(self.two_d),
                "one_length": {"holding_length_mm": round(self.single["holding_length_mm"], 1),
                               "fit_error": round(self.single["fit_error"], 4), "two_d": rounded(self.single["two_d"])}}


def figures(d: Deformation) -> dict[str, float]:
    """The headline figures of one load (``ranges.LOAD_FIGURES``)."""
    from thighview.mechanics.ranges import LOAD_FIGURES

    r = d.readout(with_ranges=False)
    return {name: float(read(r)) for name, read in LOAD_FIGURES.items()}


def fit_closure(model: PressureModel, slab: SlabOptions) -> ClosureFit:
    """Fit the radial and circumferential holding lengths of ``model``'s section to the 3-D solve of its extrusion."""
    from thighview.mechanics.solid3d import solve_in_3d

    contacts = fit_contacts()
    three_d = [figures(d) for d in solve_in_3d(model, contacts, slab)]

    def two_d(log_lengths: np.ndarray) -> list[dict[str, float]]:
        lengths = np.broadcast_to(np.exp(log_lengths), 2)   # one length: the same for both directions
        held = model.variant(holding_length_mm=tuple(float(v) for v in lengths))
        return [figures(d) for d in held.preview_all(contacts)]

    def errors_of(fitted: list[dict[str, float]]) -> np.ndarray:
        return np.array([f[k] / t[k] - 1.0 for f, t in zip(fitted, three_d) for k in MATCHED])

    bounds = tuple(np.log(_BOUNDS_MM))
    start = math.log(_START_MM)
    one = chebyshev_fit(lambda x: errors_of(two_d(x)), np.array([start]), bounds)
    two = chebyshev_fit(lambda x: errors_of(two_d(x)), np.array([start, start]), bounds)
    one_fitted, two_fitted = two_d(one), two_d(two)
    names = [c.direction for c in contacts]
    radial, tangential = (float(v) for v in np.exp(two))
    single = {"holding_length_mm": float(np.exp(one[0])), "fit_error": float(np.abs(errors_of(one_fitted)).max()),
              "two_d": dict(zip(names, one_fitted))}
    return ClosureFit(model.level, (radial, tangential), float(np.abs(errors_of(two_fitted)).max()),
                      dict(zip(names, three_d)), dict(zip(names, two_fitted)), single)


def chebyshev_fit(errors: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
                  bounds: tuple[float, float]) -> np.ndarray:
    """The ``x`` within ``bounds`` (each coordinate) that minimises ``max |errors(x)|``.

    The minimax problem in its smooth epigraph form (minimise t subject to -t <= errors(x) <= t), solved
    by SLSQP with finite-difference gradients; ``errors`` is evaluated once per distinct ``x``.
    """
    from scipy.optimize import minimize

    from thighview.errors import MechanicsError

    seen: dict[tuple[float, ...], np.ndarray] = {}

    def at(x: np.ndarray) -> np.ndarray:
        key = tuple(float(v) for v in x)
        if key not in seen:
            seen[key] = np.asarray(errors(np.asarray(x, dtype=float)), dtype=float)
        return seen[key]

    n = len(start)
    gap = {"type": "ineq", "fun": lambda z: np.concatenate([z[n] - at(z[:n]), z[n] + at(z[:n])])}
    result = minimize(lambda z: z[n], np.r_[start, np.abs(at(start)).max()], jac=lambda z: np.eye(n + 1)[n],
                      method="SLSQP", constraints=[gap], bounds=[bounds] * n + [(0.0, None)],
                      options={"ftol": 1e-9, "eps": 1e-4, "maxiter": 200})
    if not result.success:
        raise MechanicsError(f"the closure fit did not converge: {result.message}")
    return result.x[:n]


def slab_for(thigh) -> SlabOptions:
    """The prism spans the femur's length, centred on the section (roller ends)."""
    from thighview.mechanics.solid3d import SlabOptions

    return SlabOptions(half_length_mm=round(0.5 * float(thigh.femur_axis.length_mm), 1))


def fit_level(thigh, level: float, slab: SlabOptions) -> tuple[PressureModel, ClosureFit]:
    """The section at ``level`` and its closure fit; the model returned is held by the fitted (shipped) length."""
    from thighview.mechanics.model import MeshOptions, PressureModel

    model = PressureModel.from_model(thigh, level, options=MeshOptions(holding_length_mm=_BOUNDS_MM[1]))
    fit = fit_closure(model, slab)
    return model.variant(holding_length_mm=fit.shipped_lengths), fit


def document(thigh, slab: SlabOptions, fits: list[ClosureFit]) -> dict[str, Any]:
    """The closure file: the fit at each level, with provenance."""
    from dataclasses import asdict

    from thighview.mechanics.materials import Materials

    return {
        "about": "Out-of-plane closure of the 2-D pressure model (elastic foundation k = mu / l^2 with one length l "
                 "for the radial and one for the circumferential displacement about the femur centre), fitted per "
                 "level so that the plane-strain slice matches the mid-plane of a 3-D linear-elastic solve of the section "
                 "extruded along the femur. Regenerate with `thighview calibrate-mechanics`.",
        "model": Path(str(thigh.source)).name,
        "method": {"three_d": "the section's triangulation extruded over the femur's length centred on the level, "
                              "roller ends, femur held, Taylor-Hood P2/P1 (same materials and Poisson's ratio), "
                              "solved exactly by Fourier modes along the thigh (finite strip)",
                   "slab": asdict(slab),
                   "matched": list(MATCHED),
                   "loads": "hand (60 mm wide, 80 mm along the thigh), 40 N, anterolateral, into-bone and sideways "
                            "(lean presets); linear, so the fit does not depend on the force",
                   "fit": "Chebyshev (minimax): the lengths that make the largest |2-D / 3-D - 1| over the matched "
                          "quantities of both loads (eight numbers, two lengths) smallest; fit_error is that largest "
                          "difference",
                   "materials": asdict(Materials.from_targets())},
        "levels": [f.as_dict() for f in fits],
    }


@lru_cache(maxsize=1)
def closure_data() -> dict[str, Any]:
    """The shipped closure fits (``data/mechanics_closure.json``)."""
    return json.loads(data_path(CLOSURE_FILE).read_text())


def holding_lengths_at(level: float | None) -> tuple[float, float]:
    """The fitted (radial, circumferential) holding lengths at a level (linear between fitted levels, the end
    values beyond them)."""
    rows = closure_data()["levels"]
    at = 0.5 if level is None else float(level)
    levels = [r["level"] for r in rows]
    radial, tangential = (float(np.interp(at, levels, [r["holding_length_mm"][key] for r in rows]))
                          for key in ("radial", "circumferential"))
    return radial, tangential


def fit_error_at(level: float | None) -> float:
    """The closure's fit error at a level (the larger of the neighbouring fitted levels')."""
    rows = closure_data()["levels"]
    at = 0.5 if level is None else float(level)
    levels = np.array([r["level"] for r in rows])
    near = np.argsort(np.abs(levels - at))[:2]
    return float(max(rows[i]["fit_error"] for i in near))
