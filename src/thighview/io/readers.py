"""Dispatch: which reader a path needs (:mod:`thighview.io.formats`), the readers, and the steps
common to all (limits, progress, names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thighview import anatomy
from thighview.errors import FileFormatError, UnsupportedFormatError
from thighview.io import colour_tables, flat, folders, formats, labelmaps, meshes
from thighview.io.colour_map import ColourMap
from thighview.io.limits import Limits
from thighview.io.parts import Part, build_model
from thighview.progress import CancelFlag, Report, Stage
from thighview.io.units import UNIT_CHOICES
from thighview.model import ThighModel


@dataclass
class ReadRequest:
    """What every reader is given: the caller's options and the import's progress."""

    progress: Stage
    limits: Limits
    units: str = "auto"
    labels: Path | None = None
    colours: ColourMap = field(default_factory=ColourMap.default)
    pixel_size: float | None = None


@dataclass
class Loaded:
    """What a reader found: surfaces, provenance, the space and units the file declares, a
    ThighView GLB's metadata, and how to finish a single section (``flat``)."""

    parts: list[Part]
    meta: dict
    space: str | None = None
    declared: tuple[str, str] | None = None
    sidecar: dict = field(default_factory=dict)
    flat: dict | None = None


def _label_parts(image: labelmaps.LabelImage, progress: Stage) -> list[Part]:
    from thighview.io.surfaces import label_surfaces

    parts = []
    for n, layer in enumerate(image.layers):
        stage = progress.sub(n / len(image.layers), (n + 1) / len(image.layers))
        surfaces = label_surfaces(layer.labels, image.affine, layer.values, progress=stage)
        for value, (vertices, faces) in surfaces.items():
            parts.append(Part(layer.names.get(value, f"label_{value}"), vertices, faces, layer.colours.get(value)))
    return parts


def read_label_file(path: Path, request: ReadRequest) -> Loaded:
    """A label map (NIfTI, NRRD, Slicer segmentation): a surface per label, in RAS."""
    progress = request.progress
    table = colour_tables.read_colour_table(request.labels) if request.labels is not None else None
    beside = None if table is not None else colour_tables.find_beside(path)
    progress(0.02, f"reading {path.name}")
    image = labelmaps.read_label_image(path, request.limits, table, beside)
    parts = _label_parts(image, progress.sub(0.3, 0.95))
    return Loaded(parts, {"format": "label map", "names_from": image.names_from}, "RAS",
                  (image.unit, image.units_reason))


def _read_folder(path: Path, request: ReadRequest) -> Loaded:
    limits, progress = request.limits, request.progress
    kind, files = folders.folder_files(path)
    names = folders.structure_names(files)
    if kind == "masks":
        image = labelmaps.read_mask_folder(names, limits, progress.sub(0.0, 0.5))
        parts = _label_parts(image, progress.sub(0.5, 0.95))
        return Loaded(parts, {"format": "folder of masks", "files": len(files), "empty_masks": image.skipped},
                      "RAS", (image.unit, image.units_reason))
    parts, spaces = [], set()
    for n, file in enumerate(files):
        progress(0.9 * n / len(files), f"reading {file.name}")
        limits.check_file(file)
        file_parts, _ = meshes.read_mesh_parts(file)
        if len(file_parts) == 1:
            file_parts[0].raw_name = names[file]
        parts += file_parts
        spaces.add(meshes.declared_space(file))
    space = spaces.pop() if len(spaces) == 1 else None
    return Loaded(parts, {"format": "folder of meshes", "files": len(files)}, space)


def read_mesh_file(path: Path, request: ReadRequest) -> Loaded:
    """A mesh file: its surfaces, and a ThighView GLB's metadata (extras or sidecar JSON)."""
    request.limits.check_file(path)
    parts, sidecar = meshes.read_mesh_parts(path)
    if path.suffix.lower() in (".glb", ".gltf"):
        sidecar = {**sidecar, **meshes.read_sidecar(path)}
    declared = None
    if sidecar.get("units") in ("mm", "cm", "m"):
        declared = (sidecar["units"], f"the model's metadata says {sidecar['units']}")
    return Loaded(parts, {"format": path.suffix.lower().lstrip(".")}, meshes.declared_space(path), declared,
                  sidecar)


def is_section_image(path: Path) -> bool:
    """True for a labelled section image (:mod:`thighview.io.section_image`)."""
    return formats.read_by(path, formats.IMAGE)


def _check_content(path: Path) -> None:
    """Empty files, and files whose content is plainly another format than their name says."""
    if path.stat().st_size == 0:
        raise FileFormatError("the file is empty", path)
    with path.open("rb") as handle:
        head = handle.read(16)
    disguised = formats.disguised_format(path, head)
    if disguised is not None:
        raise FileFormatError(f"the file holds {disguised.name} data, not what its name '{path.suffix}' says; "
                              "rename it", path)
    size = path.stat().st_size
    if head.startswith(b"glTF") and len(head) >= 12 and int.from_bytes(head[8:12], "little") > size:
        raise FileFormatError(f"the GLB header promises {int.from_bytes(head[8:12], 'little'):,} bytes but the "
                              f"file has {size:,}: it is truncated or damaged", path)


def _apply_sidecar(model: ThighModel, meta: dict, path: Path) -> None:
    """A ThighView GLB's metadata (extras or sidecar JSON): compartments the user assigned,
    names as first found, the model's name, side and anterior direction."""
    try:
        for name, entry in meta.get("structures", {}).items():
            compartment = anatomy.Compartment(entry["compartment"]) if "compartment" in entry else None
            structure = model.structures.get(name)
            if structure is None:
                continue
            structure.compartment = compartment or structure.compartment
            structure.raw_name = str(entry.get("raw_name") or structure.raw_name)
        anterior = meta.get("anterior")
        if anterior is not None:
            anterior = np.asarray(anterior, dtype=float).reshape(3)
    except (ValueError, TypeError, AttributeError) as exc:
        raise FileFormatError(f"the model's metadata is invalid ({exc})", path) from None
    if meta.get("side", model.side) not in ("right", "left"):
        raise FileFormatError(f"the model's metadata names side {meta['side']!r}, not right or left", path)
    model.name = str(meta.get("name", model.name))
    model.side = meta.get("side", model.side)
    if anterior is not None:
        model.anterior_hint = anterior
    for key, value in meta.items():  # the reader's own entries (units, space, format) win
        model.provenance.setdefault(key, value)


def _colour_map(colour_map: str | Path | dict | ColourMap | None) -> ColourMap:
    if colour_map is None:
        return ColourMap.default()
    if isinstance(colour_map, ColourMap):
        return colour_map
    if isinstance(colour_map, dict):
        return ColourMap.from_mapping(colour_map)
    return ColourMap.load(colour_map)


def read_image_file(path: Path, request: ReadRequest) -> Loaded:
    """A labelled section image: its regions as thin prisms in the z = 0 plane (x right, y up)."""
    from thighview.io import section_image
    from thighview.io.regions import THICKNESS_FRACTION, region_parts, section_size, xy_plane

    if request.units != "auto":
        raise FileFormatError("--units does not apply to an image: give its scale with --pixel-size MM", path)
    request.limits.check_file(path)
    image = section_image.read_section_image(path, colour_map=request.colours, pixel_size=request.pixel_size,
                                             limits=request.limits, progress=request.progress.sub(0.02, 0.9))
    plane = xy_plane()
    parts = region_parts(image.regions, plane, THICKNESS_FRACTION * section_size(image.regions), path)
    meta = {"format": "image", "scale": image.scale, "pixel_size_mm": image.pixel_size_mm,
            "colours": image.colours_found, "unmapped_colours": image.unmapped, "warnings": list(image.warnings)}
    finish = {"plane": plane, "image": image.pixels, "image_corners": plane.to_3d(image.corners_mm),
              "scale": image.scale}
    return Loaded(parts, meta, declared=("mm", image.scale), flat=finish)


def _reader(path: Path):
    """The registry's reader for ``path``, or a one-line error listing what ThighView opens."""
    if path.is_dir():
        return _read_folder
    found = formats.format_of(path)
    if found is None:
        raise UnsupportedFormatError(
            f"unsupported file type '{''.join(path.suffixes[-2:]) or path.name}' "
            f"(ThighView opens {formats.opens_text()} and folders of these)", path)
    return found.load_reader()


def read_any(path: Path, *, units: str = "auto", labels: str | Path | None = None, side: str | None = None,
             progress: Report | None = None, cancel: CancelFlag | None = None,
             limits: Limits | None = None, colour_map: str | Path | dict | ColourMap | None = None,
             pixel_size: float | None = None) -> ThighModel:
    """Read any supported file or folder into a model (see :func:`thighview.io.load_model`)."""
    limits = limits or Limits.from_env()
    report = Stage(progress, cancel, path)
    if units not in UNIT_CHOICES:
        raise FileFormatError(f"units must be one of {', '.join(UNIT_CHOICES)}, not {units!r}", path)
    if not path.exists():
        raise FileFormatError("no such file or folder", path)
    report(0.0, f"opening {path.name}")
    if path.is_file():
        _check_content(path)
    if pixel_size is not None and not (isinstance(pixel_size, (int, float)) and 0 < pixel_size < 1000):
        raise FileFormatError(f"pixel size must be a positive number of millimetres, not {pixel_size!r}", path)
    request = ReadRequest(report, limits, units, Path(labels) if labels else None, _colour_map(colour_map),
                          pixel_size)
    loaded = _reader(path)(path, request)
    parts, meta, flat_finish = loaded.parts, loaded.meta, loaded.flat
    if labels is not None and meta["format"] != "label map":
        raise FileFormatError("a colour table (--labels) only applies to a label map", path)
    if pixel_size is not None and flat_finish is None:
        raise FileFormatError("--pixel-size only applies to an image", path)
    kind = "image" if flat_finish is not None else flat.classify([p for p in parts if len(p.faces)] or parts)
    if kind in ("planar mesh", "slab"):
        report(0.9, f"reading the {kind}'s regions")
        parts, plane = flat.prepare(parts, kind, path, request.colours)
        flat_finish = {"plane": plane}
    report(0.96, "naming structures")
    model = build_model(parts, path, units=units, declared_units=loaded.declared, space=loaded.space, side=side,
                        limits=limits, provenance=meta)
    if loaded.sidecar:
        _apply_sidecar(model, loaded.sidecar, path)
    if flat_finish is not None:
        flat.finish(model, kind, side_given=side is not None, **flat_finish)
    report(1.0, "done")
    return model
