"""The layers hold: every module's imports are checked, and the core runs with Qt absent.

Every ``.py`` file under ``src/thighview`` is parsed and every import statement in it counted:
at module level, inside functions (lazy imports) and under ``TYPE_CHECKING``, with relative
imports resolved. A contract names the modules it governs and the packages they must not import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import thighview

PACKAGE_DIR = Path(thighview.__file__).parent
QT = ("PySide6", "shiboken6", "pyvistaqt", "PyQt5", "PyQt6", "qtpy")
#: The entry points that start the GUI (``thighview`` with no subcommand); everything else is core.
GUI_ENTRY_POINTS = ("thighview.cli", "thighview.cli_commands.demo")  # the commands that open the app


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, wherever the statement is."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE_DIR.rglob("*.py"))}


GRAPH = _graph()


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


#: (contract, which modules it governs, what they must not import)
CONTRACTS = [
    ("nothing outside thighview.gui imports Qt",
     lambda m: not _within(m, "thighview.gui"), QT),
    ("the core (everything but gui and the command that starts it) imports no gui",
     lambda m: not _within(m, "thighview.gui") and m not in GUI_ENTRY_POINTS, ("thighview.gui",)),
    ("mechanics returns data: it imports neither render, export, app nor gui",
     lambda m: _within(m, "thighview.mechanics"),
     ("thighview.render", "thighview.export", "thighview.app", "thighview.gui")),
    ("io reads and writes files: it imports neither render, app nor gui",
     lambda m: _within(m, "thighview.io"), ("thighview.render", "thighview.app", "thighview.gui")),
    ("the app state is plain Python: it imports no export (views do that)",
     lambda m: _within(m, "thighview.app"), ("thighview.export",)),
]


def test_every_module_is_checked():
    assert len(GRAPH) >= 90
    for package in ("thighview.app", "thighview.mechanics.animation", "thighview.render.pressure2d",
                    "thighview.io.readers", "thighview.gui.pressure_panel", "thighview.cli_commands.animate"):
        assert package in GRAPH


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c[0] for c in CONTRACTS])
def test_layer_contract(contract):
    _name, governs, forbidden = contract
    broken = sorted(f"{module} imports {target}" for module, targets in GRAPH.items() if governs(module)
                    for target in targets if any(_within(target, f) for f in forbidden))
    assert not broken, "\n".join(broken)


def test_the_contracts_see_imports_wherever_they_are(tmp_path):
    """The checker itself: lazy, TYPE_CHECKING and relative imports are all found."""
    sample = PACKAGE_DIR / "mechanics" / "animation.py"
    found = _imports(sample)
    assert "thighview.mechanics.results" in found  # module level
    assert "thighview.mechanics.model" in found    # under TYPE_CHECKING
    assert "thighview.mechanics.animation" in _imports(PACKAGE_DIR / "render" / "pressure2d.py")
    assert "thighview.gui.app" in GRAPH["thighview.cli"]  # inside a function


# --- the core with Qt absent -----------------------------------------------------------------

_WITHOUT_QT = textwrap.dedent('''
    import importlib.abc, sys

    BLOCKED = {blocked!r}

    class NoQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: Qt is absent)", name=name)
            return None

    sys.meta_path.insert(0, NoQt())
    {body}
    assert not [m for m in sys.modules if m.split(".")[0] in BLOCKED]
    print("core ran without Qt")
''')

_CORE_RUN = '''
import json, pathlib, sys
import numpy as np
from thighview.io import load_model
from thighview.section import SectionEngine
from thighview.app.state import AppState
from thighview.mechanics import PressureModel
from thighview.export.figures import save_figure, section_figure
from thighview.export.scene import write_scene_png
from thighview.render.pressure2d import FrameStyle, frames

out = pathlib.Path(sys.argv[1])
model = load_model()                                  # the built-in thigh
engine = SectionEngine(model)
state = AppState()
events = []
state.subscribe(events.append)
state.set_model(model, engine, level=0.5)
areas = state.section.areas_cm2
assert sum(areas.values()) > 50, areas
pressure = PressureModel.from_section(state.section, side=model.side)
state.pressure.set_model(pressure)                    # solves the default loads
state.pressure.play(True)
state.pressure.advance()
kinds = [type(e).__name__ for e in events]
assert {"LevelChanged", "PressureSolved", "PressureFrame"} <= set(kinds), kinds
slip = max(r.femur_slip.max_mm for r in (d.readout() for d in state.pressure.scene.deformations))
shots = list(frames(pressure, state.pressure.contacts(), n_frames=3, style=FrameStyle(panel_px=120)))
assert len(shots) == 3 and np.abs(shots[1].astype(int) - shots[0].astype(int)).sum() > 0
save_figure(section_figure(state.section, size_px=(600, 525)), out / "section.png", record={})
write_scene_png(out / "scene.png", model, engine, 0.5, size=(320, 240), record={})
print(json.dumps({"total_cm2": sum(areas.values()), "femur_slip_mm": slip}))
'''


def test_the_core_runs_with_qt_absent(tmp_path):
    """Load the default model, cut a section, measure areas, solve the pressure demo through the app
    state, draw its frames, and export a section figure and an off-screen 3-D render, with PySide6
    and pyvistaqt made unimportable."""
    code = _WITHOUT_QT.format(blocked=set(QT), body=_CORE_RUN)
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "core ran without Qt" in result.stdout
    from PIL import Image

    for name, size in (("section.png", (600, 525)), ("scene.png", (320, 240))):
        image = np.asarray(Image.open(tmp_path / name).convert("RGB")).astype(int)
        assert Image.open(tmp_path / name).size == size
        assert image.std() > 10, f"{name} is blank"


def test_the_blocker_really_blocks_qt():
    """Without this, the run above could pass with Qt quietly imported."""
    code = _WITHOUT_QT.format(blocked=set(QT), body="import PySide6")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "blocked: Qt is absent" in result.stderr
