"""The area profile along the femur as a stacked chart: one drawer for the app and the exports.

The Areas panel (small, interactive) and the exported figure sheet (print) draw the same chart
with this function, so they can never disagree; each host adds only its own extras (the
current-level marker, the marked levels of a sheet, a legend or a title).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from thighview import anatomy
from thighview.anatomy import MAIN_COMPARTMENTS, Compartment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from thighview.section import AreaProfile

_STACKED = (*MAIN_COMPARTMENTS, Compartment.OTHER_MUSCLE)


def draw_profile(ax: Axes, profile: AreaProfile, palette: str, *, length_name: str = "femur length",
                 fontsize: float = 8.0, edgecolor: str | None = None) -> list[Compartment]:
    """Stack the muscle compartments' areas (cm²) along the axis; returns the compartments drawn.

    A model with no muscle compartments (e.g. every structure still unassigned) gets a note
    instead of a chart.
    """
    areas = profile.compartment_areas_cm2
    shown = [c for c in _STACKED if c in areas]
    ax.set_xlim(0, 100)
    if not shown:
        ax.text(0.5, 0.5, "No muscle compartments in this model", ha="center", va="center",
                fontsize=fontsize, color="#777777", transform=ax.transAxes)
    else:
        outline = {"edgecolor": edgecolor, "linewidth": 0.4} if edgecolor else {"linewidth": 0}
        ax.stackplot(np.asarray(profile.levels) * 100.0, *[np.nan_to_num(areas[c]) for c in shown],
                     colors=[anatomy.compartment_colour(c, palette) for c in shown],
                     labels=[c.label for c in shown], alpha=0.95, **outline)
        ax.set_ylim(bottom=0)
    ax.set_xlabel(f"Level (% of {length_name} from the proximal end)", fontsize=fontsize)
    ax.set_ylabel("Muscle area (cm²)", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize - 0.5)
    ax.spines[["top", "right"]].set_visible(False)
    return shown
