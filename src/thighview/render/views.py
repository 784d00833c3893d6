"""Named camera views as data, in anatomical terms, mirrored for a left leg by the axes themselves.

A view says where the camera sits and which way is up as weights on the thigh's anatomical
axes (anterior, lateral, superior). :class:`AnatomicalAxes` turns those into model coordinates
for one model, so "lateral" is +x for a right thigh in RAS and -x for a left one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NamedView:
    """A camera direction: ``toward`` is where the camera sits from the thigh, ``up`` the screen's up."""

    key: str
    label: str
    toward: tuple[float, float, float]  # weights on (anterior, lateral, superior)
    up: tuple[float, float, float]
    shortcut: str = ""


VIEWS: tuple[NamedView, ...] = (
    NamedView("overview", "Overview (antero-lateral, from above)", (1.0, 0.55, 0.7), (0.0, 0.0, 1.0), "Ctrl+0"),
    NamedView("anterior", "Anterior", (1.0, 0.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+1"),
    NamedView("posterior", "Posterior", (-1.0, 0.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+2"),
    NamedView("lateral", "Lateral", (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+3"),
    NamedView("medial", "Medial", (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+4"),
    NamedView("down_femur", "Down the femur (from the hip)", (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), "Ctrl+5"),
    NamedView("up_femur", "Up the femur (from the knee, as in CT)", (0.0, 0.0, -1.0), (1.0, 0.0, 0.0), "Ctrl+6"),
)
VIEWS_BY_KEY = {v.key: v for v in VIEWS}
DEFAULT_VIEW = "overview"


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


@dataclass(frozen=True)
class AnatomicalAxes:
    """The thigh's anatomical directions in model coordinates (unit vectors) and a centre point."""

    centre: np.ndarray
    anterior: np.ndarray
    lateral: np.ndarray
    superior: np.ndarray

    @classmethod
    def from_femur_axis(cls, axis) -> AnatomicalAxes:
        """From the model's ``FemurAxis`` (its ``lateral`` already knows the leg's side)."""
        return cls(np.asarray(axis.level_to_point(0.5), dtype=float), _unit(axis.anterior), _unit(axis.lateral),
                   _unit(-np.asarray(axis.direction, dtype=float)))

    def direction(self, weights: tuple[float, float, float]) -> np.ndarray:
        a, l, s = weights
        return _unit(a * self.anterior + l * self.lateral + s * self.superior)

    def rotation(self) -> np.ndarray:
        """3×3 matrix whose columns are (lateral, anterior, superior): the orientation marker's frame."""
        return np.column_stack([self.lateral, self.anterior, self.superior])


def camera_for(view: NamedView | str, axes: AnatomicalAxes, focal: np.ndarray, distance: float):
    """``(position, focal_point, view_up)`` for a named view, as pyvista's ``camera_position`` wants."""
    view = VIEWS_BY_KEY[view] if isinstance(view, str) else view
    focal = np.asarray(focal, dtype=float)
    position = focal + distance * axes.direction(view.toward)
    return (tuple(position), tuple(focal), tuple(axes.direction(view.up)))
