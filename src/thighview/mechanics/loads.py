"""The contact on the skin: which tool, where, how hard, and in which direction.

Thickness convention: the model is a plane-strain slice, so a load is a force per millimetre
of thigh length. A tool of contact length ``length_mm`` along the thigh pressing with
``force_n`` newtons puts ``force_n / length_mm`` N/mm on the slice, spread over ``width_mm``
of skin in the section plane with a smooth (raised-cosine) profile.

Directions are presets of one input, the **lean**: the angle between the force and the line
from the contact to the femur's centre (0 = straight into the bone, 90 = along the skin,
perpendicular to the femur). ``into-bone`` is lean 0; ``sideways`` leans as far as a flat hand
can by friction alone, atan(mu_skin) with mu_skin = 0.5 (dry skin, typically about 0.5 and at
least 0.2; Derler & Gerhardt 2012, ``data/friction.json``): 26.6 degrees, range 11-45 degrees
over mu_skin 0.2-1.0. Any other lean is a user input (``--lean``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from thighview._resources import data_path
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


@lru_cache(maxsize=1)
def friction_data() -> dict:
    """The friction coefficients and their sources (``data/friction.json``)."""
    return json.loads(data_path("friction.json").read_text())


def friction_lean_deg(mu: float) -> float:
    """The steepest lean (degrees from the bone) a contact with friction coefficient ``mu`` holds without sliding."""
    return math.degrees(math.atan(mu))


#: The sideways preset: the friction limit of a flat hand on dry skin.
SIDEWAYS_LEAN_DEG = friction_lean_deg(friction_data()["hand_on_skin"]["typical"])
#: Its range over the measured skin friction (0.2-1.0).
SIDEWAYS_LEAN_RANGE_DEG = tuple(friction_lean_deg(m) for m in friction_data()["hand_on_skin"]["range"])
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
    side: str | None = None   # which way a leaning push goes: anterior, posterior, lateral or medial
    lean_deg: float | None = None  # degrees from the line to the femur centre; None: the direction's preset

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise MechanicsError(f"unknown direction {self.direction!r}: use into-bone or sideways")
        if not (math.isfinite(self.force_n) and 0 < self.force_n <= 500):
            raise MechanicsError(f"force must be between 0 and 500 N, not {self.force_n}")
        if self.side is not None and self.side not in SIDES:
            raise MechanicsError(f"unknown side {self.side!r}: use one of {', '.join(SIDES)}")
        if not (self.tool.width_mm > 0 and self.tool.length_mm > 0):
            raise MechanicsError("the contact tool must have a positive width and length")
        if self.lean_deg is not None and not (math.isfinite(self.lean_deg) and 0.0 <= self.lean_deg <= 90.0):
            raise MechanicsError(f"the lean must be 0-90 degrees from the line into the bone, not {self.lean_deg}")
        place_angle(self.at)

    @property
    def lean(self) -> float:
        """Degrees between the force and the line into the bone (the preset when ``lean_deg`` is None)."""
        if self.lean_deg is not None:
            return float(self.lean_deg)
        return 0.0 if self.direction == "into-bone" else SIDEWAYS_LEAN_DEG

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
        if self.lean == 0.0:
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
        lean = math.radians(self.lean)
        return inward * math.cos(lean) + tangent * math.copysign(math.sin(lean), along), side


def raised_cosine(distance_mm: np.ndarray, width_mm: float) -> np.ndarray:
    """Contact pressure profile: 1 at the centre, 0 at half the width and beyond."""
    d = np.abs(distance_mm) / width_mm
    return np.where(d < 0.5, np.cos(np.pi * d) ** 2, 0.0)
