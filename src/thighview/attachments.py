"""Where thigh muscles are attached to the femoral shaft (by level and angle round the bone) and to the septa.

The pressure model bonds tissue to the bone where a muscle is attached at the current level
and lets it slide with friction elsewhere (:mod:`thighview.mechanics.model`). The map is data
(``data/femur_attachments.json``) with its sources and the rule that turns textbook
descriptions ("upper two thirds of the shaft", "lateral lip of the linea aspera") into levels
and angles; it is an estimate and says so. The muscles that arise from an intermuscular septum
(:func:`arises_from`) bond their face of it; the septum is cut to slide on a face none arises from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from thighview._resources import data_path


@dataclass(frozen=True)
class Attachment:
    """One muscle's attachment: from/to level (fraction of femur length) and from/to angle (degrees)."""

    muscle: str
    levels: tuple[float, float]
    degrees: tuple[float, float]
    description: str
    sources: tuple[str, ...]

    def at_level(self, level: float) -> bool:
        return self.levels[0] <= level <= self.levels[1]

    def covers(self, angle_deg: float) -> bool:
        """Whether ``angle_deg`` (0 anterior, + towards lateral) lies in the attachment's arc."""
        lo, hi = self.degrees
        return (angle_deg - lo) % 360.0 <= (hi - lo) % 360.0


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads(data_path("femur_attachments.json").read_text())


def attachments() -> tuple[Attachment, ...]:
    """Every attachment in the map."""
    return tuple(Attachment(a["muscle"], tuple(a["levels"]), tuple(a["degrees"]), a["description"],
                            tuple(a["sources"])) for a in _table()["attachments"])


def attachments_at(level: float) -> tuple[Attachment, ...]:
    """The attachments present at a level (fraction of femur length from the proximal end)."""
    return tuple(a for a in attachments() if a.at_level(level))


def sources() -> dict[str, str]:
    """Citation keys used by the map and what they stand for."""
    return dict(_table()["sources"])


def is_bonded(muscle: str, angle_deg: float, level: float | None) -> bool:
    """Whether tissue of ``muscle`` touching the bone at ``angle_deg`` is attached there.

    ``level`` None (a single section whose level is unknown): nothing is bonded, as the map
    cannot be placed; the model then lets all tissue slide and says so.
    """
    if level is None:
        return False
    return any(a.muscle == muscle and a.covers(angle_deg) for a in attachments_at(level))


@dataclass(frozen=True)
class SeptumOrigin:
    """A muscle whose fibres arise from an intermuscular septum, from/to level (fraction of femur length)."""

    muscle: str
    septum: str
    levels: tuple[float, float]
    description: str
    sources: tuple[str, ...]


def septum_origins() -> tuple[SeptumOrigin, ...]:
    """Every muscle-from-septum origin in the map."""
    return tuple(SeptumOrigin(o["muscle"], o["septum"], tuple(o["levels"]), o["description"], tuple(o["sources"]))
                 for o in _table()["septum_origins"])


def arises_from(muscle: str, septum: str, level: float | None) -> bool:
    """Whether ``muscle`` arises from ``septum`` at ``level`` (bonded to that face); False at an unknown level."""
    if level is None:
        return False
    return any(o.muscle == muscle and o.septum == septum and o.levels[0] <= level <= o.levels[1]
               for o in septum_origins())
