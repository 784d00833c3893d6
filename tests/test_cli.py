"""The command line: version, help, errors as one line, and a light start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from thighview import __version__
from thighview.cli import command_names, main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thighview", *args], capture_output=True, text=True, timeout=120)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"thighview {__version__}"


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in command_names():
        assert name in result.stdout


def test_cli_import_loads_no_heavy_module():
    """`thighview --help` must stay fast: the CLI imports no numpy, VTK, pyvista, Qt or scikit-fem."""
    code = (
        "import sys, json; sys.argv=['thighview', '--help']\n"
        "import thighview.cli as c\n"
        "try: c.main()\nexcept SystemExit: pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy','vtk','vtkmodules','pyvista','PySide6','pyvistaqt','skfem','trimesh','matplotlib','shapely'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_missing_file_is_one_line_error(tmp_path, capsys):
    missing = tmp_path / "nothing.glb"
    assert main(["info", str(missing)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(missing) in err and "Traceback" not in err


def test_unsupported_file_is_one_line_error(tmp_path):
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not a mesh")
    result = run_cli("info", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli("--debug", "info", str(tmp_path / "missing.glb"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_info_on_the_default_model(default_model):
    result = run_cli("info", str(default_model.source))
    assert result.returncode == 0, result.stderr
    for name in ("femur", "vastus_lateralis", "semimembranosus"):
        assert name in result.stdout


@pytest.mark.parametrize("module", ["thighview.anatomy", "thighview.errors", "thighview.model",
                                    "thighview.section", "thighview.io", "thighview.render",
                                    "thighview.comparison", "thighview.procedural.client", "thighview.export.paired"])
def test_core_never_imports_qt(module):
    """Qt stays in thighview.gui: importing a core module loads no PySide6/pyvistaqt."""
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print(any(m.split('.')[0] in ('PySide6', 'pyvistaqt') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_closed_pipe_is_not_an_error():
    """`thighview areas | head -1` must not print an internal error when head exits."""
    import shlex

    cmd = f"{shlex.quote(sys.executable)} -m thighview areas --levels 0.1:0.9:0.01 --format csv | head -1"
    result = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip()
    assert "error" not in result.stderr
