"""Which colour each structure gets, for every colour mode: one answer for 3D, 2D and exports.

Pure Python + matplotlib's colour maps (no VTK, no Qt), so exports, the CLI and the GUI colour
the same structure the same way. Flat colours come from :mod:`thighview.anatomy`; the area
heat map colours each muscle by its own or its compartment's share of the section.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from thighview import anatomy
from thighview.anatomy import Compartment

if TYPE_CHECKING:
    from thighview.model import Structure

RGB = tuple[float, float, float]

#: The colour map of the area heat map: perceptually uniform and colour-blind safe.
AREA_COLOURMAP = "viridis"
#: The heat map per palette: the colour-blind palette's is cividis, made for red-green colour
#: blindness (and visibly different, so the toggle shows it is on).
AREA_COLOURMAPS = {"braus": AREA_COLOURMAP, "colorblind": "cividis"}


def area_colourmap(palette: str = "braus") -> str:
    """The heat map's colour map name for a palette."""
    return AREA_COLOURMAPS.get(palette, AREA_COLOURMAP)
#: Structures that are not muscle keep a quiet grey in the area heat map.
_NEUTRAL_IN_HEATMAP = (0.82, 0.82, 0.80)


class ColourMode(str, Enum):
    """How structures are coloured: the one list of colour modes (menus, CLI choices, sessions and
    legends are all derived from it; a new mode is a member here plus its colours below)."""

    COMPARTMENT = "compartment"
    MUSCLE = "muscle"
    AREA = "area"

    @property
    def label(self) -> str:
        return {"compartment": "By compartment", "muscle": "By muscle", "area": "By area (heat map)"}[self.value]

    @property
    def is_heat_map(self) -> bool:
        """Coloured by a value (a colour bar explains it), not by name (a legend of compartments)."""
        return self is ColourMode.AREA


#: The palettes (:data:`thighview.anatomy.PALETTES`), the first the default.
PALETTES: tuple[str, ...] = tuple(anatomy.PALETTES)
#: The colour-blind-safe palette's name.
COLOURBLIND = "colorblind"
#: What the heat map measures: one value per muscle or per compartment.
AREA_PER = ("muscle", "compartment")
#: The heat map's unit -> how a colour bar names it.
AREA_UNITS = {"percent": "% of muscle area", "cm2": "cm²"}
#: Every setting of a :class:`ColourScheme` -> its allowed values (CLI choices, session validation).
SCHEME_CHOICES: dict[str, tuple[str, ...]] = {"mode": tuple(m.value for m in ColourMode), "palette": PALETTES,
                                              "area_per": AREA_PER, "area_unit": tuple(AREA_UNITS)}


class AreaSource(Protocol):
    """What the heat map needs from a section (``thighview.section.Section`` provides it)."""

    areas_cm2: dict[str, float]
    compartment_areas_cm2: dict[Compartment, float]

    def percent_of_muscle(self, key: str | Compartment) -> float: ...


@dataclass(frozen=True)
class ColourScheme:
    """A colour mode plus its options; immutable so views can compare old and new.

    Built from plain strings too (``ColourScheme(mode="area")``); a value outside
    :data:`SCHEME_CHOICES` raises ``ValueError``."""

    mode: ColourMode = ColourMode.COMPARTMENT
    palette: str = PALETTES[0]
    area_per: str = AREA_PER[0]  # heat map value per "muscle" or per "compartment"
    area_unit: str = "percent"  # heat map in "percent" of muscle area or in "cm2"

    def __post_init__(self) -> None:
        for key, allowed in SCHEME_CHOICES.items():
            if getattr(self, key) not in allowed:
                raise ValueError(f"colour setting '{key}' = {getattr(self, key)!r} is not one of {allowed}")
        object.__setattr__(self, "mode", ColourMode(self.mode))

    def with_(self, **changes) -> ColourScheme:
        return replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> ColourScheme:
        """A scheme from a session's ``colours`` entry (missing keys keep their defaults)."""
        unknown = set(settings) - set(SCHEME_CHOICES)
        if unknown:
            raise ValueError(f"colour setting '{sorted(unknown)[0]}' is not one of {tuple(SCHEME_CHOICES)}")
        return cls(**settings)  # type: ignore[arg-type]

    def settings(self) -> dict[str, str]:
        """The scheme as plain strings (sessions, settings)."""
        return {"mode": self.mode.value, "palette": self.palette, "area_per": self.area_per,
                "area_unit": self.area_unit}

    @property
    def unit_label(self) -> str:
        return AREA_UNITS[self.area_unit]


def _structure_compartment(structure: Structure | str) -> tuple[str, Compartment, str | None]:
    if isinstance(structure, str):
        return structure, anatomy.compartment_of(structure), None
    return structure.name, structure.compartment, structure.colour


def flat_colour(structure: Structure | str, scheme: ColourScheme) -> RGB:
    """The palette colour of a structure in compartment or muscle mode."""
    name, compartment, own = _structure_compartment(structure)
    if own and scheme.mode is ColourMode.MUSCLE and scheme.palette == PALETTES[0]:
        return anatomy.hex_to_rgb(own)
    if name in anatomy.canonical_names() and compartment is anatomy.compartment_of(name):  # not reassigned
        by = "compartment" if scheme.mode is ColourMode.COMPARTMENT else "muscle"
        return anatomy.hex_to_rgb(anatomy.structure_colour(name, scheme.palette, by=by))
    return anatomy.hex_to_rgb(anatomy.compartment_colour(compartment, scheme.palette))


def area_value(structure: Structure | str, scheme: ColourScheme, section: AreaSource) -> float | None:
    """The heat-map value of a muscle (cm² or %), or ``None`` for structures that are not muscle."""
    name, compartment, _ = _structure_compartment(structure)
    if not compartment.is_muscle:
        return None
    key: str | Compartment = name if scheme.area_per == "muscle" else compartment
    if scheme.area_unit == "percent":
        return float(section.percent_of_muscle(key))
    if scheme.area_per == "muscle":
        return float(section.areas_cm2.get(name, 0.0))
    return float(section.compartment_areas_cm2.get(compartment, 0.0))


def area_range(structures: Iterable[Structure | str], scheme: ColourScheme, section: AreaSource) -> tuple[float, float]:
    """The colour bar's range: zero to the largest value at this level (never an empty range)."""
    values = [v for s in structures if (v := area_value(s, scheme, section)) is not None]
    return 0.0, max(values, default=1.0) or 1.0


def heat_colour(value: float, vmin: float, vmax: float, palette: str = "braus") -> RGB:
    """A value's colour on the palette's heat map (:func:`area_colourmap`)."""
    from matplotlib import colormaps

    t = 0.0 if vmax <= vmin else min(max((value - vmin) / (vmax - vmin), 0.0), 1.0)
    r, g, b, _ = colormaps[area_colourmap(palette)](t)
    return (float(r), float(g), float(b))


def structure_colours(structures: Iterable[Structure | str], scheme: ColourScheme,
                      section: AreaSource | None = None) -> dict[str, RGB]:
    """Every structure's colour for a scheme; the area mode needs the current section."""
    structures = list(structures)
    if not scheme.mode.is_heat_map or section is None:
        return {_structure_compartment(s)[0]: flat_colour(s, scheme) for s in structures}
    vmin, vmax = area_range(structures, scheme, section)
    colours: dict[str, RGB] = {}
    for s in structures:
        name, compartment, _ = _structure_compartment(s)
        value = area_value(s, scheme, section)
        if value is not None:
            colours[name] = heat_colour(value, vmin, vmax, scheme.palette)
        elif compartment is Compartment.BONE:  # the femur stays recognisable
            colours[name] = flat_colour(s, scheme.with_(mode=ColourMode.COMPARTMENT))
        else:
            colours[name] = _NEUTRAL_IN_HEATMAP
    return colours


def darker(rgb: RGB, amount: float = 0.45) -> RGB:
    """An outline colour for a fill colour."""
    return tuple(c * (1.0 - amount) for c in rgb)  # type: ignore[return-value]
