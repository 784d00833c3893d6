"""What a load does to the section: fields per triangle and vertex, slip per band, stress on the bone, a readout.

A large-deformation result carries its solution path (the converged load steps);
:meth:`Deformation.scaled` then returns the state at that fraction of the force from the path
(exact at each step, linearly interpolated between neighbouring steps). A linear preview
scales exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from thighview.anatomy import Compartment, label_of

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel

#: "Peak" compression is this area-weighted percentile, so one sliver at a corner cannot set it.
PEAK_PERCENTILE = 95.0
#: Biot's critical stretch for the surface of a compressed incompressible neo-Hookean solid in plane strain
#: (Biot, Mechanics of Incremental Deformations, 1965): below it a flat surface can crease, so the solve's
#: skin there depends on the mesh (docs/mechanics.md, Limits (5)).
BIOT_STRETCH = 0.544

#: Units of every readout field, stated in tables and JSON.
UNITS = {"force": "N", "length": "mm", "slip": "mm", "compression": "% volume", "stiffness": "kPa"}

#: The material model of each kind of result, as the readout names it.
MATERIAL_MODELS = {
    "linear": "linear elastic, small strain (instant preview)",
    "neo-Hookean": "nearly incompressible neo-Hookean, mixed u-p, large deformation",
}

#: What every readout says about the model (the stiffness choices are stated next to it).
MODEL_NOTE = ("linear plane-strain elasticity; soft tissue at its tangent stiffness under a hand (elastography x "
              "{k:g}, calibrated to in-vivo indentation); sliding-layer stiffness is a modelling choice")


@dataclass(frozen=True)
class Deformation:
    """Displacement (mm), compression (-div u, fraction) and shear strain per triangle, slip (mm) per gauge point."""

    model: PressureModel = field(repr=False)
    contact: Contact
    point: np.ndarray          # contact centre on the skin
    direction: np.ndarray      # unit force direction
    towards: str               # "femur" or the side a sideways push goes to
    dofs: np.ndarray = field(repr=False)
    displacement: np.ndarray = field(repr=False)   # (n_vertices, 2)
    compression: np.ndarray = field(repr=False)    # (n_triangles,), positive = volume lost
    shear: np.ndarray = field(repr=False)          # (n_triangles,), engineering shear strain
    slip: dict[str, np.ndarray] = field(repr=False)  # gauge name -> (k,) mm
    kind: str = "linear"                             # "linear" (preview) or "neo-Hookean"
    fraction: float = 1.0                            # of the contact's force, on a solution path
    path: tuple[Deformation, ...] = field(default=(), repr=False)   # converged load steps (large deformation)
    bone: BoneStress | None = field(default=None, repr=False)
    friction: float | None = None                    # coefficient at the bone interface (large deformation)
    principal_strain: np.ndarray | None = field(default=None, repr=False)  # largest |Green-Lagrange| per triangle
    least_stretch: np.ndarray | None = field(default=None, repr=False)     # smallest principal stretch per triangle
    newton_iterations: int = 0
    septa: dict[str, SeptumInterface] | None = field(default=None, repr=False)   # cut septa (large deformation)

    def scaled(self, factor: float) -> Deformation:
        """The deformation under ``factor`` times the force: from the solution path, or scaled (linear)."""
        if self.path:
            return self._on_path(float(factor))
        bone = self.bone and replace(self.bone, normal_kpa=factor * self.bone.normal_kpa,
                                     shear_kpa=abs(factor) * self.bone.shear_kpa)
        return replace(self, dofs=self.dofs * factor, displacement=self.displacement * factor, bone=bone,
                       compression=self.compression * factor, shear=np.abs(factor) * self.shear,
                       slip={k: np.abs(factor) * v for k, v in self.slip.items()}, fraction=self.fraction * factor)

    def _on_path(self, factor: float) -> Deformation:
        first = self.path[0]
        rest = replace(first, dofs=0 * first.dofs, displacement=0 * first.displacement, fraction=0.0,
                       compression=0 * first.compression, shear=0 * first.shear,
                       slip={k: 0 * v for k, v in first.slip.items()})
        states = (rest, *self.path)
        fractions = np.array([d.fraction for d in states])
        factor = float(np.clip(factor, 0.0, fractions[-1]))
        i = int(np.clip(np.searchsorted(fractions, factor), 1, len(states) - 1))
        a, c = states[i - 1], states[i]
        t = (factor - a.fraction) / (c.fraction - a.fraction)
        mix = lambda x, y: (1.0 - t) * x + t * y  # noqa: E731
        return replace(c, dofs=mix(a.dofs, c.dofs), displacement=mix(a.displacement, c.displacement),
                       compression=mix(a.compression, c.compression), shear=mix(a.shear, c.shear),
                       slip={k: mix(a.slip[k], v) for k, v in c.slip.items()}, fraction=factor, path=self.path)

    def slab(self, half_thickness_mm: float = 8.0, exaggeration: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """The deformed section as a thin slab in model coordinates, for the 3-D view.

        Returns ``(points (n, 3), triangles (m, 3))``: both faces of the slab and its walls along
        the skin and the femur. Plane strain: every depth of the slab deforms the same way.
        """
        model = self.model
        if model.frame is None:
            from thighview.errors import MechanicsError

            raise MechanicsError("this pressure model has no section frame to place it in 3-D")
        xy = model.mesh.points + exaggeration * self.displacement
        n = len(xy)
        offset = half_thickness_mm * np.asarray(model.frame.normal, dtype=float)
        points = np.vstack([model.frame.to_3d(xy) - offset, model.frame.to_3d(xy) + offset])
        tri = model.mesh.triangles
        edges = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
        key = np.sort(edges, axis=1)
        _, index, counts = np.unique(key, axis=0, return_index=True, return_counts=True)
        a, b = edges[index[counts == 1]].T  # boundary edges, in their triangle's orientation
        walls = np.vstack([np.column_stack([a, b, b + n]), np.column_stack([a, b + n, a + n])])
        return points, np.vstack([tri[:, ::-1], tri + n, walls])

    def readout(self, with_ranges: bool = True) -> Readout:
        """The summary of this load; a linear result carries its figures' ranges over plausible tissue parameters
        (the shipped sweep, ``mechanics.ranges``) unless ``with_ranges`` is off (the sweep's own solves)."""
        m = self.model
        areas = m.solver.areas()
        near = m.near_bone
        comp_near = self.compression[near]
        facing = near & m.facing(self.point)
        stats = [SlipStat(k, "femur surface" if k == "femur" else label_of(k),
                          float(v.max()) if len(v) else 0.0, float(v.mean()) if len(v) else 0.0)
                 for k, v in self.slip.items()]
        indentation, drag = self.at_contact()
        c = self.contact
        extra = {}
        if self.bone is not None:
            b = self.bone
            front = b.facing(c.angle_deg)
            extra = dict(
                bone_normal_kpa=(_area_percentile(b.normal_kpa, b.weight, PEAK_PERCENTILE),
                                 _area_mean(b.normal_kpa[front], b.weight[front])),
                bone_shear_kpa=(_area_percentile(b.shear_kpa, b.weight, PEAK_PERCENTILE),
                                _area_mean(b.shear_kpa[front], b.weight[front])))
            if self.kind != "linear":   # the linear model holds the whole outline: no interface states
                extra.update(interface_shares=b.shares(), friction=self.friction, septa=self.septa,
                             bone_slip_mm=(float(b.slip_mm.max()), _area_mean(b.slip_mm, b.weight)))
        if self.principal_strain is not None:
            tissue = ~np.array([m.is_sliding(n) for n in m.region_names])[m.region]
            extra["peak_strain"] = _area_percentile(self.principal_strain[tissue], areas[tissue], PEAK_PERCENTILE)
        if self.least_stretch is not None:
            surface = np.array([m.compartment_of(n) in (Compartment.SKIN, Compartment.FAT)
                                for n in m.region_names])[m.region]
            if surface.any():
                extra["least_surface_stretch"] = float(self.least_stretch[surface].min())
        readout = Readout(
            force_n=c.force_n, tool=c.tool.name, width_mm=c.tool.width_mm, length_mm=c.tool.length_mm,
            direction=c.direction, at_deg=c.angle_deg, towards=self.towards,
            sliding_kpa=m.materials.sliding_kpa,
            slip=tuple(stats),
            compression_peak_pct=100.0 * _area_percentile(comp_near, areas[near], PEAK_PERCENTILE),
            compression_mean_pct=100.0 * _area_mean(self.compression[near], areas[near]),
            under_contact_peak_pct=100.0 * _area_percentile(self.compression[facing], areas[facing], PEAK_PERCENTILE),
            under_contact_mean_pct=100.0 * _area_mean(self.compression[facing], areas[facing]),
            peak_displacement_mm=float(np.linalg.norm(self.displacement, axis=1).max()),
            indentation_mm=indentation, drag_mm=drag, working_stiffening=m.materials.working_stiffening,
            material_model=MATERIAL_MODELS[self.kind], lean_deg=c.lean, **extra)
        if not with_ranges:
            return readout
        from thighview.mechanics.ranges import load_ranges, ratio_spread

        large = self.kind != "linear"
        return replace(readout, ranges=load_ranges(readout, m.level, large), ratio_spread=ratio_spread(m.level, large))

    def at_contact(self) -> tuple[float, float]:
        """Indentation and drag under the tool, mm, averaged with the tool's pressure profile as weights.

        Indentation is how deep each skin point under the tool ends up below the undeformed skin
        (its distance inside the undeformed outline) and drag how far along the skin it travelled:
        along each point's own normal and tangent, and objective at large deformation. (The
        displacement projected on the point's starting normal is not: tissue sliding round a
        curved thigh would read as sinking, by R (1 - cos(s / R)) for a travel s.)
        """
        m = self.model
        points, _, weights, xdof, ydof = m.skin_under(self.contact)
        moved = points + np.column_stack([self.dofs[xdof], self.dofs[ydof]])
        depth, travel = m.depth_and_travel(points, moved)
        w = weights / weights.sum()
        return float(w @ depth), float(abs(w @ travel))


@dataclass(frozen=True)
class SeptumInterface:
    """A septum's cut face in the large-deformation solve: its state by length, and the slip across it."""

    face: str                       # the structure group whose face is cut ("" where the septum is bonded)
    shares: dict[str, float]        # bonded / stick / slip share of the face's length
    slip_mm: tuple[float, float]    # (max, length-weighted mean) of the tangential slip across the cut
    normal_kpa: float               # length-weighted mean normal stress across the cut, compression + (friction acts
                                    # on compression; a face in tension slides freely)


@dataclass(frozen=True)
class BoneStress:
    """What the tissue does at the femur's outline, per node: stress in kPa, interface state, slip in mm."""

    angle_deg: np.ndarray     # round the femur, 0 anterior, + towards lateral
    weight: np.ndarray        # mm of outline per node
    normal_kpa: np.ndarray    # compression positive
    shear_kpa: np.ndarray
    state: tuple[str, ...]    # bonded, stick, slip or open (lifted off)
    slip_mm: np.ndarray       # tangential displacement of the tissue on the bone

    def facing(self, angle_deg: float, half_angle_deg: float = 45.0) -> np.ndarray:
        return np.abs((self.angle_deg - angle_deg + 180.0) % 360.0 - 180.0) <= half_angle_deg

    def shares(self) -> dict[str, float]:
        """Share of the outline (by length) in each interface state."""
        state = np.array(self.state)
        total = self.weight.sum()
        return {k: round(float(self.weight[state == k].sum() / total), 4) for k in ("bonded", "stick", "slip", "open")}


def _area_mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float((values * weights).sum() / weights.sum()) if len(values) else 0.0


def _area_percentile(values: np.ndarray, weights: np.ndarray, percent: float) -> float:
    if len(values) == 0:
        return 0.0
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(np.searchsorted(cumulative, percent / 100.0), len(values) - 1)])


@dataclass(frozen=True)
class SlipStat:
    name: str
    label: str
    max_mm: float
    mean_mm: float


@dataclass(frozen=True)
class Readout:
    """The summary of one load: what the CLI prints and the GUI shows."""

    force_n: float
    tool: str
    width_mm: float
    length_mm: float
    direction: str
    at_deg: float
    towards: str
    sliding_kpa: float
    slip: tuple[SlipStat, ...]
    compression_peak_pct: float     # within 5 mm of the bone, all round
    compression_mean_pct: float
    under_contact_peak_pct: float   # within 5 mm of the bone, facing the contact (+/- 45 degrees)
    under_contact_mean_pct: float
    peak_displacement_mm: float     # anywhere in the section
    indentation_mm: float           # under the tool: depth below the undeformed skin
    drag_mm: float                  # under the tool: travel along the skin
    working_stiffening: float       # elastography modulus -> tangent modulus at massage strain
    material_model: str = MATERIAL_MODELS["linear"]
    lean_deg: float = 0.0           # degrees between the force and the line into the bone
    friction: float | None = None   # at the bone (large deformation only)
    bone_normal_kpa: tuple[float, float] | None = None   # (95th percentile, mean facing the contact)
    bone_shear_kpa: tuple[float, float] | None = None
    bone_slip_mm: tuple[float, float] | None = None      # (max, mean) tangential motion on the bone
    interface_shares: dict[str, float] | None = None     # bonded / stick / slip / open share of the bone outline
    septa: dict[str, SeptumInterface] | None = None      # the cut septa's states and slip (large deformation)
    peak_strain: float | None = None                     # 95th percentile of the largest principal strain
    least_surface_stretch: float | None = None           # smallest principal stretch in skin and fat (a triangle's mean)
    ranges: dict[str, tuple[float, float]] | None = None  # headline figure -> (min, max) over plausible parameters
    ratio_spread: dict[str, tuple[float, float]] | None = None  # sideways / into-bone ratio -> (min, max) / nominal

    @property
    def past_surface_instability(self) -> bool | None:
        """Skin or fat compressed past Biot's critical stretch (None for the linear model)."""
        return None if self.least_surface_stretch is None else self.least_surface_stretch < BIOT_STRETCH

    @property
    def femur_slip(self) -> SlipStat:
        return next(s for s in self.slip if s.name == "femur")

    @property
    def septal_slip_max_mm(self) -> float:
        """The largest slip at any septum (0 when the section has none)."""
        return max((s.max_mm for s in self.slip if s.name != "femur"), default=0.0)

    def summary(self) -> str:
        """One line for a caption."""
        return (f"{self.force_n:g} N {self.direction}: the tool sinks {self.indentation_mm:.0f} mm, "
                f"septal slip up to {self.septal_slip_max_mm:.1f} mm, "
                f"slip at the femur up to {self.femur_slip.max_mm:.1f} mm, compression at the bone under the "
                f"contact {self.under_contact_mean_pct:.1f} %")

    def as_dict(self) -> dict[str, Any]:
        from thighview.mechanics.loads import friction_data

        source = friction_data()["tissue_interfaces"]
        headline = {
            "lean_deg": round(self.lean_deg, 2), "force_n": self.force_n, "material_model": self.material_model,
            "friction": None if self.friction is None else {
                "coefficient": self.friction, "range": source["range"],
                "source": f"{source['low']['source']}; {source['high']['source']}"},
            "interfaces": self._interfaces(),
            "bone_normal_stress_kpa": _pair_dict(self.bone_normal_kpa),
            "bone_shear_stress_kpa": _pair_dict(self.bone_shear_kpa),
            "indentation_mm": round(self.indentation_mm, 3), "drag_mm": round(self.drag_mm, 3),
            "peak_strain": None if self.peak_strain is None else round(self.peak_strain, 4),
            "least_surface_stretch": None if self.least_surface_stretch is None else round(self.least_surface_stretch, 4),
            "past_surface_instability": self.past_surface_instability,
            "range": {k: {"min": round(lo, 3), "max": round(hi, 3)} for k, (lo, hi) in (self.ranges or {}).items()},
        }
        return {
            **headline,
            "units": UNITS,
            "load": {"force_n": self.force_n, "tool": self.tool, "contact_width_mm": self.width_mm,
                     "contact_length_mm": self.length_mm, "direction": self.direction,
                     "at_deg": self.at_deg, "towards": self.towards},
            "slip_mm": {s.name: {"max": round(s.max_mm, 3), "mean": round(s.mean_mm, 3)} for s in self.slip},
            "compression_within_5mm_of_bone_pct": {"peak_p95": round(self.compression_peak_pct, 2),
                                                   "mean": round(self.compression_mean_pct, 2)},
            "compression_at_bone_facing_contact_pct": {"peak_p95": round(self.under_contact_peak_pct, 2),
                                                       "mean": round(self.under_contact_mean_pct, 2)},
            "peak_displacement_mm": round(self.peak_displacement_mm, 3),
            "under_the_tool_mm": {"indentation": round(self.indentation_mm, 3), "drag": round(self.drag_mm, 3)},
            "model": {"sliding_layer_shear_modulus_kpa": self.sliding_kpa,
                      "soft_tissue_working_stiffening": self.working_stiffening,
                      "note": MODEL_NOTE.format(k=self.working_stiffening)},
        }

    def _interfaces(self) -> dict[str, Any]:
        """Per interface: slip (max, mean) and how it is modelled (state shares where it is a frictional interface)."""
        out = {}
        septa = self.septa or {}
        for s in self.slip:
            if s.name == "femur" and self.interface_shares is not None:
                out[s.name] = {"slip_mm": {"max": round(self.bone_slip_mm[0], 3), "mean": round(self.bone_slip_mm[1], 3)},
                               "state": self.interface_shares, "model": "bonded at attachments, Coulomb friction elsewhere"}
            elif s.name in septa:
                cut = septa[s.name]
                out[s.name] = {"slip_mm": {"max": round(cut.slip_mm[0], 3), "mean": round(cut.slip_mm[1], 3)},
                               "state": cut.shares, "cut_face": cut.face or None,
                               "normal_stress_kpa": round(cut.normal_kpa, 3),
                               "model": "Coulomb friction on one face, bonded where a muscle arises from it"}
            else:
                out[s.name] = {"slip_mm": {"max": round(s.max_mm, 3), "mean": round(s.mean_mm, 3)},
                               "state": None, "model": f"soft sliding band, {self.sliding_kpa:g} kPa"}
        return out

    def table(self) -> str:
        """A plain-text table with units."""
        rows = [("load", f"{self.force_n:g} N by {self.tool} ({self.width_mm:g} mm wide, "
                         f"{self.length_mm:g} mm along the thigh), {self.direction}"
                         + (f" towards {self.towards}" if self.direction == "sideways" else "")
                         + f", at {self.at_deg:g} deg")]
        rows += [(f"slip: {s.label}", f"max {s.max_mm:.2f} mm, mean {s.mean_mm:.2f} mm") for s in self.slip]
        rows += [("compression within 5 mm of bone",
                  f"peak (95th pct) {self.compression_peak_pct:.1f} %, mean {self.compression_mean_pct:.1f} %"),
                 ("  of it, facing the contact (+/-45 deg)",
                  f"peak (95th pct) {self.under_contact_peak_pct:.1f} %, mean {self.under_contact_mean_pct:.1f} %"),
                 ("under the tool", f"indentation {self.indentation_mm:.1f} mm, drag along the skin "
                                    f"{self.drag_mm:.1f} mm"),
                 ("peak displacement (anywhere)", f"{self.peak_displacement_mm:.2f} mm"),
                 ("material", self.material_model + f"; push leans {self.lean_deg:.1f} deg from the bone")]
        if self.bone_normal_kpa is not None:
            rows += [("stress on the bone", f"normal {self.bone_normal_kpa[1]:.1f} kPa mean facing the contact "
                                            f"(95th pct {self.bone_normal_kpa[0]:.1f}), shear {self.bone_shear_kpa[1]:.1f} "
                                            f"kPa (95th pct {self.bone_shear_kpa[0]:.1f})")]
        if self.interface_shares is not None:
            shares = ", ".join(f"{k} {100 * v:.0f} %" for k, v in self.interface_shares.items())
            rows += [("tissue on the bone", f"{shares}; friction {self.friction:g}; slip max "
                                            f"{self.bone_slip_mm[0]:.2f} mm, mean {self.bone_slip_mm[1]:.2f} mm"),
                     ("peak strain (95th pct)", f"{100 * self.peak_strain:.0f} %")]
        for name, cut in (self.septa or {}).items():
            state = ", ".join(f"{k} {100 * v:.0f} %" for k, v in cut.shares.items())
            rows += [(f"{label_of(name)}, cut face", (f"{cut.face}: {state}; normal stress {cut.normal_kpa:.2f} kPa; "
                                                       f"slip max {cut.slip_mm[0]:.2f} mm, mean {cut.slip_mm[1]:.2f} mm")
                      if cut.face else "bonded on both faces at this level")]
        if self.least_surface_stretch is not None:
            rows += [("least stretch in skin and fat", f"{self.least_surface_stretch:.2f}" + (
                f": past Biot's {BIOT_STRETCH} for a compressed neo-Hookean surface, which can crease here; "
                "the skin's shape there depends on the mesh" if self.past_surface_instability else ""))]
        for name, (lo, hi) in (self.ranges or {}).items():
            rows.append((f"  range of {name}", f"{lo:.3g} to {hi:.3g} (plausible tissue stiffness, 3-D closure fit)"))
        rows += [
                 ("soft tissue", f"elastography modulus x {self.working_stiffening:g} (tangent stiffness under a "
                                 "hand, calibrated to in-vivo indentation)"),
                 ("sliding layers", f"{self.sliding_kpa:g} kPa shear modulus (a modelling choice)")]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _pair_dict(pair: tuple[float, float] | None) -> dict[str, float] | None:
    return None if pair is None else {"peak_p95": round(pair[0], 3), "mean_facing_contact": round(pair[1], 3)}


def compare_summary(a: Readout, b: Readout) -> str:
    """One line comparing two loads: largest septal and femur slip, mean compression at the bone under the contact;
    with the femur-slip ratio's range over plausible tissue parameters when the readouts carry it."""
    line = (f"septal slip {a.septal_slip_max_mm:.1f} mm vs {b.septal_slip_max_mm:.1f} mm; "
            f"slip at the femur {a.femur_slip.max_mm:.1f} mm vs {b.femur_slip.max_mm:.1f} mm; "
            f"compression at the bone under the contact {a.under_contact_mean_pct:.1f} % vs "
            f"{b.under_contact_mean_pct:.1f} %")
    ratio = compare_ratios(a, b).get("femur_slip_ratio")
    if ratio is not None and ratio[1] is not None:
        value, (lo, hi) = ratio
        swept = "stiffness" if a.friction is None else "stiffness and friction"
        line += (f"; sideways slides tissue over the femur {value:.1f}x as much as into the bone ({lo:.1f}-{hi:.1f}x "
                 f"over plausible tissue {swept})")
    return line


def compare_ratios(a: Readout, b: Readout) -> dict[str, tuple[float, tuple[float, float] | None]]:
    """Load ``a`` over load ``b`` (sideways over into the bone): femur slip, septal slip and indentation, each with
    its range over plausible tissue parameters (the swept spread; None when the readouts carry none)."""
    values = {"femur_slip_ratio": (a.femur_slip.max_mm, b.femur_slip.max_mm),
              "septal_slip_ratio": (a.septal_slip_max_mm, b.septal_slip_max_mm),
              "indentation_ratio": (a.indentation_mm, b.indentation_mm)}
    out = {}
    for name, (top, bottom) in values.items():
        if bottom <= 0:
            continue
        value = top / bottom
        spread = (a.ratio_spread or {}).get(name)
        out[name] = (value, None if spread is None else (value * spread[0], value * spread[1]))
    return out


def side_by_side(two_d: Readout, three_d: Readout) -> str:
    """The 2-D readout next to the 3-D one (the figures both have), with their ratio."""
    rows = [("slip: " + s.label + " (max)", s.max_mm, t.max_mm, "mm") for s, t in zip(two_d.slip, three_d.slip)]
    rows += [("indentation under the tool", two_d.indentation_mm, three_d.indentation_mm, "mm"),
             ("drag under the tool", two_d.drag_mm, three_d.drag_mm, "mm"),
             ("compression at the bone facing the contact (mean)", two_d.under_contact_mean_pct,
              three_d.under_contact_mean_pct, "%"),
             ("peak displacement", two_d.peak_displacement_mm, three_d.peak_displacement_mm, "mm")]
    if two_d.bone_normal_kpa is not None and three_d.bone_normal_kpa is not None:
        rows.append(("normal stress on the bone facing the contact", two_d.bone_normal_kpa[1],
                     three_d.bone_normal_kpa[1], "kPa"))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}}  {'2-D':>8}  {'3-D':>8}  2-D/3-D"]
    for label, a, b, unit in rows:
        ratio = f"{a / b:.2f}" if b else "-"
        lines.append(f"{label:{width}}  {a:8.2f}  {b:8.2f}  {ratio:>7}  {unit}")
    return "\n".join(lines)
