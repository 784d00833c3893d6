"""Mesh convergence of the slip at the frictional interface with the femur, on the default section."""

from __future__ import annotations

import numpy as np
import pytest

#: Element sizes as multiples of the defaults (MeshOptions: 1.2 mm at the femur, 2.5 at the skin, 5 elsewhere).
SCALES = (1.4, 1.0, 0.7)


def _model(default_model, scale: float):
    from thighview.mechanics import MeshOptions, PressureModel

    d = MeshOptions()
    options = MeshOptions(h_fine=d.h_fine * scale, h_skin=d.h_skin * scale, h_coarse=d.h_coarse * scale)
    return PressureModel.from_model(default_model, 0.5, options=options)


def _interface_slip(model, direction: str) -> float:
    """Mean slip of the tissue on the bone (by outline length) where it slides, facing a 40 N hand at the bare
    medial femur (vastus medialis slides there): the large-deformation model, four load steps."""
    from thighview.mechanics import Contact

    contact = Contact("medial", direction, 40.0)
    bone = model.solve_path(contact, fractions=(0.25, 0.5, 0.75, 1.0)).bone
    where = bone.facing(contact.angle_deg) & (np.array(bone.state) != "bonded")
    assert where.sum() > 10
    return float(np.average(bone.slip_mm[where], weights=bone.weight[where]))


@pytest.fixture(scope="module")
def slips(default_model) -> dict[float, dict[str, float]]:
    out = {}
    for scale in SCALES:
        model = _model(default_model, scale)
        out[scale] = {d: _interface_slip(model, d) for d in ("into-bone", "sideways")}
        print(f"sizes x{scale}: {len(model.mesh.triangles)} triangles, slip at the femur facing the hand "
              + ", ".join(f"{d} {v:.3f} mm" for d, v in out[scale].items()))
    return out


@pytest.mark.slow
def test_interface_slip_changes_by_under_five_percent_from_the_default_mesh_to_a_finer_one(slips):
    """Sizes 1.4x, 1.0x (the defaults) and 0.7x: the two finest agree within 5 %, both directions."""
    fine, finer = slips[SCALES[-2]], slips[SCALES[-1]]
    for direction in fine:
        assert abs(fine[direction] - finer[direction]) <= 0.05 * finer[direction], direction


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="diagnosed in docs/mechanics.md (Limits, 5): the mesh gives the thin fascia "
                                       "lata 35 / 50 / 84 % of its area at 1.0x / 0.7x / 0.5x; smearing it fixes this "
                                       "but needs the stiffening recalibrated and a Newton loop that survives it")
def test_sideways_interface_slip_holds_at_half_the_default_sizes(slips, default_model):
    finest = _interface_slip(_model(default_model, 0.5), "sideways")
    print(f"sizes x0.5: sideways slip at the femur facing the hand {finest:.3f} mm")
    assert abs(finest - slips[0.7]["sideways"]) <= 0.05 * finest
