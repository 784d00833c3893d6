"""Shared fixtures. The default model is loaded once per test session."""

from __future__ import annotations

import os

import pytest

# As on many CI machines and in pyvista's tutorials: off-screen pyvista plotters by default. The app's
# embedded 3-D view must not inherit it (tests/test_gui.py::test_pyvista_off_screen_setting_...).
os.environ["PYVISTA_OFF_SCREEN"] = "true"


@pytest.fixture(scope="session")
def default_model():
    """The built-in thigh model from meshes/ (skips only if it has not been generated yet)."""
    from thighview._resources import default_model_path
    from thighview.io import load_model

    if not default_model_path().is_file():
        pytest.fail("meshes/thigh_default.glb is missing: run `thighview build-model --out meshes`")
    return load_model()


@pytest.fixture(scope="session", autouse=True)
def _throwaway_state_and_log_dirs(tmp_path_factory):
    """App windows in tests autosave, log crashes and cache in a temporary folder, never the user's."""
    patch = pytest.MonkeyPatch()
    patch.setenv("THIGHVIEW_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    patch.setenv("THIGHVIEW_LOG_DIR", str(tmp_path_factory.mktemp("logs")))
    patch.setenv("THIGHVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


def pytest_collection_modifyitems(config, items):
    """GUI tests need an X server (pytest-xvfb starts Xvfb when it is installed).

    On a developer machine without Xvfb they are skipped with the reason; in CI (``CI`` set)
    they must run, so a missing X server fails them instead of hiding them.
    """
    import os

    if os.environ.get("DISPLAY") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="no X server: install Xvfb (see .ci/run) to run the GUI tests")
    for item in items:
        if "gui" in item.keywords:
            item.add_marker(skip)
