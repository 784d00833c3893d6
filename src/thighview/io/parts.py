"""From raw surfaces found in a file to a :class:`ThighModel`: names, sides, units, coordinates.

Every reader (meshes, folders, label maps) produces :class:`Part` objects, one per surface as
the file names it; :func:`build_model` does what is common to all of them:

* names go through :func:`thighview.anatomy.match_name` (synonyms, side suffixes, groups such
  as ``quadriceps_femoris``); unknown names stay, with compartment UNASSIGNED;
* parts that map to the same structure (``femoral artery`` + ``femoral vein``) are merged;
  one known name twice (two ``femur`` objects) is an error;
* a file holding both thighs (TotalSegmentator labels ``_left`` and ``_right``) keeps one
  side, the requested one or the one with the femur, and records what it dropped;
* surfaces wound inside out (negative enclosed volume) are turned to face outward;
* LPS coordinates (Slicer meshes, NRRD images) become the model's RAS;
* the unit is decided (:mod:`thighview.io.units`) and coordinates scaled to millimetres.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.errors import FileFormatError, MeshError, ModelError
from thighview.io.limits import Limits
from thighview.io.units import UnitsDecision, decide_units
from thighview.model import Structure, ThighModel

_LPS_TO_RAS = np.array([-1.0, -1.0, 1.0])


@dataclass
class Part:
    """One surface as found in a file: its name there, vertices, triangles, optional colour, and
    optional per-triangle RGB colours (``(m, 3)`` uint8; a coloured section splits by them)."""

    raw_name: str
    vertices: np.ndarray
    faces: np.ndarray
    colour: str | None = None
    face_colours: np.ndarray | None = None


def clean_name(raw: str) -> str:
    """A structure name for an unknown raw name: lower case, words joined by underscores."""
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", raw.strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "unnamed"


def _choose_side(sides: Counter, femur_sides: set[str], requested: str | None) -> str | None:
    if requested is not None:
        return requested
    if len(sides) < 2:
        return next(iter(sides), None)
    if len(femur_sides) == 1:
        return next(iter(femur_sides))
    return "right" if sides["right"] >= sides["left"] else "left"


def _signed_volume(part: Part) -> float:
    v = part.vertices[part.faces]
    return float(np.einsum("ij,ij->i", v[:, 0], np.cross(v[:, 1], v[:, 2])).sum())


def _merge(parts: list[Part]) -> tuple[np.ndarray, np.ndarray]:
    if len(parts) == 1:
        return parts[0].vertices, parts[0].faces
    offsets = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
    return (np.vstack([p.vertices for p in parts]),
            np.vstack([p.faces + off for p, off in zip(parts, offsets)]))


#: Any thigh, child's to giant's, scanned or modelled, whole or one section, is this big across (mm, the
#: bounding box's diagonal): a 30 mm section of a muscle up to a giant's femur with the hip (about 800 mm).
#: Outside it the units are wrong, a vertex is astray, or the file is not a thigh.
PLAUSIBLE_SIZE_MM = (10.0, 1000.0)


def _check_size(points: np.ndarray, decision: UnitsDecision, path: Path) -> None:
    """Refuse a model whose size in millimetres no thigh has (wrong units, or a stray vertex)."""
    size = float(np.linalg.norm(points.max(axis=0) - points.min(axis=0)))
    size_mm = size * decision.scale
    if not PLAUSIBLE_SIZE_MM[0] <= size_mm <= PLAUSIBLE_SIZE_MM[1]:
        raise ModelError(f"the model is {size:.3g} units across, read as {decision.found} that is {size_mm:.3g} mm: "
                         f"no thigh is that size ({PLAUSIBLE_SIZE_MM[0]:g}-{PLAUSIBLE_SIZE_MM[1]:g} mm across); "
                         "check the file's units (--units) or stray vertices", path)


def refuse_duplicates(raw_names: list[str], path: Path) -> None:
    """One known structure under one name twice is an error (two femurs cannot be merged into
    a bone); different names for one structure (femoral artery + vein) are merged instead."""
    seen: set[str] = set()
    for raw in raw_names:
        key = raw.strip().casefold()
        if key in seen and anatomy.match_name(raw).canonical:
            raise ModelError(f"two surfaces are both named '{raw}' (if they are the two thighs, "
                             "name them with _left and _right)", path)
        seen.add(key)


def build_model(parts: list[Part], path: Path, *, units: str = "auto", declared_units: tuple[str, str] | None = None,
                space: str | None = None, side: str | None = None, limits: Limits | None = None,
                provenance: dict | None = None) -> ThighModel:
    """Assemble a model from the parts of one file or folder (see the module docstring).

    ``space`` is ``"RAS"``, ``"LPS"`` or ``None`` (unknown: coordinates are kept as they are
    and no anterior direction is claimed). ``side`` (``"right"``/``"left"``) picks the thigh
    when both are present.
    """
    limits = limits or Limits.from_env()
    if side not in (None, "right", "left"):
        raise ModelError(f"side must be 'right' or 'left', not {side!r}", path)
    parts = [p for p in parts if len(p.faces)]
    if not parts:
        raise FileFormatError("the file holds no triangle surfaces", path)
    limits.check_triangles(sum(len(p.faces) for p in parts), path)
    for p in parts:
        if not np.all(np.isfinite(p.vertices)):
            raise MeshError(f"surface '{p.raw_name}' has NaN or infinite coordinates", path)
        if p.faces.min() < 0 or p.faces.max() >= len(p.vertices):
            raise MeshError(f"surface '{p.raw_name}' has triangle indices outside its vertex list", path)

    inside_out = [p for p in parts if _signed_volume(p) < 0]  # exporters with clockwise winding
    for p in inside_out:
        p.faces = p.faces[:, ::-1]

    matches = [anatomy.match_name(p.raw_name) for p in parts]
    sides = Counter(m.side for m in matches if m.side)
    femur_sides = {m.side for m in matches if m.canonical == "femur" and m.side}
    chosen = _choose_side(sides, femur_sides, side)
    other_side = [bool(chosen and m.side and m.side != chosen) for m in matches]
    dropped = [p.raw_name for p, drop in zip(parts, other_side) if drop]

    refuse_duplicates([p.raw_name for p, drop in zip(parts, other_side) if not drop], path)
    groups: dict[str, list[tuple[Part, anatomy.NameMatch]]] = {}
    for p, m, drop in zip(parts, matches, other_side):
        if drop:
            continue
        groups.setdefault(m.canonical or clean_name(p.raw_name), []).append((p, m))
    if not groups:
        raise ModelError(f"no structures of the {side} thigh in the file", path)

    merged = {name: _merge([p for p, _ in members]) for name, members in groups.items()}
    femur = merged.get("femur")
    decision: UnitsDecision = decide_units(
        np.vstack([v for v, _ in merged.values()]), femur[0] if femur else None, units, declared_units)
    _check_size(np.vstack([v for v, _ in merged.values()]), decision, path)

    flip = _LPS_TO_RAS if space == "LPS" else np.ones(3)
    structures = {}
    for name, members in groups.items():
        vertices, faces = merged[name]
        first_part, first_match = members[0]
        structures[name] = Structure(
            name=name, vertices=vertices * (flip * decision.scale), faces=faces,
            compartment=first_match.compartment,
            raw_name=", ".join(dict.fromkeys(p.raw_name for p, _ in members)),
            colour=first_part.colour)
    meta = dict(provenance or {})
    meta.update(units=decision.as_dict(), space=space or "unknown",
                merged={n: [p.raw_name for p, _ in m] for n, m in groups.items() if len(m) > 1},
                dropped_other_side=dropped, turned_outward=[p.raw_name for p in inside_out])
    return ThighModel(structures=structures, name=path.name.split(".")[0] or path.name, side=chosen or "right",
                      units="mm", source=path,
                      anterior_hint=np.array([0.0, 1.0, 0.0]) if space in ("RAS", "LPS") else None,
                      provenance=meta)
