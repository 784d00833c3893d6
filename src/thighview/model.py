"""ThighModel: named structures, the femur axis, units and provenance.

The one model object every view, the CLI and every export read. Surfaces are plain numpy
arrays (vertices in millimetres, triangle indices) so that the section engine and the
mechanics need no VTK; :mod:`thighview.render` turns them into pyvista meshes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.errors import MeshError, ModelError

if TYPE_CHECKING:
    from thighview.femur_axis import FemurAxis


@dataclass
class Structure:
    """One named closed surface: a muscle, the femur, the fat layer, the skin...

    ``name`` is canonical where the vocabulary knows it (``raw_name`` keeps what the file
    said); ``compartment`` can be reassigned by the user for unknown structures.
    """

    name: str
    vertices: np.ndarray  # (n, 3) float64, millimetres
    faces: np.ndarray  # (m, 3) int64, outward-oriented triangles
    compartment: Compartment = Compartment.UNASSIGNED
    raw_name: str | None = None
    colour: str | None = None  # hex; None = the palette's colour

    def __post_init__(self) -> None:
        self.vertices = np.ascontiguousarray(self.vertices, dtype=np.float64)
        self.faces = np.ascontiguousarray(self.faces, dtype=np.int64)
        if self.vertices.ndim != 2 or self.vertices.shape[1] != 3:
            raise MeshError(f"structure '{self.name}' has vertices of shape {self.vertices.shape}, expected (n, 3)")
        if self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise MeshError(f"structure '{self.name}' has faces of shape {self.faces.shape}, expected (m, 3) triangles")
        if len(self.faces) == 0:
            raise MeshError(f"structure '{self.name}' has no triangles")
        if not np.all(np.isfinite(self.vertices)):
            raise MeshError(f"structure '{self.name}' has NaN or infinite coordinates")
        if self.faces.min() < 0 or self.faces.max() >= len(self.vertices):
            raise MeshError(f"structure '{self.name}' has triangle indices outside its vertex list")

    @property
    def is_muscle(self) -> bool:
        return self.compartment.is_muscle

    @property
    def label(self) -> str:
        return anatomy.label_of(self.name)

    @property
    def n_triangles(self) -> int:
        return len(self.faces)

    def signed_volume_mm3(self) -> float:
        """Enclosed volume by the divergence theorem (positive for outward-oriented closed surfaces)."""
        v = self.vertices[self.faces]
        return float(np.einsum("ij,ij->i", v[:, 0], np.cross(v[:, 1], v[:, 2])).sum() / 6.0)


@dataclass(frozen=True)
class FlatSection:
    """What a model made from one cross-section is: a planar mesh, a thin slab or a labelled image
    (:mod:`thighview.io.flat`). Its regions are thin prisms about one plane, so every engine works
    on it unchanged; it has one level (``level``), not a range along the femur.

    ``image`` (RGB(A) pixels) and ``image_corners`` (model coordinates, mm, of the image's
    top-left, top-right and bottom-left pixel corners) let the 2-D view show the original
    picture under the regions; both ``None`` for meshes. ``scale`` says how lengths were found.
    """

    kind: str  # "planar mesh", "slab" or "image"
    level: float = 0.5
    image: np.ndarray | None = None
    image_corners: np.ndarray | None = None
    scale: str = ""


@dataclass
class ThighModel:
    """A thigh: structures by name, which side, and where it came from.

    ``flat`` is set for a model made from one cross-section (:class:`FlatSection`).
    ``side`` (``"right"``/``"left"``) fixes which way is lateral in the section view;
    ``anterior_hint`` (a unit vector in model coordinates, optional) says which way is
    anterior where the file's coordinate system tells us (RAS/LPS); otherwise the femur axis
    code infers it from the anatomy.
    """

    structures: dict[str, Structure]
    name: str = "thigh"
    side: str = "right"
    units: str = "mm"
    source: Path | None = None
    anterior_hint: np.ndarray | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    flat: FlatSection | None = None  # a single cross-section (no levels), else None

    def __post_init__(self) -> None:
        if not self.structures:
            raise ModelError("the model has no structures", self.source)
        if self.side not in ("right", "left"):
            raise ModelError(f"side must be 'right' or 'left', not {self.side!r}", self.source)

    def __contains__(self, name: str) -> bool:
        return name in self.structures

    def __getitem__(self, name: str) -> Structure:
        try:
            return self.structures[name]
        except KeyError:
            known = ", ".join(sorted(self.structures))
            raise ModelError(f"no structure named '{name}' (the model has: {known})", self.source) from None

    @property
    def names(self) -> list[str]:
        return list(self.structures)

    @property
    def femur(self) -> Structure | None:
        return self.structures.get("femur")

    def in_compartment(self, compartment: Compartment) -> list[Structure]:
        return [s for s in self.structures.values() if s.compartment is compartment]

    @cached_property
    def femur_axis(self) -> FemurAxis:
        """The anatomical shaft axis, found once from the femur surface."""
        from thighview.femur_axis import find_femur_axis

        return find_femur_axis(self)

    @property
    def needs_axis_choice(self) -> bool:
        """True for a model with no femur and no axis yet: the user must choose one to cut along."""
        return self.femur is None and "femur_axis" not in self.__dict__

    def set_axis(self, axis: FemurAxis) -> None:
        """Use ``axis`` for levels and sections instead of the one found from the femur (for a
        model without a femur, the axis the user chose: ``FemurAxis.from_principal_axis`` or
        ``FemurAxis.from_points``). Engines built before keep the axis they were built with."""
        self.__dict__["femur_axis"] = axis  # replaces functools.cached_property's cached value

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Axis-aligned (min, max) corners over all structures, in millimetres."""
        mins = np.min([s.vertices.min(axis=0) for s in self.structures.values()], axis=0)
        maxs = np.max([s.vertices.max(axis=0) for s in self.structures.values()], axis=0)
        return mins, maxs
