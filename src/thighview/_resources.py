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


def _shipped(inside: str, in_checkout: str) -> Path:
    """A folder shipped in the wheel (``thighview/<inside>``), else the checkout's ``<in_checkout>``."""
    packaged = _PACKAGE / inside
    return packaged if packaged.is_dir() else _PACKAGE.parents[1] / in_checkout


def docs_dir() -> Path:
    """The user documentation (Markdown): ``thighview/docs`` in a wheel, ``docs/`` in a checkout."""
    return _shipped("docs", "docs")


def example_section_image() -> Path:
    """The Braus-like labelled section image (drawn at 0.125 mm per pixel by ``docs/draw_braus_like.py``)."""
    return _shipped("examples", "assets") / "braus_like_section.png"


#: The example image's scale, as ``docs/draw_braus_like.py`` drew it.
EXAMPLE_IMAGE_MM_PER_PIXEL = 0.125
