"""Help › About: what ThighView is and, in plain words, what the open model is; the file's own
description, its generator and the sources of the figures (with their formulas) sit behind
"Show Details…" (:func:`about_details`)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from thighview import __version__
from thighview._resources import data_path, default_model_path

#: The built-in model in plain words (its file's own description names the generating code).
BUILT_IN = ("An idealised right thigh of an adult man (1.75 m, 75 kg), built by ThighView from published "
            "measurements. It is not one person's scan.")


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
        built_in = model.source is not None and Path(model.source).resolve() == default_model_path().resolve()
        if built_in:
            lines.append(f"<p>{html.escape(BUILT_IN)}</p>")
        elif isinstance(provenance.get("about"), str):
            lines.append(f"<p>{html.escape(provenance['about'])}</p>")
        if model.flat is not None:  # one cross-section: what it was, and how its lengths were found
            scale = f"; {model.flat.scale}" if model.flat.scale else ""
            lines.append(f"<p><b>Single section</b> ({html.escape(model.flat.kind)}), measured at its one "
                         f"level{html.escape(scale)}</p>")
        lines.extend(_client_lines(provenance))
    lines.append("<p>Show Details… lists the model file, how it was made and the published sources of its "
                 "figures.</p>")
    return "\n".join(lines)


def about_details(model) -> str:
    """Plain text behind About's "Show Details…": the file, its own description and generator, and
    every source of the anatomical figures."""
    lines = []
    model_sources: list[str] = []
    if model is not None:
        provenance = model.provenance or {}
        if model.source is not None:
            lines.append(f"File: {model.source}")
        for key in ("about", "description", "generator", "version", "source", "license"):
            value = provenance.get(key)
            if isinstance(value, (str, int, float)):
                lines.append(f"{key.capitalize()}: {value}")
        model_sources = _sources(provenance, [])
    try:
        targets = json.loads(data_path("anatomy_targets.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        targets = {}
    sources = _sources(targets, list(model_sources))
    if sources:
        lines.append("\nSources of the anatomical figures:")
        lines.extend(f"- {s}" for s in sources)
    return "\n".join(lines)
