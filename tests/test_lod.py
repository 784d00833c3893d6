"""Low-detail display meshes: fewer triangles, the same shape, made once per model (disk cache)."""

from __future__ import annotations

import numpy as np
import pytest

from thighview.anatomy import Compartment
from thighview.model import Structure
from thighview.render import lod


def _sphere(radius: float = 40.0) -> Structure:
    import pyvista as pv

    mesh = pv.Sphere(radius=radius, theta_resolution=80, phi_resolution=80).triangulate()
    return Structure("vastus_lateralis", np.asarray(mesh.points), mesh.regular_faces, Compartment.QUADRICEPS)


def test_decimation_keeps_the_shape_with_a_tenth_of_the_triangles():
    sphere = _sphere()
    vertices, faces = lod.low_detail(sphere, sphere.n_triangles // 10)
    low = Structure("low", vertices, faces)
    assert 0.05 * sphere.n_triangles <= low.n_triangles <= 0.11 * sphere.n_triangles
    assert low.signed_volume_mm3() == pytest.approx(sphere.signed_volume_mm3(), rel=0.02)  # closed, outward
    assert np.abs(np.linalg.norm(vertices, axis=1) - 40.0).max() < 1.5


def test_a_small_surface_is_kept_as_it_is():
    sphere = _sphere()
    vertices, faces = lod.low_detail(sphere, sphere.n_triangles)
    assert vertices is sphere.vertices and faces is sphere.faces


def test_meshes_are_made_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("THIGHVIEW_CACHE_DIR", str(tmp_path))
    structures = {"a": _sphere(30.0), "b": _sphere(50.0)}
    made = lod.low_detail_meshes(structures, budget=2000)
    files = list((tmp_path / "low_detail").glob("*.npz"))
    assert len(files) == 1
    monkeypatch.setattr(lod, "low_detail", lambda *_: pytest.fail("decimated again despite the cache"))
    read = lod.low_detail_meshes(structures, budget=2000)
    for name in structures:
        assert np.array_equal(read[name][0], made[name][0]) and np.array_equal(read[name][1], made[name][1])


def test_another_model_or_budget_gets_its_own_entry_and_a_broken_file_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("THIGHVIEW_CACHE_DIR", str(tmp_path))
    one, other = {"a": _sphere(30.0)}, {"a": _sphere(31.0)}
    assert lod.model_key(one, 2000) != lod.model_key(other, 2000) != lod.model_key(one, 3000)
    lod.low_detail_meshes(one, budget=2000)
    path = tmp_path / "low_detail" / f"{lod.model_key(one, 2000)}.npz"
    path.write_bytes(b"not a cache file")
    again = lod.low_detail_meshes(one, budget=2000)
    assert len(again["a"][1]) < one["a"].n_triangles
    with np.load(path) as data:  # rewritten whole
        assert np.array_equal(data["0f"], again["a"][1])


def test_the_scene_draws_the_model_s_own_arrays_with_outward_unit_normals():
    """No second copy of any surface in the 3-D scene (full detail): points and triangles are the model's."""
    import pyvista as pv

    from thighview.model import ThighModel
    from thighview.render.scene3d import ThighScene
    from thighview.render.views import AnatomicalAxes
    from thighview.section import SectionEngine

    sphere = _sphere()
    femur = Structure("femur", sphere.vertices * [0.3, 0.3, 3.0], sphere.faces, Compartment.BONE)
    model = ThighModel({"femur": femur, "vastus_lateralis": sphere})
    plotter = pv.Plotter(off_screen=True, window_size=(200, 200))
    try:
        scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(SectionEngine(model).axis))
        mesh = scene.actors["vastus_lateralis"].mapper.dataset
        assert np.shares_memory(np.asarray(mesh.points), sphere.vertices)
        assert np.shares_memory(np.asarray(mesh.regular_faces), sphere.faces)
        normals = np.asarray(mesh.point_data["Normals"])
        assert normals.dtype == np.float32
        assert np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
        assert np.all(np.einsum("ij,ij->i", normals, sphere.vertices / 40.0) > 0.99)  # outward, as the surface
    finally:
        plotter.close()
