"""The septa as frictional interfaces: the mesh cut, the faces chosen from the anatomy, the DOFs mapped back."""

from __future__ import annotations

import numpy as np
import pytest


def _grid(nx: int = 3, ny: int = 2):
    from thighview.mechanics.meshing import TriMesh

    xs, ys = np.meshgrid(np.arange(nx + 1.0), np.arange(ny + 1.0))
    at = lambda x, y: y * (nx + 1) + x  # noqa: E731
    tri = [t for y in range(ny) for x in range(nx)
           for t in ([at(x, y), at(x + 1, y), at(x + 1, y + 1)], [at(x, y), at(x + 1, y + 1), at(x, y + 1)])]
    return TriMesh(np.column_stack([xs.ravel(), ys.ravel()]), np.array(tri)), at


def test_a_cut_duplicates_its_inner_and_boundary_vertices_and_keeps_its_tip():
    from thighview.mechanics.split import split_along

    mesh, at = _grid()
    cut = np.array([[at(0, 1), at(1, 1)], [at(1, 1), at(2, 1)]])   # from the left edge to the middle of the grid
    split = split_along(mesh, cut)
    assert split.copies == 2                                          # (0, 1) on the boundary and (1, 1); not the tip
    assert np.array_equal(split.original[: len(mesh.points)], np.arange(len(mesh.points)))
    assert sorted(split.original[len(mesh.points):]) == [at(0, 1), at(1, 1)]
    assert np.allclose(split.mesh.points, mesh.points[split.original])
    below = mesh.centroids[:, 1] < 1.0
    for v in (at(0, 1), at(1, 1), at(2, 1)):
        lower = set(split.mesh.triangles[below].ravel()[split.original[split.mesh.triangles[below].ravel()] == v])
        upper = set(split.mesh.triangles[~below].ravel()[split.original[split.mesh.triangles[~below].ravel()] == v])
        assert len(lower) == len(upper) == 1
        assert (lower == upper) == (v == at(2, 1))                     # only the tip is shared by both sides
    # the cut mesh has the cut's edges on its boundary (both faces), the uncut one did not
    from skfem import MeshTri

    faces = lambda m: len(MeshTri(m.points.T.copy(), m.triangles.T.copy()).boundary_facets())  # noqa: E731
    assert faces(split.mesh) == faces(mesh) + 2 * len(cut)


@pytest.fixture(scope="module")
def mid_thigh(default_model):
    from thighview.mechanics import PressureModel

    return PressureModel.from_model(default_model, 0.5)


def test_the_cut_face_is_the_one_no_muscle_arises_from(mid_thigh):
    """Vastus medialis arises from the medial septum: its quadriceps face stays bonded and the adductors' is cut;
    at mid-thigh the short head of biceps arises from the lateral septum's hamstring face, which is partly bonded."""
    from thighview.attachments import arises_from

    cuts = mid_thigh.large.cuts
    assert cuts.face["medial_intermuscular_septum"] == "adductors"
    assert cuts.face["posterior_intermuscular_septum"] in ("adductors", "hamstrings")
    assert cuts.bonded_mm["lateral_intermuscular_septum"] > 0
    assert arises_from("vastus_medialis", "medial_intermuscular_septum", 0.5)
    assert not arises_from("vastus_lateralis", "lateral_intermuscular_septum", 0.7)
    # every pair node starts where its partner does (a different DOF), and no muscle beyond the cut face arises
    # from that septum
    pairs = cuts.pairs
    doflocs = cuts.bases.ubasis.doflocs
    assert np.allclose(doflocs[:, pairs.nodes.xdof], doflocs[:, pairs.other_xdof])
    assert not np.intersect1d(pairs.nodes.xdof, pairs.other_xdof).size
    beyond = pairs.nodes.points - pairs.nodes.normal * (mid_thigh.options.septum_layer_mm + 0.6)   # side B
    structures = mid_thigh.shape.structure_at(beyond)
    assert not any(arises_from(m, septum, 0.5) for m, septum in zip(structures, cuts.septum))
    names = set(cuts.septum)
    assert names == {n for n, f in cuts.face.items() if f}


def test_a_section_of_unknown_level_bonds_no_face():
    from thighview.mechanics import PressureModel, toy_section
    from thighview.mechanics.model import MeshOptions

    loose = PressureModel.from_polygons(toy_section(), level=None,
                                        options=MeshOptions(h_fine=2.0, h_skin=3.0, h_coarse=6.0))
    cuts = loose.large.cuts
    assert set(cuts.face) == set(loose.shape.septa) and all(cuts.face.values())
    assert not any(cuts.bonded_mm.values())


def test_the_cut_dofs_map_back_to_the_uncut_mesh_and_loads_keep_their_resultant(mid_thigh):
    """A field continuous across the cuts comes back unchanged (each node the mean of its equal copies); a load's
    resultant on the cut DOFs equals the uncut load's."""
    from thighview.mechanics import Contact

    cuts, lin = mid_thigh.large.cuts, mid_thigh.solver
    assert cuts.split.copies > 20
    field = lambda locs: 0.3 * locs[0] - 0.2 * locs[1] + 1.0  # noqa: E731
    assert np.allclose(cuts.restrict @ field(cuts.bases.ubasis.doflocs), field(lin.ubasis.doflocs))
    load = mid_thigh.load_vector(Contact("anterolateral", "sideways", 40.0))
    cut_load = cuts.load(load)
    for c in (0, 1):
        assert cut_load[cuts.bases.dof_component() == c].sum() == pytest.approx(
            load[lin.dof_component() == c].sum(), rel=1e-12)


@pytest.fixture(scope="module")
def sideways(mid_thigh):
    from thighview.mechanics import Contact

    return mid_thigh.solve(Contact("anterolateral", "sideways", 40.0), nonlinear=True)


def test_the_readout_reports_each_cut_septum_with_its_state_and_slip(sideways):
    interfaces = sideways.readout(with_ranges=False).as_dict()["interfaces"]
    for name, cut in sideways.septa.items():
        entry = interfaces[name]
        assert entry["state"] == cut.shares and sum(cut.shares.values()) == pytest.approx(1.0, abs=1e-3)
        assert entry["cut_face"] == cut.face
        assert 0 < cut.slip_mm[1] <= cut.slip_mm[0]
        assert "Coulomb" in entry["model"]
    assert interfaces["femur"]["state"]["bonded"] > 0


@pytest.fixture(scope="module")
def into_bone(mid_thigh):
    from thighview.mechanics import Contact

    return mid_thigh.solve(Contact("anterolateral", "into-bone", 40.0), nonlinear=True)


def test_into_the_bone_presses_the_lateral_septum_together_and_sideways_pulls_it_apart(into_bone, sideways):
    name = "lateral_intermuscular_septum"
    print(f"normal stress across the lateral septum: into the bone {into_bone.septa[name].normal_kpa:.2f} kPa, "
          f"sideways {sideways.septa[name].normal_kpa:.2f} kPa")
    assert into_bone.septa[name].normal_kpa > 0 > sideways.septa[name].normal_kpa


@pytest.mark.parametrize("direction", ["into-bone", "sideways"])
def test_friction_holds_a_septum_only_where_its_faces_are_pressed_together(mid_thigh, into_bone, sideways, direction):
    """Without friction every cut node slides. Where the push presses the faces together (into the bone, the lateral
    septum) friction holds them: they slip less with it than without; where they are pulled apart (sideways) it
    holds nothing and the slip is the frictionless one."""
    from thighview.mechanics import Contact

    held = (into_bone if direction == "into-bone" else sideways).septa["lateral_intermuscular_septum"]
    free = mid_thigh.solve_path(Contact("anterolateral", direction, 40.0), friction=0.0)
    free = free.septa["lateral_intermuscular_septum"]
    print(f"{direction}: lateral septum mean slip {held.slip_mm[1]:.4f} mm with friction, {free.slip_mm[1]:.4f} "
          f"without; normal stress {held.normal_kpa:.2f} kPa")
    assert free.shares["stick"] == 0.0
    if held.normal_kpa > 0:
        assert held.shares["stick"] > 0 and free.slip_mm[1] > 1.05 * held.slip_mm[1]
    else:
        assert free.slip_mm[1] == pytest.approx(held.slip_mm[1], rel=0.01)


def test_the_medial_and_posterior_septa_are_pulled_apart_on_average_either_way(into_bone, sideways):
    for result in (into_bone, sideways):
        for name in ("medial_intermuscular_septum", "posterior_intermuscular_septum"):
            assert result.septa[name].normal_kpa < 0


@pytest.mark.parametrize("level", [0.3, 0.5, 0.7])
def test_the_slip_across_a_cut_stays_under_one_element(default_model, into_bone, sideways, level):
    """Node-to-node pairs are exact for small sliding: for the demo's hand at 30/50/70 % of the femur, both
    directions, no pair slides as far as one fine element."""
    from thighview.mechanics import Contact, PressureModel

    if level == 0.5:   # the mid-thigh pair, solved once for the other tests too
        results = [into_bone, sideways]
    else:
        model = PressureModel.from_model(default_model, level)
        results = [model.solve(Contact("anterolateral", d, 40.0), nonlinear=True) for d in ("into-bone", "sideways")]
    for result in results:
        largest = max(cut.slip_mm[0] for cut in result.septa.values())
        print(f"{result.model.level:.0%} {result.contact.direction}: largest slip across a cut {largest:.2f} mm")
        assert 0 < largest < result.model.options.h_fine


def test_a_push_added_to_a_pull_along_the_skin_leaves_the_lateral_septum_in_tension_and_unheld(mid_thigh):
    """The model's outcome at the septa for the bone's test of the hold (docs/mechanics.md, "At the septa"): 20 N along
    the skin at the anterolateral thigh, alone or with 20 N more into the bone, puts the lateral septum in tension
    either way, so friction (none or 0.5) holds nothing there and the push does not reduce the slip across it."""
    from thighview.mechanics import Contact

    along = 20.0
    for friction in (0.0, 0.5):
        alone, pushed = (mid_thigh.solve_path(Contact("anterolateral", "sideways", force_n=f, lean_deg=lean,
                                                      side="anterior"), fractions=(0.25, 0.5, 0.75, 1.0),
                                              friction=friction).septa["lateral_intermuscular_septum"]
                         for f, lean in ((along, 90.0), (along * np.sqrt(2.0), 45.0)))
        print(f"friction {friction}: lateral septum {alone.normal_kpa:+.2f} -> {pushed.normal_kpa:+.2f} kPa, "
              f"mean slip {alone.slip_mm[1]:.4f} -> {pushed.slip_mm[1]:.4f} mm")
        assert alone.normal_kpa < 0 and pushed.normal_kpa < 0
        assert pushed.shares["stick"] == alone.shares["stick"] == 0.0
        assert pushed.slip_mm[1] >= alone.slip_mm[1]
