"""The femur shaft axis: direction, ends, length and anterior, wherever the file puts the bone."""

from __future__ import annotations

import numpy as np
import pytest
from section_shapes import cylinder, inverted, merged, model, moved, rotation, straight_thigh

from thighview.errors import LevelError, ModelError
from thighview.femur_axis import find_femur_axis

TILT = rotation([0.9, 0.3, -0.2, 0.25])
SHIFT = np.array([120.0, -40.0, 900.0])


def _femur_with_head(length: float = 440.0) -> tuple[np.ndarray, np.ndarray]:
    """A shaft (z from 0 down to -length) with a head and neck standing off it medially at the top."""
    shaft = cylinder(40, 13.0, 0.0, -length, rings=10)
    head_v, head_f = cylinder(24, 22.0, 25.0, -20.0, centre=(-45.0, 0.0))  # medial = -x for a right thigh
    return merged(shaft, (head_v, head_f))


def test_axis_of_a_moved_straight_femur():
    axis = find_femur_axis(model(moved(straight_thigh(), TILT, SHIFT)))
    np.testing.assert_allclose(axis.direction, TILT @ [0, 0, -1], atol=1e-9)  # proximal (z = 0) to distal
    np.testing.assert_allclose(axis.origin, SHIFT, atol=1e-6)
    assert axis.length_mm == pytest.approx(400.0, rel=1e-9)
    assert abs(axis.anterior @ axis.direction) < 1e-12
    np.testing.assert_allclose(axis.anterior, TILT @ [0, 1, 0], atol=1e-6)  # from the rectus femoris side


def test_head_and_neck_do_not_tilt_the_shaft_axis_and_mark_the_proximal_end():
    v, f = _femur_with_head()
    for flip in (np.eye(3), np.diag([1.0, -1.0, -1.0])):  # also upside down in the file
        axis = find_femur_axis(model({"femur": (v @ flip.T, f)}))
        np.testing.assert_allclose(axis.direction, flip @ [0, 0, -1], atol=1e-6)
        top = flip @ [0.0, 0.0, 25.0]
        assert axis.point_to_level_mm(top) == pytest.approx(0.0, abs=1e-6)
        assert axis.length_mm == pytest.approx(465.0, rel=1e-9)


def test_hollow_femur_cut_off_at_both_ends_keeps_its_axis():
    tube = merged(cylinder(48, 13.0, -100.0, -300.0, rings=6), inverted(cylinder(24, 7.0, -100.0, -300.0)))
    soft = cylinder(32, 70.0, -90.0, -310.0)
    cone_v, cone_f = soft
    cone_v = cone_v.copy()
    cone_v[:, :2] *= (1.0 + (cone_v[:, 2:] + 90.0) / 440.0)  # thinner towards -z: so -z is distal
    thigh = moved({"femur": tube, "vastus_medialis": (cone_v, cone_f)}, TILT, SHIFT)
    axis = find_femur_axis(model(thigh))
    np.testing.assert_allclose(axis.direction, TILT @ [0, 0, -1], atol=1e-9)
    assert axis.length_mm == pytest.approx(200.0, rel=1e-9)


def test_soft_tissue_decides_the_proximal_end_when_the_femur_is_symmetric():
    femur = cylinder(40, 13.0, 0.0, -400.0)
    v, f = cylinder(40, 60.0, 10.0, -410.0)
    v = v.copy()
    v[:, :2] *= np.where(v[:, 2:] > -200.0, 1.0, 0.6)  # bigger near z = 0
    axis = find_femur_axis(model({"femur": femur, "vastus_lateralis": (v, f)}))
    np.testing.assert_allclose(axis.direction, [0, 0, -1], atol=1e-9)
    v[:, 2] = -400.0 - v[:, 2]  # now bigger near z = -400
    axis = find_femur_axis(model({"femur": femur, "vastus_lateralis": (v, f)}))
    np.testing.assert_allclose(axis.direction, [0, 0, 1], atol=1e-9)


def test_anterior_hint_wins_and_is_made_perpendicular():
    thigh = straight_thigh()
    axis = find_femur_axis(model(thigh, anterior_hint=np.array([0.0, -1.0, 0.3])))
    np.testing.assert_allclose(axis.anterior, [0, -1, 0], atol=1e-9)


def test_anterior_from_hamstrings_when_no_quadriceps():
    thigh = {k: v for k, v in straight_thigh().items() if k in ("femur", "semitendinosus", "adductor_magnus")}
    axis = find_femur_axis(model(moved(thigh, TILT, SHIFT)))
    expected = TILT @ np.array([8.0, 38.0, 0.0]) / np.hypot(8.0, 38.0)  # away from the semitendinosus
    np.testing.assert_allclose(axis.anterior, expected, atol=1e-6)


def test_anterior_opposite_the_linea_aspera_for_a_bare_femur():
    outline = np.array([[13 * np.cos(a), 13 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 40, endpoint=False)])
    outline[30] = [0.0, -19.0]  # a posterior ridge (angle 270 degrees)
    from section_shapes import prism

    axis = find_femur_axis(model({"femur": prism(outline, 0.0, -400.0, rings=4)}))
    np.testing.assert_allclose(axis.anterior, [0, 1, 0], atol=1e-6)


def test_frame_and_side():
    axis = find_femur_axis(model(straight_thigh()))
    x_axis, y_axis, normal = axis.frame_axes()
    np.testing.assert_allclose(x_axis, [-1, 0, 0], atol=1e-9)  # patient's left in RAS
    assert np.linalg.det(np.array([x_axis, y_axis, normal])) == pytest.approx(1.0)
    np.testing.assert_allclose(axis.lateral, [1, 0, 0], atol=1e-9)
    left = find_femur_axis(model(straight_thigh(), side="left"))
    np.testing.assert_allclose(left.lateral, [-1, 0, 0], atol=1e-9)


def test_level_conversions():
    axis = find_femur_axis(model(straight_thigh()))
    assert axis.to_mm(0.25) == pytest.approx(100.0)
    assert axis.to_fraction(300.0) == pytest.approx(0.75)
    np.testing.assert_allclose(axis.level_to_point(0.5), [0, 0, -200], atol=1e-9)
    np.testing.assert_allclose(axis.level_to_point(level_mm=50.0), [0, 0, -50], atol=1e-9)
    assert axis.resolve(level_mm=400.0) == pytest.approx((1.0, 400.0))
    with pytest.raises(LevelError, match="outside the femur"):
        axis.level_to_point(1.01)


def test_model_without_femur_is_a_model_error():
    with pytest.raises(ModelError, match="no femur"):
        find_femur_axis(model({"vastus_lateralis": cylinder(20, 10.0, 0.0, -100.0)}))


def test_open_ended_femur_cut_off_by_the_scan_still_has_an_axis_and_exact_sections():
    from section_shapes import polygon_area

    from thighview.section import SectionEngine

    v, f = cylinder(48, 13.0, 0.0, -250.0, rings=5)
    walls_only = (v, f[: 2 * 48 * 5])  # the scan cut the bone: no caps, an open surface
    soft_v, soft_f = cylinder(40, 60.0, 0.0, -250.0)
    soft_v = soft_v.copy()
    soft_v[:, :2] *= np.where(soft_v[:, 2:] > -100.0, 1.0, 0.7)
    thigh = model(moved({"femur": walls_only, "vastus_lateralis": (soft_v, soft_f)}, TILT, SHIFT))
    engine = SectionEngine(thigh)
    np.testing.assert_allclose(engine.axis.direction, TILT @ [0, 0, -1], atol=1e-9)
    assert engine.axis.length_mm == pytest.approx(250.0, rel=1e-9)
    areas = engine.areas(0.37)
    assert areas.open == ()
    assert areas["femur"] * 100 == pytest.approx(polygon_area(48, 13.0), rel=1e-9)
