"""The tissue's triangles filled in one numpy pass (:func:`thighview.render.raster.fill_triangles`): each
pixel takes the colour of the triangle its centre lies in, shared edges are painted once, and a
deformed section drawn this way matches Agg's own triangles pixel for pixel inside the triangles."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.path import Path

from thighview.render.raster import fill_triangles


def _centres_inside(triangle: np.ndarray, width: int, height: int) -> np.ndarray:
    """Which pixel centres of a width x height grid lie in the triangle (matplotlib's own point test)."""
    ys, xs = np.mgrid[0:height, 0:width]
    centres = np.column_stack([xs.ravel() + 0.5, ys.ravel() + 0.5])
    return Path(triangle).contains_points(centres).reshape(height, width)


@pytest.mark.parametrize("seed", range(5))
def test_a_triangle_paints_the_pixels_whose_centres_it_holds(seed):
    rng = np.random.default_rng(seed)
    triangle = rng.uniform(2.0, 60.0, size=(3, 2))
    colour = np.array([[200, 30, 90, 255]], dtype=np.uint8)
    image, x0, y0 = fill_triangles(triangle[None], colour, (0, 64, 0, 64))
    painted = np.zeros((64, 64), dtype=bool)
    h, w = image.shape[:2]
    painted[y0:y0 + h, x0:x0 + w] = image[..., 3] > 0     # rows bottom first, as display rows count up
    assert np.array_equal(painted, _centres_inside(triangle, 64, 64))
    assert (image[image[..., 3] > 0] == colour[0]).all()


def test_triangles_that_share_an_edge_paint_each_pixel_once_and_leave_no_gap():
    """A square cut into two triangles along a slanted diagonal: every centre inside is painted, each by
    the triangle that holds it, and nothing outside; the clip box cuts what lies beyond it."""
    square = np.array([[3.3, 2.7], [40.2, 2.7], [40.2, 30.6], [3.3, 30.6]])
    triangles = np.array([square[[0, 1, 2]], square[[0, 2, 3]]])
    colours = np.array([[255, 0, 0, 255], [0, 0, 255, 255]], dtype=np.uint8)
    image, x0, y0 = fill_triangles(triangles, colours, (0, 50, 0, 50))
    canvas = np.zeros((50, 50, 4), dtype=np.uint8)
    canvas[y0:y0 + image.shape[0], x0:x0 + image.shape[1]] = image
    inside = _centres_inside(square, 50, 50)
    assert (canvas[..., 3] > 0).sum() == inside.sum() and (canvas[inside, 3] == 255).all()
    lower = _centres_inside(triangles[0], 50, 50)
    upper = _centres_inside(triangles[1], 50, 50)
    assert (canvas[lower & ~upper] == colours[0]).all() and (canvas[upper & ~lower] == colours[1]).all()
    clipped, cx0, cy0 = fill_triangles(triangles, colours, (10, 20, 5, 9))
    assert (cx0, cy0, clipped.shape[:2]) == (10, 5, (4, 10))


def test_nothing_to_paint_and_bad_corners_are_no_picture():
    flat = np.array([[[1.0, 5.2], [30.0, 5.2], [12.0, 5.2]]])   # no height: no pixel centre inside
    colour = np.full((1, 4), 255, dtype=np.uint8)
    assert fill_triangles(flat, colour, (0, 40, 0, 40)) is None
    assert fill_triangles(np.full((1, 3, 2), np.nan), colour, (0, 40, 0, 40)) is None
    assert fill_triangles(np.array([[[1.0, 1.0], [30.0, 1.0], [1.0, 30.0]]]), colour, (50, 60, 0, 40)) is None


def test_the_deformed_section_matches_agg_s_own_triangles():
    """The pressure drawing's tissue, drawn by the fill and by Agg's triangle call on the same figure: the
    pixels agree except along triangle edges (Agg anti-aliases them, the outlines drawn over hide it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from synthetic_thigh import synthetic_model

    from thighview.mechanics import Contact, PressureModel
    from thighview.mechanics.animation import Scene
    from thighview.render.pressure2d import FrameStyle, PanelDrawer
    from thighview.section import SectionEngine

    model = synthetic_model()
    pressure = PressureModel.from_section(SectionEngine(model).section(0.5), side=model.side)
    scene = Scene.solve(pressure, [Contact("lateral", "sideways")])
    fig = Figure(figsize=(8.0, 8.0), dpi=100, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    panel = PanelDrawer(pressure, FrameStyle()).panel(fig.add_axes((0, 0, 1, 1)))
    panel.update(scene.deformations[0], 1.0, scene)
    canvas.draw()
    renderer = canvas.get_renderer()

    def tissue(draw) -> np.ndarray:
        renderer.clear()
        draw()
        return np.asarray(renderer.buffer_rgba())[..., :3].astype(int)

    faces = panel.faces
    ours = tissue(lambda: faces.draw(renderer))

    def agg() -> None:
        gc = renderer.new_gc()
        faces._set_gc_clip(gc)
        colours = np.broadcast_to(faces.get_facecolor(), (len(faces._triangles), 4))
        renderer.draw_gouraud_triangles(gc, faces._triangles, np.repeat(colours[:, None], 3, axis=1),
                                        faces.get_transform().frozen())
        gc.restore()

    theirs = tissue(agg)
    painted = (theirs != 255).any(axis=2) | (ours != 255).any(axis=2)
    assert painted.mean() > 0.3                                   # the section fills much of the figure
    differ = np.abs(ours - theirs).max(axis=2) > 8
    assert differ[painted].mean() < 0.05, f"{differ[painted].mean():.1%} of the tissue's pixels differ"
