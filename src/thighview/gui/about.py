"""Help › About: what ThighView is, where the open model came from, and the sources of its figures."""

from __future__ import annotations

import html
import json
from typing import Any

from thighview import __version__
from thighview._resources import data_path


def _sources(node: Any, found: list[str]) -> list[str]:
    """Every ``source`` string in a nested JSON document, once each, in reading order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and isinstance(value, str) and value not in found:
                found.append(value)
            else:
                _sources(value, found)
    elif isinstance(node, list):
        for value in node:
            _sources(value, found)
    return found


def _client_lines(provenance: dict) -> list[str]:
    """A client's thigh: its measurements and what gave way when they did not fit together."""
    from thighview.procedural.measurements import client_of

    client = client_of(provenance)
    if client is None:
        return []
    measurements, warnings = client
    lines = [f"<p><b>Measurements:</b> {html.escape(measurements.describe())}</p>"]
    lines.extend(f"<p><b>Note:</b> {html.escape(w)}</p>" for w in warnings)
    return lines


def about_html(model) -> str:
    """Rich text for the About box: the app, the model's provenance, the reference sources."""
    lines = [f"<h3>ThighView {html.escape(__version__)}</h3>",
             "<p>The human thigh in cross-section perpendicular to the femur: areas per muscle and "
             "compartment (quadriceps red, adductors green, hamstrings blue, after Braus's classic section). "
             "Every number shown comes from the section engine, exact for the model's surfaces.</p>"]
    if model is not None:
        provenance = model.provenance or {}
        lines.append(f"<h4>Model: {html.escape(model.name)} ({html.escape(model.side)} thigh, "
                     f"{len(model.structures)} structures)</h4>")
        if model.source is not None:
            lines.append(f"<p>File: <code>{html.escape(str(model.source))}</code></p>")
        if model.flat is not None:  # one cross-section: what it was, and how its lengths were found
            scale = f"; {model.flat.scale}" if model.flat.scale else ""
            lines.append(f"<p><b>Single section</b> ({html.escape(model.flat.kind)}), measured at its one "
                         f"level{html.escape(scale)}</p>")
        lines.extend(_client_lines(provenance))
        for key in ("about", "description", "generator", "version", "source", "license"):
            value = provenance.get(key)
            if isinstance(value, (str, int, float)):
                lines.append(f"<p><b>{key.capitalize()}:</b> {html.escape(str(value))}</p>")
        model_sources = _sources(provenance, [])
    else:
        model_sources = []
    try:
        targets = json.loads(data_path("anatomy_targets.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        targets = {}
    sources = _sources(targets, list(model_sources))
    if sources:
        lines.append("<h4>Sources of the anatomical figures</h4><ul>")
        lines.extend(f"<li>{html.escape(s)}</li>" for s in sources)
        lines.append("</ul>")
    return "\n".join(lines)
