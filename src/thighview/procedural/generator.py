"""Build every structure's surface: solve the partition level by level, sample, loft."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

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


Corner = partition.Corner


def _oriented(a: Corner, b: Corner) -> tuple[Corner, Corner]:
    """The edge's ends in the order its points are always computed from, whichever way it is walked.

    Both structures that share an edge then get bit-identical points.
    """
    return (b, a) if repr(a) > repr(b) else (a, b)


def _all_edges() -> dict[frozenset, tuple[Corner, Corner]]:
    edges: dict[frozenset, tuple[Corner, Corner]] = {}
    for corners in partition.OUTLINES.values():
        for a, b in zip(corners, corners[1:] + corners[:1]):
            edges.setdefault(partition.edge_key(a, b), (a, b))
    return edges


#: Every edge of the partition once, as (a, b) in the direction first met round the outlines.
EDGES = _all_edges()


class EdgeSampler:
    """Points along every partition edge at one level, all placed in one vectorised pass.

    Edge ``key`` gets ``counts[key] + 1`` points from its first end (``_oriented``) to its
    second, evenly in (s, rho); a structure walking the edge either way takes ``n`` of them.
    Which points make each structure's outline is worked out once (index arrays), so a
    level costs one placement and a gather per structure.
    """

    def __init__(self, counts: dict[frozenset, int]) -> None:
        self.keys = list(EDGES)
        self.ends = [_oriented(*EDGES[key]) for key in self.keys]
        self.counts = np.array([counts[key] for key in self.keys])
        self.corners = sorted({c for ends in self.ends for c in ends}, key=repr)
        self.boundary = np.array([i for i, _ in self.corners])
        self.height_keys = sorted({key for _, key in self.corners}, key=repr)
        heights = {key: j for j, key in enumerate(self.height_keys)}
        self.height_of = np.array([heights[key] for _, key in self.corners])
        index = {c: i for i, c in enumerate(self.corners)}
        self.first = np.array([index[a] for a, _ in self.ends])
        self.second = np.array([index[b] for _, b in self.ends])
        self.which = np.repeat(np.arange(len(self.keys)), self.counts + 1)
        self.u = np.concatenate([np.arange(n + 1) / n for n in self.counts])
        self.starts = np.concatenate([[0], np.cumsum(self.counts + 1)[:-1]])
        self._edge = {key: e for e, key in enumerate(self.keys)}

    def corner_srho(self, geo: partition.LevelGeometry) -> np.ndarray:
        """(s, rho) of every corner at this level (as ``geo.corner_srho``, for all at once)."""
        rho = np.array([geo.height(key) for key in self.height_keys])[self.height_of]
        bottoms, tops = geo.bottoms[self.boundary], geo.tops[self.boundary]
        return np.column_stack([bottoms + (tops - bottoms) * rho, rho])

    def srho(self, geo: partition.LevelGeometry) -> np.ndarray:
        """(s, rho) of every edge's points, concatenated edge by edge."""
        corners = self.corner_srho(geo)
        p0, p1 = corners[self.first][self.which], corners[self.second][self.which]
        return p0 + (p1 - p0) * self.u[:, None]

    def xy(self, geo: partition.LevelGeometry) -> np.ndarray:
        """Physical (x, y) of every edge's points, concatenated as :meth:`srho`."""
        srho = self.srho(geo)
        return geo.to_xy(srho[:, 0], srho[:, 1])

    def walk(self, pairs) -> np.ndarray:
        """Indices into :meth:`xy` of the points along consecutive edges ``(a, b)``, each from ``a``
        towards ``b`` (``b`` excluded)."""
        parts = []
        for a, b in pairs:
            e = self._edge[partition.edge_key(a, b)]
            n = self.counts[e]
            parts.append(self.starts[e] + (np.arange(n) if self.ends[e][0] == a else np.arange(n, 0, -1)))
        return np.concatenate(parts)

    @cached_property
    def outlines(self) -> dict[str, np.ndarray]:
        """Each partition structure's counter-clockwise outline (indices into :meth:`xy`)."""
        # (s, rho) -> (x, y) mirrors: outlines counter-clockwise in (s, rho) come out clockwise
        return {name: self.walk(zip(corners, corners[1:] + corners[:1]))[::-1]
                for name, corners in partition.OUTLINES.items()}

    @cached_property
    def columns(self) -> dict[tuple, np.ndarray]:
        """Every column's edge on the bone (``ZERO``) and on the fascia (``ONE``), once round."""
        out = {}
        for key in (partition.ZERO, partition.ONE):
            corners = [(c, key) for c in range(partition.N_COLUMNS + 1)]
            out[key] = self.walk(zip(corners, corners[1:]))
        return out


def _edge_counts(geos: list[partition.LevelGeometry], spacing: float) -> dict[frozenset, int]:
    """Points per partition edge: its longest physical length over all levels / ``spacing``."""
    probe = 12
    sampler = EdgeSampler(dict.fromkeys(EDGES, probe))
    # walked in the direction first met, ending exactly on the far corner
    backwards = np.array([EDGES[key][0] != ends[0] for key, ends in zip(sampler.keys, sampler.ends)])
    last = np.where(backwards, sampler.first, sampler.second)
    longest = np.zeros(len(EDGES))
    for geo in geos:
        corners = sampler.corner_srho(geo)
        srho = sampler.srho(geo).reshape(len(EDGES), probe + 1, 2)
        srho[backwards] = srho[backwards, ::-1]
        srho[:, -1] = corners[last]
        xy = geo.to_xy(srho[..., 0].ravel(), srho[..., 1].ravel()).reshape(len(EDGES), probe + 1, 2)
        longest = np.maximum(longest, np.linalg.norm(np.diff(xy, axis=1), axis=2).sum(axis=1))
    return {key: max(1, int(np.ceil(length / spacing))) for key, length in zip(EDGES, longest)}


@dataclass
class Layout:
    """The solved partition at every level, and how densely each edge is sampled."""

    plan: AreaPlan
    levels: np.ndarray
    geos: list[partition.LevelGeometry]
    counts: dict[frozenset, int]
    spacing: float
    present: dict[str, slice]  # muscle -> the levels at which it is built

    @cached_property
    def sampler(self) -> EdgeSampler:
        """Where every level's points lie on the partition's edges (the same for all levels)."""
        return EdgeSampler(self.counts)


def layout(resolution: int = DEFAULT_RESOLUTION, seed: int = 0, body: Body | None = None) -> Layout:
    """Solve the partition at every level (most of a build's time: one envelope solve per level)."""
    body = body or reference_body()
    plan = area_plan(body)
    levels = soft_levels(resolution)
    variation = partition.Variation.from_seed(seed)
    spacing = IN_PLANE_RATIO * (levels[1] - levels[0]) * plan.femur_length_mm
    areas = plan.areas_along(levels)
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
    xy = lay.sampler.xy(lay.geos[k])
    return {name: xy[index] for name, index in lay.sampler.outlines.items()}


def level_rings(lay: Layout, k: int) -> dict[str, list[np.ndarray]]:
    """Every structure's counter-clockwise ring(s) at level ``k``: [outline] or [outer, inner] for shells.

    The femur and the fascia lata take exactly the points of the columns' bottom and top
    edges, so they share them with the muscles; fat and skin are radially outside the
    fascia's points. Muscles absent at this level are left out.
    """
    g = lay.geos[k]
    xy = lay.sampler.xy(g)
    rings = {name: [xy[index]] for name, index in lay.sampler.outlines.items()
             if lay.present[name].start <= k < lay.present[name].stop}
    bone, fascia_inner = (xy[lay.sampler.columns[key]] for key in (partition.ZERO, partition.ONE))
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
