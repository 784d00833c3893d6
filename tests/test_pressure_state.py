"""The pressure demo's state without Qt: settings, solving, playback frames, the guided demo, sessions."""

from __future__ import annotations

import pytest

from thighview.app import pressure as ps
from thighview.mechanics import PressureModel, toy_section


@pytest.fixture(scope="module")
def toy():
    return PressureModel.from_polygons(toy_section())


@pytest.fixture
def pressure(toy):
    events: list = []
    state = ps.PressureState(events.append)
    state.set_model(toy)
    return state, events


def _types(events) -> list[type]:
    return [type(e) for e in events]


def test_a_model_is_solved_and_its_frame_published(pressure, toy):
    state, events = pressure
    assert _types(events) == [ps.PressureSolved, ps.PressureFrame]
    scene = events[0].scene
    assert scene is state.scene and events[0].error is None
    assert [d.contact.direction for d in scene.deformations] == ["into-bone", "sideways"]  # "compare"
    frame = events[1]
    assert frame.scene is scene and not frame.playing and frame.load_fraction == 1.0  # at rest: the full load


def test_a_load_setting_solves_again_and_colouring_does_not(pressure):
    state, events = pressure
    events.clear()
    state.update(force_n=20.0, tool="thumb")
    assert _types(events) == [ps.PressureChanged, ps.PressureSolved, ps.PressureFrame]
    assert set(events[0].names) == {"force_n", "tool"}
    assert all(d.contact.force_n == 20.0 and d.contact.tool.name == "thumb" for d in state.scene.deformations)
    events.clear()
    state.update(colour_by="slip")
    assert _types(events) == [ps.PressureChanged] and events[0].names == ("colour_by",)
    events.clear()
    state.update(force_n=20.0)  # no change, no event
    assert events == []


def test_one_direction_and_a_lean(pressure):
    state, _ = pressure
    state.update(direction="sideways", side="anterior", lean_deg=45.0, at="lateral")
    (shown,) = state.scene.deformations
    assert shown.contact.direction == "sideways" and shown.contact.lean_deg == 45.0 and shown.towards == "anterior"


def test_an_impossible_push_is_an_error_not_a_result(pressure):
    state, events = pressure
    events.clear()
    state.update(direction="sideways", at="anterior", side="anterior")  # straight into the bone
    solved = next(e for e in events if isinstance(e, ps.PressureSolved))
    assert solved.scene is None and "into or out of the bone" in solved.error


def test_playback_is_frame_i_of_n_and_stops_at_the_end_without_loop(pressure):
    state, events = pressure
    state.set_loop(False)
    events.clear()
    state.play(True)
    n = state.playback.n_frames
    for _ in range(n):
        state.advance()
    frames = [e for e in events if isinstance(e, ps.PressureFrame)]
    assert [f.index for f in frames] == [0, *range(1, n), 0]
    assert all(f.n_frames == n for f in frames) and frames[-1].playing is False and frames[-2].playing
    assert frames[0].load_fraction == 0.0 and max(f.load_fraction for f in frames) == pytest.approx(1.0)


def test_the_guided_demo_places_the_contact_captions_and_plays(pressure):
    from thighview.mechanics.demo import GUIDED_DEMO

    state, events = pressure
    state.step_demo(+1)
    state.step_demo(+1)
    step = GUIDED_DEMO[1]
    assert (state.settings.at, state.settings.side, state.settings.direction) == (step.at, step.side, "compare")
    assert state.scene.caption.startswith(f"2. {step.title}")
    assert state.playback.playing and state.playback.index == 0
    state.step_demo(-2)  # wraps round to the last step
    assert state.demo_step == len(GUIDED_DEMO) - 1 and state.settings.at == GUIDED_DEMO[-1].at
    state.place_at(10.0)  # a click on the skin ends the guided demo's caption
    assert state.demo_step is None and state.settings.at == 10.0
    assert state.scene.caption.startswith("sideways vs into the bone")


def test_settings_round_trip_exactly_through_a_mapping(pressure):
    state, _ = pressure
    state.update(at=123.0, direction="into-bone", side="medial", force_n=77.0, tool="ball", lean_deg=50.0,
                 sliding_kpa=1.5, colour_by="shear")
    saved = state.settings.as_dict()
    other = ps.PressureState(lambda _e: None)
    other.apply(saved)
    assert other.settings == state.settings
    other.apply({})  # nothing stored: the defaults
    assert other.settings == ps.PressureSettings()


@pytest.mark.parametrize(("data", "message"), [
    ({"force_n": 0.0}, "'force_n' must be a number from 1 to 200"),
    ({"force_n": True}, "'force_n' must be a number"),
    ({"lean_deg": 95.0}, "'lean_deg' must be a number from 0 to 90"),
    ({"side": "up"}, "'side' must be one of"),
    ({"colour_by": "heat"}, "'colour_by' must be one of"),
    ({"at": [1, 2]}, "not a name or an angle"),
    ({"volume": 11}, "'volume' is not understood"),
])
def test_bad_settings_are_one_line_errors(data, message):
    with pytest.raises(ValueError, match=message):
        ps.settings_from_mapping(data)


def test_a_new_level_drops_the_old_pressure_result_before_the_views_move():
    from synthetic_thigh import synthetic_model

    from thighview.app import state as st
    from thighview.section import SectionEngine

    model = synthetic_model()
    state = st.AppState()
    state.set_model(model, SectionEngine(model), level=0.5)
    state.pressure.set_model(PressureModel.from_section(state.section, side=model.side))
    state.pressure.play(True)
    events: list = []
    state.subscribe(events.append)
    state.set_level(0.6)
    kinds = _types(events)
    assert kinds[:3] == [ps.PressureSolved, ps.PressureFrame, st.LevelChanged]
    assert events[1].scene is None and state.pressure.model is None and state.pressure.scene is None


def test_a_bad_update_is_refused_and_changes_nothing(pressure):
    state, events = pressure
    before = state.settings
    events.clear()
    with pytest.raises(ValueError, match="'direction' must be one of"):
        state.update(direction="upwards", force_n=50.0)
    assert state.settings == before and events == []


def test_the_cli_and_the_app_build_one_pressure_model(default_model, capsys):
    """One entry point (``PressureModel.from_model``): ``thighview pressure`` and the app's state give the same
    figures for the same model, level and direction (same mesh, materials and out-of-plane closure)."""
    import json

    from thighview.app.state import AppState
    from thighview.cli import main
    from thighview.section import SectionEngine

    level = 0.3  # away from mid-thigh, where the closure's holding length is its own
    assert main(["pressure", "--level", str(level), "--direction", "compare", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)["results"]
    app = AppState()
    app.set_model(default_model, SectionEngine(default_model), level)
    app.pressure.set_model(app.pressure.model_builder(app.model, app.section)())
    shown = {d.contact.direction: d.readout().as_dict() for d in app.pressure.scene.deformations}
    assert json.loads(json.dumps(shown)) == cli


class Deferred:
    """A runner that holds each job until the test runs it, as a worker thread would, later."""

    def __init__(self) -> None:
        self.jobs: list = []

    def __call__(self, fn, on_done, on_error, on_progress=None) -> None:
        self.jobs.append((fn, on_done, on_error, on_progress))

    def run(self, index: int = 0) -> None:
        fn, on_done, on_error, on_progress = self.jobs.pop(index)
        try:
            result = fn(on_progress)
        except Exception as exc:  # noqa: BLE001 (a worker hands every failure back)
            on_error(exc)
        else:
            on_done(result)


@pytest.fixture
def solving(toy):
    events: list = []
    state = ps.PressureState(events.append)
    state.runner = Deferred()
    state.update(force_n=20.0)
    events.clear()
    state.set_model(toy)
    return state, events


def test_the_large_deformation_solve_replaces_the_preview_with_its_load_steps(solving):
    state, events = solving
    assert _types(events) == [ps.PressureSolved, ps.PressureFrame, ps.PressureBusy]
    preview = state.scene
    assert {d.kind for d in preview.deformations} == {"linear"} and state.solving and events[-1].running
    events.clear()
    state.runner.run()
    busy = [e for e in events if isinstance(e, ps.PressureBusy)]
    fractions = [e.fraction for e in busy if e.running]
    assert fractions == sorted(fractions) and len(fractions) == 16 and fractions[-1] == 1.0   # 8 steps each
    assert "into-bone" in busy[0].message and "sideways" in busy[-2].message
    assert _types(events)[-3:] == [ps.PressureBusy, ps.PressureSolved, ps.PressureFrame] and not busy[-1].running
    shown = state.scene
    assert events[-2].scene is shown and not state.solving
    assert [d.contact for d in shown.deformations] == [d.contact for d in preview.deformations]
    for d in shown.deformations:
        assert d.kind == "neo-Hookean" and len(d.path) == 8 and d.path[-1].fraction == 1.0
    # the frames follow the solution path: half the load is the path's half-way step, not half the last one
    half = shown.deformations[0].scaled(0.5)
    assert half.dofs == pytest.approx(shown.deformations[0].path[3].dofs)


def test_a_change_cancels_the_solve_in_flight_and_solved_loads_come_back_at_once(solving):
    state, events = solving
    state.runner.run()
    large = state.scene
    state.update(force_n=30.0)                     # a new load: preview, and a solve for it
    assert state.solving and len(state.runner.jobs) == 1
    events.clear()
    state.update(force_n=20.0)                     # back: the kept solution, no solve
    assert _types(events) == [ps.PressureChanged, ps.PressureBusy, ps.PressureSolved, ps.PressureFrame]
    assert not events[1].running and events[1].error is None   # the 30 N solve was stopped, silently
    assert [d.dofs for d in state.scene.deformations] == [d.dofs for d in large.deformations]
    assert not state.solving
    events.clear()
    state.runner.run()                             # the stale 30 N solve: cancelled at its first iteration
    assert events == [] and state.scene.deformations[0].contact.force_n == 20.0


def test_a_failed_or_stopped_solve_says_why_and_keeps_the_linear_model(solving):
    from thighview.errors import MechanicsError

    state, events = solving
    fn, on_done, on_error, _ = state.runner.jobs.pop()
    events.clear()
    on_error(MechanicsError("the large-deformation solve did not converge (try a smaller force)"))
    assert _types(events) == [ps.PressureBusy] and "did not converge" in events[0].error
    assert state.scene.deformations[0].kind == "linear" and not state.solving
    state.update(force_n=25.0)
    events.clear()
    state.stop_solving("Stopped: showing the linear model")
    assert events == [ps.PressureBusy(False, error="Stopped: showing the linear model")]
    state.runner.run()
    assert state.scene.deformations[0].kind == "linear"


def test_without_a_runner_or_with_large_deformation_off_only_the_linear_model_is_solved(toy):
    events: list = []
    state = ps.PressureState(events.append)        # the CLI's and a test's state: no worker threads
    state.set_model(toy)
    assert ps.PressureBusy not in _types(events) and not state.solving
    state.runner = Deferred()
    state.update(large_deformation=False, force_n=20.0)
    assert state.runner.jobs == [] and state.scene.deformations[0].kind == "linear"


def test_a_solve_that_ends_after_the_section_changed_is_neither_shown_nor_kept(solving, toy):
    """A worker can finish just before it sees its cancel: another section's loads must not come back later."""
    state, _ = solving
    fn, on_done, _, on_progress = state.runner.jobs.pop()
    finished = fn(on_progress)                     # the worker got to the end
    other = toy.variant(materials=toy.materials)   # meanwhile the level changed: a new model
    state.set_model(other)
    on_done(finished)                              # delivered after the change
    assert state.scene.deformations[0].model is other and state._solutions == {}
