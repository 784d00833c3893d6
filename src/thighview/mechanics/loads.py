"""The contact on the skin: which tool, where, how hard, and in which direction.

Thickness convention: the model is a plane-strain slice, so a load is a force per millimetre
of thigh length. A tool of contact length ``length_mm`` along the thigh pressing with
``force_n`` newtons puts ``force_n / length_mm`` N/mm on the slice, spread over ``width_mm``
of skin in the section plane with a smooth (raised-cosine) profile.

Directions: ``into-bone`` aims the force from the contact point at the femur's centre;
``sideways`` pushes in the section plane (perpendicular to the femur shaft) but past the bone,
towards the chosen ``side``: the force leans ``lean_deg`` (default 65) from the line to the
femur's centre, keeping an inward part of cos(65 deg) = 42 %; its line of action still misses
the femur by far (R sin 65 deg, about 60 mm on a mid-thigh). Friction alone could not hold such
a lean (skin friction about 0.5 allows 27 deg): 65 deg assumes the hand grips the tissue by its
shape (heel of the hand or fingers against the bulge of the muscle). A modelling choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from thighview.errors import MechanicsError
from thighview.mechanics.geometry import lateral_sign, place_angle


@dataclass(frozen=True)
class Tool:
    """A contact: width across the skin in the section plane and length along the thigh, mm."""

    name: str
    width_mm: float
    length_mm: float


#: Built-in tools. The sizes are typical contact patches, not measurements.
TOOLS: dict[str, Tool] = {
    "thumb": Tool("thumb", 20.0, 25.0),
    "hand": Tool("hand", 60.0, 80.0),
    "ball": Tool("ball", 35.0, 35.0),
}

DIRECTIONS = ("into-bone", "sideways")
SIDES = ("anterior", "posterior", "lateral", "medial")


def tool_named(name: str) -> Tool:
    try:
        return TOOLS[name.strip().lower()]
    except KeyError:
        raise MechanicsError(f"unknown tool {name!r}: use one of {', '.join(TOOLS)}") from None


@dataclass(frozen=True)
class Contact:
    """One load case. ``at`` is a place name or an angle (degrees, 0 anterior, towards lateral)."""

    at: str | float = "anterolateral"
    direction: str = "into-bone"
    force_n: float = 40.0
    tool: Tool = TOOLS["hand"]
    side: str | None = None   # for "sideways": anterior, posterior, lateral or medial
    lean_deg: float = 65.0    # for "sideways": angle between the force and the line to the femur centre

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise MechanicsError(f"unknown direction {self.direction!r}: use into-bone or sideways")
        if not (math.isfinite(self.force_n) and 0 < self.force_n <= 500):
            raise MechanicsError(f"force must be between 0 and 500 N, not {self.force_n}")
        if self.side is not None and self.side not in SIDES:
            raise MechanicsError(f"unknown side {self.side!r}: use one of {', '.join(SIDES)}")
        if not (self.tool.width_mm > 0 and self.tool.length_mm > 0):
            raise MechanicsError("the contact tool must have a positive width and length")
        if not 30.0 <= self.lean_deg <= 90.0:
            raise MechanicsError(f"a sideways push must lean 30-90 degrees from the bone, not {self.lean_deg}")
        place_angle(self.at)

    @property
    def angle_deg(self) -> float:
        return place_angle(self.at)

    @property
    def line_load_n_per_mm(self) -> float:
        """Force per millimetre of thigh length (the plane-strain slice's load)."""
        return self.force_n / self.tool.length_mm

    def force_direction(self, radial: np.ndarray, thigh_side: str) -> tuple[np.ndarray, str]:
        """Unit force vector and the side it pushes towards, given the outward unit ``radial`` at the contact."""
        inward = -np.asarray(radial, dtype=float)
        if self.direction == "into-bone":
            return inward, "femur"
        tangent = np.array([-inward[1], inward[0]])
        compass = {"anterior": np.array([0.0, 1.0]), "posterior": np.array([0.0, -1.0]),
                   "lateral": np.array([lateral_sign(thigh_side), 0.0]),
                   "medial": np.array([-lateral_sign(thigh_side), 0.0])}
        side = self.side
        if side is None:
            side = "anterior" if abs(tangent[1]) > 0.3 else "lateral"
        along = float(tangent @ compass[side])
        if abs(along) < 0.2:
            raise MechanicsError(f"at {self.angle_deg:g} degrees, pushing {side} would be into or out of the bone: "
                                 "choose another side")
        lean = math.radians(self.lean_deg)
        return inward * math.cos(lean) + tangent * math.copysign(math.sin(lean), along), side


def raised_cosine(distance_mm: np.ndarray, width_mm: float) -> np.ndarray:
    """Contact pressure profile: 1 at the centre, 0 at half the width and beyond."""
    d = np.abs(distance_mm) / width_mm
    return np.where(d < 0.5, np.cos(np.pi * d) ** 2, 0.0)
