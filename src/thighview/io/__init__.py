"""Reading models: meshes, folders of meshes or masks, label maps, the built-in default.

:func:`load_model` is the one entry point every caller uses (GUI, CLI, exports, tests)::

    load_model(path=None, *, units="auto", labels=None, side=None,
               progress=None, cancel=None, limits=None) -> ThighModel

* ``path``: a file or folder; ``None`` loads the built-in thigh (``meshes/thigh_default.glb``
  and its JSON sidecar).
* ``units``: ``"auto"`` (meshes: judged from the anatomy's size; label maps: their header),
  or ``"mm"``, ``"cm"``, ``"m"`` to override. Models are always in millimetres afterwards;
  ``model.provenance["units"]`` says what was found and why.
* ``labels``: a colour table naming a label map's values (Slicer ``.ctbl``/``.txt``/``.csv``,
  ITK-SNAP label description, JSON class map). Without it, names come from the file, else a
  table beside the image (same stem, or the only one in the folder).
* ``side``: ``"right"``/``"left"``: which thigh to keep when a file holds both.
* ``progress(p)``: called with a :class:`~thighview.progress.Progress` as the import advances
  (``p.fraction`` 0..1, ``p.message``).
* ``cancel``: anything with ``is_set()`` (e.g. :class:`threading.Event`); when set, the import
  raises :class:`~thighview.progress.Cancelled` at its next step. Run imports off the UI thread.
* ``limits``: :class:`~thighview.io.limits.Limits` (default: from the environment).
* ``colour_map``: which structure each colour stands for in a labelled image or a mesh
  coloured by face (a JSON file, a dict, or :class:`~thighview.io.colour_map.ColourMap`;
  default: Braus's red quadriceps, green adductors, blue hamstrings, white femur).
* ``pixel_size``: millimetres per pixel of a labelled image (default: scaled so that the
  femur has its typical mid-shaft diameter, a stated assumption).

A single cross-section (a planar mesh, a thin slab, a labelled image) becomes a model with
one level (``model.flat``; see :mod:`thighview.io.flat`).

Formats: GLB/glTF (a node per structure), OBJ (objects/groups), STL (ASCII solids), PLY, VTK
legacy (triangle strips too), VTP, VTM (a block per structure); a folder of such files, one
structure per file; label maps NIfTI (``.nii``/``.nii.gz``), NRRD, 3D Slicer ``.seg.nrrd``; a
folder of binary masks (TotalSegmentator). Every problem is a one-line
:class:`~thighview.errors.ThighViewError` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from thighview.io.formats import SUPPORTED_SUFFIXES
from thighview.progress import CancelFlag, Cancelled, Report

if TYPE_CHECKING:
    from thighview.io.limits import Limits
    from thighview.model import ThighModel

__all__ = ["load_model", "Cancelled", "SUPPORTED_SUFFIXES"]



def load_model(path: str | Path | None = None, *, units: str = "auto", labels: str | Path | None = None,
               side: str | None = None, progress: Report | None = None,
               cancel: CancelFlag | None = None, limits: Limits | None = None,
               colour_map: str | Path | dict | None = None, pixel_size: float | None = None) -> ThighModel:
    """Load a model file or folder; ``None`` loads the built-in default thigh (see the module docstring)."""
    from thighview.io.readers import read_any

    if path is None:
        from thighview._resources import default_model_path

        path = default_model_path()
    return read_any(Path(path), units=units, labels=labels, side=side, progress=progress, cancel=cancel,
                    limits=limits, colour_map=colour_map, pixel_size=pixel_size)
