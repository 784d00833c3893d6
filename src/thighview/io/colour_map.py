"""Which structure a colour stands for, in labelled section images and colour-coded meshes.

The default follows Braus's classic cross-section: red -> quadriceps, green -> adductors,
blue -> hamstrings, white or light grey -> femur (only where enclosed by other regions: white
touching the image's edge is paper), and yellow -> subcutaneous fat (an addition: most drawn
sections tint the fat). A user's map is JSON, either ``{"#rrggbb": "name", ...}`` or::

    {"tolerance": 60, "colours": {"#d03020": "quadriceps", "#ffffff": "femur", ...}}

Names are anything :func:`thighview.anatomy.match_name` knows (``"quadriceps"``,
``"vastus lateralis"``, ``"fat"``) or ``"bone"``; an unknown name stays as the structure's name
(unassigned, like an unknown mesh name). Two names are not structures, for images only:
``"background"`` (paper or scanner black that is not the border's colour) and ``"outline"``
(lines too thick to vanish on their own: absorbed into the regions either side).
``tolerance`` is the largest RGB distance (0-441) at which a pixel still counts as that colour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.errors import FileFormatError

#: RGB distance within which a colour matches an entry of the map, unless the map says otherwise.
DEFAULT_TOLERANCE = 60.0

#: (colour, structure name): several shades per class, so that pure and printed colours both match.
_DEFAULT_ENTRIES = (
    ("#ff0000", "quadriceps_femoris"), ("#c8372d", "quadriceps_femoris"), ("#e05050", "quadriceps_femoris"),
    ("#a02020", "quadriceps_femoris"),
    ("#00ff00", "adductors"), ("#3f9a45", "adductors"), ("#00a000", "adductors"), ("#60c060", "adductors"),
    ("#0000ff", "hamstrings"), ("#2f62b5", "hamstrings"), ("#0050c0", "hamstrings"), ("#6080e0", "hamstrings"),
    ("#ffffff", "femur"), ("#d8d8d8", "femur"), ("#efe6cf", "femur"),
    ("#ffff00", "subcutaneous_fat"), ("#f3d88a", "subcutaneous_fat"), ("#f0e060", "subcutaneous_fat"),
)


def parse_colour(text: object) -> tuple[int, int, int]:
    """``"#rrggbb"``, ``"rrggbb"`` or ``[r, g, b]`` (0-255) -> an RGB triple; ValueError otherwise."""
    if isinstance(text, str):
        return tuple(round(c * 255) for c in anatomy.hex_to_rgb(text))  # type: ignore[return-value]
    if isinstance(text, (list, tuple)) and len(text) == 3 and all(isinstance(c, (int, float)) for c in text):
        if all(0 <= c <= 255 for c in text):
            return tuple(int(round(c)) for c in text)  # type: ignore[return-value]
    raise ValueError(f"{text!r} is not a colour like #ff0000 or [255, 0, 0]")


#: Map entries that name no structure: what to do with an image's pixels of that colour.
BACKGROUND, OUTLINE = "background", "outline"


def canonical_name(name: str) -> str:
    """The vocabulary's name for a map entry (``"quadriceps"`` -> ``quadriceps_femoris``), so that
    two spellings of one structure make one region; an unknown name stays as written."""
    name = name.strip()
    if name.lower() in (BACKGROUND, OUTLINE):
        return name.lower()
    return anatomy.match_name(name).canonical or name


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_inverse=True)`` for 24-bit colour codes by a lookup table (no sort:
    a 2000 x 2000 image takes a quarter of the time)."""
    seen = np.zeros(1 << 24, dtype=bool)
    seen[codes] = True
    unique = np.flatnonzero(seen)
    position = np.empty(1 << 24, dtype=np.int32)  # only the entries of present colours are read
    position[unique] = np.arange(len(unique), dtype=np.int32)
    return unique, position[codes]


@dataclass
class ColourMap:
    """Colours and the structure each stands for; ``tolerance`` is an RGB distance."""

    colours: np.ndarray = field(default_factory=lambda: np.empty((0, 3)))  # (n, 3) float, 0-255
    names: list[str] = field(default_factory=list)
    tolerance: float = DEFAULT_TOLERANCE

    @classmethod
    def default(cls) -> ColourMap:
        return cls(np.array([parse_colour(c) for c, _ in _DEFAULT_ENTRIES], dtype=float),
                   [name for _, name in _DEFAULT_ENTRIES])

    @classmethod
    def from_mapping(cls, mapping: dict, path: Path | None = None) -> ColourMap:
        """A map from its JSON form (see the module docstring); FileFormatError naming the bad entry."""
        if not isinstance(mapping, dict):
            raise FileFormatError("a colour map must be a JSON object of colour: name", path)
        tolerance = mapping.get("tolerance", DEFAULT_TOLERANCE)
        entries = mapping.get("colours", mapping) if "colours" in mapping or "tolerance" in mapping else mapping
        if not isinstance(tolerance, (int, float)) or not 0 < tolerance <= 442:
            raise FileFormatError(f"colour map tolerance {tolerance!r} is not an RGB distance from 1 to 441", path)
        if not isinstance(entries, dict) or not entries:
            raise FileFormatError("the colour map names no colours", path)
        colours, names = [], []
        for colour, name in entries.items():
            try:
                colours.append(parse_colour(colour))
            except ValueError as exc:
                raise FileFormatError(f"colour map: {exc}", path) from None
            if not isinstance(name, str) or not name.strip():
                raise FileFormatError(f"colour map: the name for {colour} must be text, not {name!r}", path)
            names.append(canonical_name(name))
        return cls(np.array(colours, dtype=float), names, float(tolerance))

    @classmethod
    def load(cls, path: str | Path) -> ColourMap:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileFormatError("no such colour map file", path) from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise FileFormatError(f"the colour map is not valid JSON ({' '.join(str(exc).split())})", path) from None
        return cls.from_mapping(data, path)

    def to_mapping(self) -> dict:
        return {"tolerance": self.tolerance,
                "colours": {anatomy.rgb_to_hex(c, 255): name for c, name in zip(self.colours, self.names)}}

    def nearest(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For colours ``(..., 3)`` (0-255): the index of the nearest entry and its RGB distance.

        Distances are computed once per distinct colour (an image has far fewer colours than
        pixels, even after JPEG), so a large image costs memory for its pixels only."""
        rgb = np.asarray(rgb)[..., :3]
        if rgb.dtype == np.uint8:  # an image: 24-bit codes, distinct ones found in linear time
            packed = (rgb[..., 0].astype(np.int32) << 16 | rgb[..., 1].astype(np.int32) << 8 | rgb[..., 2]).ravel()
            unique, inverse = _distinct(packed)
        else:
            packed = np.rint(rgb).astype(np.int64).reshape(-1, 3) @ np.array([65536, 256, 1])
            unique, inverse = np.unique(packed, return_inverse=True)
        colours = np.stack([unique // 65536, unique // 256 % 256, unique % 256], axis=1).astype(float)
        d2 = ((colours[:, None, :] - self.colours[None, :, :]) ** 2).sum(axis=-1)
        index = d2.argmin(axis=1)
        distance = np.sqrt(d2[np.arange(len(colours)), index])
        shape = rgb.shape[:-1]
        return index[inverse].reshape(shape), distance[inverse].reshape(shape)

    def name_for(self, rgb) -> str | None:
        """The structure a colour stands for, or None when no entry is within the tolerance."""
        index, distance = self.nearest(np.asarray(rgb, dtype=float)[:3])
        return self.names[int(index)] if float(distance) <= self.tolerance else None
