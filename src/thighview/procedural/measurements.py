"""A client's measurements: what a clinician takes in two minutes, checked against plausible ranges.

Everything is optional; left out, a figure is the reference man's (a 1.75 m, 75 kg man, right
thigh) or, for the thigh circumference and the fat, derived from the others. The ranges come
from ``anatomy_targets.json`` (``client.plausible``), so the form, the command and the
checks here agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from thighview.errors import MeasurementError
from thighview.procedural.plan import targets

SEXES = ("male", "female")
TRAINING = ("untrained", "trained", "athlete")
SIDES = ("right", "left")

#: Field -> (label, unit) as the form, the command and the model's JSON show them.
LABELS = {
    "sex": ("Sex", ""),
    "height_m": ("Height", "m"),
    "mass_kg": ("Body mass", "kg"),
    "thigh_circumference_cm": ("Mid-thigh circumference", "cm"),
    "skinfold_mm": ("Front-thigh skinfold", "mm"),
    "fat_ultrasound_mm": ("Front-thigh fat (ultrasound)", "mm"),
    "training": ("Training", ""),
    "side": ("Side", ""),
}


def plausible() -> dict[str, tuple[float, float]]:
    """The plausible range of every numeric measurement (from the targets file)."""
    return {k: (float(lo), float(hi)) for k, (lo, hi) in targets()["client"]["plausible"].items()}


@dataclass(frozen=True)
class Measurements:
    """One client's measurements (SI-ish units as named; None = not measured)."""

    sex: str = "male"
    height_m: float = 1.75
    mass_kg: float = 75.0
    thigh_circumference_cm: float | None = None
    skinfold_mm: float | None = None
    fat_ultrasound_mm: float | None = None
    training: str = "untrained"
    side: str = "right"

    def __post_init__(self) -> None:
        for name, allowed in (("sex", SEXES), ("training", TRAINING), ("side", SIDES)):
            if getattr(self, name) not in allowed:
                raise MeasurementError(f"{LABELS[name][0].lower()} must be one of {', '.join(allowed)}, "
                                       f"not {getattr(self, name)!r}")
        for name, (lo, hi) in plausible().items():
            value = getattr(self, name)
            if value is None:
                continue
            label, unit = LABELS[name]
            if not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
                raise MeasurementError(f"{label.lower()} {value} {unit} is outside the plausible range "
                                       f"{lo:g}-{hi:g} {unit}")
        if self.skinfold_mm is not None and self.fat_ultrasound_mm is not None:
            raise MeasurementError("give the front-thigh skinfold or the ultrasound fat thickness, not both")

    @property
    def is_reference(self) -> bool:
        """Whether this is the reference man (any side): then the model is the default one."""
        return replace(self, side="right") == Measurements()

    def to_dict(self) -> dict:
        """The measurements given, by field name (None for what was not measured)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Measurements:
        """Measurements from :meth:`to_dict`'s output (a session or a model's JSON); unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise MeasurementError(f"unknown measurement(s): {', '.join(unknown)}")
        return cls(**data)

    def describe(self) -> str:
        """One line for About, exports and the status bar."""
        parts = [self.sex, f"{self.height_m:g} m", f"{self.mass_kg:g} kg"]
        if self.thigh_circumference_cm is not None:
            parts.append(f"mid-thigh {self.thigh_circumference_cm:g} cm")
        if self.skinfold_mm is not None:
            parts.append(f"skinfold {self.skinfold_mm:g} mm")
        if self.fat_ultrasound_mm is not None:
            parts.append(f"fat {self.fat_ultrasound_mm:g} mm (ultrasound)")
        parts += [self.training, f"{self.side} thigh"]
        return ", ".join(parts)


def client_of(provenance: dict) -> tuple[Measurements, list[str]] | None:
    """The measurements and warnings a client's model carries in its JSON (None for other models)."""
    client = provenance.get("client") if isinstance(provenance, dict) else None
    if not isinstance(client, dict) or not isinstance(client.get("measurements"), dict):
        return None
    try:
        measurements = Measurements.from_dict(client["measurements"])
    except (MeasurementError, TypeError):
        return None
    return measurements, [str(w) for w in client.get("warnings", [])]
