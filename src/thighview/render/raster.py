"""Matplotlib figures as pixels: the frames of every movie (section sweeps, the pressure demo)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def figure_rgba(fig: Figure) -> np.ndarray:
    """The figure rendered to an RGBA ``uint8`` array (for movie frames)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()
