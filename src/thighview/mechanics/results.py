"""What a load does to the section: fields per triangle and vertex, slip per band, and a readout.

Everything is linear in the load, so a deformation scaled by a factor is the deformation
under that fraction of the force (:meth:`Deformation.scaled`): an animation ramp costs no
new solves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from thighview.anatomy import label_of

if TYPE_CHECKING:  # pragma: no cover
    from thighview.mechanics.loads import Contact
    from thighview.mechanics.model import PressureModel

#: "Peak" compression is this area-weighted percentile, so one sliver at a corner cannot set it.
PEAK_PERCENTILE = 95.0

#: Units of every readout field, stated in tables and JSON.
UNITS = {"force": "N", "length": "mm", "slip": "mm", "compression": "% volume", "stiffness": "kPa"}

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

    def scaled(self, factor: float) -> Deformation:
        """The deformation under ``factor`` times the force (the model is linear)."""
        return replace(self, dofs=self.dofs * factor, displacement=self.displacement * factor,
                       compression=self.compression * factor, shear=np.abs(factor) * self.shear,
                       slip={k: np.abs(factor) * v for k, v in self.slip.items()})

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

    def readout(self) -> Readout:
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
        return Readout(
            force_n=c.force_n, tool=c.tool.name, width_mm=c.tool.width_mm, length_mm=c.tool.length_mm,
            direction=c.direction, at_deg=c.angle_deg, towards=self.towards,
            sliding_kpa=m.materials.sliding_kpa,
            slip=tuple(stats),
            compression_peak_pct=100.0 * _area_percentile(comp_near, areas[near], PEAK_PERCENTILE),
            compression_mean_pct=100.0 * _area_mean(self.compression[near], areas[near]),
            under_contact_peak_pct=100.0 * _area_percentile(self.compression[facing], areas[facing], PEAK_PERCENTILE),
            under_contact_mean_pct=100.0 * _area_mean(self.compression[facing], areas[facing]),
            peak_displacement_mm=float(np.linalg.norm(self.displacement, axis=1).max()),
            indentation_mm=indentation, drag_mm=drag, working_stiffening=m.materials.working_stiffening)

    def at_contact(self) -> tuple[float, float]:
        """Largest indentation (into the tissue, towards the femur's centre) and drag (across that) under the tool, mm.

        Read at the mesh vertices within half the tool's width of the contact centre; this is
        what a hand feels (how deep it sinks) and what the calibration test checks.
        """
        m = self.model
        inward = m.shape.centre - self.point
        inward /= np.linalg.norm(inward)
        under = np.linalg.norm(m.mesh.points - self.point, axis=1) <= 0.5 * self.contact.tool.width_mm
        u = self.displacement[under]
        if not len(u):
            return 0.0, 0.0
        return float((u @ inward).max()), float(np.abs(u[:, 0] * inward[1] - u[:, 1] * inward[0]).max())


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
    indentation_mm: float           # under the tool, towards the femur's centre
    drag_mm: float                  # under the tool, across that (along the skin)
    working_stiffening: float       # elastography modulus -> tangent modulus at massage strain

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
        return {
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
                 ("soft tissue", f"elastography modulus x {self.working_stiffening:g} (tangent stiffness under a "
                                 "hand, calibrated to in-vivo indentation)"),
                 ("sliding layers", f"{self.sliding_kpa:g} kPa shear modulus (a modelling choice)")]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def compare_summary(a: Readout, b: Readout) -> str:
    """One line comparing two loads: largest septal and femur slip, mean compression at the bone under the contact."""
    return (f"septal slip {a.septal_slip_max_mm:.1f} mm vs {b.septal_slip_max_mm:.1f} mm; "
            f"slip at the femur {a.femur_slip.max_mm:.1f} mm vs {b.femur_slip.max_mm:.1f} mm; "
            f"compression at the bone under the contact {a.under_contact_mean_pct:.1f} % vs "
            f"{b.under_contact_mean_pct:.1f} %")
