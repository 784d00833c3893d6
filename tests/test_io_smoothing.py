"""The label-map surfaces' smoothing: terraces gone, volumes kept (io/surfaces.py).

A cylinder tilted 35 degrees across 2.5 mm slices is the hard case: its voxels form terraces
that only a strong low-pass removes, and a strong Laplacian would shrink it.
"""

from __future__ import annotations

import numpy as np
import pytest

from thighview.io.surfaces import SMOOTHING_ITERATIONS, SMOOTHING_PASS_BAND, _filter_coefficients, label_surfaces

SPACING = np.array([0.8, 0.8, 2.5])
SHAPE = (120, 120, 60)
R_CYLINDER, R_SPHERE, SPHERE_CENTRE = 12.0, 14.0, np.array([0.0, 30.0, 0.0])
AXIS = np.array([np.sin(np.radians(35)), 0.0, np.cos(np.radians(35))])


@pytest.fixture(scope="module")
def phantom():
    centre = (np.array(SHAPE) - 1) / 2
    i, j, k = np.meshgrid(*[np.arange(n) for n in SHAPE], indexing="ij", sparse=True)
    x, y, z = (i - centre[0]) * SPACING[0], (j - centre[1]) * SPACING[1], (k - centre[2]) * SPACING[2]
    t = x * AXIS[0] + z * AXIS[2]
    radial = np.sqrt((x - t * AXIS[0]) ** 2 + y**2 + (z - t * AXIS[2]) ** 2)
    labels = np.zeros(SHAPE, dtype=np.uint8)
    labels[(radial < R_CYLINDER) & (np.abs(t) < 50)] = 1
    labels[(x - SPHERE_CENTRE[0]) ** 2 + (y - SPHERE_CENTRE[1]) ** 2 + (z - SPHERE_CENTRE[2]) ** 2 < R_SPHERE**2] = 2
    affine = np.eye(4)
    affine[:3, :3] = np.diag(SPACING)
    affine[:3, 3] = -SPACING * centre
    return labels, affine


def _volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    t = vertices[faces]
    return float(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6)


def _roughness(surfaces: dict) -> tuple[float, float]:
    """Standard deviation (mm) of the distance to the cylinder's axis (away from its ends) and
    to the sphere's centre: terraces make it large."""
    vertices = surfaces[1][0]
    t = vertices @ AXIS
    shaft = vertices[np.abs(t) < 35]
    radial = np.linalg.norm(shaft - np.outer(shaft @ AXIS, AXIS), axis=1)
    return float(radial.std()), float(np.linalg.norm(surfaces[2][0] - SPHERE_CENTRE, axis=1).std())


def test_smoothing_removes_the_terraces_and_keeps_the_volumes(phantom):
    labels, affine = phantom
    staircase = label_surfaces(labels, affine, smoothing=False)
    smooth = label_surfaces(labels, affine)
    rough_cylinder, rough_sphere = _roughness(staircase)
    assert rough_cylinder > 0.5 and rough_sphere > 0.6  # terraces of 2.5 mm slices
    cylinder, sphere = _roughness(smooth)
    assert cylinder < 0.1 and sphere < 0.26
    for value in (1, 2):
        voxels = (labels == value).sum() * SPACING.prod()
        assert _volume(*staircase[value]) == pytest.approx(voxels, rel=1e-6)  # float32 points
        assert _volume(*smooth[value]) == pytest.approx(voxels, rel=0.005)  # no shrinking
    assert _volume(*smooth[2]) == pytest.approx(4 / 3 * np.pi * R_SPHERE**3, rel=0.01)


def test_the_filter_passes_the_shape_and_stops_the_voxel_steps():
    """Gain 1 at the pass band (so the surface keeps its size), almost none at the highest
    frequency of the mesh (k = 2, a one-voxel zig-zag)."""
    c = _filter_coefficients(SMOOTHING_ITERATIONS, SMOOTHING_PASS_BAND)
    i = np.arange(len(c))

    def gain(k: float) -> float:
        return float(c @ np.cos(i * np.arccos(1 - k / 2)))

    assert gain(SMOOTHING_PASS_BAND) == pytest.approx(1.0, abs=1e-9)
    assert gain(0.0) == pytest.approx(1.0, abs=0.01)
    assert abs(gain(2.0)) < 0.01 and abs(gain(1.0)) < 0.01
