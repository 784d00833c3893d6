"""Tissue stiffness per structure, from the sourced values in ``anatomy_targets.json``.

Shear moduli are MR-elastography values (kPa): relaxed muscle 3.8, subcutaneous fat 3.0; the
fascia lata / iliotibial band takes a value inside the measured in-vivo range (17.6-272 kPa).
The thin sliding layers at the septa and around the femur have no measured value: their
shear modulus is a **modelling choice** (a parameter) and every readout says so. All tissue
shares Poisson's ratio 0.49 (nearly incompressible).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from thighview._resources import data_path
from thighview.anatomy import Compartment
from thighview.errors import MechanicsError

#: Region name given to the sliding layer around the femur.
FEMUR_LAYER = "femur_sliding_layer"

#: Fascia lata / iliotibial band: low end of Otsuka 2020's in-vivo range is 17.6 kPa; we take 50 kPa.
_FASCIA_KPA = 50.0
#: Default sliding-layer shear modulus (kPa): a modelling choice, about 1/8 of relaxed muscle.
SLIDING_KPA = 0.5


@dataclass(frozen=True)
class Materials:
    """Shear moduli in kPa and one Poisson's ratio; ``sliding_kpa`` is the modelling choice."""

    muscle_kpa: float = 3.8
    fat_kpa: float = 3.0
    fascia_kpa: float = _FASCIA_KPA
    sliding_kpa: float = SLIDING_KPA
    poisson: float = 0.49

    def __post_init__(self) -> None:
        for name in ("muscle_kpa", "fat_kpa", "fascia_kpa", "sliding_kpa"):
            if not getattr(self, name) > 0:
                raise MechanicsError(f"{name.replace('_kpa', '')} stiffness must be above 0 kPa")
        if not 0.0 <= self.poisson < 0.5:
            raise MechanicsError(f"Poisson's ratio must be in [0, 0.5), not {self.poisson}")

    @classmethod
    def from_targets(cls, sliding_kpa: float = SLIDING_KPA) -> Materials:
        """The sourced values shipped with the package, with the chosen sliding-layer stiffness."""
        table = json.loads(data_path("anatomy_targets.json").read_text())["materials_shear_modulus_kPa"]
        return cls(muscle_kpa=float(table["relaxed_muscle"]["value"]),
                   fat_kpa=float(table["subcutaneous_fat"]["value"]),
                   sliding_kpa=sliding_kpa, poisson=float(table["poisson_ratio"]["value"]))

    def with_sliding(self, sliding_kpa: float) -> Materials:
        return replace(self, sliding_kpa=sliding_kpa)

    def shear_modulus_mpa(self, region: str, compartment: Compartment, sliding: bool) -> float:
        """Shear modulus of one region in N/mm^2 (= MPa), the unit the solver works in."""
        if sliding:
            kpa = self.sliding_kpa
        elif compartment in (Compartment.FAT, Compartment.SKIN):
            kpa = self.fat_kpa  # no sourced skin value: skin is treated as the fat under it
        elif compartment is Compartment.FASCIA:
            kpa = self.fascia_kpa
        else:
            kpa = self.muscle_kpa  # muscles, vessels, nerves, unassigned
        return kpa * 1e-3
