"""Build every structure's surface: solve the partition level by level, sample, loft."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from thighview.errors import ModelError
from thighview.procedural import loft, outline, partition
from thighview.procedural.plan import (
    HIP_MUSCLE_VOLUMES_CM3,
    SOFT_TISSUE_RANGE,
    THIN_AREAS_MM2,
    THIN_ENDS,
    AreaPlan,
    Body,
    area_plan,
    reference_body,
)
from thighview.progress import Report, Stage

#: Default number of levels through the soft tissue (one every ~4.5 mm).
DEFAULT_RESOLUTION = 96
#: In-plane point spacing relative to the spacing between levels.
IN_PLANE_RATIO = 0.7
#: Levels added at each end of the femur to round it off (its ends stick out of the soft tissue).
_FEMUR_END_LEVELS = 5


@dataclass
class GeneratedModel:
    """The generator's output: surfaces by canonical name, and what made them."""

    surfaces: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (vertices (n,3) mm, faces (m,3))
    femur_length_mm: float
    resolution: int
    seed: int
    parameters: dict = field(default_factory=dict)
    levels: np.ndarray | None = None
    client: dict | None = None  # a client's thigh: name, about, side, measurements, targets (for the JSON)


def soft_levels(resolution: int) -> np.ndarray:
    """The levels (fractions of femur length) at which the soft tissue is laid out."""
    lo, hi = SOFT_TISSUE_RANGE
    return np.linspace(lo, hi, resolution + 1)


def _femur_levels(soft: np.ndarray) -> np.ndarray:
    lo, hi = SOFT_TISSUE_RANGE
    top = np.linspace(0.0, lo, _FEMUR_END_LEVELS + 1)[:-1]
    bottom = np.linspace(hi, 1.0, _FEMUR_END_LEVELS + 1)[1:]
    return np.concatenate([top, soft, bottom])


def _edge_points(geo: partition.LevelGeometry, a, b, n: int) -> np.ndarray:
    """``n`` points from corner ``a`` towards ``b`` (``b`` excluded), in (s, rho).

    Always computed from the same end of the edge, so both structures that share the edge
    get bit-identical points whichever way round they walk it.
    """
    flip = repr(a) > repr(b)
    first, second = (b, a) if flip else (a, b)
    s0, r0 = geo.corner_srho(first)
    s1, r1 = geo.corner_srho(second)
    u = np.arange(n + 1) / n
    points = np.column_stack([s0 + (s1 - s0) * u, r0 + (r1 - r0) * u])
    return (points[::-1] if flip else points)[:-1]


def _edge_counts(geos: list[partition.LevelGeometry], spacing: float) -> dict[frozenset, int]:
    """Points per partition edge: its longest physical length over all levels / ``spacing``."""
    edges: dict[frozenset, tuple] = {}
    for corners in partition.OUTLINES.values():
        for a, b in zip(corners, corners[1:] + corners[:1]):
            edges.setdefault(partition.edge_key(a, b), (a, b))
    probe = 12
    longest = np.zeros(len(edges))
    for geo in geos:
        srho = np.concatenate([_edge_points(geo, a, b, probe).tolist() + [geo.corner_srho(b)]
                               for a, b in edges.values()])
        xy = geo.to_xy(srho[:, 0], srho[:, 1]).reshape(len(edges), probe + 1, 2)
        longest = np.maximum(longest, np.linalg.norm(np.diff(xy, axis=1), axis=2).sum(axis=1))
    return {key: max(1, int(np.ceil(length / spacing))) for key, length in zip(edges, longest)}


def _sample(geo: partition.LevelGeometry, edges, counts: dict[frozenset, int]) -> np.ndarray:
    """Physical points along consecutive partition edges ``(a, b)``, each without its end."""
    srho = np.concatenate([_edge_points(geo, a, b, counts[partition.edge_key(a, b)]) for a, b in edges])
    return geo.to_xy(srho[:, 0], srho[:, 1])


def _ring(geo: partition.LevelGeometry, corners: list, counts: dict[frozenset, int]) -> np.ndarray:
    """A structure's outline, once round its corners."""
    return _sample(geo, zip(corners, corners[1:] + corners[:1]), counts)


@dataclass
class Layout:
    """The solved partition at every level, and how densely each edge is sampled."""

    plan: AreaPlan
    levels: np.ndarray
    geos: list[partition.LevelGeometry]
    counts: dict[frozenset, int]
    spacing: float
    present: dict[str, slice]  # muscle -> the levels at which it is built


def layout(resolution: int = DEFAULT_RESOLUTION, seed: int = 0, body: Body | None = None) -> Layout:
    """Solve the partition at every level (cheap; the lofting is the expensive part)."""
    body = body or reference_body()
    plan = area_plan(body)
    levels = soft_levels(resolution)
    variation = partition.Variation.from_seed(seed)
    spacing = IN_PLANE_RATIO * (levels[1] - levels[0]) * plan.femur_length_mm
    areas = [plan.areas(float(t)) for t in levels]
    geos = [partition.solve_level(float(t), a, variation, body) for t, a in zip(levels, areas)]
    present = {name: _present(areas, name) for name in partition.OUTLINES}
    return Layout(plan, levels, geos, _edge_counts(geos, spacing), spacing, present)


def _present(areas: list[dict[str, float]], name: str) -> slice:
    """The levels at which a structure is built: where it has area (always one run of levels)."""
    idx = np.flatnonzero([a[name] > 0 for a in areas])
    return slice(int(idx[0]), int(idx[-1]) + 1)


def partition_rings(lay: Layout, k: int) -> dict[str, np.ndarray]:
    """The counter-clockwise outline of every structure of the partition at level ``k``,
    absent muscles included (as the slivers their neighbours close over)."""
    g = lay.geos[k]
    # (s, rho) -> (x, y) mirrors: outlines counter-clockwise in (s, rho) come out clockwise
    return {name: _ring(g, corners, lay.counts)[::-1] for name, corners in partition.OUTLINES.items()}


def level_rings(lay: Layout, k: int) -> dict[str, list[np.ndarray]]:
    """Every structure's counter-clockwise ring(s) at level ``k``: [outline] or [outer, inner] for shells.

    The femur and the fascia lata take exactly the points of the columns' bottom and top
    edges, so they share them with the muscles; fat and skin are radially outside the
    fascia's points. Muscles absent at this level are left out.
    """
    g = lay.geos[k]
    rings = {name: [ring] for name, ring in partition_rings(lay, k).items()
             if lay.present[name].start <= k < lay.present[name].stop}
    bone = _column_ring(g, partition.ZERO, lay.counts)
    fascia_inner = _column_ring(g, partition.ONE, lay.counts)
    shells = _shells(fascia_inner, g)
    rings["femur"] = [bone]
    rings["fascia_lata"] = [shells["fascia_outer"], fascia_inner]
    rings["subcutaneous_fat"] = [shells["fat_inner"], shells["fascia_outer"]]
    rings["skin"] = [shells["skin"], shells["fat_inner"]]
    return rings


def generate(resolution: int = DEFAULT_RESOLUTION, seed: int = 0,
             progress: Report | None = None, body: Body | None = None) -> GeneratedModel:
    """Generate a thigh (default: the reference man's right thigh). Same arguments -> the same surfaces."""
    report = Stage(progress)
    report(0.0, "laying out the sections")
    body = body or reference_body()
    lay = layout(resolution, seed, body)
    length = lay.plan.femur_length_mm
    levels = lay.levels
    z = -levels * length
    report(0.3, "sampling the outlines")
    per_level = [level_rings(lay, k) for k in range(len(levels))]

    report(0.5, "lofting the surfaces")
    surfaces: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, span in lay.present.items():
        rings = np.stack([per_level[k][name][0] for k in range(span.start, span.stop)])
        surfaces[name] = loft.tube(rings, z[span])
    for name in ("fascia_lata", "subcutaneous_fat", "skin"):
        outer = np.stack([r[name][0] for r in per_level])
        inner = np.stack([r[name][1] for r in per_level])
        surfaces[name] = loft.shell(outer, inner, z)

    # the femur's rounded ends stick out of the soft tissue, at the angles of the nearest level
    bone = np.stack([r["femur"][0] for r in per_level])
    femur_t = _femur_levels(levels)
    top_phi, bottom_phi = (np.arctan2(bone[k, :, 1], bone[k, :, 0]) for k in (0, -1))
    rounded = [_polar(top_phi, outline.femur_radius(top_phi, float(t), body.bone_scale))
               for t in femur_t if t < levels[0]]
    rounded_low = [_polar(bottom_phi, outline.femur_radius(bottom_phi, float(t), body.bone_scale))
                   for t in femur_t if t > levels[-1]]
    bone_rings = np.concatenate([np.stack(rounded), bone, np.stack(rounded_low)])
    surfaces["femur"] = loft.capped_star(bone_rings, -femur_t * length, 0.0, -length)
    report(1.0, "done")
    parameters = {
        "soft_tissue_range": list(SOFT_TISSUE_RANGE),
        "levels": int(len(levels)),
        "in_plane_spacing_mm": round(lay.spacing, 4),
        "gluteal_fold_level": outline.GLUTEAL_FOLD_LEVEL,
        "above_knee_level": outline.ABOVE_KNEE_LEVEL,
        "skin_mm": outline.SKIN_MM,
        "fat_anterior_reference_mm": outline.FAT_ANTERIOR_MM,
        "hip_muscle_volumes_cm3": dict(HIP_MUSCLE_VOLUMES_CM3),
        "thin_structure_areas_mm2": dict(THIN_AREAS_MM2),
        "thin_structure_ends": {n: list(v) for n, v in THIN_ENDS.items()},
        "muscle_courses": {n: [c.start, c.peak, c.end] for n, c in lay.plan.courses.items()},
    }
    if body.side == "left":
        surfaces = {name: mirrored(vertices, faces) for name, (vertices, faces) in surfaces.items()}
    return GeneratedModel(_ordered(surfaces), length, resolution, seed, parameters, levels)


def mirrored(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The left thigh's surface from the right one's: x (patient's right) negated, and the
    triangles' winding reversed so that they still face outwards."""
    return vertices * np.array([-1.0, 1.0, 1.0]), np.ascontiguousarray(faces[:, ::-1])


def _column_ring(geo: partition.LevelGeometry, key: tuple, counts: dict[frozenset, int]) -> np.ndarray:
    """The points of every column's edge at height ``key`` (bone or fascia), once round."""
    corners = [(c, key) for c in range(partition.N_COLUMNS + 1)]
    return _sample(geo, zip(corners, corners[1:]), counts)


#: The thinnest subcutaneous fat allowed anywhere (mm).
_MIN_FAT_MM = 0.5


def _shells(fascia_inner: np.ndarray, g: partition.LevelGeometry) -> dict[str, np.ndarray]:
    """Fascia outer surface, fat inner surface and skin, radially outside the fascia's points."""
    phi = np.arctan2(fascia_inner[:, 1], fascia_inner[:, 0])
    r = np.hypot(fascia_inner[:, 0], fascia_inner[:, 1])
    env = partition.envelope(phi, g.t, g.fat_scale, g.skin_scale, g.aspect, g.bone_scale)
    fascia_outer = r + (env["fascia_outer"] - env["muscle"])
    if np.any(env["fat_inner"] - fascia_outer < _MIN_FAT_MM):  # never for the reference; a client's extreme
        raise ModelError(f"at {g.t:.0%} of the femur the skin is too tight round the femur and muscles for any "
                         "fat: these measurements are outside what the model can build")
    return {"fascia_outer": _polar(phi, fascia_outer), "fat_inner": _polar(phi, env["fat_inner"]),
            "skin": _polar(phi, env["skin"])}


def _polar(phi: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(phi), r * np.sin(phi)])


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _ordered(surfaces: dict) -> dict:
    """Structures in the vocabulary's display order (a stable file layout)."""
    from thighview.anatomy import canonical_names

    return {name: surfaces[name] for name in canonical_names() if name in surfaces}
