"""Coulomb friction at the bone interface: stick below mu*N, slip above, and what a push into the bone does."""

from __future__ import annotations

import json

import numpy as np
import pytest

from thighview.mechanics.hyperelastic import BoneInterface


@pytest.mark.parametrize("ratio", [0.98, 1.02])
def test_the_friction_law_sticks_below_mu_n_and_slips_above_it(ratio):
    """At one interface node (the return mapping): the threshold is exactly mu times the contact pressure."""
    mu, eps = 0.3, 2.0
    node = BoneInterface(np.array([0]), np.array([1]), np.array([[0.0, 1.0]]), np.array([1.0]), mu, eps)
    gap = -1e-3                                       # pressed in: pressure = eps * 1e-3
    slip = ratio * mu * eps * 1e-3 / eps              # the stick traction would be ratio * mu * pressure
    u = np.array([-slip, gap])                        # tangent = (-1, 0)
    pressure, shear, slipping, _ = node.tractions(u, np.zeros(1))
    assert pressure[0] == pytest.approx(eps * 1e-3)
    assert bool(slipping[0]) == (ratio > 1.0)
    assert abs(shear[0]) == pytest.approx(min(ratio, 1.0) * mu * pressure[0], rel=1e-12)


@pytest.fixture(scope="module")
def toy_model():
    from thighview.mechanics import PressureModel, toy_section
    from thighview.mechanics.model import MeshOptions

    return PressureModel.from_polygons(toy_section(), level=0.5,
                                       options=MeshOptions(h_fine=2.0, h_skin=3.0, h_coarse=6.0))


def _bone_slip(model, force: float, lean: float, friction: float) -> float:
    """Mean slip of the tissue on the bone where it slides (not bonded), facing the contact (+/- 45 degrees)."""
    from thighview.mechanics import Contact

    contact = Contact("medial", "sideways", force_n=force, lean_deg=lean, side="anterior")
    bone = model.solve_path(contact, fractions=(0.25, 0.5, 0.75, 1.0), friction=friction).bone
    where = bone.facing(contact.angle_deg) & (np.array(bone.state) != "bonded")
    assert where.sum() > 5
    return float(np.average(bone.slip_mm[where], weights=bone.weight[where]))


def _slips_with_and_without_a_push(model, along: float) -> dict[float, tuple[float, float]]:
    """Slip on the bare medial femur (vastus medialis slides there) under ``along`` N along the skin, alone or
    with as much again into the bone (lean 45 degrees), without and with friction (0.5, the top of the measured
    range): the mean slip facing the contact, (alone, pressed) per friction coefficient."""
    both = (along * np.sqrt(2.0), 45.0)
    out = {mu: (_bone_slip(model, along, 90.0, mu), _bone_slip(model, *both, mu)) for mu in (0.0, 0.5)}
    print(f"{along:g} N along the skin, slip facing the contact, mm: frictionless {out[0.0][0]:.3f} -> "
          f"{out[0.0][1]:.3f} with the push; friction 0.5 {out[0.5][0]:.3f} -> {out[0.5][1]:.3f}")
    return out


@pytest.fixture(scope="module")
def pressing(toy_model):
    """20 N along the skin, alone or with 20 N more into the bone (see :func:`_slips_with_and_without_a_push`)."""
    return _slips_with_and_without_a_push(toy_model, 20.0)


def test_friction_holds_the_layer_and_pressing_holds_it_more_with_friction_than_without(pressing):
    (free_alone, free_pressed), (held_alone, held_pressed) = pressing[0.0], pressing[0.5]
    assert held_alone < free_alone                                   # friction holds it
    assert held_pressed / held_alone < free_pressed / free_alone     # the push into the bone holds it through friction


@pytest.mark.xfail(strict=True, reason="model outcome, reported in docs/mechanics.md: with the 3-D-derived closure a "
                                       "push into the bone also reduces the frictionless slip facing the contact "
                                       "(by less than with friction)")
def test_without_friction_a_push_into_the_bone_does_not_hold_the_layer(pressing):
    free_alone, free_pressed = pressing[0.0]
    assert free_pressed >= 0.98 * free_alone


def test_at_a_small_load_a_push_into_the_bone_holds_the_layer(toy_model):
    """At 1 N (effectively small strain) the push reduces the slip, and more with friction than without."""
    slips = _slips_with_and_without_a_push(toy_model, 1.0)
    (free_alone, free_pressed), (held_alone, held_pressed) = slips[0.0], slips[0.5]
    assert held_pressed < held_alone
    assert held_pressed / held_alone < free_pressed / free_alone


@pytest.fixture(scope="module")
def pair(toy_model):
    from thighview.mechanics import Contact

    return [toy_model.solve(Contact("anterolateral", d), nonlinear=True).readout() for d in ("into-bone", "sideways")]


def test_a_sideways_push_sinks_no_deeper_than_one_into_the_bone(pair):
    """Depth below the undeformed skin: the sideways tool slides the tissue round the thigh instead of sinking."""
    into, side = pair
    assert side.indentation_mm <= into.indentation_mm
    assert side.drag_mm > into.drag_mm


def test_into_the_bone_loads_the_bone_more(pair, toy_model):
    """Large deformation, same force: what the physics implies, whatever the sizes come out as."""
    into, side = pair
    assert into.material_model.startswith("nearly incompressible neo-Hookean")
    assert into.bone_normal_kpa[1] > side.bone_normal_kpa[1] > 0
    assert sum(into.interface_shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 < into.interface_shares["bonded"] < 1.0   # the attachment map bonds part of the outline
    data = json.loads(json.dumps(side.as_dict()))
    assert data["lean_deg"] == pytest.approx(26.57, abs=0.01) and data["force_n"] == 40.0
    assert data["friction"]["coefficient"] == toy_model.friction and "Uchiyama" in data["friction"]["source"]
    femur = data["interfaces"]["femur"]
    assert femur["slip_mm"]["max"] >= femur["slip_mm"]["mean"] >= 0
    assert set(femur["state"]) == {"bonded", "stick", "slip", "open"}
    assert data["bone_normal_stress_kpa"]["mean_facing_contact"] == pytest.approx(side.bone_normal_kpa[1], abs=1e-3)
    assert data["indentation_mm"] == pytest.approx(side.indentation_mm, abs=1e-3) and data["peak_strain"] > 0


def test_frames_follow_the_solution_path(toy_model):
    from thighview.mechanics import Contact

    d = toy_model.solve_path(Contact("lateral", "into-bone", 20.0), fractions=(0.5, 1.0))
    assert [s.fraction for s in d.path] == [0.5, 1.0]
    assert np.array_equal(d.scaled(0.5).dofs, d.path[0].dofs)      # exact at a load step
    assert np.array_equal(d.scaled(1.0).dofs, d.path[1].dofs)
    assert np.allclose(d.scaled(0.25).dofs, 0.5 * d.path[0].dofs)  # between rest and the first step
    assert d.scaled(0.75).fraction == 0.75


def test_indentation_is_depth_below_the_skin_not_travel_round_it(toy_model):
    """Turning the whole section 20 degrees round its centre slides the skin along itself: nothing sinks.

    (Projected on each point's starting normal the same motion would read R (1 - cos 20 deg) = 4.8 mm.)
    """
    from dataclasses import replace

    from thighview.mechanics import Contact

    preview = toy_model.preview(Contact("anterolateral", "sideways"))
    x = toy_model.solver.ubasis.doflocs
    a = np.radians(20.0)
    turned = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ x - x
    u = np.where(toy_model.solver.dof_component() == 0, turned[0], turned[1])
    indentation, drag = replace(preview, dofs=u).at_contact()
    assert abs(indentation) < 0.05                     # the polygonal skin's sagitta, not 4.8 mm
    assert drag == pytest.approx(80.0 * a, rel=0.01)   # the toy's skin radius is 80 mm
    shrunk = np.where(toy_model.solver.dof_component() == 0, -0.05 * x[0], -0.05 * x[1])
    sunk, _ = replace(preview, dofs=shrunk).at_contact()
    assert sunk == pytest.approx(0.05 * 80.0, rel=0.01)   # shrunk by 5 % towards the centre: 4 mm deep
