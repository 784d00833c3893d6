"""Colour tables that name the labels of a label map.

Read (never evaluated): 3D Slicer colour tables (``.ctbl``/``.txt``: ``value name r g b a``),
Slicer's CSV tables (``LabelValue,Name,Color_R,...``), ITK-SNAP label descriptions
(``value r g b a vis mesh "name"``), and JSON class maps (``{"1": "femur_left", ...}``, as
TotalSegmentator documents its classes). :func:`find_beside` finds the table that belongs to
an image when the user gives none.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from thighview.anatomy import rgb_to_hex
from thighview.errors import FileFormatError
from thighview.io import formats

TABLE_SUFFIXES = (".ctbl", ".txt", ".label", ".lut", ".csv", ".json")
_MAX_TABLE_BYTES = 4 * 2**20


@dataclass
class ColourTable:
    """Label value -> name, and -> hex colour where the table gives one."""

    names: dict[int, str]
    colours: dict[int, str] = field(default_factory=dict)
    path: Path | None = None


def _parse_json(text: str) -> ColourTable:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected an object mapping label values to names")
    names = {}
    for key, value in data.items():
        if isinstance(value, str) and key.strip().lstrip("-").isdigit():  # {"1": "femur"}
            names[int(key)] = value
        elif isinstance(key, str) and isinstance(value, int):  # {"femur": 1}
            names[value] = key
        else:
            raise ValueError(f"entry {key!r}: {value!r} is not 'value: name'")
    return ColourTable(names)


def _parse_csv(text: str) -> ColourTable:
    rows = list(csv.DictReader(io.StringIO(text)))
    names, colours = {}, {}
    for row in rows:
        value = int(row["LabelValue"])
        names[value] = row["Name"]
        if all(row.get(f"Color_{c}") for c in "RGB"):
            colours[value] = rgb_to_hex([float(row[f"Color_{c}"]) for c in "RGB"], 255.0)
    return ColourTable(names, colours)


def _parse_lines(text: str) -> ColourTable:
    """Slicer/FreeSurfer LUT lines or ITK-SNAP label description lines."""
    names, colours = {}, {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if '"' in line:  # ITK-SNAP: IDX R G B A VIS MSH "LABEL"
            fields = shlex.split(line)
            if len(fields) != 8:
                raise ValueError(f"line {number}: expected 8 ITK-SNAP fields, found {len(fields)}")
            value, rgb, name = int(fields[0]), [float(x) for x in fields[1:4]], fields[7]
        else:  # Slicer: value name r g b a
            fields = line.split()
            if len(fields) < 5:
                raise ValueError(f"line {number}: expected 'value name r g b a'")
            value, name, rgb = int(fields[0]), fields[1], [float(x) for x in fields[2:5]]
        names[value] = name
        colours[value] = rgb_to_hex(rgb, 255.0)
    if not names:
        raise ValueError("no label lines")
    return ColourTable(names, colours)


def read_colour_table(path: Path) -> ColourTable:
    """Parse a colour table file; one-line :class:`FileFormatError` if it is not one."""
    try:
        if path.stat().st_size > _MAX_TABLE_BYTES:
            raise ValueError("too large for a colour table")
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            table = _parse_json(text)
        elif re.match(r"\s*LabelValue\s*,", text):
            table = _parse_csv(text)
        else:
            table = _parse_lines(text)
    except FileNotFoundError:
        raise FileFormatError("colour table not found", path) from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise FileFormatError(f"not a colour table: {exc}", path) from None
    table.names = {v: n.strip() for v, n in table.names.items() if v != 0 and n.strip()}
    table.path = path
    return table


def image_stem(path: Path) -> str:
    """``thigh.seg.nrrd`` -> ``thigh``; ``mask.nii.gz`` -> ``mask``."""
    lower = path.name.lower()
    for suffix in sorted(formats.suffixes_read_by(formats.LABEL_MAP), key=len, reverse=True):
        if lower.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.stem


def find_beside(image: Path) -> ColourTable | None:
    """The colour table of an image: same stem, else the only colour table in its folder."""
    stem = image_stem(image)
    candidates = [p for p in sorted(image.parent.iterdir())
                  if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES]
    same_stem = [p for p in candidates if p.stem == stem or p.stem.startswith(stem + "_")]
    for p in same_stem:
        try:
            return read_colour_table(p)
        except FileFormatError:
            continue
    tables = []
    for p in candidates:
        try:
            tables.append(read_colour_table(p))
        except FileFormatError:
            continue
    return tables[0] if len(tables) == 1 else None
