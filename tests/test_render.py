"""Rendering for real (VTK off-screen, matplotlib Agg): exact colours at known places.

The scenes are flat-shaded (lighting off) so a structure's pixels carry exactly its colour.
The synthetic prism thigh (tests/synthetic_thigh.py) fixes where each structure is.
"""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_thigh import synthetic_model

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.render import colouring, section2d
from thighview.render.colouring import ColourMode, ColourScheme
from thighview.render.views import VIEWS, AnatomicalAxes, camera_for

pytestmark = pytest.mark.render

QUAD_RED = anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.QUADRICEPS))


@pytest.fixture(scope="module")
def thigh():
    from thighview.section import SectionEngine

    model = synthetic_model()
    engine = SectionEngine(model)
    return model, engine, engine.section(0.5)


def _rgb255(rgb) -> np.ndarray:
    return np.round(np.asarray(rgb) * 255).astype(int)


@pytest.fixture
def scene(thigh):
    """A flat-shaded 3D scene looking down the femur at the section, plane hidden."""
    import pyvista as pv

    from thighview.render.scene3d import ThighScene

    model, engine, section = thigh
    plotter = pv.Plotter(off_screen=True, window_size=(400, 400), lighting="none")
    scene = ThighScene(plotter, model, AnatomicalAxes.from_femur_axis(engine.axis), lighting=False,
                       background=False)
    plotter.set_background("black")
    scene.set_colours(colouring.structure_colours(model.structures.values(), ColourScheme(), section))
    scene.set_section(section)
    scene.set_plane_visible(False)
    scene.view("down_femur")
    yield scene
    plotter.close()


def _display_pixel(scene, section, xy) -> tuple[int, int]:
    """(row, column) in the screenshot of a section-frame point, and VTK's display (x, y)."""
    renderer = scene.plotter.renderer
    renderer.SetWorldPoint(*section.frame.to_3d(np.asarray(xy, dtype=float)), 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    return int(round(x)), int(round(y))


def _interior(section, name) -> np.ndarray:
    from shapely.ops import polylabel

    polygon = max(section.polygons[name].geoms, key=lambda p: p.area)
    point = polylabel(polygon, tolerance=0.1)
    return np.array([point.x, point.y])


def test_3d_section_pixels_have_exact_structure_colours(scene, thigh):
    _, _, section = thigh
    image = scene.plotter.screenshot(return_img=True)
    height = image.shape[0]
    for name in ("vastus_lateralis", "adductor_magnus", "femur", "biceps_femoris_long_head"):
        x, y = _display_pixel(scene, section, _interior(section, name))
        expected = _rgb255(scene._colours[name])
        assert tuple(image[height - 1 - y, x]) == tuple(expected), name
    assert tuple(image[5, 5]) == (0, 0, 0)  # nothing drawn in the corner
    assert tuple(_rgb255(scene._colours["vastus_lateralis"])) == tuple(_rgb255(QUAD_RED))


def test_3d_area_mode_recolours_by_share(scene, thigh):
    model, _, section = thigh
    scheme = ColourScheme(mode=ColourMode.AREA)
    colours = colouring.structure_colours(model.structures.values(), scheme, section)
    scene.set_colours(colours)
    image = scene.plotter.screenshot(return_img=True)
    largest = max((n for n in section.areas_cm2 if model[n].is_muscle), key=section.areas_cm2.get)
    x, y = _display_pixel(scene, section, _interior(section, largest))
    pixel = image[image.shape[0] - 1 - y, x]
    assert tuple(pixel) == tuple(_rgb255(colouring.heat_colour(1.0, 0.0, 1.0)))  # the top of the colour map
    assert tuple(pixel) != tuple(_rgb255(QUAD_RED))


def test_3d_pick_names_the_structure_under_the_cursor(scene, thigh):
    _, _, section = thigh
    scene.plotter.render()
    assert scene.pick(*_display_pixel(scene, section, _interior(section, "vastus_lateralis"))) == "vastus_lateralis"
    assert scene.pick(*_display_pixel(scene, section, (0.0, 0.0))) == "femur"
    assert scene.pick(3, 3) is None


def test_3d_hidden_structure_leaves_the_section(scene, thigh):
    _, _, section = thigh
    scene.set_visible("vastus_lateralis", False)
    image = scene.plotter.screenshot(return_img=True)
    x, y = _display_pixel(scene, section, _interior(section, "vastus_lateralis"))
    assert tuple(image[image.shape[0] - 1 - y, x]) != tuple(_rgb255(QUAD_RED))


def test_section_2d_pixels_and_labels(thigh):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    model, _, section = thigh
    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    colours = colouring.structure_colours(model.structures.values(), ColourScheme(), section)
    drawing = section2d.draw_section(ax, section, colours, side=model.side)
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    for name in ("vastus_lateralis", "adductor_magnus", "semimembranosus"):
        px, py = ax.transData.transform(_interior(section, name) + (0.0, 1.5))  # beside the anchor dot
        assert np.abs(image[image.shape[0] - 1 - int(py), int(px)] - _rgb255(colours[name])).max() <= 1, name
    # anterior is up: rectus femoris (front) is drawn above the biceps (back)
    assert drawing.anchors["rectus_femoris"][1] > drawing.anchors["biceps_femoris_long_head"][1]
    # a right thigh seen from below: the lateral vastus on the viewer's left, the adductor on the right
    assert drawing.anchors["vastus_lateralis"][0] < 0 < drawing.anchors["adductor_magnus"][0]
    renderer = figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in drawing.labels.values()]
    assert len(boxes) >= 7 and "linea_aspera" in drawing.labels
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "labels overlap"


def test_spread_keeps_the_gap_and_the_order():
    targets = np.array([0.0, 0.1, 0.2, 5.0])
    placed = section2d.spread(targets, 1.0)
    assert np.all(np.diff(placed) >= 1.0 - 1e-12)
    assert placed[-1] == pytest.approx(5.0)  # far enough already: untouched
    assert placed[:3].mean() == pytest.approx(0.1)  # the crowded three spread around their mean


def test_structure_at_finds_front_most_region(thigh):
    _, _, section = thigh
    assert section2d.structure_at(section.polygons, 0.0, 0.0) == "femur"
    x, y = _interior(section, "adductor_magnus")
    assert section2d.structure_at(section.polygons, x, y) == "adductor_magnus"
    assert section2d.structure_at(section.polygons, 500.0, 500.0) is None


def test_colour_modes():
    assert colouring.flat_colour("vastus_medialis", ColourScheme()) == QUAD_RED
    muscle = colouring.flat_colour("vastus_medialis", ColourScheme(mode=ColourMode.MUSCLE))
    assert muscle != QUAD_RED
    blind = colouring.flat_colour("vastus_medialis", ColourScheme(palette="colorblind"))
    assert blind == anatomy.hex_to_rgb(anatomy.compartment_colour(Compartment.QUADRICEPS, "colorblind"))


def test_named_views_follow_the_side(thigh):
    from dataclasses import replace

    _, engine, _ = thigh
    right = AnatomicalAxes.from_femur_axis(engine.axis)
    left = AnatomicalAxes.from_femur_axis(replace(engine.axis, side="left"))
    assert right.lateral == pytest.approx([1.0, 0.0, 0.0], abs=1e-9)  # RAS: right thigh lateral is +x
    assert left.lateral == pytest.approx([-1.0, 0.0, 0.0], abs=1e-9)
    position, focal, up = camera_for("anterior", right, np.zeros(3), 100.0)
    assert np.asarray(position) == pytest.approx([0.0, 100.0, 0.0], abs=1e-9)
    assert np.asarray(up) == pytest.approx([0.0, 0.0, 1.0], abs=1e-9)
    assert {v.key for v in VIEWS} >= {"anterior", "posterior", "lateral", "medial", "down_femur"}


def test_section_2d_draws_an_open_surface_dashed_and_says_so():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from thighview.model import Structure
    from thighview.section import SectionEngine

    model = synthetic_model()
    rf = model.structures["rectus_femoris"]
    z = rf.vertices[rf.faces][:, :, 2]
    wall = np.flatnonzero((z.max(axis=1) - z.min(axis=1)) > 100)[:2]  # two side-wall triangles
    model.structures["rectus_femoris"] = Structure("rectus_femoris", rf.vertices, np.delete(rf.faces, wall, axis=0),
                                                   rf.compartment)
    section = SectionEngine(model).section(0.5)
    assert "rectus_femoris" in section.open_structures
    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    colours = colouring.structure_colours(model.structures.values(), ColourScheme(), section)
    drawing = section2d.draw_section(ax, section, colours, side=model.side)
    assert "rectus_femoris" not in drawing.patches  # no filled region: it has no exact area
    dashed = [line for line in ax.get_lines() if line.get_linestyle() not in ("-", "None")]
    assert dashed, "the open contour is not drawn"
    assert any("Open surface here (no exact area): Rectus femoris" in t.get_text() for t in ax.texts)


def test_section_2d_draws_a_self_intersecting_surface_dashed_and_says_so():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from thighview.model import Structure
    from thighview.section import SectionEngine

    model = synthetic_model()
    rf = model.structures["rectus_femoris"]
    shifted = rf.vertices + [5.0, 0.0, 0.0]  # a second shell overlapping the first: the surface passes through itself
    model.structures["rectus_femoris"] = Structure("rectus_femoris", np.vstack([rf.vertices, shifted]),
                                                   np.vstack([rf.faces, rf.faces + len(shifted)]), rf.compartment)
    section = SectionEngine(model).section(0.5)
    assert section.without_area == {"rectus_femoris": "self-intersecting"}
    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    colours = colouring.structure_colours(model.structures.values(), ColourScheme(), section)
    drawing = section2d.draw_section(ax, section, colours, side=model.side)
    assert "rectus_femoris" not in drawing.patches
    assert [line for line in ax.get_lines() if line.get_linestyle() not in ("-", "None")]
    assert any("Self-intersecting surface here (no exact area): Rectus femoris" in t.get_text() for t in ax.texts)


@pytest.mark.parametrize("view", ["anterior", "down_femur"])
def test_3d_camera_keeps_the_thigh_framing_near_the_knee(scene, thigh, view):
    """At 99 % little is left below the cut; the view keeps the thigh's scale instead of zooming onto it."""
    model, engine, _ = thigh

    def pixels_per_mm(level: float) -> float:
        section = engine.section(level)
        scene.set_section(section)
        scene.view(view)
        (x0, y0), (x1, y1) = (_display_pixel(scene, section, xy) for xy in ((0.0, 0.0), (10.0, 0.0)))
        return float(np.hypot(x1 - x0, y1 - y0)) / 10.0

    middle, knee = pixels_per_mm(0.5), pixels_per_mm(0.99)
    assert knee == pytest.approx(middle, rel=0.1)


def test_section_fill_triangles_cover_each_polygon_exactly(thigh):
    """The fill's triangles (ear clipping) cover each structure's polygon, holes and all parts, and
    nothing else."""
    import shapely

    from thighview.render.geometry import triangulate

    _, _, section = thigh
    donut = shapely.Point(0, 0).buffer(10.0).difference(shapely.Point(1, 0).buffer(4.0))
    two_parts = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(3, 0, 5, 2).difference(
        shapely.box(3.5, 0.5, 4.5, 1.5))])
    for polygon in [donut, two_parts, *(p for p in section.polygons.values() if p is not None and not p.is_empty)]:
        triangles = triangulate(polygon)
        covered = shapely.union_all(shapely.polygons(np.concatenate([triangles, triangles[:, :1]], axis=1)))
        assert covered.symmetric_difference(polygon).area < 1e-6 * polygon.area
        edges = triangles[:, [1, 2]] - triangles[:, [0, 0]]
        assert 0.5 * np.abs(edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0]).sum() == \
            pytest.approx(polygon.area, rel=1e-9)  # no overlaps either
