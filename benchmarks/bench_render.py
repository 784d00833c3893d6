"""The 3-D scene: a new level with GPU clipping planes vs CPU clipping, and a frame during an
interaction (level of detail) vs a full-detail frame.

Moving the level in the app moves the cutting plane; ``ThighScene`` clips the structures with
a mapper clipping plane (free on the GPU) and only rebuilds the filled section. The baseline is
the obvious alternative: the same fill plus a CPU clip of every structure surface at the plane
(pyvista ``clip``), which is what a scene without clipping planes must redo at every level.
Neither side renders: this times the scene update the user waits for before the frame.

The frame cases time the real main window's 3-D view (``_frame_window.py``, a child process
under an X server, as the user sees it: the app's window size, lights, FXAA and orientation
marker), turning the camera a little before each frame: with low detail shown (what the view
draws while the user rotates, zooms or drags the level: see ``ThighScene.set_low_detail_shown``)
against full detail (what it draws when the user stops). The same frames are read twice: wall
clock, and the CPU seconds of the app's process (llvmpipe draws on its threads), which a
machine shared with other work disturbs far less.
"""

from __future__ import annotations

import itertools

from benchmarks.case import Case

_LEVELS = itertools.cycle([0.3, 0.45, 0.6, 0.75])


def _setup():
    import pyvista as pv

    from thighview.io import load_model
    from thighview.render import geometry
    from thighview.render.scene3d import ThighScene
    from thighview.render.views import AnatomicalAxes
    from thighview.section import SectionEngine

    model = load_model()
    engine = SectionEngine(model)
    plotter = pv.Plotter(off_screen=True, window_size=(400, 400))
    scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(engine.axis))
    meshes = [geometry.structure_mesh(s) for s in model.structures.values()]
    sections = {level: engine.section(level) for level in (0.3, 0.45, 0.6, 0.75)}
    return scene, meshes, sections


def _ours(data) -> None:
    scene, _, sections = data
    scene.set_section(sections[next(_LEVELS)])


def _cpu_clip(data) -> None:
    scene, meshes, sections = data
    section = sections[next(_LEVELS)]
    scene.set_section(section)
    normal = -scene.axes.superior
    for mesh in meshes:
        mesh.clip(normal=normal, origin=section.frame.origin, invert=False)


_FRAME_PAIRS = 8  # warm-up + 7 repeats


class _Frames:
    """Frames of the real window (``_frame_window.py`` in a child process), read one per call."""

    def __init__(self) -> None:
        self.rows: list[dict] | None = None
        self.read = {"low": 0, "full": 0, "low_cpu": 0, "full_cpu": 0}

    def _run(self) -> list[dict]:
        import json
        import os
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        from benchmarks.bench_gui import _ROOT, _x_display

        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, **_x_display(), "XDG_CONFIG_HOME": home, "THIGHVIEW_STATE_DIR": home,
                   "THIGHVIEW_LOG_DIR": home, "THIGHVIEW_CACHE_DIR": home,
                   "PYTHONPATH": os.pathsep.join([str(_ROOT / "src"), str(_ROOT)])}
            done = subprocess.run([sys.executable, str(Path(__file__).with_name("_frame_window.py")),
                                   str(_FRAME_PAIRS)], env=env, capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"_frame_window.py failed: {done.stderr[-2000:]}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    def reader(self, key: str):
        def read(_data) -> float:
            if self.rows is None:
                self.rows = self._run()
            value = self.rows[self.read[key]][key]
            self.read[key] += 1
            return value
        return read


def cases() -> list[Case]:
    frames = _Frames()  # one child process: both frame cases read the same frames
    return [Case(name="3D scene at a new level: GPU clip planes vs CPU clipping", ours=_ours, baseline=_cpu_clip,
                 setup=_setup, repeats=5, targets={"min_ratio": 2.0}),
            Case(name="3D frame during interaction (low detail) vs full-detail frame, app window (wall s)",
                 ours=frames.reader("low"), baseline=frames.reader("full"), repeats=_FRAME_PAIRS - 1, reports="s",
                 targets={"min_ratio": 5.0, "max_ours_s": 0.1}),
            Case(name="3D frame during interaction (low detail) vs full-detail frame, app window (CPU s)",
                 ours=frames.reader("low_cpu"), baseline=frames.reader("full_cpu"), repeats=_FRAME_PAIRS - 1,
                 reports="s", targets={"min_ratio": 5.0, "max_ours_s": 0.1})]
