"""Labelled section images (a coloured drawing or a segmented slice) -> named regions in mm.

A user with Braus's drawing or a painted MRI slice has colours, not meshes. Each pixel is
matched to the nearest colour of a :class:`~thighview.io.colour_map.ColourMap` (within its
tolerance). The background is the colour at the image's border, connected to the border;
white or light grey (the map's femur colours) is bone only where enclosed, so paper is not
bone. Pixels that match nothing are outlines, anti-aliasing or JPEG ringing when they are thin
or tiny: they join the nearest labelled pixel, so a drawn outline splits between the regions
either side. Thick clusters of an unmapped colour become regions of their own, named after the
colour and reported, never silently dropped.

Regions are traced pixel-exactly (one boundary edge per pixel side between two labels), so
neighbours share every vertex; the staircase is then smoothed for all regions at once with
``shapely.coverage_simplify``, which keeps shared edges shared (no gaps, no overlaps).

Coordinates are millimetres, x to the right and y up, with the origin at the image's top-left
corner: pixel (row r, column c) covers x in [c, c+1] * px and y in [-(r+1), -r] * px.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import MultiPolygon, Polygon

from thighview.anatomy import rgb_to_hex
from thighview.errors import FileFormatError, LimitExceededError
from thighview.io.colour_map import BACKGROUND, OUTLINE, ColourMap
from thighview.io.limits import Limits
from thighview.progress import Stage
from thighview.io.regions import Region

#: Unmatched pixels that disappear after this many steps of erosion are lines, not regions.
THIN_PIXELS = 2
#: A cluster (or speckle of a mapped colour) smaller than this fraction of the image is noise ...
TINY_FRACTION = 1e-5
#: ... and never more than this many pixels, whatever the image's size.
TINY_MIN_PIXELS = 16
#: How far (pixels) the pixel staircase may move when smoothed. Coverage simplification is
#: Visvalingam-Whyatt (removed triangles of area up to this squared): at 1 px a circle keeps
#: its stairs (perimeter +10 %), at 2 px it is smooth (+1.5 %) and areas stay within 0.1 %.
SMOOTHING_PX = 2.0
#: A region under this share (%) of the section gets a warning: probably a stray mark.
TINY_SHARE_PERCENT = 0.1
#: JPEG blurs colours: its matching tolerance is widened by this factor.
JPEG_TOLERANCE_FACTOR = 1.25
#: Unmapped colours are grouped into at most this many clusters (the rest join the nearest).
MAX_UNMAPPED_CLUSTERS = 32

_FEMUR = "femur"
#: An unmapped colour's region is named "colour #rrggbb" (the model builder makes it colour_rrggbb).
_UNMAPPED_PREFIX = "colour "
#: Labels that are no region: background, not yet labelled (matched nothing), an outline colour.
_BACKGROUND, _UNSET, _OUTLINE = -1, -2, -3
_JPEG_FORMATS = ("JPEG", "MPO")


@dataclass
class SectionImage:
    """An image read as a section: regions in mm and what was found on the way."""

    regions: list[Region]
    pixels: np.ndarray  # (h, w, 3 or 4) uint8, as read
    corners_mm: np.ndarray  # (3, 2): top-left, top-right, bottom-left image corners
    pixel_size_mm: float
    scale: str
    warnings: list[str] = field(default_factory=list)
    colours_found: dict = field(default_factory=dict)  # "#rrggbb" -> {"name", "pixels", "area_cm2"}
    unmapped: dict = field(default_factory=dict)  # "#rrggbb" -> area_cm2


# --- reading pixels ---------------------------------------------------------------------------

def _to_uint8(array: np.ndarray) -> np.ndarray:
    """16-bit, 32-bit and float greyscale scaled to 0-255 (Pillow's own conversion clips them)."""
    if array.dtype == np.uint8:
        return array
    array = array.astype(float)
    top = 65535.0 if array.max(initial=0) > 255 else 255.0
    if array.dtype.kind == "f" and array.max(initial=0) <= 1.0:
        top = 1.0
    return np.clip(np.rint(array * (255.0 / top)), 0, 255).astype(np.uint8)


def read_pixels(path: Path, limits: Limits) -> tuple[np.ndarray, str, list[str]]:
    """The image as (h, w, 3 or 4) uint8 RGB(A), Pillow's name for its format, and warnings.

    Palette, greyscale, 16-bit and CMYK images become RGB; any transparency is kept as alpha; a
    photo is turned upright as its EXIF orientation says. Every failure is one line naming the file."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if limits.max_image_pixels > (Image.MAX_IMAGE_PIXELS or 0):  # a raised limit applies to Pillow too
        Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width == 0 or height == 0:
                    raise FileFormatError(f"the image has no pixels ({width} x {height})", path)
                limits.check_pixels(width, height, path)
                kind = image.format or path.suffix.lstrip(".").upper()
                notes = []
                if getattr(image, "n_frames", 1) > 1:
                    notes.append(f"the file holds {image.n_frames} images: only the first is read")
                image.load()
                upright = ImageOps.exif_transpose(image)
                if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                    grey = _to_uint8(np.asarray(upright))
                    return np.repeat(grey[..., None], 3, axis=2), kind, notes
                transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                rgb = upright.convert("RGBA" if transparent else "RGB")
                return np.array(rgb, dtype=np.uint8), kind, notes
    except FileFormatError:
        raise
    except UnidentifiedImageError:
        raise FileFormatError("not an image ThighView can read (PNG, TIFF, JPEG or BMP), or it is damaged",
                              path) from None
    except Image.DecompressionBombError:  # Pillow's own guard (twice its MAX_IMAGE_PIXELS) fired before ours
        raise LimitExceededError(
            f"the image claims over {2 * Image.MAX_IMAGE_PIXELS:,} pixels, over the {limits.max_image_pixels:,} "
            "limit (raise it with THIGHVIEW_MAX_IMAGE_PIXELS, or scale the image down)", path) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise FileFormatError(f"the image is truncated or damaged ({detail})", path) from None


# --- labelling pixels -------------------------------------------------------------------------

def _border(mask_shape: tuple[int, int]) -> np.ndarray:
    border = np.zeros(mask_shape, dtype=bool)
    border[0, :] = border[-1, :] = border[:, 0] = border[:, -1] = True
    return border


def _touching_border(mask: np.ndarray) -> np.ndarray:
    """The parts of ``mask`` connected (8-neighbours) to the image's edge."""
    components, _ = ndimage.label(mask, structure=np.ones((3, 3)))
    touching = np.unique(components[_border(mask.shape) & mask])
    return np.isin(components, touching[touching > 0])


def _background(rgb: np.ndarray, opaque: np.ndarray, label: np.ndarray, names: list[str],
                tolerance: float) -> np.ndarray:
    """Background pixels: transparent ones, plus the border's commonest colour where connected to
    the border. A border dominated by a muscle's colour means the image is cropped inside the
    section: then only transparency is background."""
    border = _border(opaque.shape) & opaque
    background = ~opaque
    if not border.any():
        return background
    edge = rgb[border].astype(np.int64)
    packed = (edge // 16) @ np.array([256, 16, 1])  # coarse bins: JPEG noise lands in one bin
    values, counts = np.unique(packed, return_counts=True)
    commonest = packed == values[counts.argmax()]
    common = edge[commonest].mean(axis=0)
    labels = label[border][commonest]
    mapped = labels[labels >= 0]
    if len(mapped) > len(labels) / 2:  # the border's colour is in the map
        common_label = np.bincount(mapped).argmax()
        if names[common_label] != _FEMUR:
            return background
        candidate = label == common_label
    else:
        candidate = ((rgb.astype(float) - common) ** 2).sum(axis=-1) <= tolerance**2
    return background | _touching_border((candidate & opaque) | background)


def _cluster_colours(colours: np.ndarray, counts: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy clustering of distinct colours: the commonest unassigned colour starts a cluster of
    all within ``tolerance``. Returns each colour's cluster and the clusters' centres."""
    cluster = np.full(len(colours), -1)
    centres = []
    order = np.argsort(-counts, kind="stable")
    for _ in range(MAX_UNMAPPED_CLUSTERS):
        free = order[cluster[order] < 0]
        if not len(free):
            break
        centre = colours[free[0]]
        near = (cluster < 0) & (((colours - centre) ** 2).sum(axis=1) <= tolerance**2)
        cluster[near] = len(centres)
        centres.append(centre)
    centres_array = np.array(centres, dtype=float).reshape(-1, 3)
    left = cluster < 0
    if left.any():
        cluster[left] = ((colours[left, None, :] - centres_array[None]) ** 2).sum(axis=-1).argmin(axis=1)
    return cluster, centres_array


def _thick(mask: np.ndarray, min_pixels: int) -> np.ndarray:
    """The parts of ``mask`` that survive an opening by :data:`THIN_PIXELS` and are not tiny, with
    the corners the opening rounded off given back (mask pixels within THIN_PIXELS of them):
    lines attached to a blob are cut off, the blob keeps its shape."""
    opened = ndimage.binary_opening(mask, iterations=THIN_PIXELS)
    components, count = ndimage.label(opened)
    if not count:
        return opened
    sizes = np.bincount(components.ravel())
    keep = sizes >= min_pixels
    keep[0] = False
    return mask & ndimage.binary_dilation(keep[components], structure=np.ones((3, 3)), iterations=THIN_PIXELS)


def _drop_specks(label: np.ndarray, value: int, min_pixels: int) -> None:
    """Unset components of one label that are smaller than ``min_pixels`` (JPEG speckles, stray
    dots) or at most two pixels wide everywhere (a line drawn in a region's colour, the
    anti-aliased seam between two other colours): they join their neighbours like outlines."""
    mask = label == value
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return
    window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))  # the label's box: less to scan
    mask = mask[window]
    components, count = ndimage.label(mask)
    sizes = np.bincount(components.ravel())
    has_core = np.zeros(count + 1, dtype=bool)
    has_core[components[ndimage.binary_erosion(mask)]] = True
    drop = (sizes < min_pixels) | ~has_core
    drop[0] = False
    label[window][drop[components]] = _UNSET


@dataclass
class _Labels:
    """Every pixel's label: an index into ``names`` or -1 for background."""

    label: np.ndarray
    names: list[str]
    colours: list[str]  # per name: the mean colour of its pixels as found, "#rrggbb"
    unmapped: set[str]  # the names that are unmapped colours
    notes: list[str]  # warnings about what labelling decided
    counts: np.ndarray  # pixels per name


def label_pixels(pixels: np.ndarray, colour_map: ColourMap, tolerance: float, progress: Stage) -> _Labels:
    """Label every pixel (see the module docstring)."""
    rgb = pixels[..., :3]
    opaque = pixels[..., 3] >= 128 if pixels.shape[-1] == 4 else np.ones(rgb.shape[:2], dtype=bool)
    names = [n for n in dict.fromkeys(colour_map.names) if n not in (BACKGROUND, OUTLINE)]
    code = {**{n: i for i, n in enumerate(names)}, BACKGROUND: _BACKGROUND, OUTLINE: _OUTLINE}
    entry, distance = colour_map.nearest(rgb)
    label = np.where(distance <= tolerance, np.array([code[n] for n in colour_map.names])[entry], _UNSET)
    label[~opaque] = _BACKGROUND
    progress(0.15, "finding the background")
    label[_background(rgb, opaque, label, names, tolerance)] = _BACKGROUND
    min_pixels = max(TINY_MIN_PIXELS, int(TINY_FRACTION * label.size))
    notes = _keep_one_femur(label, names, min_pixels)
    for value in range(len(names)):
        _drop_specks(label, value, min_pixels)
    progress(0.3, "grouping colours that match no entry")
    unmapped_names = _unmapped_regions(rgb, label, names, tolerance, min_pixels)
    progress(0.45, "absorbing outlines and anti-aliasing")
    unset = label <= _UNSET
    if unset.all():  # nothing but background, specks and lines
        return _Labels(label, [], [], set(), notes, np.zeros(0, dtype=np.int64))
    if unset.any():
        _, (rows, cols) = ndimage.distance_transform_edt(unset, return_indices=True)
        label[unset] = label[rows[unset], cols[unset]]
    used = np.unique(label[label >= 0])
    remap = np.full(len(names) + 1, _BACKGROUND)
    remap[used] = np.arange(len(used))
    label = np.where(label >= 0, remap[np.maximum(label, 0)], _BACKGROUND)
    kept = [names[i] for i in used]
    flat = label.ravel()
    sums = np.stack([np.bincount(flat[flat >= 0], weights=rgb[..., k].ravel()[flat >= 0], minlength=len(used))
                     for k in range(3)], axis=1)
    counts = np.bincount(flat[flat >= 0], minlength=len(used))
    colours = [name.removeprefix(_UNMAPPED_PREFIX) if name in unmapped_names else rgb_to_hex(s / max(c, 1), 255)
               for name, s, c in zip(kept, sums, counts)]  # an unmapped region keeps the colour it is named by
    return _Labels(label, kept, colours, set(unmapped_names) & set(kept), notes, counts)


def _keep_one_femur(label: np.ndarray, names: list[str], min_pixels: int) -> list[str]:
    """Bone is one solid area: white lines between regions are outlines (absorbed), and of several
    enclosed white areas the largest is the femur, the others gaps in the drawing (background,
    with a warning)."""
    if _FEMUR not in names:
        return []
    femur = names.index(_FEMUR)
    is_femur = label == femur
    label[is_femur & ~_thick(is_femur, min_pixels)] = _UNSET
    components, count = ndimage.label(label == femur)
    if count < 2:
        return []
    sizes = np.bincount(components.ravel())
    sizes[0] = 0
    gaps = (components > 0) & (components != sizes.argmax())
    label[gaps] = _BACKGROUND
    return [f"{count - 1} more enclosed white area(s) ({int(gaps.sum()):,} pixels) besides the largest, the femur, "
            "were taken as gaps in the drawing and left out of every area"]


def _unmapped_regions(rgb: np.ndarray, label: np.ndarray, names: list[str], tolerance: float,
                      min_pixels: int) -> list[str]:
    """Give thick clusters of unmatched colours labels of their own (appended to ``names``)."""
    unset = label == _UNSET
    if not unset.any():
        return []
    packed = rgb[unset].astype(np.int64) @ np.array([65536, 256, 1])
    values, inverse, counts = np.unique(packed, return_inverse=True, return_counts=True)
    colours = np.stack([values // 65536, values // 256 % 256, values % 256], axis=1).astype(float)
    cluster, centres = _cluster_colours(colours, counts, tolerance)
    pixel_cluster = np.full(label.shape, -1)
    pixel_cluster[unset] = cluster[inverse.ravel()]
    in_thick_parts = np.unique(pixel_cluster[_thick(unset, min_pixels)])  # the others are lines and specks only
    added = []
    for k in in_thick_parts:
        thick = _thick(pixel_cluster == k, min_pixels)
        if thick.any():
            name = _UNMAPPED_PREFIX + rgb_to_hex(rgb[thick].mean(axis=0), 255)
            label[thick] = len(names)
            names.append(name)
            added.append(name)
    return added


# --- regions ----------------------------------------------------------------------------------

def _boundary_segments(label: np.ndarray) -> np.ndarray:
    """Unit pixel edges between differently labelled pixels (and around the image), as
    (n, 2, 2) lattice coordinates (x = column line, y = -row line)."""
    padded = np.pad(label, 1, constant_values=_UNSET)  # no pixel is unset now: the image's edge is a boundary
    h, w = label.shape
    # horizontal edges: between rows i-1 and i (i = 0..h), columns j..j+1
    rows, cols = np.nonzero(padded[:-1, 1:-1] != padded[1:, 1:-1])
    horizontal = np.stack([np.stack([cols, -rows], 1), np.stack([cols + 1, -rows], 1)], axis=1)
    rows, cols = np.nonzero(padded[1:-1, :-1] != padded[1:-1, 1:])
    vertical = np.stack([np.stack([cols, -rows], 1), np.stack([cols, -(rows + 1)], 1)], axis=1)
    return np.concatenate([horizontal, vertical]).astype(float)


def _faces(label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The connected areas of equal label as polygons (holes kept) in pixel units, and their labels."""
    lines = shapely.linestrings(_boundary_segments(label))
    faces = np.asarray(shapely.get_parts(shapely.polygonize(lines)))
    inside = shapely.point_on_surface(faces)
    x, y = shapely.get_x(inside), shapely.get_y(inside)
    row = np.clip(np.floor(-y).astype(int), 0, label.shape[0] - 1)
    col = np.clip(np.floor(x).astype(int), 0, label.shape[1] - 1)
    return faces, label[row, col]


def _regions_px(labels: _Labels, progress: Stage) -> list[Polygon | MultiPolygon]:
    """One smoothed shape per name (pixel units), neighbours sharing their edges.

    Smoothing shrinks a small region's corners: where any region would move over 1 % from its
    pixel count, a smaller tolerance is used for all (down to the pixel-exact outline)."""
    faces, face_label = _faces(labels.label)
    for tolerance in (SMOOTHING_PX, SMOOTHING_PX / 2, SMOOTHING_PX / 4, 0.0):
        progress(0.75, "smoothing outlines")
        smooth = shapely.coverage_simplify(faces, tolerance) if tolerance else faces
        shapes = []
        for k in range(len(labels.names)):
            pieces = [p for p in shapely.get_parts(smooth[face_label == k]) if not p.is_empty]
            shapes.append(shapely.coverage_union_all(pieces) if len(pieces) != 1 else pieces[0])
        if all(abs(shape.area - n) <= 0.01 * n for shape, n in zip(shapes, labels.counts)):
            break
    return shapes


# --- scale ------------------------------------------------------------------------------------

def _femur_diameter() -> tuple[float, str]:
    from thighview._resources import data_path

    femur = json.loads(Path(data_path("anatomy_targets.json")).read_text(encoding="utf-8"))["femur"]
    entry = femur["midshaft_diameter_mm"]
    return float(entry["value"]), str(entry["source"])


def _scale(pixel_size: float | None, femur_px: Polygon | MultiPolygon | None, path: Path
           ) -> tuple[float, str, list[str]]:
    """Pixel size (mm), how it was found, and any warning about it."""
    if pixel_size is not None:
        return float(pixel_size), f"pixel size {pixel_size:g} mm as given", []
    if femur_px is None or femur_px.is_empty:
        raise FileFormatError("the image has no femur to judge its scale from: give the pixel size with "
                              "--pixel-size MM (or draw a known length in the app)", path)
    outline = shapely.union_all([Polygon(p.exterior) for p in shapely.get_parts(femur_px)])
    diameter_px = 2.0 * np.sqrt(outline.area / np.pi)
    diameter_mm, source = _femur_diameter()
    size = diameter_mm / diameter_px
    scale = (f"pixel size {size:.4g} mm assumed: the femur's equivalent diameter ({diameter_px:.0f} px) taken as "
             f"the mid-shaft diameter {diameter_mm:g} mm ({source})")
    warning = (f"areas assume the femur is {diameter_mm:g} mm across (pixel size {size:.4g} mm); give "
               "--pixel-size MM for true sizes; percentages do not depend on it")
    return size, scale, [warning]


# --- the whole reader -------------------------------------------------------------------------

def read_section_image(path: str | Path, *, colour_map: ColourMap | None = None, pixel_size: float | None = None,
                       limits: Limits | None = None, progress: Stage | None = None) -> SectionImage:
    """Read a labelled section image into regions in mm (see the module docstring)."""
    path = Path(path)
    colour_map = colour_map or ColourMap.default()
    limits = limits or Limits.from_env()
    progress = progress or Stage(path=path)
    progress(0.0, f"reading {path.name}")
    pixels, kind, notes = read_pixels(path, limits)
    tolerance = colour_map.tolerance
    if kind in _JPEG_FORMATS:
        tolerance *= JPEG_TOLERANCE_FACTOR
        notes.append("JPEG compression blurs colours: the colour tolerance was widened and blurred edges were "
                     "absorbed into the regions beside them; a PNG gives exact outlines")
    progress(0.05, "matching colours")
    labels = label_pixels(pixels, colour_map, tolerance, progress)
    notes += labels.notes
    mapped = [n for n in labels.names if n not in labels.unmapped]
    if not mapped:
        known = ", ".join(n for n in dict.fromkeys(colour_map.names) if n not in (BACKGROUND, OUTLINE))
        raise FileFormatError(f"no region of a mapped colour found, only background, specks or lines (the colour "
                              f"map knows {known}); map the image's colours with --colour-map FILE.json", path)
    progress(0.6, "tracing regions")
    shapes_px = _regions_px(labels, progress)
    femur_px = shapes_px[labels.names.index(_FEMUR)] if _FEMUR in labels.names else None
    size, scale, scale_notes = _scale(pixel_size, femur_px, path)
    progress(0.9, "measuring")
    h, w = labels.label.shape
    regions, found, unmapped = [], {}, {}
    total = sum(s.area for s in shapes_px)
    for name, colour, shape, count in zip(labels.names, labels.colours, shapes_px, labels.counts):
        shape_mm = shapely.transform(shape, lambda xy: xy * size)
        area_cm2 = round(shape_mm.area / 100.0, 4)
        regions.append(Region(name, shape_mm, colour))
        is_unmapped = name in labels.unmapped
        found[colour] = {"name": None if is_unmapped else name, "pixels": int(count), "area_cm2": area_cm2}
        share = 100 * shape.area / total
        if share < TINY_SHARE_PERCENT:
            notes.append(f"{name} covers only {share:.2f}% of the section ({int(count):,} pixels): "
                         "a stray mark of its colour?")
        if is_unmapped:
            unmapped[colour] = area_cm2
            notes.append(f"colour {colour} ({area_cm2:.2f} cm², {share:.1f}% of the section) matches "
                         f"no colour in the map: reported as structure 'colour_{colour.lstrip('#')}'; map it with "
                         "--colour-map FILE.json or in the app's Image import dialog")
    corners = np.array([[0.0, 0.0], [w * size, 0.0], [0.0, -h * size]])
    progress(1.0, "done")
    return SectionImage(regions, pixels, corners, size, scale, scale_notes + notes, found, unmapped)
