"""The section's legend, composed once for the 2-D view, every figure and the 3-D picture.

:func:`section_legend` decides what a legend says (the compartments present, in teaching order,
each with its colour and area, or the heat map's colour bar); :func:`draw_legend` and
:func:`draw_colour_bar` draw it with matplotlib wherever the host puts it (inset in the GUI's
section, below the section of a figure). No Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from thighview import anatomy
from thighview.anatomy import COMPARTMENT_ORDER, Compartment
from thighview.render.colouring import ColourMode, ColourScheme, area_colourmap, area_range, darker, structure_colours

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from thighview.model import Structure
    from thighview.section import Section

#: Compartments listed in legends and tables, in teaching order.
LEGEND_ORDER = COMPARTMENT_ORDER


@dataclass(frozen=True)
class LegendEntry:
    """One line: a compartment's (or, coloured by muscle, a muscle's) colour and, for a section,
    its area (``note``)."""

    compartment: Compartment
    colour: str  # hex
    note: str = ""  # "61.2 cm² (43% of muscle)"
    label: str = ""  # a muscle's name; empty: the compartment's

    @property
    def text(self) -> str:
        name = self.label or self.compartment.label
        return f"{name}  {self.note}" if self.note else name


@dataclass(frozen=True)
class ColourBar:
    """The heat map's key: its value range and what the values are."""

    vmin: float
    vmax: float
    label: str
    palette: str = "braus"  # the colour-blind palette has its own colour map


@dataclass(frozen=True)
class SectionLegend:
    """What a section's legend shows: compartment entries, or a colour bar in a heat-map mode."""

    entries: tuple[LegendEntry, ...] = ()
    bar: ColourBar | None = None


def sort_key(compartment: Compartment) -> int:
    """A compartment's place in :data:`LEGEND_ORDER` (tables sort by it too)."""
    return LEGEND_ORDER.index(compartment) if compartment in LEGEND_ORDER else len(LEGEND_ORDER)


def compartment_entries(compartments: Iterable[Compartment], palette: str) -> tuple[LegendEntry, ...]:
    """Entries for these compartments (a model's, a section's), in teaching order, without areas."""
    present = set(compartments)
    return tuple(LegendEntry(c, anatomy.compartment_colour(c, palette)) for c in LEGEND_ORDER if c in present)


def section_legend(section: Section, scheme: ColourScheme, *, areas: bool = True,
                   structures: Iterable[Structure | str] | None = None, muscles: bool = True) -> SectionLegend:
    """The legend of ``section`` coloured by ``scheme``; ``areas`` adds each compartment's area.
    ``structures`` are what was coloured (default: the section's names) for the heat map's range.
    Coloured by muscle (and ``muscles``), each muscle cut here is listed in its own fill colour:
    compartment swatches would not match the fills. Nothing this level does not cut is listed."""
    if scheme.mode.is_heat_map:
        vmin, vmax = area_range(list(section.polygons) if structures is None else structures, scheme, section)
        return SectionLegend(bar=ColourBar(vmin, vmax, f"Area per {scheme.area_per} ({scheme.unit_label})",
                                           scheme.palette))
    if scheme.mode is ColourMode.MUSCLE and muscles:
        return SectionLegend(entries=_muscle_entries(section, scheme, areas))
    measured = section.compartment_areas_cm2
    shown = [c for c in measured if measured[c] > 0.0]
    entries = compartment_entries(shown, scheme.palette)
    if areas:
        entries = tuple(LegendEntry(e.compartment, e.colour, _area_note(section, e.compartment)) for e in entries)
    return SectionLegend(entries=entries)


def _muscle_entries(section: Section, scheme: ColourScheme, areas: bool) -> tuple[LegendEntry, ...]:
    """Each muscle cut at this level, largest first, in its own fill colour."""
    from matplotlib.colors import to_hex

    colours = structure_colours(list(section.polygons), scheme, section)
    compartment = {n: section.compartments.get(n, anatomy.compartment_of(n)) for n in section.areas_cm2}
    return tuple(LegendEntry(compartment[n], to_hex(colours[n]), f"{a:.1f} cm²" if areas else "", anatomy.label_of(n))
                 for n, a in sorted(section.areas_cm2.items(), key=lambda kv: -kv[1])
                 if a > 0.0 and compartment[n].is_muscle)


def _area_note(section: Section, compartment: Compartment) -> str:
    share = section.percent_of_muscle(compartment)
    return (f"{section.compartment_areas_cm2[compartment]:.1f} cm²"
            + (f" ({share:.0f}% of muscle)" if share is not None else ""))


def draw_legend(host: Axes | Figure, entries: Iterable[LegendEntry], *, fontsize: float, **placement):
    """The entries as colour patches with their text on ``host`` (axes or figure); ``placement``
    goes to matplotlib's ``legend`` (``loc``, ``bbox_to_anchor``, ``ncol``...)."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=e.colour, edgecolor=darker(anatomy.hex_to_rgb(e.colour)), linewidth=0.6,
                     label=e.text) for e in entries]
    return host.legend(handles=handles, frameon=False, fontsize=fontsize, **placement)


def draw_colour_bar(cax: Axes, bar: ColourBar, *, fontsize: float) -> None:
    """The heat map's colour bar, horizontal, filling ``cax``."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    drawn = cax.figure.colorbar(ScalarMappable(Normalize(bar.vmin, bar.vmax), colormaps[area_colourmap(bar.palette)]), cax=cax,
                                orientation="horizontal")
    drawn.ax.tick_params(labelsize=fontsize - 0.5, length=2)
    drawn.set_label(bar.label, fontsize=fontsize)
    drawn.outline.set_linewidth(0.5)
