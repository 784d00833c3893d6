"""The app's state as a plain Python object that publishes small dataclass events.

No Qt here: the level, the current section, the colour scheme, visibility, opacity and the
selection live in :class:`AppState`, the pressure demo in its :class:`~thighview.app.pressure.PressureState`
(``state.pressure``, on the same bus); the window's views subscribe and update themselves. Every
number the views show comes from ``state.section`` (the section engine's answer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thighview.anatomy import Compartment
from thighview.app.pressure import PressureState
from thighview.render.colouring import ColourScheme, structure_colours
from thighview.render.scene3d import default_opacity

if TYPE_CHECKING:
    from thighview.model import ThighModel
    from thighview.section import Section, SectionEngine


@dataclass(frozen=True)
class ModelChanged:
    model: ThighModel


@dataclass(frozen=True)
class LevelChanged:
    """The level moved; ``section`` is the engine's section there."""

    level: float
    level_mm: float
    section: Section


@dataclass(frozen=True)
class ColoursChanged:
    """The colour scheme changed, or the area heat map moved with the level."""

    scheme: ColourScheme
    colours: dict


@dataclass(frozen=True)
class VisibilityChanged:
    names: tuple[str, ...]


@dataclass(frozen=True)
class OpacityChanged:
    names: tuple[str, ...]


@dataclass(frozen=True)
class SelectionChanged:
    name: str | None


@dataclass(frozen=True)
class HoverChanged:
    name: str | None


@dataclass(frozen=True)
class CompartmentsChanged:
    """The user assigned structures to other compartments (tables regroup; a new section follows)."""

    names: tuple[str, ...]


Event = Any
Listener = Callable[[Event], None]


class AppState:
    """One model, one engine, one level; views listen via :meth:`subscribe`."""

    def __init__(self) -> None:
        self.model: ThighModel | None = None
        self.engine: SectionEngine | None = None
        self.section: Section | None = None
        self.level = 0.5
        self.scheme = ColourScheme()
        self.colours: dict = {}
        self.visible: dict[str, bool] = {}
        self.opacity: dict[str, float] = {}
        self.selected: str | None = None
        self.hovered: str | None = None
        self._listeners: list[Listener] = []
        self.pressure = PressureState(self._publish)

    # --- publishing -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _publish(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- setters ----------------------------------------------------------------------------
    def set_model(self, model: ThighModel, engine: SectionEngine, level: float | None = None) -> None:
        """Swap in a loaded model and its engine; views rebuild, then see the level and colours."""
        self.model, self.engine = model, engine
        self.visible = {n: True for n in model.structures}
        self.opacity = {n: default_opacity(s.compartment) for n, s in model.structures.items()}
        self.selected = self.hovered = None
        self.section = None
        self.colours = {}  # views rebuilt for the new model must be coloured, even with the same names
        self._publish(ModelChanged(model))
        self.set_level(self.level if level is None else level, force=True)

    @property
    def single_section(self) -> bool:
        """True for a model made from one cross-section (``model.flat``): it has no other level."""
        return self.model is not None and self.model.flat is not None

    def set_level(self, level: float, *, force: bool = False) -> None:
        """Move to a level (fraction of femur length from proximal, clamped to 0..1); a single
        section stays at its one level whatever is asked."""
        level = self.model.flat.level if self.single_section else min(max(float(level), 0.0), 1.0)
        if self.engine is None or (level == self.level and self.section is not None and not force):
            self.level = level
            return
        self.level = level
        self.section = self.engine.section(level)
        self.pressure.set_model(None)  # it was built for the old section
        self._publish(LevelChanged(level, self.section.level_mm, self.section))
        self._recolour()

    def set_compartments(self, assignments: dict[str, Compartment]) -> None:
        """Assign structures to compartments: the model, the engine and every number follow.

        The one place where the model's compartments reach the section engine: the engine's
        dictionary is updated in place (its later sections and profiles use it), views regroup on
        :class:`CompartmentsChanged`, then a fresh section (areas, % of muscle, bone coverage) and
        the colours are published.
        """
        if self.model is None or self.engine is None:
            return
        changed = tuple(n for n, c in assignments.items()
                        if n in self.model.structures and self.model.structures[n].compartment is not Compartment(c))
        for name in changed:
            compartment = Compartment(assignments[name])
            self.model.structures[name].compartment = compartment
            self.engine.compartments[name] = compartment
        if changed:
            self._publish(CompartmentsChanged(changed))
            self.set_level(self.level, force=True)

    def step_level(self, delta: float) -> None:
        self.set_level(self.level + delta)

    def set_scheme(self, scheme: ColourScheme) -> None:
        if scheme != self.scheme:
            self.scheme = scheme
            self._recolour()

    def _recolour(self) -> None:
        if self.model is None:
            return
        colours = structure_colours(self.model.structures.values(), self.scheme, self.section)
        if colours != self.colours:
            self.colours = colours
            self._publish(ColoursChanged(self.scheme, colours))

    def set_visible(self, names: list[str] | tuple[str, ...], visible: bool) -> None:
        changed = tuple(n for n in names if self.visible.get(n) is not visible)
        for n in changed:
            self.visible[n] = visible
        if changed:
            self._publish(VisibilityChanged(changed))

    def set_opacity(self, names: list[str] | tuple[str, ...], opacity: float) -> None:
        names = tuple(n for n in names if n in self.opacity)
        for n in names:
            self.opacity[n] = float(opacity)
        if names:
            self._publish(OpacityChanged(names))

    def select(self, name: str | None) -> None:
        if name != self.selected:
            self.selected = name
            self._publish(SelectionChanged(name))

    def hover(self, name: str | None) -> None:
        if name != self.hovered:
            self.hovered = name
            self._publish(HoverChanged(name))

    # --- queries ----------------------------------------------------------------------------
    def names_in(self, compartment: Compartment) -> list[str]:
        return [] if self.model is None else [s.name for s in self.model.in_compartment(compartment)]

    def describe(self, name: str) -> str:
        """One line for the status bar: name, compartment and area at this level."""
        from thighview.anatomy import label_of

        if self.model is None or name not in self.model.structures:
            return ""
        compartment = self.model.structures[name].compartment
        text = f"{label_of(name)} — {compartment.label}"
        if self.section is not None and name in self.section.areas_cm2:
            text += f" — {self.section.areas_cm2[name]:.1f} cm²"
            share = self.section.percent_of_muscle(name)
            if share is not None:
                text += f" ({share:.1f}% of muscle area)"
        return text
