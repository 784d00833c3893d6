"""Closed triangle surfaces with exactly known sections, for the section and femur-axis tests.

Everything is built here with numpy (no trimesh) so the tests control the tessellation: a
faceted cylinder of ``n`` sides has section area ``n/2 r^2 sin(2 pi / n)`` at every level
strictly between its caps, and has vertex rings at known heights.
"""

from __future__ import annotations

import numpy as np

from thighview.anatomy import compartment_of
from thighview.femur_axis import FemurAxis
from thighview.model import Structure, ThighModel


def polygon_area(n: int, r: float) -> float:
    """Area (mm^2) of the regular n-gon inscribed in a circle of radius r."""
    return 0.5 * n * r * r * np.sin(2 * np.pi / n)


def prism(outline: np.ndarray, z_top: float, z_bottom: float, rings: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A closed, outward-oriented prism over a counter-clockwise simple star-shaped outline.

    Side walls are split into ``rings`` bands (vertex rings at evenly spaced z); the caps
    are fans from the outline's vertex mean (so the outline must be star-shaped from it).
    """
    outline = np.asarray(outline, dtype=float)
    n = len(outline)
    zs = np.linspace(z_top, z_bottom, rings + 1)
    vertices = [np.column_stack([outline, np.full(n, z)]) for z in zs]
    centre = outline.mean(axis=0)
    vertices.append([[*centre, z_top], [*centre, z_bottom]])
    vertices = np.vstack(vertices)
    top_c, bottom_c = len(vertices) - 2, len(vertices) - 1
    faces = []
    for k in range(rings):
        for i in range(n):
            a, b = k * n + i, k * n + (i + 1) % n  # upper ring
            c, d = a + n, b + n  # lower ring
            faces += [[a, c, d], [a, d, b]]
    last = rings * n
    for i in range(n):
        faces.append([top_c, i, (i + 1) % n])
        faces.append([bottom_c, last + (i + 1) % n, last + i])
    return vertices, np.asarray(faces)


def circle(n: int, r: float, centre: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    angles = 2 * np.pi * np.arange(n) / n
    return np.column_stack([centre[0] + r * np.cos(angles), centre[1] + r * np.sin(angles)])


def cylinder(n: int, r: float, z_top: float, z_bottom: float, centre=(0.0, 0.0), rings: int = 1):
    return prism(circle(n, r, centre), z_top, z_bottom, rings)


def inverted(mesh: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The same surface facing inwards (the wall of a cavity)."""
    return mesh[0], mesh[1][:, ::-1]


def merged(*meshes: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Several shells as one structure."""
    vertices, faces, offset = [], [], 0
    for v, f in meshes:
        vertices.append(v)
        faces.append(f + offset)
        offset += len(v)
    return np.vstack(vertices), np.vstack(faces)


def structure(name: str, mesh: tuple[np.ndarray, np.ndarray]) -> Structure:
    return Structure(name, mesh[0], mesh[1], compartment_of(name))


def model(meshes: dict[str, tuple[np.ndarray, np.ndarray]], **kwargs) -> ThighModel:
    return ThighModel({name: structure(name, mesh) for name, mesh in meshes.items()}, **kwargs)


def z_axis(length: float = 400.0) -> FemurAxis:
    """The exact axis of the straight test thighs: proximal at z = 0, distal towards -z, anterior +y."""
    return FemurAxis(origin=np.zeros(3), direction=np.array([0.0, 0.0, -1.0]), length_mm=length,
                     anterior=np.array([0.0, 1.0, 0.0]))


def straight_thigh(length: float = 400.0, rings: int = 8) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A right thigh of straight prisms (RAS, mm): hollow femur, muscles around it, fat ring.

    Sections are the same at every level strictly inside (0, length).
    """
    femur = merged(cylinder(48, 13.0, 0.0, -length, rings=rings), inverted(cylinder(24, 6.0, 0.0, -length)))
    return {
        "femur": femur,
        "rectus_femoris": cylinder(40, 14.0, 0.0, -length, centre=(0.0, 38.0), rings=rings),
        "vastus_lateralis": cylinder(40, 16.0, 0.0, -length, centre=(38.0, 5.0)),  # +x = right = lateral
        "adductor_magnus": cylinder(40, 16.0, 0.0, -length, centre=(-36.0, -12.0)),
        "semitendinosus": cylinder(32, 11.0, 0.0, -length, centre=(-8.0, -38.0)),
        "biceps_femoris_long_head": cylinder(32, 11.0, 0.0, -length, centre=(16.0, -36.0)),
        "subcutaneous_fat": merged(cylinder(96, 80.0, 0.0, -length), inverted(cylinder(96, 64.0, 0.0, -length))),
    }


def straight_thigh_areas_mm2() -> dict[str, float]:
    return {
        "femur": polygon_area(48, 13.0) - polygon_area(24, 6.0),
        "rectus_femoris": polygon_area(40, 14.0),
        "vastus_lateralis": polygon_area(40, 16.0),
        "adductor_magnus": polygon_area(40, 16.0),
        "semitendinosus": polygon_area(32, 11.0),
        "biceps_femoris_long_head": polygon_area(32, 11.0),
        "subcutaneous_fat": polygon_area(96, 80.0) - polygon_area(96, 64.0),
    }


def rotation(quaternion: np.ndarray) -> np.ndarray:
    """Rotation matrix of a (not necessarily unit) quaternion (w, x, y, z)."""
    w, x, y, z = np.asarray(quaternion, dtype=float) / np.linalg.norm(quaternion)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def moved(meshes: dict[str, tuple[np.ndarray, np.ndarray]], matrix: np.ndarray, shift: np.ndarray) -> dict:
    """Every mesh rotated by ``matrix`` and then shifted (a rigid transform)."""
    return {name: (v @ matrix.T + shift, f) for name, (v, f) in meshes.items()}
