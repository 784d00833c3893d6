"""The app state without Qt: events, clamping and the descriptions the status bar shows."""

from __future__ import annotations

import pytest
from synthetic_thigh import synthetic_model

from thighview.anatomy import Compartment
from thighview.app import state as st
from thighview.render.colouring import ColourMode


@pytest.fixture
def app_state():
    from thighview.section import SectionEngine

    model = synthetic_model()
    state = st.AppState()
    events: list = []
    state.subscribe(events.append)
    state.set_model(model, SectionEngine(model), level=0.5)
    return state, events


def test_model_then_level_then_colours_are_published(app_state):
    state, events = app_state
    assert [type(e) for e in events] == [st.ModelChanged, st.LevelChanged, st.ColoursChanged]
    assert events[1].section is state.section and events[1].level == 0.5


def test_level_is_clamped_and_repeats_publish_nothing(app_state):
    state, events = app_state
    events.clear()
    state.set_level(1.7)
    assert state.level == 1.0 and state.section.level == 1.0
    state.set_level(1.0)
    assert sum(isinstance(e, st.LevelChanged) for e in events) == 1
    state.step_level(-0.25)
    assert state.section.level == pytest.approx(0.75)


def test_area_mode_recolours_when_the_level_moves(default_model):
    from thighview.section import SectionEngine

    state, events = st.AppState(), []
    state.subscribe(events.append)
    state.set_model(default_model, SectionEngine(default_model), level=0.5)  # shares vary along it
    state.set_scheme(state.scheme.with_(mode=ColourMode.AREA))
    events.clear()
    state.set_level(0.1)
    assert any(isinstance(e, st.ColoursChanged) for e in events)  # the shares changed with the level
    state.set_scheme(state.scheme.with_(mode=ColourMode.COMPARTMENT))
    events.clear()
    state.set_level(0.2)
    assert not any(isinstance(e, st.ColoursChanged) for e in events)  # flat colours do not move


def test_visibility_opacity_selection_events_name_what_changed(app_state):
    state, events = app_state
    events.clear()
    quads = state.names_in(Compartment.QUADRICEPS)
    state.set_visible(quads, False)
    state.set_visible(quads, False)  # no change, no event
    state.set_opacity(["skin"], 0.5)
    state.select("femur")
    state.select("femur")
    assert [type(e) for e in events] == [st.VisibilityChanged, st.OpacityChanged, st.SelectionChanged]
    assert set(events[0].names) == set(quads)


def test_describe_quotes_the_engine(app_state):
    state, _ = app_state
    area = state.section.areas_cm2["vastus_lateralis"]
    share = state.section.percent_of_muscle("vastus_lateralis")
    assert state.describe("vastus_lateralis") == (
        f"Vastus lateralis — Quadriceps — {area:.1f} cm² ({share:.1f}% of muscle area)")
    assert "% of muscle" not in state.describe("femur")
    assert state.describe("nonexistent") == ""


def test_assigning_a_compartment_reaches_the_engine_numbers_and_colours(app_state):
    from thighview.section import SectionEngine

    state, events = app_state
    events.clear()
    before = state.section
    state.set_compartments({"sartorius": Compartment.ADDUCTORS})  # not in this model: nothing happens
    state.set_compartments({"vastus_medialis": Compartment.QUADRICEPS})  # already there: nothing happens
    assert events == []
    state.set_compartments({"vastus_medialis": Compartment.ADDUCTORS})
    assert [type(e) for e in events] == [st.CompartmentsChanged, st.LevelChanged, st.ColoursChanged]
    assert events[0].names == ("vastus_medialis",)
    section = state.section
    moved = before.areas_cm2["vastus_medialis"]
    assert section.compartment_areas_cm2[Compartment.ADDUCTORS] == pytest.approx(
        before.compartment_areas_cm2[Compartment.ADDUCTORS] + moved)
    fresh = SectionEngine(state.model).section(0.5)  # as if the file had said so
    assert fresh.compartment_areas_cm2 == pytest.approx(section.compartment_areas_cm2)
    assert fresh.bone_coverage == pytest.approx(section.bone_coverage)
    assert state.colours["vastus_medialis"] == state.colours["adductor_magnus"]  # compartment colours
    assert state.engine.profile([0.5]).compartments["vastus_medialis"] is Compartment.ADDUCTORS
