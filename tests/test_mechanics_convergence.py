"""Mesh convergence of the slip at the frictional interface with the femur, on the default section."""

from __future__ import annotations

import numpy as np
import pytest

#: Element sizes as multiples of the defaults (MeshOptions: 1.2 mm at the femur, 2.5 at the skin, 5 elsewhere).
SCALES = (1.4, 1.0, 0.7)


def _interface_slip(model, direction: str) -> float:
    """Mean slip of the tissue on the bone (by outline length) where it slides, facing a 40 N hand at the bare
    medial femur (vastus medialis slides there): the large-deformation model, four load steps."""
    from thighview.mechanics import Contact

    contact = Contact("medial", direction, 40.0)
    bone = model.solve_path(contact, fractions=(0.25, 0.5, 0.75, 1.0)).bone
    where = bone.facing(contact.angle_deg) & (np.array(bone.state) != "bonded")
    assert where.sum() > 10
    return float(np.average(bone.slip_mm[where], weights=bone.weight[where]))


@pytest.mark.slow
def test_interface_slip_on_the_default_section_converges_within_five_percent(default_model):
    from thighview.mechanics import MeshOptions, PressureModel

    defaults = MeshOptions()
    slips = {}
    for scale in SCALES:
        options = MeshOptions(h_fine=defaults.h_fine * scale, h_skin=defaults.h_skin * scale,
                              h_coarse=defaults.h_coarse * scale)
        model = PressureModel.from_model(default_model, 0.5, options=options)
        slips[scale] = {d: _interface_slip(model, d) for d in ("into-bone", "sideways")}
        print(f"sizes x{scale}: {len(model.mesh.triangles)} triangles, slip at the femur facing the hand "
              + ", ".join(f"{d} {v:.3f} mm" for d, v in slips[scale].items()))
    fine, finer = slips[SCALES[-2]], slips[SCALES[-1]]
    for direction in fine:
        assert abs(fine[direction] - finer[direction]) <= 0.05 * finer[direction], direction
