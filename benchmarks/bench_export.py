"""Exports: a 4K PNG of the 3-D view against a bare pyvista off-screen screenshot of the same scene.

Both build :class:`thighview.render.scene3d.ThighScene` for the default model at 50% on a fresh
3840x2160 off-screen plotter and write a PNG. Ours adds what makes it an export: supersampled
anti-aliasing, title and legend, framing of what is left after the cut, provenance ``tEXt``
chunks, and an atomic write beside the target. Target (issue 8): ours costs at most 1.3x the
bare screenshot, i.e. ``ratio = baseline_s / ours_s >= 1 / 1.3``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.case import Case

SIZE = (3840, 2160)
LEVEL = 0.5


def _setup():
    import pyvista  # noqa: F401  (import cost outside the timings)

    from thighview.io import load_model
    from thighview.section import SectionEngine

    model = load_model()
    engine = SectionEngine(model)
    folder = Path(tempfile.mkdtemp(prefix="thighview-bench-export-"))
    return {"model": model, "engine": engine, "folder": folder}


def _ours(data) -> None:
    from thighview.export.provenance import provenance
    from thighview.export.scene import write_scene_png

    write_scene_png(data["folder"] / "ours.png", data["model"], data["engine"], LEVEL, size=SIZE, force=True,
                    record=provenance(data["model"], content="3-D view", levels=[LEVEL]))


def _baseline(data) -> None:
    import pyvista as pv

    from thighview.render.colouring import ColourScheme, structure_colours
    from thighview.render.scene3d import ThighScene
    from thighview.render.views import AnatomicalAxes

    model, engine = data["model"], data["engine"]
    plotter = pv.Plotter(off_screen=True, window_size=list(SIZE))
    section = engine.section(LEVEL)
    scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(engine.axis))
    scene.set_colours(structure_colours(model.structures.values(), ColourScheme(), section))
    scene.set_section(section)
    scene.view()
    plotter.screenshot(str(data["folder"] / "baseline.png"))
    plotter.close()


CASES = [
    Case(name="4K PNG of the 3-D view vs bare pyvista screenshot", ours=_ours, baseline=_baseline, setup=_setup,
         repeats=5, targets={"min_ratio": 1 / 1.3}),
]
