"""Models of a single cross-section: planar meshes and thin slabs.

Many users have one segmented section, not a thigh: a flat mesh exported from a drawing or an
MRI slice, or a thin extruded slab. :func:`classify` recognises them among the surfaces read
from a file; :func:`prepare` turns them into closed regions (a planar mesh's regions become
thin prisms, see :mod:`thighview.io.regions`); :func:`finish` gives the built model its one
level: an axis along the plane's normal whose middle is the section (``FemurAxis.basis ==
"section"``), anterior and side from the anatomy where the names tell, and
``model.flat``. Labelled images (:mod:`thighview.io.section_image`) end in :func:`finish` too.

Regions are the file's named parts; a file holding one unnamed surface is split by face colour
(through the colour map, as for images) or else into connected pieces, and a region the others
surround becomes the femur where none is named (:func:`thighview.io.regions.enclosed_core`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from thighview import anatomy
from thighview._planecut import orthonormal_basis
from thighview.anatomy import Compartment, rgb_to_hex
from thighview.errors import MeshError
from thighview.io.colour_map import ColourMap
from thighview.io.parts import Part
from thighview.io.regions import THICKNESS_FRACTION, Region, enclosed_core, region_parts, section_size
from thighview.model import FlatSection, ThighModel
from thighview.section import SectionFrame

#: Vertices within this fraction of the model's size from one plane make a planar mesh.
PLANAR_TOLERANCE = 1e-4
#: A model thinner than this fraction of its width (along its thinnest principal axis) is a slab,
SLAB_RATIO = 0.2
#: ... if it is also roughly as wide as long, as a cross-section is (a row of bars is not).
SLAB_ROUNDNESS = 0.4


def _principal_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and principal directions (rows, longest first) of a point cloud."""
    centre = points.mean(axis=0)
    sample = points[:: max(1, len(points) // 50000)] - centre
    return centre, np.linalg.svd(sample, full_matrices=False)[2]


def classify(parts: list[Part]) -> str | None:
    """``"planar mesh"``, ``"slab"`` or None (a 3-D model) for the surfaces of one file."""
    points = np.concatenate([p.vertices for p in parts])
    if len(points) < 3 or not np.all(np.isfinite(points)):
        return None  # the model builder reports what is wrong
    centre, directions = _principal_frame(points)
    extents = [np.ptp((points - centre) @ d) for d in directions]
    if not extents[1] > 0:
        return None
    if extents[2] <= PLANAR_TOLERANCE * extents[0]:
        return "planar mesh"
    if extents[2] <= SLAB_RATIO * extents[1] and extents[1] >= SLAB_ROUNDNESS * extents[0]:
        return "slab"
    return None


def plane_of(parts: list[Part]) -> SectionFrame:
    """The best-fit plane of the surfaces, its normal towards the side their triangles face
    (so the section is seen as the drawing program showed it), else towards +z/+y/+x."""
    points = np.concatenate([p.vertices for p in parts])
    centre, directions = _principal_frame(points)
    normal = directions[2]
    facing = sum(_area_vector(p) for p in parts) @ normal
    if abs(facing) > 1e-9 or not np.any(normal):
        flip = facing < 0
    else:
        flip = normal[np.argmax(np.abs(normal))] < 0
    if flip:
        normal = -normal
    u = directions[0]
    v = np.cross(normal, u)
    return SectionFrame(centre, u, v, normal)


def _area_vector(part: Part) -> np.ndarray:
    v = part.vertices[part.faces]
    return np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]).sum(axis=0)


def _union(triangles: np.ndarray) -> shapely.Geometry:
    """The area covered by triangles ``(n, 3, 2)``: a mesh's triangles tile it, so a coverage union
    (fast) is tried first and checked against the summed area; overlapping ones are unioned."""
    a, b = triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]
    areas = np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) / 2
    triangles = triangles[areas > 1e-12 * max(areas.max(initial=0.0), 1e-300)]
    polygons = shapely.polygons(np.concatenate([triangles, triangles[:, :1]], axis=1))
    try:
        union = shapely.coverage_union_all(polygons)
        if union.is_valid and abs(union.area - areas.sum()) <= 1e-9 * areas.sum():
            return union
    except shapely.errors.GEOSException:  # overlapping triangles: not a coverage
        pass
    return shapely.make_valid(shapely.union_all(polygons))


def _groups(part: Part, colour_map: ColourMap) -> list[tuple[str, np.ndarray, str | None]]:
    """A lone surface's regions: by face colour where it has several, else by connected piece."""
    colours = part.face_colours
    if colours is not None and len(np.unique(colours, axis=0)) > 1:
        groups = []
        for colour in np.unique(colours, axis=0):
            name = colour_map.name_for(colour) or f"colour {rgb_to_hex(colour, 255)}"
            groups.append((name, np.all(colours == colour, axis=1), rgb_to_hex(colour, 255)))
        return groups
    n = len(part.vertices)
    f = part.faces
    graph = coo_matrix((np.ones(2 * len(f)), (np.r_[f[:, 0], f[:, 1]], np.r_[f[:, 1], f[:, 2]])), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    if count == 1:
        return [(part.raw_name, np.ones(len(f), dtype=bool), part.colour)]
    face_label = label[f[:, 0]]
    v = part.vertices[f]
    size = np.bincount(face_label, np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1), count)
    order = np.argsort(-size, kind="stable")  # numbered largest first
    return [(f"{part.raw_name} {n + 1}", face_label == k, part.colour) for n, k in enumerate(order)]


def _named_regions(parts: list[Part], colour_map: ColourMap) -> list[tuple[str, Part, str | None]]:
    """(region name, its surface, colour) per region: the file's parts, or a lone part split up."""
    if len(parts) > 1:
        return [(p.raw_name, p, p.colour) for p in parts]
    part = parts[0]
    out = []
    for name, mask, colour in _groups(part, colour_map):
        out.append((name, Part(name, part.vertices, part.faces[mask], colour), colour))
    return out


def _name_the_femur(regions: list[Region]) -> None:
    """Where no region is a known femur, the one the others surround is (renamed ``femur``)."""
    if any(anatomy.match_name(r.name).canonical == "femur" for r in regions):
        return
    core = enclosed_core(regions)
    for region in regions:
        if region.name == core:
            region.name = "femur"


def prepare(parts: list[Part], kind: str, path: Path, colour_map: ColourMap | None = None
            ) -> tuple[list[Part], SectionFrame]:
    """Closed regions for a flat file (``kind`` from :func:`classify`) and its plane."""
    colour_map = colour_map or ColourMap.default()
    plane = plane_of(parts)
    named = _named_regions(parts, colour_map)
    if kind == "slab":
        regions = [Region(name, _footprint(part, plane), colour) for name, part, colour in named]
        _name_the_femur(regions)
        for (_, part, _), region in zip(named, regions):
            part.raw_name = region.name
        return [part for _, part, _ in named], plane
    regions = []
    for name, part, colour in named:
        shape = _footprint(part, plane)
        if shape.is_empty:
            raise MeshError(f"region '{name}' of the section has no area", path)
        regions.append(Region(name, shape, colour))
    _name_the_femur(regions)
    thickness = THICKNESS_FRACTION * section_size(regions)
    return region_parts(regions, plane, thickness, path), plane


def _footprint(part: Part, plane: SectionFrame) -> shapely.Geometry:
    """The area a region covers seen along the plane's normal: a planar region itself, a slab
    region's outline (for finding the femur among unnamed pieces)."""
    return _union(plane.to_2d(part.vertices)[part.faces])


# --- the built model's single level ---------------------------------------------------------

def _centroid(model: ThighModel, names: list[str]) -> np.ndarray | None:
    points = [model.structures[n].vertices for n in names if n in model.structures]
    return np.concatenate(points).mean(axis=0) if points else None


def _in_plane(vector: np.ndarray, normal: np.ndarray) -> np.ndarray | None:
    vector = vector - (vector @ normal) * normal
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 1e-9 else None


def _anterior(model: ThighModel, centre: np.ndarray, normal: np.ndarray, up: np.ndarray,
              axis_aligned: bool) -> np.ndarray:
    """The file's anterior (RAS), else towards the quadriceps / away from the hamstrings, else
    "up" in the drawing. ``axis_aligned`` keeps it to up or down (an image is shown unrotated)."""
    guess = None
    if model.anterior_hint is not None:
        guess = _in_plane(np.asarray(model.anterior_hint, dtype=float), normal)
    for compartment, sign in ((Compartment.QUADRICEPS, 1.0), (Compartment.HAMSTRINGS, -1.0)):
        if guess is not None:
            break
        found = _centroid(model, [s.name for s in model.in_compartment(compartment)])
        if found is not None:
            guess = _in_plane(sign * (found - centre), normal)
    if guess is None:
        return up
    if axis_aligned:
        return up if guess @ up >= 0 else -up
    return guess


def _side(model: ThighModel, centre: np.ndarray, normal: np.ndarray, anterior: np.ndarray) -> str | None:
    """Right or left from where the adductors lie (medial), or None when the section has none."""
    adductors = _centroid(model, [s.name for s in model.in_compartment(Compartment.ADDUCTORS)])
    if adductors is None:
        return None
    patient_left = np.cross(anterior, normal)
    medial = (adductors - centre) @ patient_left
    return None if abs(medial) < 1e-9 else ("right" if medial > 0 else "left")


def finish(model: ThighModel, kind: str, plane: SectionFrame, *, side_given: bool, image: np.ndarray | None = None,
           image_corners: np.ndarray | None = None, scale: str = "") -> ThighModel:
    """Give a model built from a section its one level (see the module docstring).

    ``plane`` is the section's plane as read (before the model builder scaled or flipped
    coordinates: only its normal's direction is used); ``side_given``: whether the user chose
    the side (else it is read from where the adductors lie).
    """
    from thighview.femur_axis import FemurAxis

    points = np.concatenate([s.vertices for s in model.structures.values()])
    _, directions = _principal_frame(points)
    normal = directions[2] if directions[2] @ plane.normal >= 0 else -directions[2]
    femur = _centroid(model, ["femur"])
    centre = femur if femur is not None else points.mean(axis=0)
    h = (points - centre) @ normal
    origin = centre + h.min() * normal
    thickness = float(h.max() - h.min())
    if not thickness > 0:
        raise MeshError("the section's regions have no thickness", model.source)
    up = _in_plane(plane.y_axis, normal)
    if up is None:  # the regions' own plane differs from the one read (only for degenerate input)
        up = orthonormal_basis(normal)[1]
    anterior = _anterior(model, centre, normal, up, axis_aligned=image is not None)
    if not side_given:
        found = _side(model, centre, normal, anterior)
        model.side = found or model.side
        model.provenance["side_from"] = "where the adductors lie (medial)" if found else "default (no adductors)"
    model.set_axis(FemurAxis(origin=origin, direction=normal, length_mm=thickness, anterior=anterior,
                             side=model.side, basis="section"))
    model.flat = FlatSection(kind=kind, image=image, image_corners=image_corners, scale=scale)
    model.provenance["single_section"] = kind
    return model
