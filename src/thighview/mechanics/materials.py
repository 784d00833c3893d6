"""Tissue stiffness per structure, from the sourced values in ``anatomy_targets.json``.

Shear moduli are MR-elastography values (kPa): relaxed muscle 3.8, subcutaneous fat 3.0; the
fascia lata / iliotibial band takes a value inside the measured in-vivo range (17.6-272 kPa).
The thin sliding layers at the septa and around the femur have no measured value: their
shear modulus is a **modelling choice** (a parameter) and every readout says so. All tissue
shares Poisson's ratio 0.49 (nearly incompressible).

Elastography measures a small-strain modulus (micrometre shear waves at 50-100 Hz). A hand
pressing 40 N works at tens of percent strain, where soft tissue is much stiffer: in-vivo
indentation of limb tissue fits a load-indentation curve that stiffens with depth (Zheng &
Mak 1999), and gluteal muscle's compression modulus rises from 62 kPa at 5 N to 440 kPa at
30 N (Isogai et al. 2022). The linear model therefore uses a *tangent* modulus at the working
strain: every elastography-sourced modulus (muscle, fat, fascia) is used ``working_stiffening``
times over, so their ratios stay those measured. The factor is
a calibrated modelling choice: with it a 40 N hand indents the default mid-thigh section by
10-25 mm, as in-vivo indentation data give (``data/indentation_calibration.json``; a test
checks it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from thighview._resources import data_path
from thighview.anatomy import Compartment
from thighview.errors import MechanicsError

#: Region name given to the sliding layer around the femur.
FEMUR_LAYER = "femur_sliding_layer"

#: Fascia lata / iliotibial band: Otsuka 2020's in-vivo range is 17.6-272 kPa; we take 50 kPa (175 kPa at the
#: working strain, still inside the range).
_FASCIA_KPA = 50.0
#: Tangent (working-strain) modulus over the elastography modulus for muscle, fat and fascia: calibrated to
#: in-vivo indentation (see the module docstring and ``data/indentation_calibration.json``).
WORKING_STIFFENING = 3.5
#: Default sliding-layer shear modulus (kPa): a modelling choice, about 1/7 of muscle at the working strain.
SLIDING_KPA = 2.0


@dataclass(frozen=True)
class Materials:
    """Shear moduli in kPa and one Poisson's ratio; ``sliding_kpa`` and ``working_stiffening`` are modelling choices.

    ``muscle_kpa``, ``fat_kpa`` and ``fascia_kpa`` are small-strain (elastography) values; the model
    uses them times ``working_stiffening`` (:attr:`working_muscle_kpa`). ``sliding_kpa`` is used as given.
    """

    muscle_kpa: float = 3.8
    fat_kpa: float = 3.0
    fascia_kpa: float = _FASCIA_KPA
    sliding_kpa: float = SLIDING_KPA
    poisson: float = 0.49
    working_stiffening: float = WORKING_STIFFENING

    def __post_init__(self) -> None:
        if not 1.0 <= self.working_stiffening <= 100.0:
            raise MechanicsError(f"the working-strain stiffening must be 1-100, not {self.working_stiffening}")
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

    def with_stiffening(self, working_stiffening: float) -> Materials:
        return replace(self, working_stiffening=working_stiffening)

    @property
    def working_muscle_kpa(self) -> float:
        """Muscle's shear modulus as the model uses it: the tangent modulus at massage strain."""
        return self.muscle_kpa * self.working_stiffening

    def shear_modulus_mpa(self, region: str, compartment: Compartment, sliding: bool) -> float:
        """Shear modulus of one region in N/mm^2 (= MPa), the unit the solver works in."""
        if sliding:
            kpa = self.sliding_kpa
        elif compartment in (Compartment.FAT, Compartment.SKIN):
            kpa = self.fat_kpa * self.working_stiffening  # no sourced skin value: skin is treated as the fat under it
        elif compartment is Compartment.FASCIA:
            kpa = self.fascia_kpa * self.working_stiffening
        else:
            kpa = self.working_muscle_kpa  # muscles, vessels, nerves, unassigned
        return kpa * 1e-3
