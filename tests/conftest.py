"""Shared fixtures. The default model is loaded once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def default_model():
    """The built-in thigh model from meshes/ (skips only if it has not been generated yet)."""
    from thighview._resources import default_model_path
    from thighview.io import load_model

    if not default_model_path().is_file():
        pytest.fail("meshes/thigh_default.glb is missing: run `thighview build-model --out meshes`")
    return load_model()
