"""Which length unit a mesh file uses, judged from the size of the anatomy in it.

Mesh formats carry no units. A thigh is 10-20 cm across and an adult femur 35-55 cm long, so
the model's overall size tells millimetres from centimetres from metres without doubt; the
femur, when present, names the reason. Label maps say their units in the header.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Millimetres per unit.
SCALES = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "um": 0.001}
UNIT_CHOICES = ("auto", "mm", "cm", "m")


@dataclass(frozen=True)
class UnitsDecision:
    """The unit found in the file, the factor to millimetres, and why."""

    found: str
    scale: float
    reason: str

    def as_dict(self) -> dict:
        return {"found": self.found, "scale": self.scale, "reason": self.reason}


def principal_length(points: np.ndarray) -> float:
    """Extent of a point cloud along its longest principal axis (a femur's length)."""
    pts = np.asarray(points, dtype=float)
    if len(pts) > 20000:  # the extent needs no more points than that
        pts = pts[:: len(pts) // 20000]
    centred = pts - pts.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    along = centred @ vt[0]
    return float(along.max() - along.min())


def decide_units(all_points: np.ndarray, femur_points: np.ndarray | None, requested: str = "auto",
                 declared: tuple[str, str] | None = None) -> UnitsDecision:
    """Choose the unit: the user's choice, else what the file declares, else the anatomy's size.

    ``all_points``: every vertex of the model (its bounding box is the model's size);
    ``femur_points``: the femur's vertices, or ``None`` when the model has no femur;
    ``declared``: ``(unit, reason)`` where the file states its unit (label-map headers).
    """
    if requested not in UNIT_CHOICES:
        raise ValueError(f"units must be one of {', '.join(UNIT_CHOICES)}, not {requested!r}")
    if requested != "auto":
        return UnitsDecision(requested, SCALES[requested], f"units set to {requested} by the user")
    if declared is not None:
        unit, reason = declared
        return UnitsDecision(unit, SCALES[unit], reason)
    lo, hi = np.min(all_points, axis=0), np.max(all_points, axis=0)
    size = float(np.linalg.norm(hi - lo))
    if femur_points is not None:
        length = principal_length(femur_points)
        what = f"the femur is {length:.4g} units long and the model {size:.4g} across"
    else:
        what = f"there is no femur; the model is {size:.4g} units across"
    if size < 3.0:
        return UnitsDecision("m", SCALES["m"], f"{what}: a thigh is 0.1-0.6 m, so metres")
    if size < 100.0:
        return UnitsDecision("cm", SCALES["cm"], f"{what}: a thigh is 10-60 cm, so centimetres")
    return UnitsDecision("mm", SCALES["mm"], f"{what}: a thigh is 100-600 mm, so millimetres")
