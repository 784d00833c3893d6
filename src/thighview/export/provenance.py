"""The provenance record written into every export: which software, model and level made it.

One small flat dict of strings, so that each format can store it natively: PNG ``tEXt``
chunks, SVG ``<metadata>``, the PDF info dictionary, the GIF comment, MP4 ``comment``
metadata, GLB ``asset.extras``, CSV ``#`` header lines and a JSON ``provenance`` key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from thighview import __version__

if TYPE_CHECKING:
    from thighview.model import ThighModel

SOFTWARE = f"ThighView {__version__}"


def _levels_text(levels: Sequence[float]) -> str:
    return ",".join(f"{level:.4g}" for level in levels)


def provenance(model: ThighModel | None, *, content: str, levels: Sequence[float] = (),
               extra: dict[str, str] | None = None) -> dict[str, str]:
    """The record for one exported file.

    ``content`` says what the file shows ("section figure", "area profile"...); ``levels``
    are fractions of femur length (or, without a femur, of the chosen axis) from the proximal end.
    """
    record = {
        "software": SOFTWARE,
        "content": content,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }
    if model is not None:
        record["model"] = model.name
        record["model_source"] = str(model.source) if model.source else "built-in"
        record["side"] = model.side
        record["units"] = model.units
        generator = model.provenance.get("generator") or model.provenance.get("source")
        if isinstance(generator, str):
            record["model_origin"] = generator
        record.update(_client_record(model.provenance))
    if levels:
        record["levels"] = _levels_text(levels)
        length = "femur length" if model is None or model.femur is not None else model.femur_axis.length_name
        record["level_reference"] = f"fraction of {length} from the proximal end"
    record.update(extra or {})
    return record


def _client_record(model_provenance: dict) -> dict[str, str]:
    """A client's thigh: the measurements it was built from, and what gave way."""
    from thighview.procedural.measurements import client_of

    client = client_of(model_provenance)
    if client is None:
        return {}
    measurements, warnings = client
    record = {"measurements": measurements.describe()}
    if warnings:
        record["measurement_warnings"] = "; ".join(warnings)
    return record


def as_comment(record: dict[str, str]) -> str:
    """One line of JSON, for formats that hold a single comment string (GIF, MP4, PDF)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"))
