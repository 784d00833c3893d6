"""The section engine on the built-in thigh: closed everywhere, anatomical frame, volumes add up."""

from __future__ import annotations

import numpy as np
import pytest

from thighview.anatomy import Compartment
from thighview.section import SectionEngine


@pytest.fixture(scope="module")
def engine(default_model):
    return SectionEngine(default_model)


def test_every_structure_is_closed_at_every_level(engine):
    profile = engine.profile(n=60)
    for name, areas in profile.areas_cm2.items():
        assert not np.isnan(areas).any(), f"{name} is open somewhere"
        assert (areas >= 0).all(), name


def test_profile_integrates_to_the_mesh_volumes(engine, default_model):
    """Areas at 800 levels times the spacing = each muscle's enclosed volume (divergence theorem)."""
    n = 800
    profile = engine.profile(n=n)
    spacing_mm = engine.axis.length_mm / n
    for name, structure in default_model.structures.items():
        if structure.is_muscle:
            volume_cm3 = profile.areas_cm2[name].sum() * spacing_mm / 10.0
            assert volume_cm3 == pytest.approx(structure.signed_volume_mm3() / 1000.0, rel=0.01), name


def test_mid_thigh_section_is_in_the_anatomical_frame(engine):
    section = engine.section(0.5)
    assert np.linalg.norm(section.femur_centre) < 5.0  # the frame's origin is on the femur axis

    def centre(*names):
        return np.mean([section.polygons[n].centroid.coords[0] for n in names], axis=0)

    assert centre("rectus_femoris")[1] > 20  # anterior is up
    assert centre("vastus_lateralis")[0] < -20  # right thigh: lateral on the viewer's left
    assert centre("gracilis")[0] > 20  # medial on the viewer's right
    assert centre("semimembranosus", "semitendinosus", "biceps_femoris_long_head")[1] < -20  # posterior down
    for name, polygon in section.polygons.items():
        assert polygon.area / 100 == pytest.approx(section.areas_cm2[name], rel=1e-9, abs=1e-9), name
    coverage = section.bone_coverage
    assert max(coverage, key=coverage.get) is Compartment.QUADRICEPS
    assert 0.9 < sum(coverage.values()) <= 1.0 + 1e-9
