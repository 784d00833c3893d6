"""Areas as CSV or JSON: per structure and per compartment, at chosen levels or as a profile.

The numbers are the section engine's own (``Section.to_dict`` / ``AreaProfile.to_dict``), so
a table can never disagree with the GUI. Units are stated in every file: CSV header lines
starting with ``#`` (most spreadsheet and pandas readers skip them with ``comment="#"``), and
``units``/``provenance`` keys in JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from thighview import anatomy
from thighview.errors import ExportError
from thighview.export.atomic import atomic_write_text

if TYPE_CHECKING:
    from thighview.section import AreaProfile, Section

TABLE_SUFFIXES = (".csv", ".json")
UNITS = {
    "area_cm2": "square centimetres",
    "level": "fraction of femur length from the proximal end (0 = hip, 1 = knee)",
    "level_mm": "millimetres from the proximal end of the femur along its shaft axis",
    "percent_of_muscle": "percent of the summed muscle area at that level",
    "percent_of_total": "percent of the summed area of all structures at that level",
}
COLUMNS = ("level", "level_mm", "kind", "name", "label", "compartment", "area_cm2", "percent_of_muscle",
           "percent_of_total")


def _number(value: float | None, digits: int) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _section_rows(section: Section) -> Iterator[tuple]:
    level, level_mm = _number(section.level, 4), _number(section.level_mm, 2)
    for name, area in section.areas_cm2.items():
        compartment = section.compartments[name]
        yield (level, level_mm, "structure", name, anatomy.label_of(name), compartment.value, _number(area, 4),
               _number(section.percent_of_muscle(name), 2), _number(section.percent_of_total(name), 2))
    for compartment, area in section.compartment_areas_cm2.items():
        yield (level, level_mm, "compartment", compartment.value, compartment.label, compartment.value,
               _number(area, 4), _number(section.percent_of_muscle(compartment), 2),
               _number(section.percent_of_total(compartment), 2))


def _profile_rows(profile: AreaProfile) -> Iterator[tuple]:
    for i, (level, level_mm) in enumerate(zip(profile.levels, profile.levels_mm)):
        head = (_number(float(level), 4), _number(float(level_mm), 2))
        for name, areas in profile.areas_cm2.items():
            compartment = profile.compartments[name]
            yield (*head, "structure", name, anatomy.label_of(name), compartment.value,
                   _number(float(areas[i]), 4), "", "")
        for compartment, areas in profile.compartment_areas_cm2.items():
            yield (*head, "compartment", compartment.value, compartment.label, compartment.value,
                   _number(float(areas[i]), 4), "", "")


def _csv(rows: Iterator[tuple], record: dict[str, str]) -> str:
    out = io.StringIO()
    for key, value in record.items():
        out.write(f"# {key}: {value}\n")
    for column, meaning in UNITS.items():
        out.write(f"# unit {column}: {meaning}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def sections_table(sections: Sequence[Section], *, model_name: str | None, record: dict[str, str],
                   fmt: str) -> str:
    """Areas at each section's level as CSV or JSON text."""
    if fmt == "csv":
        return _csv((row for section in sections for row in _section_rows(section)), record)
    document = {"provenance": record, "units": UNITS,
                "levels": [section.to_dict(model_name) for section in sections]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def profile_table(profile: AreaProfile, *, model_name: str | None, record: dict[str, str], fmt: str) -> str:
    """Areas along the femur (many levels, areas only) as CSV or JSON text."""
    if fmt == "csv":
        return _csv(_profile_rows(profile), record)
    document = {"provenance": record, "units": UNITS, "profile": profile.to_dict(model_name)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ExportError(f"a table must be .csv or .json, not '{suffix or path.name}'", path)
    return suffix.lstrip(".")


def write_areas(path: str | Path, sections: Sequence[Section], *, model_name: str | None,
                record: dict[str, str], force: bool = False) -> Path:
    """Write the areas of ``sections`` to a .csv or .json file atomically."""
    path = Path(path)
    return atomic_write_text(path, sections_table(sections, model_name=model_name, record=record,
                                                  fmt=_format(path)), force=force)


def write_profile(path: str | Path, profile: AreaProfile, *, model_name: str | None,
                  record: dict[str, str], force: bool = False) -> Path:
    """Write an area profile to a .csv or .json file atomically."""
    path = Path(path)
    return atomic_write_text(path, profile_table(profile, model_name=model_name, record=record,
                                                 fmt=_format(path)), force=force)
