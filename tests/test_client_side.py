"""Either leg: a left thigh is the exact mirror of the right one, in the model, its JSON, sections and figures.

Sections are viewed from below (as CT/MRI): the section's +x is the patient's left, so a
right thigh's lateral side is on the viewer's left and a left thigh's on the viewer's right.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely import affinity

from thighview.export.figures import section_figure
from thighview.export.provenance import provenance
from thighview.io import load_model
from thighview.procedural.client import build_client
from thighview.procedural.measurements import Measurements
from thighview.section import SectionEngine

BODY = dict(sex="female", height_m=1.62, mass_kg=58, thigh_circumference_cm=48, skinfold_mm=28)


@pytest.fixture(scope="module")
def legs(tmp_path_factory):
    out = {}
    for side in ("right", "left"):
        _, _, glb, meta = build_client(Measurements(**BODY, side=side), tmp_path_factory.mktemp(side), resolution=16)
        model = load_model(glb)
        out[side] = (model, SectionEngine(model), json.loads(meta.read_text()))
    return out


def test_the_json_and_the_model_name_the_side(legs):
    for side, (model, _, meta) in legs.items():
        assert meta["side"] == side and model.side == side
        assert meta["client"]["measurements"]["side"] == side
        assert side in model.name
        assert provenance(model, content="section figure")["side"] == side


def _sorted_rows(points: np.ndarray) -> np.ndarray:
    return points[np.lexsort(points.T[::-1])]


def test_the_left_surfaces_are_the_right_ones_mirrored(legs):
    right, left = legs["right"][0], legs["left"][0]
    assert set(right.names) == set(left.names)
    for name in right.names:
        a, b = right[name], left[name]
        assert np.array_equal(_sorted_rows(b.vertices), _sorted_rows(a.vertices * [-1.0, 1.0, 1.0])), name
        assert b.signed_volume_mm3() == pytest.approx(a.signed_volume_mm3(), rel=1e-12), name


@pytest.mark.parametrize("level", [0.3, 0.5, 0.7])
def test_sections_have_equal_areas_and_mirrored_outlines(legs, level):
    right, left = legs["right"][1].section(level), legs["left"][1].section(level)
    for name, area in right.areas_cm2.items():
        assert left.areas_cm2[name] == pytest.approx(area, rel=1e-9, abs=1e-9), name
    cx = right.femur_centre[0]
    assert left.femur_centre[0] == pytest.approx(-cx, abs=1e-6)
    for name, polygon in right.polygons.items():
        if polygon.is_empty:
            continue
        flipped = affinity.scale(polygon, xfact=-1.0, origin=(0.0, 0.0))
        assert shapely.symmetric_difference(flipped, left.polygons[name]).area < 1e-6 * max(polygon.area, 1.0), name


def test_lateral_is_on_the_viewers_left_for_a_right_thigh_and_right_for_a_left(legs):
    for side, sign in (("right", -1.0), ("left", 1.0)):
        section = legs[side][1].section(0.5)
        lateral = section.polygons["vastus_lateralis"].centroid.x - section.femur_centre[0]
        medial = section.polygons["gracilis"].centroid.x - section.femur_centre[0]
        assert np.sign(lateral) == sign and np.sign(medial) == -sign, side


def test_figures_say_lateral_on_the_correct_side(legs):
    for side, (corner_left, corner_right) in (("right", ("LATERAL", "MEDIAL")), ("left", ("MEDIAL", "LATERAL"))):
        fig = section_figure(legs[side][1].section(0.5), side=side, size_px=(800, 700))
        texts = {t.get_text(): t for ax in fig.axes for t in ax.texts}
        assert f"◀ {corner_left}" in texts and f"{corner_right} ▶" in texts, side
        assert any(f"{side.capitalize()} thigh" in t.get_text() for t in fig.texts), side
