"""The pressure demo's data over time: the load ramps up, holds and relaxes while the section deforms.

The linear model gives every frame from one solve (the ramp scales it); with ``nonlinear`` each
load is solved with large deformation and friction in load steps and each frame shows the
solution path at that fraction of the force (exact at the load steps, interpolated between them).
:class:`Scene` holds one picture's solved loads and the scales its frames share (colour limits,
drawn displacement, stated on every frame); :class:`Playback` is the animation state, frame
``index`` of ``n_frames``. Nothing here draws: :mod:`thighview.render.pressure2d` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from thighview.mechanics.results import Deformation, compare_summary
from thighview.progress import Progress, Report

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel


def ramp(n_frames: int) -> np.ndarray:
    """Load fraction per frame: smooth rise (40 %), hold (20 %), smooth release (40 %)."""
    t = np.linspace(0.0, 1.0, max(int(n_frames), 2))
    rise = np.clip(t / 0.4, 0, 1)
    fall = np.clip((1.0 - t) / 0.4, 0, 1)
    s = np.minimum(rise, fall)
    return s * s * (3 - 2 * s)


@dataclass(frozen=True)
class Scene:
    """The solved loads of one picture and the scales they share (colour limits, drawn displacement)."""

    deformations: tuple[Deformation, ...]
    exaggeration: float
    compression_limit_pct: float
    slip_limit_mm: float
    shear_limit_pct: float
    caption: str
    #: a drag's frame (:meth:`held_preview`): drawn at the scales and with the caption of the last full solve,
    #: which replaces it when the drag ends (with its readouts)
    preview: bool = False

    @classmethod
    def solve(cls, model: PressureModel, contacts: Sequence[Contact], *, exaggeration: float | None = None,
              compression_limit_pct: float | None = None, caption: str | None = None,
              nonlinear: bool = False, cancel: Callable[[], bool] | None = None,
              report: Report | None = None) -> Scene:
        """Solve each contact (the linear model; ``nonlinear``: large deformation with friction, stopped by
        ``cancel()``, each load step reported to ``report``) and make their scene (:meth:`of`)."""
        def solved(i: int, contact: Contact) -> Deformation:
            def on_step(fraction: float) -> None:
                report(Progress(i + fraction, len(contacts), f"Large deformation, {contact.direction}: "
                                f"{fraction * contact.force_n:.0f} of {contact.force_n:g} N"))
            return model.solve(contact, nonlinear=nonlinear, cancel=cancel,
                               on_step=None if report is None else on_step)

        return cls.of(model, tuple(solved(i, c) for i, c in enumerate(contacts)), exaggeration=exaggeration,
                      compression_limit_pct=compression_limit_pct, caption=caption)

    @classmethod
    def of(cls, model: PressureModel, deformations: tuple[Deformation, ...], *, exaggeration: float | None = None,
           compression_limit_pct: float | None = None, caption: str | None = None) -> Scene:
        """The scene of solved loads: the scales are fixed where given, else chosen from the loads. The
        displacement is drawn to scale unless ``exaggeration`` asks otherwise (the frames say so when it does)."""
        readouts = [d.readout() for d in deformations]
        limit = compression_limit_pct or max(1.0, max(
            100.0 * float(np.percentile(np.abs(d.compression), 98)) for d in deformations))
        slip_limit = max(1.0, max(max(r.septal_slip_max_mm, r.femur_slip.max_mm) for r in readouts))
        tissue = ~np.array([model.is_sliding(n) for n in model.region_names])[model.region]  # layers saturate
        shear_limit = max(5.0, max(100.0 * float(np.percentile(d.shear[tissue], 98)) for d in deformations))
        if caption is None:
            directions = [d.contact.direction for d in deformations]
            caption = ("sideways vs into the bone, same force: " + compare_summary(readouts[1], readouts[0])
                       if len(readouts) == 2 and directions[0] != directions[1]
                       else readouts[0].summary())
        return cls(deformations, exaggeration or 1.0, limit, slip_limit,
                   shear_limit, caption)

    @classmethod
    def held_preview(cls, model: PressureModel, contacts: Sequence[Contact], held: Scene) -> Scene:
        """A frame while the tool is dragged: the linear previews of ``contacts`` (one pass of the solves
        for all of them) at ``held``'s scales, so the picture does not flicker, and with its caption; no
        readout is made (the solve at the drop makes them)."""
        return replace(held, deformations=model.preview_all(contacts), preview=True)


@dataclass
class Playback:
    """Animation state, frame ``index`` of ``n_frames`` (a GUI timer only calls :meth:`advance`)."""

    n_frames: int = 36
    index: int = 0
    playing: bool = False
    loop: bool = True

    @property
    def load_fraction(self) -> float:
        return float(ramp(self.n_frames)[self.index])

    def advance(self) -> bool:
        """Step one frame; at the end wrap (loop) or stop. Returns whether it is still playing."""
        if not self.playing:
            return False
        self.index += 1
        if self.index >= self.n_frames:
            self.index = 0
            self.playing = self.loop
        return self.playing
