"""Build every structure's surface: solve the partition level by level, sample, loft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from thighview.procedural import loft, outline, partition
from thighview.procedural.plan import SOFT_TISSUE_RANGE, THIN_AREAS_MM2, AreaPlan, area_plan

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
    """``n`` points from corner ``a`` towards ``b`` (``b`` excluded), in (s, rho)."""
    sa, ra = geo.corner_srho(a)
    sb, rb = geo.corner_srho(b)
    u = np.arange(n) / n
    return np.column_stack([sa + (sb - sa) * u, ra + (rb - ra) * u])


def _edge_counts(geos: list[partition.LevelGeometry], spacing: float) -> dict[frozenset, int]:
    """Points per partition edge: its longest physical length over all levels / ``spacing``."""
    counts: dict[frozenset, int] = {}
    probe = 12
    for name, corners in partition.OUTLINES.items():
        for a, b in zip(corners, corners[1:] + corners[:1]):
            key = partition.edge_key(a, b)
            if key in counts:
                continue
            longest = 0.0
            for geo in geos:
                xy = geo.to_xy(*_edge_points(geo, a, b, probe).T)
                end = geo.to_xy(*np.array([geo.corner_srho(b)]).T)
                xy = np.vstack([xy, end])
                longest = max(longest, float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()))
            counts[key] = max(1, int(np.ceil(longest / spacing)))
    return counts


def _ring(geo: partition.LevelGeometry, corners: list, counts: dict[frozenset, int]) -> np.ndarray:
    pts = [_edge_points(geo, a, b, counts[partition.edge_key(a, b)]) for a, b in zip(corners, corners[1:] + corners[:1])]
    srho = np.concatenate(pts)
    return geo.to_xy(srho[:, 0], srho[:, 1])


def _present(plan: AreaPlan, name: str, levels: np.ndarray) -> slice:
    """The levels at which a structure is built: where it has area, plus one sliver level each side."""
    if name in THIN_AREAS_MM2:
        return slice(0, len(levels))
    have = np.array([plan.areas(t)[name] > 0 for t in levels])
    idx = np.flatnonzero(have)
    return slice(max(idx[0] - 1, 0), min(idx[-1] + 2, len(levels)))


def generate(resolution: int = DEFAULT_RESOLUTION, seed: int = 0,
             progress: Callable[[float, str], None] | None = None) -> GeneratedModel:
    """Generate the default right thigh. Same ``resolution`` and ``seed`` -> the same surfaces."""
    report = progress or (lambda fraction, what: None)
    plan = area_plan()
    length = plan.femur_length_mm
    levels = soft_levels(resolution)
    z = -levels * length
    spacing = IN_PLANE_RATIO * (levels[1] - levels[0]) * length

    report(0.0, "laying out the sections")
    areas = [plan.areas(float(t)) for t in levels]
    geos = [partition.solve_level(float(t), a) for t, a in zip(levels, areas)]
    counts = _edge_counts(geos, spacing)

    surfaces: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    report(0.3, "lofting the muscles")
    for name, corners in partition.OUTLINES.items():
        span = _present(plan, name, levels)
        rings = np.stack([_ring(g, corners, counts) for g in geos[span]])
        if _signed_area(rings[len(rings) // 2]) < 0:
            rings = rings[:, ::-1]
        surfaces[name] = loft.tube(rings, z[span])

    report(0.7, "the femur, fascia, fat and skin")
    phi_outer = -0.5 * np.pi + np.linspace(0, 2 * np.pi, _ring_count(geos, spacing, "skin"), endpoint=False)
    layers = {k: [] for k in ("muscle", "fascia_outer", "fat_inner", "skin")}
    for g in geos:
        env = partition.envelope(phi_outer, g.t, g.fat_scale, g.skin_scale)
        env["muscle"] = np.interp(phi_outer, g.phi, g.r_muscle, period=2 * np.pi)
        for k in layers:
            layers[k].append(_polar(phi_outer, env[k]))
    stack = {k: np.stack(v) for k, v in layers.items()}
    surfaces["fascia_lata"] = loft.shell(stack["fascia_outer"], stack["muscle"], z)
    surfaces["subcutaneous_fat"] = loft.shell(stack["fat_inner"], stack["fascia_outer"], z)
    surfaces["skin"] = loft.shell(stack["skin"], stack["fat_inner"], z)

    femur_t = _femur_levels(levels)
    phi_bone = -0.5 * np.pi + np.linspace(0, 2 * np.pi, _ring_count(geos, spacing, "bone"), endpoint=False)
    bone = np.stack([_polar(phi_bone, outline.femur_radius(phi_bone, float(t))) for t in femur_t])
    surfaces["femur"] = loft.capped_star(bone, -femur_t * length, 0.0, -length)
    report(1.0, "done")
    parameters = {
        "soft_tissue_range": list(SOFT_TISSUE_RANGE),
        "levels": int(len(levels)),
        "in_plane_spacing_mm": round(spacing, 4),
        "gluteal_fold_level": outline.GLUTEAL_FOLD_LEVEL,
        "above_knee_level": outline.ABOVE_KNEE_LEVEL,
        "skin_mm": outline.SKIN_MM,
        "fat_anterior_reference_mm": outline.FAT_ANTERIOR_MM,
        "thin_structure_areas_mm2": dict(THIN_AREAS_MM2),
        "muscle_courses": {n: [c.start, c.peak, c.end] for n, c in plan.courses.items()},
    }
    return GeneratedModel(_ordered(surfaces), length, resolution, seed, parameters, levels)


def _ring_count(geos: list[partition.LevelGeometry], spacing: float, which: str) -> int:
    if which == "bone":
        perimeter = max(float(np.sum(g.r_bone[:-1] * np.diff(g.phi))) for g in geos) * 1.15
    else:
        perimeter = max(outline.circumference_cm(g.t) * 10.0 * g.skin_scale for g in geos)
    return int(np.ceil(perimeter / spacing))


def _polar(phi: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(phi), r * np.sin(phi)])


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _ordered(surfaces: dict) -> dict:
    """Structures in the vocabulary's display order (a stable file layout)."""
    from thighview.anatomy import canonical_names

    return {name: surfaces[name] for name in canonical_names() if name in surfaces}
