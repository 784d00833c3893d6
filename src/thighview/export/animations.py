"""Frame generators for the three teaching movies; :mod:`thighview.export.movie` writes them.

- level sweep: the section figure from hip to knee at one fixed scale and position, so the
  thigh visibly narrows and the compartments shift (as scrolling through a CT);
- turntable: the camera goes once round the 3-D scene (:mod:`thighview.export.scene`);
- pressure demo: the pressure drawer's frames (:func:`thighview.render.pressure2d.frames`),
  into the bone, sideways, or both side by side.

Each yields RGB(A) ``uint8`` arrays lazily, so a long movie never holds all its frames.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from thighview.app.pressure import DIRECTION_PRESETS
from thighview.errors import ExportError
from thighview.export.figures import FigureOptions, mm_per_pixel, section_figure, set_scale
from thighview.render.raster import figure_rgba

if TYPE_CHECKING:
    from thighview.model import ThighModel
    from thighview.section import SectionEngine

ANIMATIONS = ("sweep", "turntable", "pressure")


def sweep_levels(n_frames: int, start: float = 0.05, stop: float = 0.95) -> np.ndarray:
    """Evenly spaced levels from near the hip to near the knee."""
    if n_frames < 2:
        raise ExportError(f"a level sweep needs at least 2 frames, not {n_frames}")
    return np.linspace(start, stop, n_frames)


def sweep_frames(engine: SectionEngine, levels: Sequence[float], *, side: str = "right",
                 options: FigureOptions = FigureOptions(), size_px: tuple[int, int] = (1200, 1050)) -> Iterator[np.ndarray]:
    """The section figure at each level, all at the scale and centre of the largest section."""
    totals = [sum(engine.areas(level).values()) for level in levels]
    widest = engine.section(levels[int(np.argmax(totals))])
    reference = section_figure(widest, side=side, options=options, size_px=size_px).axes[0]
    scale = mm_per_pixel(reference)
    (x0, x1), (y0, y1) = reference.get_xlim(), reference.get_ylim()
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    for level in levels:
        fig = section_figure(engine.section(level), side=side, options=options, size_px=size_px,
                             min_mm_per_px=scale)
        set_scale(fig.axes[0], scale, centre)  # same scale: this only moves the view to the common centre
        yield figure_rgba(fig)


def pressure_frames(model: ThighModel, engine: SectionEngine, level: float, *, direction: str = "compare",
                    at: str | float = "anterolateral", force_n: float = 40.0, n_frames: int = 36,
                    size_px: tuple[int, int] | None = None, nonlinear: bool = False) -> Iterator[np.ndarray]:
    """The pressure-demo frames for one place on the skin (the app's own drawer); at ``size_px`` (None: the
    drawer's own size) the same picture scaled, its caption readable from two metres. ``nonlinear``: the
    frames are the large-deformation solve's load steps."""
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel
    from thighview.render.pressure2d import FrameStyle, frames
    from thighview.render.room import room_cap_height_fraction

    if direction not in DIRECTION_PRESETS:
        raise ExportError(f"pressure direction must be one of {', '.join(DIRECTION_PRESETS)}, not {direction!r}")
    directions = DIRECTION_PRESETS[direction]
    pressure = PressureModel.from_model(model, level, section=engine.section(level))
    contacts = [Contact(at=at, direction=d, force_n=force_n) for d in directions]
    style = FrameStyle(size_px=size_px, caption_cap=None if size_px is None else room_cap_height_fraction())
    return frames(pressure, contacts, n_frames=n_frames, style=style, nonlinear=nonlinear)
