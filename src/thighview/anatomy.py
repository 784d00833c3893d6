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


def _s(name: str, compartment: Compartment, label: str, *synonyms: str, group: bool = False) -> StructureInfo:
    return StructureInfo(name, compartment, label, tuple(synonyms), group)


Q, A, H, O = (Compartment.QUADRICEPS, Compartment.ADDUCTORS, Compartment.HAMSTRINGS, Compartment.OTHER_MUSCLE)

#: Every structure ThighView knows, in display order (deep to superficial within a compartment).
STRUCTURES: tuple[StructureInfo, ...] = (
    _s("femur", Compartment.BONE, "Femur", "femoral bone", "os femoris", "thigh bone", "femur bone"),
    # quadriceps
    _s("rectus_femoris", Q, "Rectus femoris", "rectus femoris muscle", "rf"),
    _s("vastus_lateralis", Q, "Vastus lateralis", "vastus externus", "vl"),
    _s("vastus_intermedius", Q, "Vastus intermedius", "vastus medius", "crureus", "vi"),
    _s("vastus_medialis", Q, "Vastus medialis", "vastus internus", "vmo", "vm"),
    _s("quadriceps_femoris", Q, "Quadriceps femoris", "quadriceps", "quads", "quadricep",
       "thigh anterior compartment", "anterior compartment of thigh", group=True),
    # other muscles of the thigh
    _s("sartorius", O, "Sartorius", "sartorius muscle"),
    _s("tensor_fasciae_latae", O, "Tensor fasciae latae", "tensor fascia lata", "tensor fasciae lata", "tfl"),
    _s("gluteus_maximus", O, "Gluteus maximus", "glut max"),
    _s("iliopsoas", O, "Iliopsoas", "iliacus", "psoas major"),
    # adductors (medial compartment)
    _s("gracilis", A, "Gracilis", "gracilis muscle"),
    _s("pectineus", A, "Pectineus"),
    _s("adductor_longus", A, "Adductor longus", "add longus"),
    _s("adductor_brevis", A, "Adductor brevis", "add brevis"),
    _s("adductor_magnus", A, "Adductor magnus", "add magnus", "adductor minimus"),
    _s("adductors", A, "Adductors", "adductor group", "adductor muscles", "thigh medial compartment",
       "medial compartment of thigh", group=True),
    # hamstrings (posterior compartment)
    _s("biceps_femoris_long_head", H, "Biceps femoris (long head)", "biceps femoris long", "bfl", "bflh",
       "long head of biceps femoris", "biceps femoris caput longum"),
    _s("biceps_femoris_short_head", H, "Biceps femoris (short head)", "biceps femoris short", "bfs", "bfsh",
       "short head of biceps femoris", "biceps femoris caput breve"),
    _s("biceps_femoris", H, "Biceps femoris", "biceps femoris muscle", group=True),
    _s("semitendinosus", H, "Semitendinosus", "st"),
    _s("semimembranosus", H, "Semimembranosus", "sm"),
    _s("hamstrings", H, "Hamstrings", "hamstring", "hamstring group", "thigh posterior compartment",
       "posterior compartment of thigh", group=True),
    # soft tissue envelope
    _s("subcutaneous_fat", Compartment.FAT, "Subcutaneous fat", "fat", "subcutaneous adipose tissue", "sat",
       "subcutaneous tissue", "adipose"),
    _s("skin", Compartment.SKIN, "Skin", "cutis", "dermis", "body surface"),
    # fascia
    _s("fascia_lata", Compartment.FASCIA, "Fascia lata / iliotibial band", "fascia lata", "deep fascia",
       "iliotibial band", "iliotibial tract", "it band", "itb", "tractus iliotibialis"),
    _s("lateral_intermuscular_septum", Compartment.FASCIA, "Lateral intermuscular septum", "lateral septum",
       "septum intermusculare femoris laterale"),
    _s("medial_intermuscular_septum", Compartment.FASCIA, "Medial intermuscular septum", "medial septum",
       "septum intermusculare femoris mediale"),
    _s("posterior_intermuscular_septum", Compartment.FASCIA, "Posterior intermuscular septum",
       "posterior septum"),
    # neurovascular
    _s("femoral_vessels", Compartment.NEUROVASCULAR, "Femoral vessels", "femoral artery", "femoral vein",
       "superficial femoral artery", "femoral artery and vein"),
    _s("sciatic_nerve", Compartment.NEUROVASCULAR, "Sciatic nerve", "ischiadic nerve", "nervus ischiadicus"),
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
_NOISE_WORDS = {"m", "mm", "musculus", "muscle", "muscles", "of", "the", "thigh", "segment", "label", "mask",
                "structure", "head"}


def _words(raw: str) -> list[str]:
    """Lower-case word list: splits camelCase, punctuation, digits and underscores."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)
    text = re.sub(r"\.(nii|nrrd|stl|obj|ply|vtk|vtp|glb|gltf)(\.gz)?$", "", text, flags=re.IGNORECASE)
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

    Tolerant of case, separators, camelCase, a file extension, ``m.``/``muscle`` noise and side
    words or suffixes (``_r``, ``_left``, ``Right ...``). Unknown names give ``canonical=None``.

    >>> match_name("Vastus_Lateralis_R").canonical
    'vastus_lateralis'
    >>> match_name("thigh_medial_compartment_left").canonical
    'adductors'
    """
    words = _words(raw)
    side = next((_SIDE_WORDS[w] for w in words if w in _SIDE_WORDS), None)
    core = [w for w in words if w not in _SIDE_WORDS]
    canonical = _INDEX.get(_key(core))
    if canonical is None and core:
        # "long head of biceps femoris" style: try the words in any order.
        wanted = sorted(set(core) - _NOISE_WORDS)
        for key, name in _INDEX.items():
            if sorted(set(key.split())) == wanted:
                canonical = name
                break
    return NameMatch(raw=raw, canonical=canonical, side=side)
