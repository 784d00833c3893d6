"""Reading and writing models: meshes, folders of meshes, label maps, sessions.

:func:`load_model` is the one entry point every caller uses (GUI, CLI, exports, tests); it
picks a reader by the file's suffix and returns a :class:`~thighview.model.ThighModel` with
every structure name mapped through :mod:`thighview.anatomy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thighview.model import ThighModel


def load_model(path: str | Path | None = None) -> ThighModel:
    """Load a model file or folder; ``None`` loads the built-in default thigh."""
    from thighview.io.meshes import read_mesh_model

    if path is None:
        from thighview._resources import default_model_path

        path = default_model_path()
    return read_mesh_model(Path(path))
