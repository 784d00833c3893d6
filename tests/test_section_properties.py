"""Property tests: a rigid motion of the whole thigh in the file changes no area."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from section_shapes import cylinder, model, moved, rotation, straight_thigh, straight_thigh_areas_mm2

from thighview.section import SectionEngine

quaternions = st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4).filter(lambda q: np.linalg.norm(q) > 0.1)
shifts = st.lists(st.floats(-2000.0, 2000.0), min_size=3, max_size=3)
levels = st.floats(0.001, 0.999)

EXPECTED = straight_thigh_areas_mm2()


def _tapered_sartorius() -> tuple[np.ndarray, np.ndarray]:
    """A cone beside the thigh, thicker proximally: it tells the ends apart after any motion."""
    vertices, faces = cylinder(24, 20.0, 0.0, -400.0)
    vertices = vertices.copy()
    vertices[:, :2] *= np.where(vertices[:, 2:] > -200.0, 1.0, 0.5)
    return vertices + [150.0, 0.0, 0.0], faces


THIGH = {**straight_thigh(rings=4), "sartorius": _tapered_sartorius()}


@settings(max_examples=25, deadline=None)
@given(quaternion=quaternions, shift=shifts, level=levels)
def test_areas_are_invariant_under_rigid_motions(quaternion, shift, level):
    matrix = rotation(quaternion)
    engine = SectionEngine(model(moved(THIGH, matrix, np.asarray(shift))))
    assert engine.axis.length_mm == pytest.approx(400.0, rel=1e-9)
    np.testing.assert_allclose(engine.axis.direction, matrix @ [0, 0, -1], atol=1e-8)
    areas = engine.areas(level)
    for name, expected in EXPECTED.items():
        assert areas[name] * 100 == pytest.approx(expected, rel=1e-6), name


@settings(max_examples=10, deadline=None)
@given(quaternion=quaternions, shift=shifts, level=levels)
def test_polygons_are_invariant_under_rigid_motions(quaternion, shift, level):
    engine = SectionEngine(model(moved(THIGH, rotation(quaternion), np.asarray(shift))))
    section = engine.section(level)
    for name, expected in EXPECTED.items():
        assert section.polygons[name].area == pytest.approx(expected, rel=1e-6), name
    # The frame is anatomical, not the file's: the rectus femoris stays in front of the femur.
    assert section.polygons["rectus_femoris"].centroid.y == pytest.approx(38.0, abs=1e-6)
    assert section.polygons["vastus_lateralis"].centroid.x == pytest.approx(-38.0, abs=1e-6)
