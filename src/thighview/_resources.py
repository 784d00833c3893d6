"""Where the files shipped with ThighView live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def meshes_dir() -> Path:
    """The folder holding the built-in default model.

    A wheel carries it inside the package (``thighview/meshes``); a source checkout or an
    editable install finds it at the repository's top level (``meshes/``).
    """
    for candidate in (_PACKAGE / "meshes", _PACKAGE.parents[1] / "meshes"):
        if (candidate / "thigh_default.glb").is_file():
            return candidate
    return _PACKAGE.parents[1] / "meshes"


def default_model_path() -> Path:
    """The built-in model's GLB file."""
    return meshes_dir() / "thigh_default.glb"


def data_path(name: str) -> Path:
    """A data file shipped inside the package (e.g. ``anatomy_targets.json``)."""
    return _PACKAGE / "data" / name
