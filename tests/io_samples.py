"""Label maps and meshes with known geometry, written to temporary folders by the io tests.

The phantom is a right thigh in miniature, voxelised on an anisotropic grid whose direction
matrix is rotated, so that a reader that ignores spacing, origin or direction lands the
surfaces in the wrong place. All exact values (volumes, section areas, centres) are analytic.
Shape boundaries fall on voxel faces along the grid axes, so the voxelisation error is only
the in-plane staircase of the curved walls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHAPE = (150, 110, 72)
SPACING = np.array([0.8, 1.0, 2.5])
FEMUR_R = 15.0  # femur: cylinder along the grid's k axis, |z| < 90
SLEEVE_A, SLEEVE_B = 32.0, 26.0  # muscle sleeve: elliptic cylinder minus the femur, |z| < 75
ELLIPSOID_CENTRE = np.array([46.0, 0.0, 0.0])  # sartorius stand-in, in the grid's frame
ELLIPSOID_AXES = np.array([10.0, 14.0, 60.0])
CENTRE_WORLD = np.array([20.0, -30.0, -200.0])


def rotation(z_deg: float = 30.0, x_deg: float = 12.0) -> np.ndarray:
    cz, sz = np.cos(np.radians(z_deg)), np.sin(np.radians(z_deg))
    cx, sx = np.cos(np.radians(x_deg)), np.sin(np.radians(x_deg))
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1.0]])
    rx = np.array([[1.0, 0, 0], [0, cx, -sx], [0, sx, cx]])
    return rz @ rx


@dataclass
class Phantom:
    labels: np.ndarray  # [i, j, k]
    affine: np.ndarray  # voxel index -> RAS mm
    names: dict[int, str]
    rotation: np.ndarray

    def to_world(self, local: np.ndarray) -> np.ndarray:
        """A point in the phantom's own frame (mm, centred) -> RAS mm."""
        return self.rotation @ np.asarray(local, dtype=float) + CENTRE_WORLD

    @property
    def axis(self) -> np.ndarray:
        return self.rotation[:, 2]


#: label -> (name, exact volume mm3, exact area of the section through the centre perpendicular to k)
SLEEVE_HALF_AREA = (np.pi * SLEEVE_A * SLEEVE_B - np.pi * FEMUR_R**2) / 2
EXACT = {
    "femur": (np.pi * FEMUR_R**2 * 180.0, np.pi * FEMUR_R**2),
    "quadriceps_femoris": (SLEEVE_HALF_AREA * 150.0, SLEEVE_HALF_AREA),
    "hamstrings": (SLEEVE_HALF_AREA * 150.0, SLEEVE_HALF_AREA),
    "sartorius": (4 / 3 * np.pi * np.prod(ELLIPSOID_AXES), np.pi * ELLIPSOID_AXES[0] * ELLIPSOID_AXES[1]),
}


def phantom(rot: np.ndarray | None = None) -> Phantom:
    """Femur (1), anterior half sleeve (2, quadriceps), posterior half (3, hamstrings), ellipsoid (4)."""
    rot = rotation() if rot is None else rot
    centre_index = (np.array(SHAPE) - 1) / 2.0
    i, j, k = np.meshgrid(*[np.arange(n) for n in SHAPE], indexing="ij", sparse=True)
    x, y, z = ((i - centre_index[0]) * SPACING[0], (j - centre_index[1]) * SPACING[1],
               (k - centre_index[2]) * SPACING[2])
    labels = np.zeros(SHAPE, dtype=np.uint8)
    femur = (x**2 + y**2 < FEMUR_R**2) & (np.abs(z) < 90)
    sleeve = ((x / SLEEVE_A) ** 2 + (y / SLEEVE_B) ** 2 < 1) & (np.abs(z) < 75) & ~femur
    labels[femur] = 1
    labels[sleeve & (y > 0)] = 2
    labels[sleeve & (y < 0)] = 3
    e = ELLIPSOID_CENTRE
    ellipsoid = sum(((c - e[n]) / ELLIPSOID_AXES[n]) ** 2 for n, c in enumerate((x, y, z))) < 1
    labels[np.broadcast_to(ellipsoid, SHAPE)] = 4
    affine = np.eye(4)
    affine[:3, :3] = rot * SPACING
    affine[:3, 3] = CENTRE_WORLD - rot @ (SPACING * centre_index)
    names = {1: "femur_right", 2: "quadriceps_femoris_right", 3: "thigh_posterior_compartment_right",
             4: "sartorius_right"}
    return Phantom(np.asfortranarray(labels), affine, names, rot)


# --- writers -------------------------------------------------------------------------------

def caret_extension(names: dict[int, str]) -> bytes:
    """TotalSegmentator's label table (a Caret XML extension in the NIfTI header)."""
    body = "".join(f'<Label Key="{v}" Red="1" Green="0" Blue="0" Alpha="1"><![CDATA[{n}]]></Label>\n'
                   for v, n in names.items())
    return ('<?xml version="1.0" encoding="UTF-8"?> <CaretExtension> <VolumeInformation Index="0"> '
            f"<LabelTable>{body}</LabelTable> </VolumeInformation></CaretExtension>").encode()


def save_nifti(path: Path, labels: np.ndarray, affine: np.ndarray, names: dict[int, str] | None = None,
               units: str | None = "mm") -> Path:
    import nibabel as nib

    image = nib.Nifti1Image(labels, affine)
    if units:
        image.header.set_xyzt_units(units)
    if names:
        image.header.extensions.append(nib.nifti1.Nifti1Extension(0, caret_extension(names)))
    nib.save(image, str(path))
    return path


def save_nrrd(path: Path, labels: np.ndarray, affine: np.ndarray, extra: dict | None = None,
              layers: bool = False) -> Path:
    """NRRD in LPS (as 3D Slicer writes it); ``layers``: ``labels`` is [layer, i, j, k]."""
    import nrrd

    flip = np.diag([-1.0, -1.0, 1.0])
    directions = (flip @ affine[:3, :3]).T
    header = {"space": "left-posterior-superior", "space origin": flip @ affine[:3, 3]}
    if layers:
        header["space directions"] = np.vstack([np.full(3, np.nan), directions])
        header["kinds"] = ["list", "domain", "domain", "domain"]
    else:
        header["space directions"] = directions
        header["kinds"] = ["domain"] * 3
    header.update(extra or {})
    nrrd.write(str(path), labels, header, index_order="F")
    return path


def lps_stl(path: Path, vertices: np.ndarray, faces: np.ndarray) -> Path:
    """A binary STL as 3D Slicer writes it: coordinates in LPS, ``SPACE=LPS`` in the header."""
    import trimesh

    lps = np.asarray(vertices) * np.array([-1.0, -1.0, 1.0])
    data = bytearray(trimesh.Trimesh(lps, faces, process=False).export(file_type="stl"))
    data[:80] = b"SPACE=LPS".ljust(80, b" ")
    path.write_bytes(bytes(data))
    return path


# --- measuring -----------------------------------------------------------------------------

def section_area(vertices: np.ndarray, faces: np.ndarray, origin: np.ndarray, normal: np.ndarray) -> float:
    """Area of a closed surface's cross-section by a plane (mm2), independent of ThighView:
    trimesh cuts the segments, shapely builds the area (holes by even-odd)."""
    import shapely
    import trimesh

    normal = np.asarray(normal, dtype=float) / np.linalg.norm(normal)
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    segments = trimesh.intersections.mesh_plane(mesh, normal, origin)
    u = np.cross(normal, [1.0, 0, 0] if abs(normal[0]) < 0.9 else [0, 1.0, 0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    flat = np.stack([(segments - origin) @ u, (segments - origin) @ v], axis=-1)
    lines = shapely.set_precision(shapely.MultiLineString(list(flat)), 1e-6)  # weld shared ends
    return float(shapely.build_area(lines).area)


def volume_centroid(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    import trimesh

    return np.asarray(trimesh.Trimesh(vertices, faces, process=False).center_mass)
