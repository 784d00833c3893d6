"""The stage's geometry and state, without Qt: the tool to scale, the lean handle, drags at held scales,
and the one drawer moving its artists in place."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_thigh import synthetic_model

from thighview.mechanics import TOOLS, Contact, PressureModel


@pytest.fixture(scope="module")
def toy():
    from thighview.section import SectionEngine

    model = synthetic_model()
    return PressureModel.from_section(SectionEngine(model).section(0.5), side=model.side)


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_the_tool_is_drawn_to_scale_on_the_contact(toy, tool):
    import shapely

    from thighview.render.pressure_tool import tool_pose

    d = toy.preview(Contact("lateral", "sideways", tool=TOOLS[tool]))
    pose = tool_pose(d, exaggeration=1.0, load_fraction=1.0)
    back = -d.direction
    across = np.array([back[1], -back[0]])
    local = pose.outline - pose.contact
    # to scale: as wide across the push as the tool's contact (a thumb's and a hand's outline a little wider)
    width = TOOLS[tool].width_mm
    assert 0.95 * width <= np.ptp(local @ across) <= 1.3 * width
    assert (local @ back).min() == pytest.approx(0.0, abs=0.5)   # on the skin, not in it nor floating
    assert shapely.LineString(local).distance(shapely.Point(0.0, 0.0)) < 0.5   # its outline through the contact
    # the contact is the deformed skin under the tool: the rest point moved by the displacement there
    moved = np.linalg.norm(pose.contact - d.point)
    assert 0.0 < moved <= np.linalg.norm(d.displacement, axis=1).max()
    assert abs(float((pose.arrow_tail - pose.arrow_tip) @ across)) < 1e-9  # the arrow along the push


def test_the_arrow_grows_with_the_load_and_dragging_its_handle_gives_the_lean_back(toy):
    from thighview.render.pressure_tool import lean_towards, tool_pose

    leaning = Contact("lateral", "sideways", lean_deg=40.0, side="anterior")
    d = toy.preview(leaning)
    half, full = tool_pose(d, 1.0, 0.5), tool_pose(d, 1.0, 1.0)
    assert np.linalg.norm(full.arrow_tail - full.arrow_tip) == pytest.approx(
        2 * np.linalg.norm(half.arrow_tail - half.arrow_tip), rel=0.1)
    # the handle at the arrow's end, seen from the rest contact: the same push
    lean, side = lean_towards(d, d.point - d.direction * 30.0)
    assert lean == pytest.approx(40.0, abs=0.5) and side == "anterior"
    assert lean_towards(d, d.point + (d.point - toy.shape.centre))[0] == pytest.approx(0.0, abs=0.5)


def test_a_drag_keeps_the_scales_and_the_drop_takes_its_own():
    from thighview.app.pressure import PressureState
    from thighview.section import SectionEngine

    events = []
    state = PressureState(events.append)
    model = synthetic_model()
    state.set_model(PressureModel.from_section(SectionEngine(model).section(0.5), side=model.side))
    first = state.scene
    state.place_at(200.0, keep_scales=True)
    assert state.settings.at == 200.0 and state.scene is not first
    # a drag's frame: the preview at the held scales, with the caption of the picture it replaces
    held = lambda s: (s.exaggeration, s.compression_limit_pct, s.slip_limit_mm, s.shear_limit_pct)  # noqa: E731
    assert state.scene.preview and held(state.scene) == held(first) and state.scene.caption == first.caption
    assert events[-2].scene is state.scene and events[-2].scene.preview   # what the readouts skip
    state.release_scales()
    own = PressureState(lambda _e: None)
    own.set_model(state.model)
    own.update(at=200.0)
    assert not state.scene.preview and held(state.scene) == held(own.scene)
    assert state.scene.caption == own.scene.caption != first.caption   # the drop's readouts, written
    assert not own.scene.preview


def test_a_drag_frame_is_the_full_solution_of_its_place_drawn_at_the_held_scales(toy):
    """The preview of both directions from one pass of the solves is the solution of each, to rounding."""
    from dataclasses import replace

    from thighview.mechanics.animation import Scene

    contacts = [Contact("anterolateral", "into-bone"), Contact("anterolateral", "sideways", lean_deg=30.0)]
    shown = Scene.solve(toy, contacts)
    moved = [replace(c, at=130.0) for c in contacts]
    frame, full = Scene.held_preview(toy, moved, shown), Scene.solve(toy, moved)
    assert frame.preview and not full.preview and frame.caption == shown.caption
    assert frame.compression_limit_pct == shown.compression_limit_pct != full.compression_limit_pct
    for a, b in zip(frame.deformations, full.deformations, strict=True):
        assert a.contact == b.contact
        scale = np.abs(b.dofs).max()
        assert np.abs(a.dofs - b.dofs).max() < 1e-9 * scale and scale > 0
        assert np.allclose(a.compression, b.compression, rtol=0, atol=1e-9 * np.abs(b.compression).max())
        assert np.allclose(a.bone.normal_kpa, b.bone.normal_kpa, rtol=1e-9, atol=1e-9)
        assert all(np.allclose(a.slip[k], b.slip[k], rtol=1e-9, atol=1e-12) for k in b.slip)


def test_a_move_is_placed_from_the_push_shown_nearly_where_the_trial_puts_it(toy):
    """While dragging, the tool is placed with the drag of the skin of the push shown (no trial solve):
    a few degrees on, it lands within a fraction of a degree of the exact place."""
    from thighview.mechanics.animation import Scene
    from thighview.render.pressure_tool import angle_of, place_under, tool_pose

    contact = Contact(240.0, "sideways")
    scale = Scene.solve(toy, [contact]).exaggeration
    shown = toy.preview(contact)
    point = tool_pose(toy.preview(Contact(247.0, "sideways")), scale, 1.0).contact   # 7 degrees on
    exact = place_under(shown, point, scale, 1.0)
    moved = place_under(shown, point, scale, 1.0, trial=False)
    drawn = lambda at: angle_of(toy.shape, tool_pose(toy.preview(Contact(at, "sideways")), scale, 1.0).contact)  # noqa: E731
    wanted = angle_of(toy.shape, point)
    error = lambda at: abs((drawn(at) - wanted + 180.0) % 360.0 - 180.0)  # noqa: E731
    naive = error(wanted)
    assert naive > 1.0 and error(exact) < 0.25 * naive and error(moved) < 0.25 * naive


def test_a_lean_leans_the_sideways_push_and_leaves_the_comparisons_straight_one():
    from thighview.app.pressure import PressureState

    state = PressureState(lambda _e: None)
    state.lean_to(12.0, "posterior")
    into, sideways = state.contacts()
    assert into.lean == 0.0 and sideways.lean == 12.0 and sideways.side == "posterior"
    state.update(direction="into-bone")
    state.lean_to(35.0, None)  # leaning a straight push makes it a sideways one
    assert state.settings.direction == "sideways" and state.contacts()[0].lean == 35.0
    state.lean_to(0.0, None)
    assert state.contacts()[0].lean == 0.0   # leans below the friction preset can be chosen too


def test_the_scene_figure_moves_its_artists_in_place(toy):
    from matplotlib.figure import Figure

    from thighview.mechanics.animation import Scene
    from thighview.render.pressure2d import FrameStyle, PanelDrawer, SceneFigure
    from thighview.render.raster import figure_rgba

    contacts = [Contact("lateral", "into-bone"), Contact("lateral", "sideways")]
    scene = Scene.solve(toy, contacts)
    drawing = SceneFigure(Figure(figsize=(6.0, 3.6), dpi=100), PanelDrawer(toy, FrameStyle()), 2)
    assert drawing.update(scene, 0.2)        # the first frame lays out the colour bar
    artists = [id(a) for a in drawing.figure.findobj()]
    early = figure_rgba(drawing.figure)
    assert not drawing.update(scene, 0.9)    # same scales: only the moving parts changed
    assert [id(a) for a in drawing.figure.findobj()] == artists   # no artist made or removed
    assert np.abs(figure_rgba(drawing.figure).astype(int) - early).mean() > 0.5
    a, b = (p.ax.get_window_extent() for p in drawing.panels)
    assert (a.width, a.height) == pytest.approx((b.width, b.height))


def test_the_colour_blind_palette_changes_the_pressure_drawing(toy):
    from matplotlib.figure import Figure

    from thighview.mechanics.animation import Scene
    from thighview.render.pressure2d import FrameStyle, PanelDrawer, colour_map, draw_scene
    from thighview.render.raster import figure_rgba

    scene = Scene.solve(toy, [Contact("lateral", "sideways")])
    shots = []
    for palette in ("braus", "colorblind"):
        fig = Figure(figsize=(4.0, 4.0), dpi=100)
        draw_scene(fig, scene, PanelDrawer(toy, FrameStyle(palette=palette)), 1.0)
        shots.append(figure_rgba(fig).astype(int))
    assert np.abs(shots[0] - shots[1]).mean() > 1.0
    assert colour_map("compression", "braus") != colour_map("compression", "colorblind")


def test_a_tool_put_down_is_drawn_where_it_was_put(toy):
    """A sideways push drags the skin along: the place chosen for a point is corrected so that the tool,
    drawn on the dragged skin, lands at the point's angle."""
    from thighview.render.pressure_tool import angle_of, place_under, tool_pose

    from thighview.mechanics.animation import Scene

    shown = toy.preview(Contact("anterolateral", "sideways"))
    scale = Scene.solve(toy, [shown.contact]).exaggeration   # as the app draws it
    point = toy.shape.skin_point(250.0)
    naive = tool_pose(toy.preview(Contact(250.0, "sideways")), scale, 1.0).contact
    at = place_under(shown, point, exaggeration=scale, load_fraction=1.0)
    drawn = tool_pose(toy.preview(Contact(at, "sideways")), scale, 1.0).contact
    error = lambda p: abs((angle_of(toy.shape, p) - 250.0 + 180.0) % 360.0 - 180.0)  # noqa: E731
    assert error(drawn) < 0.25 * error(naive) and error(naive) > 2.0
