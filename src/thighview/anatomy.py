"""The structure vocabulary: canonical names, synonyms, compartments and colours.

Every structure in every model, whatever the file called it, is mapped here to one canonical
name (``vastus_lateralis``) and one compartment (``quadriceps``). Colours follow Braus's
classic public-domain cross-section: quadriceps red, adductors green, hamstrings blue, with a
shade per muscle; :data:`PALETTES` also holds a colour-blind-safe alternative (Okabe & Ito).

This module is pure Python (no numpy) so that the CLI can use it at no start-up cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Compartment(str, Enum):
    """Where a structure belongs when areas are grouped."""

    QUADRICEPS = "quadriceps"
    ADDUCTORS = "adductors"
    HAMSTRINGS = "hamstrings"
    OTHER_MUSCLE = "other_muscle"
    BONE = "bone"
    FAT = "fat"
    SKIN = "skin"
    FASCIA = "fascia"
    NEUROVASCULAR = "neurovascular"
    UNASSIGNED = "unassigned"

    @property
    def is_muscle(self) -> bool:
        return self in MUSCLE_COMPARTMENTS

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


MUSCLE_COMPARTMENTS = frozenset(
    {Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS, Compartment.OTHER_MUSCLE}
)

#: The three compartments the app is about, in the order they are shown.
MAIN_COMPARTMENTS = (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS)
#: Every compartment in teaching order (tables, legends, menus): the muscle groups, then from the bone out.
COMPARTMENT_ORDER = (*MAIN_COMPARTMENTS, Compartment.OTHER_MUSCLE, Compartment.BONE, Compartment.NEUROVASCULAR,
                     Compartment.FASCIA, Compartment.FAT, Compartment.SKIN, Compartment.UNASSIGNED)


@dataclass(frozen=True)
class StructureInfo:
    """One canonical structure: its name, compartment, display label and synonyms."""

    name: str
    compartment: Compartment
    label: str
    synonyms: tuple[str, ...] = ()
    #: True for a label that stands for a whole group (TotalSegmentator's ``quadriceps_femoris``).
    is_group: bool = False


def _s(name: str, compartment: Compartment, label: str, *, group: bool = False) -> StructureInfo:
    return StructureInfo(name, compartment, label, _aliases().get(name, ()), group)


def _aliases() -> dict[str, tuple[str, ...]]:
    """Canonical name -> the other names files give it, from the name table (``NAME_TABLE``)."""
    aliases: dict[str, list[str]] = {}
    for row in name_table():
        aliases.setdefault(row["structure"], []).append(row["alias"])
    return {name: tuple(names) for name, names in aliases.items()}


#: The name table: one row per name a file may use (structure, alias, kind, source); see its header.
NAME_TABLE = "structure_names.csv"


def name_table() -> list[dict[str, str]]:
    """The rows of the name table shipped in ``thighview/data`` (read once)."""
    global _NAME_ROWS
    if _NAME_ROWS is None:
        import csv

        from thighview._resources import data_path

        text = data_path(NAME_TABLE).read_text(encoding="utf-8")
        _NAME_ROWS = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return _NAME_ROWS


_NAME_ROWS: list[dict[str, str]] | None = None

Q, A, H, O = (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS, Compartment.OTHER_MUSCLE)

#: Every structure ThighView knows, in display order (deep to superficial within a compartment);
#: the names files use for each are in the name table (``NAME_TABLE``).
STRUCTURES: tuple[StructureInfo, ...] = (
    _s("femur", Compartment.BONE, "Femur"),
    # quadriceps
    _s("rectus_femoris", Q, "Rectus femoris"),
    _s("vastus_lateralis", Q, "Vastus lateralis"),
    _s("vastus_intermedius", Q, "Vastus intermedius"),
    _s("vastus_medialis", Q, "Vastus medialis"),
    _s("quadriceps_femoris", Q, "Quadriceps femoris", group=True),
    # other muscles of the thigh
    _s("sartorius", O, "Sartorius"),
    _s("tensor_fasciae_latae", O, "Tensor fasciae latae"),
    _s("gluteus_maximus", O, "Gluteus maximus"),
    _s("iliopsoas", O, "Iliopsoas"),
    # adductors (medial compartment)
    _s("gracilis", A, "Gracilis"),
    _s("pectineus", A, "Pectineus"),
    _s("adductor_longus", A, "Adductor longus"),
    _s("adductor_brevis", A, "Adductor brevis"),
    _s("adductor_magnus", A, "Adductor magnus"),
    _s("adductors", A, "Adductors", group=True),
    # hamstrings (posterior compartment)
    _s("biceps_femoris_long_head", H, "Biceps femoris (long head)"),
    _s("biceps_femoris_short_head", H, "Biceps femoris (short head)"),
    _s("biceps_femoris", H, "Biceps femoris", group=True),
    _s("semitendinosus", H, "Semitendinosus"),
    _s("semimembranosus", H, "Semimembranosus"),
    _s("hamstrings", H, "Hamstrings", group=True),
    # soft tissue envelope
    _s("subcutaneous_fat", Compartment.FAT, "Subcutaneous fat"),
    _s("skin", Compartment.SKIN, "Skin"),
    # fascia
    _s("fascia_lata", Compartment.FASCIA, "Fascia lata / iliotibial band"),
    _s("lateral_intermuscular_septum", Compartment.FASCIA, "Lateral intermuscular septum"),
    _s("medial_intermuscular_septum", Compartment.FASCIA, "Medial intermuscular septum"),
    _s("posterior_intermuscular_septum", Compartment.FASCIA, "Posterior intermuscular septum"),
    # neurovascular
    _s("femoral_vessels", Compartment.NEUROVASCULAR, "Femoral vessels"),
    _s("sciatic_nerve", Compartment.NEUROVASCULAR, "Sciatic nerve"),
)

_BY_NAME: dict[str, StructureInfo] = {s.name: s for s in STRUCTURES}

# Compartment colours (RGB hex). Braus: quadriceps red, adductors green, hamstrings blue.
_BRAUS_COMPARTMENT = {
    Compartment.QUADRICEPS: "#c8372d",
    Compartment.ADDUCTORS: "#3f9a45",
    Compartment.HAMSTRINGS: "#2f62b5",
    Compartment.OTHER_MUSCLE: "#c98a3c",
    Compartment.BONE: "#efe6cf",
    Compartment.FAT: "#f3d88a",
    Compartment.SKIN: "#e7b79b",
    Compartment.FASCIA: "#f4f1ea",
    Compartment.NEUROVASCULAR: "#8e44ad",
    Compartment.UNASSIGNED: "#9a9a9a",
}
# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
_CB_COMPARTMENT = {
    Compartment.QUADRICEPS: "#d55e00",
    Compartment.ADDUCTORS: "#009e73",
    Compartment.HAMSTRINGS: "#0072b2",
    Compartment.OTHER_MUSCLE: "#e69f00",
    Compartment.BONE: "#f0efe9",
    Compartment.FAT: "#f0e442",
    Compartment.SKIN: "#d9b8a0",
    Compartment.FASCIA: "#ffffff",
    Compartment.NEUROVASCULAR: "#cc79a7",
    Compartment.UNASSIGNED: "#999999",
}
#: Palettes by name: compartment -> hex colour.
PALETTES: dict[str, dict[Compartment, str]] = {"braus": _BRAUS_COMPARTMENT, "colorblind": _CB_COMPARTMENT}

# Per-muscle shades within a compartment, from light (superficial) to dark (deep), in
# the order of STRUCTURES. Blended from the compartment colour towards white/black.
_SHADE_STEPS = (-0.35, 0.25, -0.15, 0.45, 0.05, -0.5)


def _shade(colour: str, amount: float) -> str:
    """Lighten (amount > 0, towards white) or darken (amount < 0, towards black)."""
    rgb = hex_to_rgb(colour)
    target = 1.0 if amount > 0 else 0.0
    return rgb_to_hex(tuple(c + (target - c) * abs(amount) for c in rgb))


def compartment_colour(compartment: Compartment | str, palette: str = "braus") -> str:
    """The hex colour of a compartment in a palette (``braus`` or ``colorblind``)."""
    return PALETTES[palette][Compartment(compartment)]


def structure_colour(name: str, palette: str = "braus", by: str = "muscle") -> str:
    """The hex colour of a structure.

    ``by="compartment"`` gives the flat compartment colour; ``by="muscle"`` gives the
    structure's own shade within its compartment (non-muscles keep the compartment colour).
    """
    compartment = compartment_of(name)
    base = compartment_colour(compartment, palette)
    if by == "compartment" or not compartment.is_muscle or name not in _BY_NAME:
        return base
    siblings = [s.name for s in STRUCTURES if s.compartment is compartment and not s.is_group]
    if name not in siblings:
        return base
    return _shade(base, _SHADE_STEPS[siblings.index(name) % len(_SHADE_STEPS)])


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """``'#c8372d'`` (or ``'c8372d'``, ``'#c32'``) -> ``(0.78, 0.22, 0.18)``; ValueError otherwise.

    The one hex-colour converter (with :func:`rgb_to_hex`): palettes, colour maps, colour tables."""
    value = colour.strip().lstrip("#") if isinstance(colour, str) else ""
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ValueError(f"{colour!r} is not a colour like #ff0000")
    return tuple(int(value[i:i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def rgb_to_hex(rgb, scale: float = 1.0) -> str:
    """``(0.78, 0.22, 0.18)`` -> ``'#c7382e'``; ``scale`` is full intensity (255 for 8-bit values)."""
    return "#" + "".join(f"{round(min(max(float(c) / scale, 0.0), 1.0) * 255):02x}" for c in list(rgb)[:3])


def info(name: str) -> StructureInfo:
    """The vocabulary entry of a canonical name (``KeyError`` if unknown)."""
    return _BY_NAME[name]


def compartment_of(name: str) -> Compartment:
    """The compartment of a canonical name; ``UNASSIGNED`` for anything unknown."""
    entry = _BY_NAME.get(name)
    return entry.compartment if entry else Compartment.UNASSIGNED


def label_of(name: str) -> str:
    """A display label: the vocabulary's, or the raw name made readable."""
    entry = _BY_NAME.get(name)
    return entry.label if entry else name.replace("_", " ").strip().capitalize()


def canonical_names(*, groups: bool = False) -> list[str]:
    """All canonical structure names in display order."""
    return [s.name for s in STRUCTURES if groups or not s.is_group]


# --- name matching ------------------------------------------------------------------------

_SIDE_WORDS = {"r": "right", "rt": "right", "right": "right", "l": "left", "lt": "left", "left": "left",
               "dx": "right", "sin": "left", "dexter": "right", "sinister": "left"}
#: Words that name no structure: "m."/"muscle", and dataset prefixes and suffixes (``LHDL_``,
#: ``Model_12_``, ``Segment_3_``, ``_mask``); digits are dropped before (``Segment_3`` -> ``segment``).
_NOISE_WORDS = {"m", "mm", "musculus", "muscle", "muscles", "of", "the", "thigh", "segment", "label", "mask",
                "structure", "head", "lhdl", "model", "seg", "roi", "mesh", "surface", "smooth"}
_EXTENSION = re.compile(r"\.(nii|nrrd|seg\.nrrd|mha|mhd|stl|obj|ply|vtk|vtp|vtm|glb|gltf)(\.gz)?$", re.IGNORECASE)
_FMA = re.compile(r"(?<![a-z])fma[\W_]*(\d+)", re.IGNORECASE)


def _words(raw: str) -> list[str]:
    """Lower-case word list: splits camelCase, punctuation, digits and underscores; an FMA ID
    (``FMA:22431``, ``fma_22431``) stays one word, ``fma22431``."""
    text = _FMA.sub(r" fma\1 ", _EXTENSION.sub("", raw.strip()))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and not w.isdigit()]


def _key(words: list[str]) -> str:
    return " ".join(w for w in words if w not in _NOISE_WORDS)


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for entry in STRUCTURES:
        for alias in (entry.name, entry.label, *entry.synonyms):
            index.setdefault(_key(_words(alias)), entry.name)
    return index


_INDEX = _build_index()


@dataclass(frozen=True)
class NameMatch:
    """How a name found in a file maps onto the vocabulary."""

    raw: str
    canonical: str | None
    side: str | None

    @property
    def compartment(self) -> Compartment:
        return compartment_of(self.canonical) if self.canonical else Compartment.UNASSIGNED


def match_name(raw: str) -> NameMatch:
    """Map a name as found in a file to a canonical name and a side.

    Tolerant of case, separators, camelCase, a file extension, ``m.``/``muscle`` noise, dataset
    prefixes (``LHDL_``, ``Model_12_``, ``Segment_3_``) and side words or suffixes (``_r``, ``_left``,
    ``Right ...``); knows the abbreviations, FMA IDs and dataset names of the name table
    (``NAME_TABLE``). Unknown names give ``canonical=None``.

    >>> match_name("Vastus_Lateralis_R").canonical
    'vastus_lateralis'
    >>> match_name("thigh_medial_compartment_left").canonical
    'adductors'
    """
    words = _words(raw)
    side = next((_SIDE_WORDS[w] for w in words if w in _SIDE_WORDS), None)
    core = [w for w in words if w not in _SIDE_WORDS]
    fma = [_INDEX[w] for w in core if w.startswith("fma") and w in _INDEX]  # an FMA ID says it all
    canonical = fma[0] if fma else _INDEX.get(_key(core))
    if canonical is None and core:
        # "long head of biceps femoris" style: try the words in any order.
        wanted = sorted(set(core) - _NOISE_WORDS)
        for key, name in _INDEX.items():
            if sorted(set(key.split())) == wanted:
                canonical = name
                break
    if canonical is None and "femur" in core:  # "Femur_R_cortical", "distal femur": the bone
        canonical = "femur"
    return NameMatch(raw=raw, canonical=canonical, side=side)
