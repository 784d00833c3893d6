"""What a model holds, as plain data: the table ``thighview info`` prints (and the GUI can show)."""

from __future__ import annotations

import numpy as np

from thighview import anatomy
from thighview.errors import ThighViewError
from thighview.model import ThighModel


def is_closed(faces: np.ndarray) -> bool:
    """Whether the surface is closed: each edge is walked as often one way as the other.

    That holds for a watertight, consistently oriented surface, including label-map surfaces
    where a structure touches itself along an edge (four triangles there, two each way);
    sections need it.
    """
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    way = np.where(directed[:, 0] < directed[:, 1], 1, -1)
    edges, index = np.unique(np.sort(directed, axis=1), axis=0, return_inverse=True)
    return bool(np.all(np.bincount(index.ravel(), weights=way, minlength=len(edges)) == 0))


def structure_rows(model: ThighModel) -> list[dict]:
    """Per structure: name as found, canonical name, compartment, volume (cm3), bounds (mm), closed."""
    known = set(anatomy.canonical_names(groups=True))
    return [{
        "name_in_file": s.raw_name or name,
        "structure": name,
        "known": name in known,
        "compartment": s.compartment.value,
        "triangles": s.n_triangles,
        "closed": is_closed(s.faces),
        "volume_cm3": round(s.signed_volume_mm3() / 1000.0, 3),
        "bounds_mm": [[round(float(c), 2) for c in s.vertices.min(axis=0)],
                      [round(float(c), 2) for c in s.vertices.max(axis=0)]],
    } for name, s in model.structures.items()]


def femur_axis_summary(model: ThighModel) -> dict:
    """The femur axis as found (origin, direction, length), or why there is none."""
    try:
        axis = model.femur_axis
    except ThighViewError as exc:
        return {"found": False, "reason": exc.reason}
    return {"found": True,
            "name": {"femur": "femur axis", "principal": "axis (no femur; the thigh's longest principal axis)",
                     "points": "axis (no femur; through the two points given)",
                     "section": "axis (a single section: its normal)"}[axis.basis],
            "levels_of": axis.length_name,
            "femur": axis.describe() if axis.piece is not None else None,
            "origin_mm": [round(float(c), 2) for c in axis.origin],
            "direction": [round(float(c), 4) for c in axis.direction],
            "anterior": [round(float(c), 4) for c in axis.anterior],
            "length_mm": round(float(axis.length_mm), 1)}


def model_summary(model: ThighModel) -> dict:
    """Everything ``thighview info --format json`` prints."""
    units = model.provenance.get("units", {})
    return {
        "source": str(model.source) if model.source else None,
        "name": model.name,
        "side": model.side,
        "format": model.provenance.get("format"),
        "units": {"model": model.units, "found_in_file": units.get("found", model.units),
                  "reason": units.get("reason", "the model's metadata")},
        "coordinates": model.provenance.get("space", "unknown"),
        "names_from": model.provenance.get("names_from"),
        "dropped_other_side": model.provenance.get("dropped_other_side", []),
        "empty_masks": model.provenance.get("empty_masks", []),
        "femur_axis": femur_axis_summary(model),
        "single_section": None if model.flat is None else {
            "kind": model.flat.kind, "scale": model.flat.scale,
            "colours": model.provenance.get("colours", {}), "warnings": model.provenance.get("warnings", [])},
        "structures": structure_rows(model),
        "client": _client(model),
    }


def _client(model: ThighModel) -> dict | None:
    """A client's thigh: the measurements it was built from and the warnings (None for other models)."""
    from thighview.procedural.measurements import client_of

    client = client_of(model.provenance)
    if client is None:
        return None
    measurements, warnings = client
    return {"measurements": measurements.to_dict(), "described": measurements.describe(), "warnings": warnings}
