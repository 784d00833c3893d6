"""The reader registry: every file format ThighView opens, in one table.

Each :class:`FileFormat` names its suffixes, the leading bytes that give it away when a file is
saved under another name, the reader that opens it and what it holds. :func:`read_any
<thighview.io.readers.read_any>` dispatches on it, the error messages and the file dialogs list
it, and the README's format table is generated from it (a test keeps them equal). Readers are
named by import path, so this module stays import-free (the CLI and file dialogs read it
without loading numpy or VTK). To open a new format, add a row here (and its reader).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileFormat:
    """One format: ``reader`` is ``"module:function"``, called as ``function(path, request)``
    (:class:`thighview.io.readers.ReadRequest`); a row without one is only recognised by content."""

    name: str
    suffixes: tuple[str, ...]
    reader: str
    description: str
    magic: bytes = b""  # leading bytes of every such file ("" = none worth checking)

    def load_reader(self) -> Callable:
        module, function = self.reader.split(":")
        return getattr(importlib.import_module(module), function)


MESH = "thighview.io.readers:read_mesh_file"
LABEL_MAP = "thighview.io.readers:read_label_file"
IMAGE = "thighview.io.readers:read_image_file"


#: Every format :func:`thighview.io.load_model` opens (besides folders of them), in the order listed.
FORMATS: tuple[FileFormat, ...] = (
    FileFormat("GLB", (".glb",), MESH, "binary glTF: one node per structure", b"glTF"),
    FileFormat("glTF", (".gltf",), MESH, "glTF: one node per structure"),
    FileFormat("OBJ", (".obj",), MESH, "Wavefront OBJ: objects or groups"),
    FileFormat("STL", (".stl",), MESH, "STL: binary, or ASCII with a named solid per structure"),
    FileFormat("PLY", (".ply",), MESH, "Stanford PLY", b"ply"),
    FileFormat("VTK legacy", (".vtk",), MESH, "VTK legacy polydata (triangle strips too)", b"# vtk DataFile"),
    FileFormat("VTP", (".vtp",), MESH, "VTK XML polydata"),
    FileFormat("VTM", (".vtm",), MESH, "VTK multiblock: a block per structure"),
    FileFormat("NIfTI", (".nii", ".nii.gz"), LABEL_MAP, "label map (TotalSegmentator multilabel files too)"),
    FileFormat("gzip", (".gz",), "", "gzip-compressed data (a .nii.gz is NIfTI)", b"\x1f\x8b"),
    FileFormat("NRRD", (".nrrd", ".nhdr"), LABEL_MAP, "label map", b"NRRD"),
    FileFormat("Slicer segmentation", (".seg.nrrd",), LABEL_MAP, "3D Slicer segmentation (segment names kept)",
               b"NRRD"),
    FileFormat("PNG", (".png",), IMAGE, "labelled section image (one level)"),
    FileFormat("TIFF", (".tif", ".tiff"), IMAGE, "labelled section image (one level)"),
    FileFormat("JPEG", (".jpg", ".jpeg"), IMAGE, "labelled section image (one level)"),
    FileFormat("BMP", (".bmp",), IMAGE, "labelled section image (one level)"),
)


def _listed() -> tuple[FileFormat, ...]:
    """The formats ThighView opens (a row without a reader is only there for its magic bytes)."""
    return tuple(f for f in FORMATS if f.reader)


#: Every file suffix :func:`thighview.io.load_model` opens.
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(s for f in _listed() for s in f.suffixes)


def suffixes_read_by(reader: str) -> tuple[str, ...]:
    """The suffixes one reader (:data:`MESH`, :data:`LABEL_MAP`, :data:`IMAGE`) opens."""
    return tuple(s for f in _listed() if f.reader == reader for s in f.suffixes)


def read_by(path: Path, reader: str) -> bool:
    """True when ``path``'s name says it is opened by ``reader`` (:data:`MESH`...)."""
    found = format_of(path)
    return found is not None and found.reader == reader


def format_of(path: Path) -> FileFormat | None:
    """The format a file's name says (the longest matching suffix: ``.seg.nrrd`` before ``.nrrd``)."""
    name = path.name.lower()
    matches = [(len(s), f) for f in _listed() for s in f.suffixes if name.endswith(s)]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def format_of_content(head: bytes) -> FileFormat | None:
    """The format whose magic bytes ``head`` (a file's first bytes) starts with, if any."""
    return next((f for f in FORMATS if f.magic and head.startswith(f.magic)), None)


def disguised_format(path: Path, head: bytes) -> FileFormat | None:
    """The format a file's content plainly is when its name says otherwise; else ``None``."""
    found = format_of_content(head)
    if found is None:
        return None
    allowed = tuple(s for f in FORMATS if f.magic == found.magic for s in f.suffixes)
    return None if path.name.lower().endswith(allowed) else found


def opens_text() -> str:
    """'glb, gltf, obj, …, bmp' for error messages."""
    return ", ".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)


def markdown_table() -> str:
    """The README's table of supported files (checked equal to it by a test)."""
    rows = ["| Format | Files | Holds |", "| --- | --- | --- |"]
    rows += [f"| {f.name} | {', '.join(f'`{s}`' for s in f.suffixes)} | {f.description} |" for f in _listed()]
    rows.append("| Folder | a folder of the files above | one structure per file (or TotalSegmentator masks) |")
    return "\n".join(rows)
