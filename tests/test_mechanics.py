"""The pressure model: contact placement, loads, factorise-once, physics claims, readouts, frames, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point

from thighview.errors import MechanicsError
from thighview.mechanics import (
    Contact, Materials, MeshOptions, PressureModel, compare_summary, tool_named, toy_section,
)
from thighview.mechanics.geometry import SectionShape, place_angle

PLACES = ("anterolateral", "lateral", "medial", "posterolateral", "posterior")


@pytest.fixture(scope="module")
def toy():
    return PressureModel.from_polygons(toy_section())


def _pair(model, at, force=40.0):
    return [model.preview(Contact(at, d, force)).readout() for d in ("into-bone", "sideways")]


def test_places_by_name_and_angle():
    assert place_angle("anterolateral") == 45.0
    assert place_angle("Postero-lateral") == 135.0
    assert place_angle("-30") == -30.0
    assert place_angle(200) == 200.0
    with pytest.raises(MechanicsError, match="unknown contact place"):
        place_angle("elbow")


@pytest.mark.parametrize("side, sign", [("right", -1.0), ("left", 1.0)])
def test_lateral_is_minus_x_on_a_right_thigh(side, sign):
    shape = SectionShape.from_polygons(toy_section(), side=side)
    lateral = shape.skin_point(place_angle("lateral")) - shape.centre
    anterior = shape.skin_point(place_angle("anterior")) - shape.centre
    assert np.sign(lateral[0]) == sign and abs(lateral[1]) < 1.0
    assert anterior[1] > 60.0


def test_load_resultant_is_the_force_per_mm_of_thigh(toy):
    contact = Contact("posterolateral", "sideways", force_n=30.0, tool=tool_named("thumb"))
    rhs = toy.load_vector(contact)
    comp = toy.solver.dof_component()
    resultant = np.array([rhs[comp == 0].sum(), rhs[comp == 1].sum()])
    _, direction, _ = toy.contact_frame(contact)
    assert np.allclose(resultant, 30.0 / 25.0 * direction)
    # sideways leans as far as a hand's friction on dry skin allows, atan(0.5), off the line to the femur centre
    point, _, _ = toy.contact_frame(contact)
    inward = (toy.shape.centre - point) / np.linalg.norm(toy.shape.centre - point)
    assert np.degrees(np.arccos(direction @ inward)) == pytest.approx(np.degrees(np.arctan(0.5)))
    leaning = Contact("posterolateral", "sideways", force_n=30.0, lean_deg=80.0)
    _, direction, _ = toy.contact_frame(leaning)
    assert np.degrees(np.arccos(direction @ inward)) == pytest.approx(80.0)


def test_moving_the_contact_reuses_the_factorisation(toy):
    lu = toy.solver._lu
    a = toy.preview(Contact("lateral", "into-bone", 20.0))
    b = toy.preview(Contact("lateral", "into-bone", 40.0))
    toy.preview(Contact("medial", "sideways", 40.0))
    assert toy.solver._lu is lu
    assert np.allclose(b.displacement, 2 * a.displacement)
    assert np.allclose(a.scaled(2.0).displacement, b.displacement)


def _what_the_physics_implies(into, side) -> None:
    """Same force: the push into the bone sinks at least as deep; the sideways push drags the skin further."""
    assert side.indentation_mm <= into.indentation_mm
    assert side.drag_mm > into.drag_mm


@pytest.mark.parametrize("at", PLACES)
def test_preview_on_a_toy_section_does_what_the_physics_implies(toy, at):
    _what_the_physics_implies(*_pair(toy, at))


def test_softer_sliding_layers_slip_more():
    shape = SectionShape.from_polygons(toy_section())
    coarse = MeshOptions(h_fine=2.0, h_skin=3.0, h_coarse=6.0)
    slips = [PressureModel(shape, Materials.from_targets(kpa), coarse).preview(Contact("lateral", "sideways"))
             .readout().femur_slip.mean_mm for kpa in (0.25, 2.0)]
    assert slips[0] > 1.3 * slips[1]   # 8x softer layers: about 1.5x the slip with the 3-D-fitted closure


def test_readout_states_units_and_modelling_choice(toy):
    into, side = _pair(toy, "anterolateral")
    data = into.as_dict()
    assert data["units"]["slip"] == "mm" and data["load"]["force_n"] == 40.0
    assert {"femur", "lateral_intermuscular_septum"} <= set(data["slip_mm"])
    assert "modelling choice" in data["model"]["note"]
    json.dumps(data)
    assert "kPa shear modulus (a modelling choice)" in into.table()
    line = compare_summary(side, into)
    assert line.startswith("septal slip") and " vs " in line and "%" in line


@pytest.mark.parametrize("polygons, message", [
    ({"vastus_lateralis": MultiPolygon([Point(0, 0).buffer(50)])}, "no femur"),
    ({"femur": MultiPolygon([Point(0, 0).buffer(10)])}, "no soft tissue"),
    ({"femur": MultiPolygon([Point(200, 0).buffer(10)]),
      "vastus_lateralis": MultiPolygon([Point(0, 0).buffer(50)])}, "inside the soft tissue"),
])
def test_impossible_sections_are_one_line_errors(polygons, message):
    with pytest.raises(MechanicsError, match=message):
        PressureModel.from_polygons(polygons)


def test_bad_loads_are_refused():
    with pytest.raises(MechanicsError, match="direction"):
        Contact(direction="up")
    with pytest.raises(MechanicsError, match="force"):
        Contact(force_n=-5)
    with pytest.raises(MechanicsError, match="tool"):
        tool_named("elbow")
    with pytest.raises(MechanicsError, match="Poisson"):
        Materials(poisson=0.5)


def test_frames_ramp_the_load_up_and_down(toy):
    from thighview.mechanics.animation import ramp
    from thighview.render.pressure2d import FrameStyle, frames

    r = ramp(9)
    assert r[0] == 0 and r[-1] == 0 and r.max() == pytest.approx(1.0)
    shots = list(frames(toy, [Contact("lateral", "into-bone"), Contact("lateral", "sideways")], n_frames=5,
                        style=FrameStyle(panel_px=160, colour_by="slip"), nonlinear=False))
    assert len(shots) == 5 and len({s.shape for s in shots}) == 1 and shots[0].shape[1] == 320
    assert np.abs(shots[2].astype(int) - shots[0].astype(int)).sum() > 0   # the loaded frame differs
    assert np.array_equal(shots[0], shots[-1])                             # and it relaxes back


# -- the default model: the claims the app makes -------------------------------------------------

@pytest.fixture(scope="module")
def default_pressure(default_model):
    return PressureModel.from_model(default_model, 0.5)


def test_default_model_mesh_is_sound(default_pressure):
    mesh = default_pressure.mesh
    assert mesh.min_angles_deg().min() > 10.0
    assert abs(mesh.areas.sum() - default_pressure.shape.domain.area) < 0.01 * default_pressure.shape.domain.area
    names = set(default_pressure.region_names)
    assert {"femur_sliding_layer", "lateral_intermuscular_septum:sliding", "vastus_lateralis"} <= names


@pytest.mark.parametrize("at", ["anterolateral", "lateral", "posterior"])
def test_default_model_preview_what_the_physics_implies(default_pressure, at):
    into, side = _pair(default_pressure, at)
    _what_the_physics_implies(into, side)
    assert len(into.slip) == 4  # the femur and all three septa are gauged


def _calibration_range() -> tuple[float, float]:
    from thighview._resources import data_path

    table = json.loads(data_path("indentation_calibration.json").read_text())
    low, high = table["target"]["peak_indentation_mm"]["range"]
    return float(low), float(high)


def test_a_hand_indents_the_default_section_as_in_vivo_data_say(default_pressure):
    """Calibration: 40 N by a hand, into the bone, sinks 10-25 mm (data/indentation_calibration.json)."""
    low, high = _calibration_range()
    assert (low, high) == (10.0, 25.0)
    d = default_pressure.preview(Contact("anterolateral", "into-bone", 40.0, tool=tool_named("hand")))
    hand = d.readout()
    # the target is the *peak* sink under the hand (the quantity the factor was calibrated on): the largest
    # displacement along the push among the skin points under the tool; the readout's indentation is their
    # pressure-weighted mean along each point's own normal, which is smaller
    _, _, _, xdof, ydof = default_pressure.skin_under(d.contact)
    peak = float((np.column_stack([d.dofs[xdof], d.dofs[ydof]]) @ d.direction).max())
    assert low <= peak <= high
    assert hand.indentation_mm <= peak
    assert hand.peak_displacement_mm <= high          # nothing else in the section moves further
    assert hand.drag_mm < 0.5 * hand.indentation_mm   # into the bone, the tool sinks more than it drags
    assert hand.working_stiffening > 1.0              # because the tangent stiffness is used, not elastography's


def test_elastography_stiffness_alone_indents_far_too_deep(default_pressure):
    """Why the working-strain stiffening exists: at elastography's small-strain modulus the same hand sinks > 25 mm."""
    shape = default_pressure.shape
    raw = PressureModel(shape, Materials.from_targets().with_stiffening(1.0), default_pressure.options)
    hand = raw.preview(Contact("anterolateral", "into-bone", 40.0)).readout()
    assert hand.indentation_mm > _calibration_range()[1]


def test_cli_pressure_json_and_errors(capsys):
    from thighview.cli import main

    assert main(["pressure", "--direction", "compare", "--format", "json", "--force", "20",
                 "--lean", "60"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["results"]) == {"into-bone", "sideways"}
    side = data["results"]["sideways"]
    assert side["load"]["force_n"] == 20.0 and side["force_n"] == 20.0
    assert side["lean_deg"] == 60.0 and data["results"]["into-bone"]["lean_deg"] == 0.0
    assert side["material_model"].startswith("linear") and side["friction"] is None
    assert main(["pressure", "--at", "elbow"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("thighview: error:") and "elbow" in err and "\n" not in err


def test_cli_animate_writes_a_gif_atomically(tmp_path, capsys):
    from PIL import Image

    from thighview.cli import main

    out = tmp_path / "demo.gif"
    assert main(["animate", "--direction", "sideways", "--frames", "3", "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.gif"]
    assert main(["animate", "--frames", "3", "--out", str(out)]) == 1  # exists: refused, not overwritten


def test_rolling_contact_moves_along_the_skin(toy):
    from thighview.render.pressure2d import FrameStyle, rolling_frames

    shots = list(rolling_frames(toy, [Contact("lateral", "sideways", tool=tool_named("ball"))], 60.0, n_frames=3,
                                style=FrameStyle(panel_px=160)))
    assert len(shots) == 3
    assert not np.array_equal(shots[0], shots[2])


def test_deformed_slab_for_the_3d_view(default_pressure):
    d = default_pressure.preview(Contact("lateral", "into-bone"))
    points, faces = d.slab(half_thickness_mm=5.0)
    n = len(default_pressure.mesh.points)
    assert points.shape == (2 * n, 3) and faces.max() < 2 * n
    frame = default_pressure.frame
    depth = (points - frame.origin) @ frame.normal
    assert np.allclose(np.sort(np.unique(np.round(depth, 6))), [-5.0, 5.0])
    # at rest the slab's faces lie on the section: in-plane coordinates are the mesh's
    rest, _ = default_pressure.preview(Contact("lateral", "into-bone")).scaled(0.0).slab(5.0)
    assert np.allclose(frame.to_2d(rest[:n]), default_pressure.mesh.points)
