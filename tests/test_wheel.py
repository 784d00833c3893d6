"""A built wheel, installed into a new virtual environment outside the repository, measures the
built-in thigh: a file the wheel forgets (meshes/, data/*.json, a module) fails here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_in_a_clean_venv_runs_areas_on_the_built_in_model(tmp_path, default_model):
    """The wheel is built as pip builds it for a user (``pip wheel --no-deps``, isolated build with
    hatchling). The new venv has none of the repository: the wheel is installed into it alone
    (``--no-deps --no-index``), and a ``.pth`` file lends it the test environment's
    site-packages for the dependencies only, so that no 1 GB of VTK/Qt is downloaded again. That
    directory is added as a plain path, so the editable install's hook in it (which would reach
    back to ``src/``) is never run, and the venv's own ``thighview`` comes first; the run is in an
    empty folder without PYTHONPATH, and the test checks where ``thighview`` was imported from."""
    from thighview.section import SectionEngine

    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True, timeout=600, capture_output=True)
    (wheel,) = wheels.glob("thighview-*.whl")

    env_dir = tmp_path / "clean"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, timeout=300, capture_output=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    where = subprocess.run([str(python), "-c", "import thighview; print(thighview.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    assert Path(where).is_relative_to(site), where
    result = subprocess.run([str(env_dir / "bin" / "thighview"), "areas", "--level", "0.5", "--format", "json"],
                            cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    expected = SectionEngine(default_model).section(0.5).areas_cm2
    measured = {name: entry["area_cm2"] for name, entry in document["structures"].items()}
    assert measured.keys() == expected.keys()
    for name, area in expected.items():
        assert measured[name] == pytest.approx(area, abs=1e-4), name
