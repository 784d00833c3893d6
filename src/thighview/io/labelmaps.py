"""Label maps: NIfTI, NRRD, 3D Slicer ``.seg.nrrd``, and folders of one mask per structure.

Each reader returns :class:`LabelLayer` objects (an integer array indexed ``[i, j, k]`` and
the names of its labels) and one 4x4 affine from voxel index to RAS millimetres, so that
surfaces land where the image says: NIfTI's affine is RAS already; NRRD's ``space
directions``/``space origin`` are turned from LPS when the header says so. Names come from,
in order: a colour table the user gives, the file itself (``.seg.nrrd`` segment names,
TotalSegmentator's label table in the NIfTI header extension), a colour table beside the
image (:func:`~thighview.io.colour_tables.find_beside`), else ``label_<value>``.

An image that is not a label map (fractional values, negative values, thousands of distinct
values) or holds no labels fails with one line naming the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thighview.errors import FileFormatError
from thighview.io import formats
from thighview.io.colour_tables import ColourTable
from thighview.io.limits import Limits
from thighview.progress import Stage

_LPS_SPACES = {"left-posterior-superior", "lps", "scanner-xyz"}  # scanner-xyz: DICOM patient frame
_RAS_SPACES = {"right-anterior-superior", "ras"}
_UNITS = {"mm": "mm", "millimeter": "mm", "millimeters": "mm", "m": "m", "meter": "m", "meters": "m",
          "cm": "cm", "um": "um", "micron": "um"}


@dataclass
class LabelLayer:
    """One integer label array, the values present, and their names/colours (value -> name)."""

    labels: np.ndarray
    values: list[int]
    names: dict[int, str] = field(default_factory=dict)
    colours: dict[int, str] = field(default_factory=dict)


@dataclass
class LabelImage:
    layers: list[LabelLayer]
    affine: np.ndarray  # voxel index -> RAS, in the file's unit
    unit: str  # "mm", "cm", "m" or "um", as the header says
    units_reason: str
    names_from: str = "none"
    skipped: list[str] = field(default_factory=list)  # empty masks of a folder


def is_label_image(path: Path) -> bool:
    return formats.read_by(path, formats.LABEL_MAP)


def _is_nifti(path: Path) -> bool:
    return getattr(formats.format_of(path), "name", None) == "NIfTI"


def as_labels(data: np.ndarray, path: Path, limits: Limits) -> tuple[np.ndarray, list[int]]:
    """Check that an image is a label map; return it as an integer array and its non-zero values."""
    data = np.asarray(data)
    if data.dtype == bool:
        data = data.astype(np.uint8)
    if data.dtype.kind == "f":
        if not np.all(np.isfinite(data)):
            raise FileFormatError("the image has NaN or infinite values: not a label map", path)
        if np.any(data != np.round(data)):
            raise FileFormatError("the image has fractional values: it is an intensity image or a "
                                  "probability map, not a label map", path)
        data = data.astype(np.int64)
    elif data.dtype.kind not in "iu":
        raise FileFormatError(f"voxels of type {data.dtype} cannot be labels", path)
    if data.size == 0:
        raise FileFormatError("the image has no voxels", path)
    lo, hi = data.min(), data.max()
    if lo < 0:
        raise FileFormatError(f"the image has negative values (down to {lo}): not a label map", path)
    if hi == 0:
        raise FileFormatError("the image holds no labels (every voxel is 0)", path)
    flat = data.reshape(-1, order="A")  # no copy for C- or Fortran-ordered data
    if hi < 2**24:
        values = np.flatnonzero(np.bincount(flat))
    else:
        values = np.unique(flat)
    values = [int(v) for v in values if v != 0]
    limits.check_labels(len(values), path)
    return data.astype(np.uint16 if hi < 2**16 else np.int32, copy=False), values


# --- NIfTI ---------------------------------------------------------------------------------

def _nifti_label_table(header) -> ColourTable | None:
    """TotalSegmentator's (Caret-style) XML label table in a NIfTI header extension, if any."""
    for extension in getattr(header, "extensions", []):
        content = extension.get_content()
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        if "<LabelTable" not in str(content):
            continue
        try:
            root = ET.fromstring(str(content).strip())
        except ET.ParseError:
            return None
        names, colours = {}, {}
        try:
            for label in root.iter("Label"):
                value = int(label.get("Key", "0"))
                if value and (label.text or "").strip():
                    names[value] = label.text.strip()
                    rgb = [float(label.get(c, "nan")) for c in ("Red", "Green", "Blue")]
                    if all(0 <= c <= 1 for c in rgb):
                        colours[value] = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
        except ValueError:
            return None  # a malformed table names nothing; the labels still open, as label_<value>
        return ColourTable(names, colours) if names else None
    return None


def _read_nifti(path: Path, limits: Limits) -> tuple[np.ndarray, np.ndarray, str, str, ColourTable | None]:
    import nibabel as nib

    try:
        logger, quiet = nib.imageglobals.logger, nib.imageglobals.logger.disabled
        logger.disabled = True  # nibabel logs its header fixes to stderr; our error is one line
        try:
            image = nib.load(str(path))
        finally:
            logger.disabled = quiet
        shape = image.shape
    except Exception as exc:
        raise FileFormatError(f"not a readable NIfTI image ({_short(exc)})", path) from None
    if len(shape) > 3 and all(n == 1 for n in shape[3:]):
        shape = shape[:3]
    if len(shape) != 3:
        raise FileFormatError(f"expected a 3-D label map, found an image of shape {image.shape}", path)
    limits.check_voxels(shape, path)
    try:
        data = np.asanyarray(image.dataobj).reshape(shape)
    except Exception as exc:
        raise FileFormatError(f"the image data cannot be read; is the file truncated? ({_short(exc)})",
                              path) from None
    unit = {"meter": "m", "micron": "um", "mm": "mm"}.get(image.header.get_xyzt_units()[0])
    reason = f"the NIfTI header says {unit}" if unit else "the NIfTI header names no unit; NIfTI's default is mm"
    return data, np.array(image.affine, dtype=float), unit or "mm", reason, _nifti_label_table(image.header)


# --- NRRD ----------------------------------------------------------------------------------

def _segment_tables(header: dict, n_layers: int) -> tuple[list[ColourTable], bool]:
    """3D Slicer segment names per layer from ``Segment<N>_Name``/``_LabelValue``/``_Layer``."""
    tables = [ColourTable({}) for _ in range(n_layers)]
    found = False
    for key, name in header.items():
        match = re.fullmatch(r"Segment(\d+)_Name", key)
        if not match:
            continue
        found = True
        index = match.group(1)
        value = int(header.get(f"Segment{index}_LabelValue", 1))
        layer = int(header.get(f"Segment{index}_Layer", index if n_layers > 1 else 0))
        if not 0 <= layer < n_layers:
            raise ValueError(f"segment {index} is on layer {layer}, the file has {n_layers}")
        tables[layer].names[value] = str(name)
        rgb = str(header.get(f"Segment{index}_Color", "")).split()
        if len(rgb) == 3:
            tables[layer].colours[value] = "#" + "".join(f"{round(float(c) * 255):02x}" for c in rgb)
    return tables, found


def _read_nrrd(path: Path, limits: Limits
               ) -> tuple[list[np.ndarray], np.ndarray, str, str, list[ColourTable] | None]:
    import nrrd

    try:
        header = nrrd.read_header(str(path))
        sizes = [int(n) for n in header["sizes"]]
    except Exception as exc:
        raise FileFormatError(f"not a readable NRRD header ({_short(exc)})", path) from None
    limits.check_voxels(tuple(sizes), path)
    try:
        data, header = nrrd.read(str(path), index_order="F")
        directions = np.asarray(header["space directions"], dtype=float)
        space = str(header.get("space", "")).lower()
    except KeyError as exc:
        raise FileFormatError(f"the NRRD header has no {exc} field: no position in space", path) from None
    except Exception as exc:
        raise FileFormatError(f"the NRRD data cannot be read; is the file truncated? ({_short(exc)})",
                              path) from None
    spatial = [i for i, row in enumerate(directions) if np.all(np.isfinite(row))]
    if len(spatial) != 3 or data.ndim not in (3, 4):
        raise FileFormatError(f"expected a 3-D label map, found {data.ndim} axes", path)
    if data.ndim == 4:  # Slicer layers: the one non-spatial axis first
        other = next(i for i in range(4) if i not in spatial)
        layers = list(np.moveaxis(data, other, 0))
    else:
        layers = [data]
    units = [str(u).lower() for u in header.get("space units", [])]
    unit = _UNITS.get(units[0]) if units else "mm"
    if unit is None:
        raise FileFormatError(f"unknown space unit {units[0]!r}", path)
    reason = f"the NRRD header says {units[0]}" if units else "the NRRD header names no unit; medical NRRD is in mm"
    affine = np.eye(4)
    affine[:3, :3] = directions[spatial].T
    affine[:3, 3] = np.asarray(header.get("space origin", np.zeros(3)), dtype=float)
    if space in _LPS_SPACES:
        affine[:2, :] *= -1.0
    elif space and space not in _RAS_SPACES:
        raise FileFormatError(f"unsupported NRRD space {space!r} (expected RAS or LPS)", path)
    try:
        tables, found = _segment_tables(header, len(layers))
    except ValueError as exc:
        raise FileFormatError(f"bad segment metadata: {exc}", path) from None
    return layers, affine, unit, reason, tables if found else None


# --- one file, or a folder of masks --------------------------------------------------------

def _check_affine(affine: np.ndarray, path: Path) -> None:
    """Voxels must have a size and the axes a direction, or surfaces cannot be placed."""
    linear = affine[:3, :3]
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(linear)) < 1e-9 * np.abs(linear).max() ** 3:
        raise FileFormatError("the image's voxel size or axis directions are zero or invalid", path)


def read_label_image(path: Path, limits: Limits, table: ColourTable | None = None,
                     beside: ColourTable | None = None) -> LabelImage:
    """Read a NIfTI/NRRD/.seg.nrrd label map; ``table`` (user's) and ``beside`` name its labels."""
    limits.check_file(path)
    if _is_nifti(path):
        data, affine, unit, reason, header_table = _read_nifti(path, limits)
        arrays, header_tables = [data], [header_table] if header_table else None
    else:
        arrays, affine, unit, reason, header_tables = _read_nrrd(path, limits)
    _check_affine(affine, path)
    layers = [LabelLayer(*as_labels(a, path, limits)) for a in arrays]
    if table is not None:
        names_from = f"colour table {table.path.name if table.path else ''}".strip()
        for layer in layers:
            layer.names, layer.colours = dict(table.names), dict(table.colours)
    elif header_tables:
        names_from = "the file's header"
        for layer, t in zip(layers, header_tables):
            layer.names, layer.colours = t.names, t.colours
    elif beside is not None:
        names_from = f"colour table {beside.path.name if beside.path else ''} beside the image".strip()
        for layer in layers:
            layer.names, layer.colours = dict(beside.names), dict(beside.colours)
    else:
        names_from = "none (labels are named label_<value>)"
    return LabelImage(layers, affine, unit, reason, names_from)


def read_mask_folder(files: dict[Path, str], limits: Limits, progress: Stage) -> LabelImage:
    """One binary mask per structure (TotalSegmentator, Slicer "export to files"), named by file.

    All masks must share one voxel grid; they are folded into one label map so that the
    surfaces of touching structures share their walls. Empty masks are skipped.
    """
    combined: np.ndarray | None = None
    affine: np.ndarray | None = None
    names: dict[int, str] = {}
    unit = reason = ""
    empty = []
    for n, (file, name) in enumerate(files.items()):
        progress(n / len(files), f"reading {file.name}")
        data, file_affine, unit, reason = read_label_image_raw(file, limits)
        _check_affine(file_affine, file)
        if combined is None:
            combined = np.zeros(data.shape, dtype=np.uint16, order="F")
            affine = file_affine
        elif data.shape != combined.shape or not np.allclose(file_affine, affine, atol=1e-3):
            raise FileFormatError(f"mask grid differs from {next(iter(files)).name}'s (size or position)", file)
        mask = data != 0
        if not mask.any():
            empty.append(file.name)
            continue
        value = len(names) + 1
        combined[mask] = value
        names[value] = name
    folder = next(iter(files)).parent
    if combined is None or not names:
        raise FileFormatError("every mask in the folder is empty", folder)
    limits.check_labels(len(names), folder)
    return LabelImage([LabelLayer(combined, list(names), names)], affine, unit, reason, "file names", empty)


def read_label_image_raw(path: Path, limits: Limits) -> tuple[np.ndarray, np.ndarray, str, str]:
    """A single-layer label file's array (checked as labels, may be all zero), affine, unit and why."""
    limits.check_file(path)
    if _is_nifti(path):
        data, affine, unit, reason, _ = _read_nifti(path, limits)
    else:
        arrays, affine, unit, reason, _ = _read_nrrd(path, limits)
        data = np.any(np.stack(arrays), axis=0) if len(arrays) > 1 else arrays[0]
    if np.asarray(data).any():
        data, _ = as_labels(data, path, limits)
    return np.asarray(data), affine, unit, reason


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."
