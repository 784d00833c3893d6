"""Folders of per-structure files: meshes (Slicer "export to files", atlases) or masks
(TotalSegmentator's ``segmentations/``), each named by its file.

Exporters often put a common prefix before every name (``Segmentation_Femur.stl``,
``thigh-vastus_lateralis.nii.gz``); :func:`strip_common_prefix` drops it when that makes more
names known to the vocabulary, and not otherwise (``vastus_lateralis``/``vastus_medialis``
share ``vastus_`` but need it).
"""

from __future__ import annotations

import os
from pathlib import Path

from thighview import anatomy
from thighview.errors import FileFormatError
from thighview.io.colour_tables import image_stem
from thighview.io.labelmaps import is_label_image
from thighview.io.meshes import is_mesh_file

_SEPARATORS = "_- ."


def _known(names: list[str]) -> int:
    return sum(anatomy.match_name(n).canonical is not None for n in names)


def strip_common_prefix(names: list[str]) -> list[str]:
    """Drop a prefix shared by every name (ending at a separator) if more names then match."""
    if len(names) < 2:
        return names
    prefix = os.path.commonprefix(names)
    cut = max((prefix.rfind(c) for c in _SEPARATORS), default=-1)
    if cut <= 0:
        return names
    stripped = [n[cut + 1:] for n in names]
    if any(not n for n in stripped) or _known(stripped) <= _known(names):
        return names
    return stripped


def folder_files(folder: Path) -> tuple[str, list[Path]]:
    """``("meshes"|"masks", files)`` of a folder, descending into a lone sub-folder
    (TotalSegmentator writes ``out/segmentations/*.nii.gz``)."""
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    files = [p for p in entries if p.is_file()]
    meshes = [p for p in files if is_mesh_file(p)]
    masks = [p for p in files if is_label_image(p)]
    if meshes and masks:
        raise FileFormatError("the folder holds both meshes and label images; open one kind at a time", folder)
    if meshes:
        return "meshes", meshes
    if masks:
        return "masks", masks
    folders = [p for p in entries if p.is_dir()]
    if len(folders) == 1:
        return folder_files(folders[0])
    raise FileFormatError("the folder holds no mesh or label-map files", folder)


def structure_names(files: list[Path]) -> dict[Path, str]:
    """The structure name each file stands for: its name without suffixes or a shared prefix."""
    stems = [image_stem(f) if is_label_image(f) else f.stem for f in files]
    return dict(zip(files, strip_common_prefix(stems)))
