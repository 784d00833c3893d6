"""Exports of the pressure demo at the size asked (1920×1080 by default for MP4), the same picture as the
app's drawer, the caption at room size in its band, no text overlapping another."""

from __future__ import annotations

import pytest

from text_overlap import figure_text_boxes, overlaps


@pytest.fixture(scope="module")
def toy():
    from thighview.mechanics import PressureModel, toy_section

    return PressureModel.from_polygons(toy_section())


def _frame(toy, size, caption):
    """A fully loaded compare frame drawn as ``frames`` draws it: the figure and its pixels."""
    from thighview.mechanics.loads import Contact
    from thighview.render.pressure2d import FrameStyle, PanelDrawer, _figure, draw_scene, solve_scene
    from thighview.render.raster import figure_rgba
    from thighview.render.room import room_cap_height_fraction

    style = FrameStyle(size_px=size, caption_cap=room_cap_height_fraction())
    scene = solve_scene(toy, [Contact("anterolateral", d) for d in ("into-bone", "sideways")], style, caption)
    fig = _figure(style, 2)
    draw_scene(fig, scene, PanelDrawer(toy, style), 1.0)
    return fig, figure_rgba(fig)


def test_a_1080p_frame_has_the_room_sized_caption_in_its_band_and_no_overlap(toy):
    from thighview.mechanics.demo import GUIDED_DEMO
    from thighview.render.pressure2d import _cap_height_per_point
    from thighview.render.room import room_cap_height_fraction

    step = GUIDED_DEMO[0]
    caption = f"1. {step.title}: {step.caption}"
    fig, pixels = _frame(toy, (1920, 1080), caption)
    assert pixels.shape == (1080, 1920, 4)
    boxes = figure_text_boxes(fig)
    assert not overlaps(boxes), overlaps(boxes)
    assert all(0 <= b.x0 and b.x1 <= 1920 and 0 <= b.y0 and b.y1 <= 1080 for b in boxes)
    shown = next(t for t in fig.texts if t.get_text().replace("\n", " ") == caption)  # wrapped, whole
    cap_px = shown.get_fontsize() * fig.dpi / 72 * _cap_height_per_point()
    assert cap_px >= room_cap_height_fraction() * 1080 - 0.5, f"caption cap height {cap_px:.1f} px"
    band = shown.get_window_extent(fig._get_renderer())
    rows = slice(round(1080 - band.y1), round(1080 - band.y0))  # image rows run downwards
    ink = (pixels[rows, :, :3].min(axis=2) < 128).mean()
    assert ink > 0.02, f"the caption band is nearly blank ({ink:.3f} dark)"
    top_of_band = pixels[: rows.start]
    assert (top_of_band[..., :3].min(axis=2) < 250).mean() > 0.05, "the panels are drawn above the caption"
    assert len(shown.get_text().splitlines()) >= 2, "a long caption at room size wraps"


@pytest.mark.parametrize("size", [(1280, 720), (640, 360), (800, 800)])
def test_captions_wrap_or_shrink_and_never_overlap_at_any_size(toy, size):
    caption = "A long caption " + "that goes on and on " * 12
    fig, pixels = _frame(toy, size, caption)
    assert pixels.shape[:2] == (size[1], size[0])
    boxes = figure_text_boxes(fig)
    assert not overlaps(boxes), overlaps(boxes)
    assert all(b.x1 - b.x0 <= size[0] for b in boxes)
    footer = max(b.y1 for b in boxes if b.text.startswith("A long caption"))
    assert footer <= 0.5 * size[1], "the footer leaves the panels at least half the frame"


def test_animate_writes_1080p_mp4_and_sized_pngs_of_the_guided_demo(tmp_path, capsys):
    import imageio.v3 as iio
    from PIL import Image

    from thighview.cli import main

    movie = tmp_path / "demo.mp4"
    assert main(["animate", "--frames", "2", "--out", str(movie)]) == 0
    first = next(iio.imiter(movie))
    assert first.shape[:2] == (1080, 1920)
    assert main(["animate", "--guided", "--size", "640x360", "--out", str(tmp_path / "step.png")]) == 0
    stills = sorted(tmp_path.glob("step-*.png"))
    assert [p.name for p in stills] == [f"step-{i}.png" for i in range(1, 5)]
    with Image.open(stills[0]) as image:
        assert image.size == (640, 360)
    assert main(["animate", "--guided", "--out", str(tmp_path / "step.png")]) == 1  # exists: refused
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize("size", [(480, 300), (560, 330), (700, 420)])
def test_the_panel_figure_footer_never_overlaps_at_dock_sizes(toy, size):
    """The Pressure dock's figure (the GUI's call: a figure of the canvas's size, a 70-px footer at least):
    at 480x300 the guided caption used to run into the scale note below it."""
    from matplotlib.figure import Figure

    from thighview.mechanics.demo import GUIDED_DEMO
    from thighview.mechanics.loads import Contact
    from thighview.render.pressure2d import FrameStyle, PanelDrawer, draw_scene, solve_scene

    step = GUIDED_DEMO[0]
    style = FrameStyle()
    scene = solve_scene(toy, [Contact(step.at, d) for d in ("into-bone", "sideways")], style,
                        f"1. {step.title}: {step.caption}")
    fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    draw_scene(fig, scene, PanelDrawer(toy, style), 1.0, footer_px=70)
    boxes = figure_text_boxes(fig)
    assert len(boxes) >= 8 and not overlaps(boxes), overlaps(boxes)
