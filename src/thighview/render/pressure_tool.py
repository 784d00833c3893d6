"""Where the pressure demo's tool, force arrow and line to the femur are drawn, in the section's plane.

One geometry for the 2-D drawer (:mod:`thighview.render.pressure2d`: the stage, the Pressure
panel, every export) and the 3-D slab (:mod:`thighview.render.pressure_slab`), so they agree.
The tool is drawn to scale (its contact width is the mechanics' :class:`~thighview.mechanics.loads.Tool`
``width_mm``) as a recognisable outline: a ball, a thumb (with its nail) or the heel of a hand
with its thumb and wrist. It sits on the drawn (deformed) skin at the contact, its axis along
the push, so a leaning push leans the tool. Pure numpy and shapely: no drawing here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.results import Deformation

#: The force arrow at the full load, as a share of the section's radius (long enough to read at any size).
ARROW_SHARE = 0.36
#: Where the lean handle sits beyond the skin, as a share of the section's radius (the arrow's far end).
HANDLE_SHARE = 0.40


@dataclass(frozen=True)
class ToolPose:
    """The tool, arrow and guide line of one frame, in section coordinates (mm)."""

    contact: np.ndarray      # the drawn contact point: the deformed skin under the tool's centre
    outline: np.ndarray      # (k, 2) closed outline of the tool
    detail: np.ndarray       # (j, 2) a line inside the outline (a thumb's nail, a hand's knuckles), or (0, 2)
    arrow_tail: np.ndarray
    arrow_tip: np.ndarray
    handle: np.ndarray       # dragging this sets the lean: the arrow's far end at the full load
    label_at: np.ndarray     # where the force is written: beside the handle, clear of the arrow
    femur_centre: np.ndarray


def section_radius(model) -> float:
    """The radius of a disc with the section's soft-tissue area, mm: the drawing's length scale."""
    return float(np.sqrt(model.shape.domain.area / np.pi))


def _rounded(points: list[tuple[float, float]], radius: float, n: int = 96) -> tuple[np.ndarray, ...]:
    """A polygon with its corners rounded, as a closed ring of about ``n`` points."""
    from shapely.geometry import Polygon

    shape = Polygon(points).buffer(-radius).buffer(2 * radius).buffer(-radius)
    ring = np.asarray(shape.exterior.coords)
    step = max(1, len(ring) // n)
    return np.vstack([ring[::step], ring[:1]])


@lru_cache(maxsize=8)
def tool_shape(name: str, width_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """The tool's outline and detail line in its own frame: x across the push, y back along it, the
    contact at the origin (mm). A ball is round; a thumb a rounded digit with its nail; a hand the
    hand seen from its thumb's side, the palm flat on the skin and the wrist raised behind it."""
    w = float(width_mm)
    if name == "ball":
        t = np.linspace(0.0, 2.0 * math.pi, 73)
        return np.column_stack([0.5 * w * np.sin(t), 0.5 * w * (1.0 - np.cos(t))]), np.empty((0, 2))
    if name == "thumb":
        outline = _rounded([(-0.5 * w, 0.0), (0.5 * w, 0.0), (0.55 * w, 2.6 * w), (-0.55 * w, 2.6 * w)], 0.45 * w)
        t = np.linspace(0.0, math.pi, 13)
        nail = np.column_stack([0.3 * w + 0.12 * w * np.sin(t), 0.25 * w + 0.55 * w * (1.0 - np.cos(t)) / 2.0])
        return outline, nail
    outline = _rounded([(-0.5 * w, 0.0), (0.5 * w, 0.0), (0.56 * w, 0.07 * w), (0.40 * w, 0.17 * w),
                        (0.22 * w, 0.22 * w), (0.12 * w, 0.30 * w), (-0.06 * w, 0.36 * w), (-0.12 * w, 0.46 * w),
                        (-0.08 * w, 1.05 * w), (-0.55 * w, 1.05 * w), (-0.60 * w, 0.35 * w), (-0.58 * w, 0.12 * w)],
                       0.05 * w)
    crease = np.column_stack([np.linspace(0.30 * w, -0.10 * w, 6), np.linspace(0.13 * w, 0.24 * w, 6)])
    return outline, crease


def _nearest_vertex(model, point: np.ndarray) -> int:
    return int(np.argmin(np.sum((model.mesh.points - point) ** 2, axis=1)))


def tool_pose(deformation: Deformation, exaggeration: float, load_fraction: float) -> ToolPose:
    """Where to draw the tool, the force arrow and the line to the femur for ``deformation`` (already
    scaled to the frame's load) drawn with ``exaggeration``; the arrow grows with ``load_fraction``."""
    model = deformation.model
    radius = section_radius(model)
    at = _nearest_vertex(model, deformation.point)
    contact = deformation.point + exaggeration * deformation.displacement[at]
    back = -np.asarray(deformation.direction, dtype=float)   # from the skin out along the push
    across = np.array([back[1], -back[0]])
    tool = deformation.contact.tool
    outline, detail = tool_shape(tool.name, tool.width_mm)
    place = lambda local: contact + local[:, :1] * across + local[:, 1:] * back  # noqa: E731
    lift = 0.02 * radius  # the arrow's head stops just off the skin, where the tool meets it
    return ToolPose(contact=contact, outline=place(outline), detail=place(detail),
                    arrow_tail=contact + back * (lift + ARROW_SHARE * radius * max(load_fraction, 0.0)),
                    arrow_tip=contact + back * lift, handle=contact + back * HANDLE_SHARE * radius,
                    label_at=contact + back * (HANDLE_SHARE + 0.04) * radius - across * 0.16 * radius,
                    femur_centre=np.asarray(model.shape.centre, dtype=float))


def angle_of(shape, point: np.ndarray) -> float:
    """The angle round the femur (degrees, 0 anterior, positive towards lateral) of a point of the section."""
    from thighview.mechanics.geometry import lateral_sign

    dx, dy = np.asarray(point, dtype=float) - shape.centre
    return math.degrees(math.atan2(lateral_sign(shape.side) * dx, dy)) % 360.0


def lean_towards(deformation: Deformation, point: np.ndarray) -> tuple[float, str | None]:
    """The lean (degrees from the line into the bone) and the side it pushes towards, for an arrow
    whose far end is dragged to ``point``: the push comes from ``point`` towards the contact."""
    from thighview.mechanics.geometry import lateral_sign

    model = deformation.model
    inward = model.shape.centre - deformation.point
    inward = inward / np.linalg.norm(inward)
    push = deformation.point - np.asarray(point, dtype=float)
    norm = float(np.linalg.norm(push))
    if norm < 1e-9:
        return 0.0, None
    push = push / norm
    lean = math.degrees(math.acos(float(np.clip(push @ inward, -1.0, 1.0))))
    along = push - (push @ inward) * inward
    if float(np.linalg.norm(along)) < 1e-9:
        return lean, None
    sign = lateral_sign(model.shape.side)
    compass = {"anterior": np.array([0.0, 1.0]), "posterior": np.array([0.0, -1.0]),
               "lateral": np.array([sign, 0.0]), "medial": np.array([-sign, 0.0])}
    side = max(compass, key=lambda k: float(along @ compass[k]))
    return min(lean, 90.0), side


def place_under(shown: Deformation, point, exaggeration: float, load_fraction: float, *, trial: bool = True) -> float:
    """The place (degrees round the femur) whose tool is drawn at ``point`` when ``shown``'s push is put
    there: the skin under a push moves with it (a sideways push drags it along), so the point's own
    angle is corrected once by how far the push, put there, moves the skin under the tool (one
    preview solve). Where the push cannot go, the point's own angle.

    ``trial`` False (a move while the tool is dragged): the correction is that of the push shown, a
    move away, instead of a trial solve (how far a push drags the skin changes slowly round the
    thigh); the drop places the tool with the trial.
    """
    from dataclasses import replace

    from thighview.errors import ThighViewError

    model = shown.model
    wanted = angle_of(model.shape, point)
    push = shown
    if trial:
        try:
            push = model.preview(replace(shown.contact, at=wanted)).scaled(load_fraction)
        except ThighViewError:
            return wanted  # the app says why when it solves this place
    drawn = angle_of(model.shape, tool_pose(push, exaggeration, load_fraction).contact)
    return (wanted + (push.contact.angle_deg - drawn + 180.0) % 360.0 - 180.0) % 360.0
