"""The section engine against shapes whose faceted sections are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from section_shapes import (
    cylinder,
    inverted,
    merged,
    model,
    polygon_area,
    prism,
    straight_thigh,
    straight_thigh_areas_mm2,
    z_axis,
)

from thighview.anatomy import Compartment
from thighview.errors import LevelError, SectionError
from thighview.section import COVERAGE_GAP_MM, SectionEngine

REL = 1e-9


@pytest.fixture(scope="module")
def thigh():
    return SectionEngine(model(straight_thigh(), anterior_hint=np.array([0.0, 1.0, 0.0])))


@pytest.mark.parametrize("level", [0.013, 0.25, 0.5, 0.777, 0.99])
def test_areas_are_the_exact_faceted_areas(thigh, level):
    areas = thigh.areas(level)
    for name, expected in straight_thigh_areas_mm2().items():
        assert areas[name] == pytest.approx(expected / 100.0, rel=REL), name
    assert areas.open == ()


def test_section_polygons_agree_with_green_areas_and_keep_holes(thigh):
    section = thigh.section(0.4)
    assert section.open_structures == ()
    for name, expected in straight_thigh_areas_mm2().items():
        assert section.areas_cm2[name] == pytest.approx(expected / 100.0, rel=REL)
        assert section.polygons[name].area == pytest.approx(expected, rel=1e-9)
        assert section.polygons[name].is_valid
    femur = section.polygons["femur"]
    assert len(femur.geoms) == 1 and len(femur.geoms[0].interiors) == 1  # hollow femur: one hole
    assert len(section.polygons["subcutaneous_fat"].geoms[0].interiors) == 1
    np.testing.assert_allclose(section.femur_centre, [0.0, 0.0], atol=1e-9)


def test_prism_over_a_non_convex_outline():
    star = np.array([[np.cos(a) * r, np.sin(a) * r]
                     for a, r in zip(np.linspace(0, 2 * np.pi, 14, endpoint=False), [30, 12] * 7)])
    femur = cylinder(24, 10.0, 0.0, -300.0)
    engine = SectionEngine(model({"femur": femur, "gracilis": prism(star + [70, 0], 0.0, -300.0)}), axis=z_axis(300))
    expected = shapely.Polygon(star).area
    for level in (0.1, 0.5, 0.9):
        assert engine.areas(level)["gracilis"] * 100 == pytest.approx(expected, rel=REL)


def test_island_inside_a_hole_inside_a_shell():
    nested = merged(cylinder(64, 50.0, 0.0, -200.0), inverted(cylinder(64, 30.0, 0.0, -200.0)),
                    cylinder(32, 10.0, -20.0, -180.0))
    engine = SectionEngine(model({"femur": cylinder(16, 3.0, 0.0, -200.0, centre=(200, 0)), "sartorius": nested}),
                           axis=z_axis(200))
    expected = polygon_area(64, 50) - polygon_area(64, 30) + polygon_area(32, 10)
    section = engine.section(0.5)
    assert section.areas_cm2["sartorius"] * 100 == pytest.approx(expected, rel=REL)
    assert section.polygons["sartorius"].area == pytest.approx(expected, rel=1e-9)
    assert len(section.polygons["sartorius"].geoms) == 2  # the ring and the island
    # Above the island's top cap only the ring remains.
    assert engine.areas(level_mm=10.0)["sartorius"] * 100 == pytest.approx(
        polygon_area(64, 50) - polygon_area(64, 30), rel=REL)


def test_disjoint_pieces_of_one_structure():
    pieces = merged(*(cylinder(20, 5.0, 0.0, -100.0, centre=(x, 40.0)) for x in (-30.0, 0.0, 30.0)))
    engine = SectionEngine(model({"femur": cylinder(20, 10.0, 0.0, -100.0), "sartorius": pieces}), axis=z_axis(100))
    section = engine.section(0.3)
    assert section.areas_cm2["sartorius"] * 100 == pytest.approx(3 * polygon_area(20, 5.0), rel=REL)
    assert len(section.polygons["sartorius"].geoms) == 3


def test_level_exactly_on_vertex_rings_and_caps():
    engine = SectionEngine(model({"femur": cylinder(48, 13.0, 0.0, -400.0, rings=8)}), axis=z_axis())
    full = polygon_area(48, 13.0) / 100
    for mm in (50.0, 100.0, 200.0, 350.0):  # vertex rings of the side wall
        assert engine.areas(level_mm=mm)["femur"] == pytest.approx(full, rel=REL)
        section = engine.section(level_mm=mm)
        assert section.polygons["femur"].is_valid
        assert section.polygons["femur"].area / 100 == pytest.approx(full, rel=1e-9)
    # On a cap the section is the limit from the proximal side: empty at the top, full at the bottom.
    assert engine.areas(level_mm=0.0)["femur"] == 0.0
    assert engine.areas(level_mm=400.0)["femur"] == pytest.approx(full, rel=REL)


def test_inward_facing_and_unwelded_surfaces_still_give_positive_exact_areas():
    v, f = cylinder(30, 20.0, 0.0, -100.0)
    flipped = inverted((v, f))
    soup = (v[f].reshape(-1, 3), np.arange(3 * len(f)).reshape(-1, 3))  # every triangle with its own corners
    engine = SectionEngine(model({"femur": flipped, "gracilis": (soup[0] + [100, 0, 0], soup[1])}), axis=z_axis(100))
    areas = engine.areas(0.5)
    assert areas["femur"] * 100 == pytest.approx(polygon_area(30, 20.0), rel=REL)
    assert areas["gracilis"] * 100 == pytest.approx(polygon_area(30, 20.0), rel=REL)
    assert areas.open == ()


def test_a_surface_open_at_the_level_is_flagged_never_measured():
    v, f = cylinder(30, 20.0, 0.0, -100.0, rings=4)  # bands 25 mm tall
    holed = (v, np.delete(f, 5, axis=0))  # a side triangle of the top band is missing
    engine = SectionEngine(model({"femur": cylinder(30, 5.0, 0.0, -100.0, centre=(100, 0)), "gracilis": holed}),
                           axis=z_axis(100))
    areas = engine.areas(level_mm=10.0)
    assert "gracilis" not in areas and areas.open == ("gracilis",)
    section = engine.section(level_mm=10.0)
    assert section.open_structures == ("gracilis",)
    assert "gracilis" not in section.areas_cm2 and "gracilis" not in section.polygons
    assert section.open_contours["gracilis"].length > 0
    assert np.isnan(engine.profile([0.1, 0.6]).areas_cm2["gracilis"][0])
    # Elsewhere the same surface is closed and measured exactly.
    assert engine.areas(level_mm=60.0)["gracilis"] * 100 == pytest.approx(polygon_area(30, 20.0), rel=REL)
    strict = SectionEngine(engine.model, axis=z_axis(100), strict=True)
    with pytest.raises(SectionError, match="gracilis"):
        strict.areas(level_mm=10.0)


def test_frame_puts_anterior_up_and_a_right_thighs_lateral_on_the_viewers_left(thigh):
    section = thigh.section(0.5)
    rf = section.polygons["rectus_femoris"].centroid
    vl = section.polygons["vastus_lateralis"].centroid
    am = section.polygons["adductor_magnus"].centroid
    assert rf.y > 30 and abs(rf.x) < 1e-6  # anterior is +y
    assert vl.x < -30  # lateral (the patient's right) is the viewer's left
    assert am.x > 30
    np.testing.assert_allclose(section.frame.to_2d(section.frame.to_3d([[3.0, -4.0]])), [[3.0, -4.0]], atol=1e-12)
    np.testing.assert_allclose(section.frame.to_3d([[0.0, 0.0]])[0], thigh.axis.level_to_point(0.5))
    np.testing.assert_allclose(section.frame.to_3d([[vl.x, vl.y]])[0][:2], [38.0, 5.0], atol=1e-6)


def test_compartments_and_percentages(thigh):
    section = thigh.section(0.5)
    expected = straight_thigh_areas_mm2()
    quads = (expected["rectus_femoris"] + expected["vastus_lateralis"]) / 100
    muscle = quads + (expected["adductor_magnus"] + expected["semitendinosus"]
                      + expected["biceps_femoris_long_head"]) / 100
    total = sum(expected.values()) / 100
    assert section.compartment_areas_cm2[Compartment.QUADRICEPS] == pytest.approx(quads, rel=REL)
    assert section.percent_of_muscle(Compartment.QUADRICEPS) == pytest.approx(100 * quads / muscle, rel=REL)
    assert section.percent_of_total("femur") == pytest.approx(100 * expected["femur"] / 100 / total, rel=REL)
    assert section.percent_of_muscle(Compartment.BONE) is None
    assert sum(section.percent_of_total(c) for c in section.compartment_areas_cm2) == pytest.approx(100.0)
    muscles = [c for c in section.compartment_areas_cm2 if c.is_muscle]
    assert sum(section.percent_of_muscle(c) for c in muscles) == pytest.approx(100.0)
    with pytest.raises(SectionError):
        section.percent_of_total("no_such_muscle")


def test_json_form_follows_the_documented_schema(thigh):
    data = thigh.section(0.5).to_dict("straight")
    assert set(data) == {"model", "level", "level_mm", "units", "structures", "compartments", "bone_coverage",
                         "open_structures", "self_intersecting_structures", "overlaps", "overlap_rule",
                         "repaired_structures"}
    assert data["model"] == "straight" and data["level"] == 0.5 and data["level_mm"] == pytest.approx(200.0)
    assert data["units"] == {"area": "cm2", "length": "mm"}
    assert data["structures"]["vastus_lateralis"]["compartment"] == "quadriceps"
    assert set(data["compartments"]["quadriceps"]) == {"area_cm2", "percent_of_muscle", "percent_of_total"}
    assert data["compartments"]["bone"]["percent_of_muscle"] is None


def _quarter_annulus(start_deg: float, inner: float = 13.0, outer: float = 40.0) -> np.ndarray:
    angles = np.radians(np.linspace(start_deg, start_deg + 90.0, 25))
    return np.vstack([np.column_stack([outer * np.cos(angles), outer * np.sin(angles)]),
                      np.column_stack([inner * np.cos(angles[::-1]), inner * np.sin(angles[::-1])])])


def test_bone_coverage_is_the_share_of_the_femur_outline_each_compartment_borders():
    femur = cylinder(360, 13.0, 0.0, -100.0)
    meshes = {"femur": femur,
              "vastus_lateralis": prism(_quarter_annulus(-45.0), 0.0, -100.0),
              "rectus_femoris": prism(_quarter_annulus(45.0), 0.0, -100.0),
              "adductor_magnus": prism(_quarter_annulus(135.0), 0.0, -100.0),
              "semimembranosus": prism(_quarter_annulus(225.0), 0.0, -100.0)}
    coverage = SectionEngine(model(meshes), axis=z_axis(100)).section(0.5).bone_coverage
    assert coverage[Compartment.QUADRICEPS] == pytest.approx(0.5, abs=0.01)
    assert coverage[Compartment.ADDUCTORS] == pytest.approx(0.25, abs=0.01)
    assert coverage[Compartment.HAMSTRINGS] == pytest.approx(0.25, abs=0.01)
    # Move the hamstrings away from the bone: that quarter is no longer covered.
    far = prism(_quarter_annulus(225.0, inner=13.0 + 2 * COVERAGE_GAP_MM), 0.0, -100.0)
    coverage = SectionEngine(model({**meshes, "semimembranosus": far}), axis=z_axis(100)).section(0.5).bone_coverage
    assert Compartment.HAMSTRINGS not in coverage
    assert sum(coverage.values()) == pytest.approx(0.75, abs=0.01)


def test_profile_matches_single_levels(thigh):
    levels = [0.05, 0.3, 0.62, 0.95]
    profile = thigh.profile(levels)
    np.testing.assert_allclose(profile.levels_mm, [thigh.axis.to_mm(x) for x in levels])
    for i, level in enumerate(levels):
        for name, area in thigh.areas(level).items():
            assert profile.areas_cm2[name][i] == area
    assert len(thigh.profile().levels) == 100
    assert [s.level for s in thigh.sections(levels)] == levels
    data = profile.to_dict("straight")
    assert data["levels"] == levels and len(data["compartments"]["quadriceps"]) == 4


@pytest.mark.parametrize("kwargs", [{"level": 1.5}, {"level": -0.1}, {"level": float("nan")}, {"level": "half"},
                                    {"level_mm": 401.0}, {"level": 0.5, "level_mm": 10.0}, {}])
def test_bad_levels_are_level_errors(thigh, kwargs):
    with pytest.raises(LevelError):
        thigh.areas(**kwargs)
    with pytest.raises(LevelError):
        thigh.section(**kwargs)



def test_open_ended_inward_facing_tube_is_measured_where_it_closes():
    v, f = cylinder(30, 20.0, 0.0, -100.0, rings=2)
    walls = (v + [300.0, -200.0, 0.0], f[: 2 * 30 * 2][:, ::-1])  # no caps, facing inwards, off-centre
    engine = SectionEngine(model({"femur": cylinder(16, 5.0, 0.0, -100.0), "gracilis": walls}), axis=z_axis(100))
    section = engine.section(0.3)
    assert section.open_structures == ()
    assert section.areas_cm2["gracilis"] * 100 == pytest.approx(polygon_area(30, 20.0), rel=REL)
    assert section.polygons["gracilis"].area == pytest.approx(polygon_area(30, 20.0), rel=1e-9)


def _one_muscle(gracilis: tuple[np.ndarray, np.ndarray], strict: bool = False) -> SectionEngine:
    femur = cylinder(16, 5.0, 0.0, -100.0, centre=(-100, 0))
    return SectionEngine(model({"femur": femur, "gracilis": gracilis}), axis=z_axis(100), strict=strict)


def _figure_eight(n: int = 24) -> np.ndarray:
    """A lemniscate: two equal lobes wound opposite ways, crossing at its centre."""
    angles = 2 * np.pi * np.arange(n) / n
    return np.column_stack([30 * np.cos(angles), 15 * np.sin(2 * angles)])


def test_a_surface_crossing_itself_at_the_level_is_flagged_never_measured():
    engine = _one_muscle(prism(_figure_eight(), 0.0, -100.0))
    section = engine.section(0.5)
    assert section.self_intersecting == ("gracilis",) and section.open_structures == ()
    assert section.without_area == {"gracilis": "self-intersecting"}
    assert "gracilis" not in section.areas_cm2 and "gracilis" not in section.polygons
    assert section.open_contours["gracilis"].length > 0  # drawn like an open contour
    assert section.to_dict()["self_intersecting_structures"] == ["gracilis"]
    assert section.areas_cm2["femur"] * 100 == pytest.approx(polygon_area(16, 5.0), rel=REL)
    with pytest.raises(SectionError, match="gracilis intersects itself"):
        _one_muscle(prism(_figure_eight(), 0.0, -100.0), strict=True).section(0.5)


def test_two_shells_of_one_structure_passing_through_each_other_are_flagged():
    overlapping = merged(cylinder(30, 20.0, 0.0, -100.0), cylinder(30, 20.0, 0.0, -100.0, centre=(15, 0)))
    assert _one_muscle(overlapping).section(0.5).self_intersecting == ("gracilis",)


def test_nested_shells_and_negligible_grazes_are_not_flagged():
    ring = merged(cylinder(40, 30.0, 0.0, -100.0), inverted(cylinder(40, 20.0, 0.0, -100.0)),
                  cylinder(40, 10.0, 0.0, -100.0))  # outer wall, a hole, an island in the hole
    section = _one_muscle(ring).section(0.5)
    expected = polygon_area(40, 30.0) - polygon_area(40, 20.0) + polygon_area(40, 10.0)
    assert section.self_intersecting == () and section.without_area == {}
    assert section.areas_cm2["gracilis"] * 100 == pytest.approx(expected, rel=REL)
    assert section.polygons["gracilis"].area == pytest.approx(expected, rel=1e-9)
    # Two corner points swapped 0.1 mm apart: the outline crosses itself around 0.005 mm^2.
    grazed = np.array([[0.0, 0.0], [40.0, 0.0], [39.9, 40.0], [40.0, 39.9], [0.0, 40.0]])
    section = _one_muscle(prism(grazed, 0.0, -100.0)).section(0.5)
    assert section.self_intersecting == ()
    assert section.areas_cm2["gracilis"] * 100 == pytest.approx(shapely.make_valid(shapely.Polygon(grazed)).area,
                                                                  abs=0.01)
