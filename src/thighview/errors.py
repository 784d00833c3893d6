"""Typed, user-facing errors.

Every error a user can cause (a bad file, an impossible level, an unknown structure) is a
:class:`ThighViewError`. Its ``str()`` is one line a physiotherapist can act on, naming the
file (when there is one) and the problem. The CLI prints that line and exits non-zero; the
GUI shows it in a dialog. Anything else escaping is a bug.
"""

from __future__ import annotations

from pathlib import Path


class ThighViewError(Exception):
    """Base class: a problem the user can understand and fix."""

    def __init__(self, reason: str, path: str | Path | None = None) -> None:
        self.reason = " ".join(str(reason).split())  # always one line
        self.path = Path(path) if path is not None else None
        super().__init__(self.reason)

    def __str__(self) -> str:
        if self.path is None:
            return self.reason
        return f"{self.path}: {self.reason}"


class FileFormatError(ThighViewError):
    """A file is unreadable, truncated, corrupt, or not the kind its name says."""


class UnsupportedFormatError(FileFormatError):
    """A file's type is not one ThighView reads or writes."""


class LimitExceededError(ThighViewError):
    """An input is larger than a configured limit (file size, triangles, voxels)."""


class MeshError(ThighViewError):
    """A mesh is empty, open, non-manifold or has invalid coordinates."""


class ModelError(ThighViewError):
    """A model is inconsistent: missing femur, duplicate names, unknown structure."""


class LevelError(ThighViewError):
    """A level along the femur is outside the femur or not a number."""


class SectionError(ThighViewError):
    """A section cannot be computed exactly (for example the surface is open at that level)."""


class ExportError(ThighViewError):
    """An export cannot be written (target exists, bad size, unwritable folder)."""


class SessionError(ThighViewError):
    """A session file is unreadable or from an unknown version."""


class MissingExtraError(ThighViewError):
    """A feature needs an optional part of ThighView that is not installed (``pip install 'thighview[EXTRA]'``)."""


class MechanicsError(ThighViewError):
    """The pressure simulation cannot be set up for this section."""


class MeasurementError(ThighViewError):
    """A client's measurement is missing its unit, out of the plausible range, or unknown."""
