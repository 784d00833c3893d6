"""The pressure demo's state: where and how hard the tool presses, the playback, the solved result.

Plain Python, owned by :class:`thighview.app.state.AppState` (``state.pressure``) and publishing
on its bus, so the pressure panel, the 3-D view's slab and sessions all read one object and
no widget reads another's fields. Setters publish :class:`PressureChanged`; a new pressure model
or new loads are solved at once (milliseconds: the model is factorised) and published as
:class:`PressureSolved`; what to show now is :class:`PressureFrame` (frame ``index`` of
``n_frames`` of the load ramp). A GUI timer only calls :meth:`PressureState.advance`.

With ``large_deformation`` on (the default) the loads are then solved again with large deformation
and friction by a ``runner`` off the UI thread (the GUI's worker pool; seconds): the instant linear
solution is the preview meanwhile, :class:`PressureBusy` reports the solve's progress, and its
result replaces the preview. A newer change cancels a solve in flight; solved loads are kept for
the model, so the guided demo's second round and a return to a place are instant.

The mechanics (a second's import) is imported only when loads are solved or checked, so the
app's start does not pay for it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.animation import Playback, Scene
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel
    from thighview.model import ThighModel
    from thighview.section import Section

#: Direction presets: the loads each one solves, side by side. The one list of them: the panel, sessions,
#: ``thighview pressure``/``animate``/``export`` and the pressure animation all read it.
DIRECTION_PRESETS: dict[str, tuple[str, ...]] = {
    "compare": ("into-bone", "sideways"), "into-bone": ("into-bone",), "sideways": ("sideways",)}
#: What the pressure panel calls each preset (in this order).
DIRECTION_LABELS: dict[str, str] = {"compare": "Compare both", "into-bone": "Into the bone", "sideways": "Sideways"}
#: Limits of the settings a user can choose (the panel's spin boxes and session checks use them).
FORCE_RANGE_N = (1.0, 200.0)
SLIDING_RANGE_KPA = (0.05, 20.0)
LEAN_RANGE_DEG = (0.0, 90.0)
#: Settings whose change needs a new solve (the colouring only redraws; sliding layers need a new model).
_SOLVED = frozenset({"at", "direction", "side", "force_n", "tool", "lean_deg", "large_deformation"})
#: How many large-deformation solutions (one contact each) a model keeps: the guided demo's four steps.
_KEPT_SOLUTIONS = 8
#: Runs ``fn(report)`` off the UI thread, then ``on_done(result)`` or ``on_error(exc)`` on it, passing each
#: progress to ``on_progress`` (:func:`thighview.gui.workers.run_in_thread`'s signature).
Runner = Callable[..., None]
#: One large-deformation solve at a time: a cancelled one finishes its Newton iteration before the next starts.
_ONE_SOLVE = threading.Lock()


@dataclass(frozen=True)
class PressureSettings:
    """What the user chose; also what a session stores (:meth:`as_dict` / :func:`settings_from_mapping`).

    ``at`` is a place name or an angle in degrees (0 anterior, towards lateral); ``side`` None lets a
    sideways push pick its way; ``lean_deg`` and ``sliding_kpa`` None keep the mechanics' defaults;
    ``large_deformation`` shows the large-deformation solve once it is done (the linear model until then).
    """

    at: str | float = "anterolateral"
    direction: str = "compare"
    side: str | None = None
    force_n: float = 40.0
    tool: str = "hand"
    lean_deg: float | None = None
    sliding_kpa: float | None = None
    colour_by: str = "compression"
    large_deformation: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def settings_from_mapping(data: Mapping[str, Any]) -> PressureSettings:
    """Checked settings from a mapping (a session's ``pressure``); missing keys take the defaults.

    Raises ``ValueError`` with a one-line reason for an unknown key or a value out of range.
    """
    from thighview.errors import MechanicsError
    from thighview.mechanics.geometry import place_angle
    from thighview.mechanics.loads import SIDES, tool_named
    from thighview.render.pressure2d import COLOUR_MODES

    names = {f.name for f in fields(PressureSettings)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"pressure setting '{unknown[0]}' is not understood")
    settings = PressureSettings(**data)

    def number(key: str, low: float, high: float, optional: bool = False) -> None:
        value = getattr(settings, key)
        if optional and value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise ValueError(f"pressure setting '{key}' must be a number from {low:g} to {high:g}, not {value!r}")

    def choice(key: str, allowed) -> None:
        if getattr(settings, key) not in allowed:
            raise ValueError(f"pressure setting '{key}' must be one of {', '.join(map(str, allowed))}, "
                             f"not {getattr(settings, key)!r}")

    choice("direction", tuple(DIRECTION_PRESETS))
    choice("side", (None, *SIDES))
    choice("colour_by", COLOUR_MODES)
    if not isinstance(settings.large_deformation, bool):
        raise ValueError(f"pressure setting 'large_deformation' must be true or false, "
                         f"not {settings.large_deformation!r}")
    number("force_n", *FORCE_RANGE_N)
    number("lean_deg", *LEAN_RANGE_DEG, optional=True)
    number("sliding_kpa", *SLIDING_RANGE_KPA, optional=True)
    try:
        if isinstance(settings.at, bool) or not isinstance(settings.at, (str, int, float)):
            raise MechanicsError(f"contact place {settings.at!r} is not a name or an angle")
        place_angle(settings.at)
        tool_named(str(settings.tool))
    except MechanicsError as exc:
        raise ValueError(exc.reason) from None
    return settings


@dataclass(frozen=True)
class PressureChanged:
    """Settings changed (their names); the new values are in ``state.pressure.settings``."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class PressureSolved:
    """A new result for the current settings, or none (``scene`` None: no model yet, or ``error``)."""

    scene: Scene | None
    error: str | None = None


@dataclass(frozen=True)
class PressureBusy:
    """The large-deformation solve of the shown loads: ``running`` (``fraction`` done, ``message`` says
    where), or over; ``error`` says why it stopped short (the linear model is then what is shown)."""

    running: bool
    fraction: float = 0.0
    message: str = ""
    error: str | None = None


@dataclass(frozen=True)
class PressureFrame:
    """What to show now: the scene at ``load_fraction`` of its force, frame ``index`` of ``n_frames``."""

    scene: Scene | None
    index: int
    n_frames: int
    load_fraction: float
    playing: bool
    on_stage: bool = False   # the demo has the central view (the stage), playing or not


class PressureState:
    """The pressure demo's settings, playback and result; publishes through ``publish``."""

    def __init__(self, publish: Callable[[Any], None]) -> None:
        self._publish = publish
        self.settings = PressureSettings()
        self.model: PressureModel | None = None  # the factorised model of the current section
        self.scene: Scene | None = None          # the solved loads of the current settings
        self.demo_step: int | None = None        # the guided demo's step being shown
        self.on_stage = False                    # the demo has the window's central view
        self._scales_held = False                # the scene keeps a drag's scales (see release_scales)
        self._playback: Playback | None = None
        self.runner: Runner | None = None        # runs large-deformation solves (the GUI's workers); None: none
        self._cancel: threading.Event | None = None   # the large-deformation solve in flight
        self._solutions: OrderedDict[Contact, Any] = OrderedDict()   # the model's large-deformation results

    # --- settings -----------------------------------------------------------------------------
    def update(self, *, keep_scales: bool = False, **changes: Any) -> None:
        """Change settings (as :class:`PressureSettings` fields, checked: ``ValueError`` if out of range);
        loads are solved again if need be (``keep_scales``: a drag's preview, at the current picture's colour
        and displacement scales so it does not flicker; :meth:`release_scales` then solves in full)."""
        if _SOLVED.intersection(self._change(changes)):
            self._solve(keep_scales)

    def _change(self, changes: dict[str, Any]) -> tuple[str, ...]:
        new = settings_from_mapping({**self.settings.as_dict(), **changes})
        changed = tuple(f.name for f in fields(new) if getattr(new, f.name) != getattr(self.settings, f.name))
        if changed:
            self.settings = new
            self._publish(PressureChanged(changed))
        return changed

    def apply(self, data: Mapping[str, Any]) -> None:
        """Take a session's settings (checked; what is missing goes back to the default)."""
        self.update(**settings_from_mapping(data).as_dict())

    def place_at(self, angle_deg: float, *, keep_scales: bool = False) -> None:
        """The user put the contact at an angle (a click on the skin, a drag of the tool): the guided demo
        gives way. ``keep_scales`` while dragging (then :meth:`release_scales` at the drop)."""
        self.demo_step = None
        self.update(at=float(angle_deg), keep_scales=keep_scales)

    def lean_to(self, lean_deg: float, side: str | None, *, keep_scales: bool = False) -> None:
        """The user leaned the push (dragging the arrow's end): a push straight into the bone becomes a
        sideways one; in a comparison the into-the-bone push stays straight."""
        low, high = LEAN_RANGE_DEG
        changes: dict[str, Any] = {"lean_deg": round(min(max(float(lean_deg), low), high), 1)}
        if side is not None:
            changes["side"] = side
        if self.settings.direction == "into-bone":
            changes["direction"] = "sideways"
        self.demo_step = None
        self.update(keep_scales=keep_scales, **changes)

    def contacts(self) -> list[Contact]:
        """The load cases the settings describe, one per direction of the preset (a chosen lean leans the
        sideways push, and a single push; the into-the-bone half of a comparison stays straight)."""
        from thighview.mechanics.loads import Contact, tool_named

        s = self.settings
        cases = DIRECTION_PRESETS[s.direction]

        def lean(direction: str) -> dict[str, float]:
            if s.lean_deg is None or (len(cases) > 1 and direction == "into-bone"):
                return {}
            return {"lean_deg": s.lean_deg}

        return [Contact(at=s.at, direction=d, force_n=s.force_n, tool=tool_named(s.tool), side=s.side, **lean(d))
                for d in cases]

    # --- model and result ---------------------------------------------------------------------
    def model_builder(self, model: ThighModel, section: Section) -> Callable[[], PressureModel]:
        """What builds the pressure model of ``section`` (a second: run it in a worker, then :meth:`set_model`)."""
        from thighview.mechanics.model import PressureModel

        level, sliding_kpa = section.level, self.settings.sliding_kpa
        return lambda: PressureModel.from_model(model, level, section=section, sliding_kpa=sliding_kpa)

    def set_model(self, model: PressureModel | None) -> None:
        """A pressure model built for the current section (None: the section changed, none yet)."""
        if model is None and self.model is None:
            return
        self.model = model
        self._solutions.clear()
        self._solve()

    @property
    def solving(self) -> bool:
        """True while a large-deformation solve of the shown loads runs (the linear preview is shown)."""
        return self._cancel is not None

    def stop_solving(self, reason: str | None = None) -> None:
        """Cancel the large-deformation solve in flight (if any); ``reason`` is published as why it stopped."""
        if self._cancel is None:
            return
        self._cancel.set()
        self._cancel = None
        self._publish(PressureBusy(False, error=reason))

    def _solve(self, keep_scales: bool = False) -> None:
        """Solve the settings' loads and publish them. ``keep_scales`` (a drag's frame, when a scene of this
        model is shown): the preview at the shown scene's scales and caption, without readouts. With
        ``large_deformation`` the loads' kept large-deformation results are shown, or else the linear
        model while a runner solves them (:meth:`_solve_large`)."""
        from thighview.errors import ThighViewError
        from thighview.mechanics.animation import Scene

        self.stop_solving()
        held = self.scene if keep_scales and self.scene is not None and \
            self.scene.deformations[0].model is self.model else None
        large = self.settings.large_deformation and held is None
        if self.model is None:
            self.scene, error = None, None
        else:
            try:
                contacts = self.contacts()
                kept = [self._solutions.get(c) for c in contacts] if large else [None]
                if held is not None:
                    self.scene = Scene.held_preview(self.model, contacts, held)
                elif all(d is not None for d in kept):
                    self.scene = Scene.of(self.model, tuple(kept), caption=self.caption)
                else:
                    self.scene = Scene.solve(self.model, contacts, caption=self.caption)
                error = None
            except ThighViewError as exc:
                self.scene, error = None, str(exc)
        self._scales_held = held is not None and self.scene is not None
        self._publish(PressureSolved(self.scene, error))
        self._publish_frame()
        if large and self.scene is not None and self.scene.deformations[0].kind == "linear":
            self._solve_large()

    def _solve_large(self) -> None:
        """Solve the shown loads with large deformation off the UI thread; the result replaces the preview
        if nothing changed meanwhile (a change cancels it: :meth:`stop_solving`)."""
        if self.runner is None:
            return
        from thighview.mechanics.animation import Scene

        model, contacts, caption = self.model, [d.contact for d in self.scene.deformations], self.caption
        cancel = self._cancel = threading.Event()

        def solve(report):   # worker thread
            with _ONE_SOLVE:
                return Scene.solve(model, contacts, caption=caption, nonlinear=True, cancel=cancel.is_set,
                                   report=report)

        def done(scene) -> None:
            if model is not self.model:   # finished before it saw the cancel: another section's loads
                return
            for d in scene.deformations:
                self._solutions[d.contact] = d
            while len(self._solutions) > _KEPT_SOLUTIONS:
                self._solutions.popitem(last=False)
            if cancel is self._cancel:   # still the shown loads
                self._cancel = None
                self.scene = scene
                self._publish(PressureBusy(False, 1.0))
                self._publish(PressureSolved(scene))
                self._publish_frame()

        def failed(exc: BaseException) -> None:
            from thighview.errors import ThighViewError

            if cancel is self._cancel:
                self._cancel = None
                why = str(exc) if isinstance(exc, ThighViewError) else f"{type(exc).__name__}: {exc}"
                self._publish(PressureBusy(False, error=f"The large-deformation solve stopped: {why} "
                                                        "(showing the linear model)"))

        def progressed(progress) -> None:
            if cancel is self._cancel:
                self._publish(PressureBusy(True, progress.fraction, progress.message))

        self._publish(PressureBusy(True, 0.0, "Large deformation: solving in load steps"))
        self.runner(solve, done, failed, on_progress=progressed)

    @property
    def caption(self) -> str | None:
        """The guided demo step's caption (None: the scene says what the loads did)."""
        if self.demo_step is None:
            return None
        from thighview.mechanics.demo import GUIDED_DEMO

        step = GUIDED_DEMO[self.demo_step]
        return f"{self.demo_step + 1}. {step.title}: {step.caption}"

    # --- the guided demo ----------------------------------------------------------------------
    def step_demo(self, delta: int) -> None:
        """Go ``delta`` steps through the guided demo (wrapping), compare both directions, play from the start."""
        from thighview.mechanics.demo import GUIDED_DEMO

        self.demo_step = ((-1 if self.demo_step is None else self.demo_step) + delta) % len(GUIDED_DEMO)
        step = GUIDED_DEMO[self.demo_step]
        self.playback.index = 0
        self.playback.playing = True
        self._change({"at": step.at, "side": step.side, "direction": "compare"})
        self._solve()  # the caption is new even where the loads are not

    def release_scales(self) -> None:
        """A drag ended: the full solution replaces the preview (its own colour and displacement scales,
        its readouts and caption)."""
        if self._scales_held:
            self._solve()

    def set_stage(self, on: bool) -> None:
        """The demo takes the window's central view (the GUI's stage) or gives it back."""
        if bool(on) != self.on_stage:
            self.on_stage = bool(on)
            self._publish_frame()

    # --- playback -----------------------------------------------------------------------------
    @property
    def playback(self) -> Playback:
        """The animation state, frame ``index`` of ``n_frames``."""
        if self._playback is None:
            from thighview.mechanics.animation import Playback

            self._playback = Playback()
        return self._playback

    @property
    def load_fraction(self) -> float:
        """The share of the force shown now: the ramp's while it plays or is paused mid-way, else all of it."""
        playback = self.playback
        return playback.load_fraction if playback.playing or playback.index else 1.0

    def play(self, on: bool) -> None:
        if on != self.playback.playing:
            self.playback.playing = on
            self._publish_frame()

    def set_loop(self, on: bool) -> None:
        self.playback.loop = on

    def advance(self) -> None:
        """One frame on (the GUI's timer calls this); at the end it wraps or stops."""
        self.playback.advance()
        self._publish_frame()

    def _publish_frame(self) -> None:
        playback = self.playback
        self._publish(PressureFrame(self.scene, playback.index, playback.n_frames, self.load_fraction,
                                    playback.playing, self.on_stage))
