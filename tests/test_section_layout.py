"""The section plate's layout, measured from the matplotlib artists it draws (the GUI's panel
and the exports draw the same function): labels inside the panel, leaders that never cross,
one scale in pixels per cm along the femur, a clear bone-only state below the muscles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from thighview.render import section2d
from thighview.render.colouring import ColourScheme, structure_colours

pytestmark = pytest.mark.render
#: Section panels of the window at 1280×720, 1600×1000 and 1920×1080 (pixels, roughly).
PANELS = ((560, 520), (820, 760), (1000, 860))


@pytest.fixture(scope="module")
def engine(default_model):
    from thighview.section import SectionEngine

    return SectionEngine(default_model)


def _plate(model, engine, level: float, size: tuple[int, int]):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    section = engine.section(level)
    colours = structure_colours(model.structures.values(), ColourScheme())
    extent = section2d.widest_extent(model, section.frame)
    drawing = section2d.draw_section(ax, section, colours, side=model.side, compartments=section.compartments,
                                     extent=extent)
    fig.canvas.draw()
    return fig, ax, section, drawing


def _texts(fig, ax):
    renderer = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]


def _leader_segments(ax, drawing):
    segments = {}
    for key, line in drawing.leaders.items():
        xy = ax.transData.transform(line.get_xydata())
        segments[key] = [(xy[i], xy[i + 1]) for i in range(len(xy) - 1)]
    return segments


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("level", (0.1, 0.5, 0.9))
def test_labels_inside_the_panel_and_leaders_never_cross(default_model, engine, level, size):
    fig, ax, section, drawing = _plate(default_model, engine, level, size)
    panel = ax.get_window_extent()
    assert drawing.labels, "labelled"
    for key, (text, box) in zip(drawing.labels, ((t, t.get_window_extent()) for t in drawing.labels.values())):
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1 and panel.y0 <= box.y0 and box.y1 <= panel.y1, \
            f"{text.get_text()!r} cut by the panel edge at {level:.0%}"
    labelled = {k for k in drawing.labels if k != "linea_aspera"}
    present = {n for n, g in section.polygons.items() if g is not None and not g.is_empty}
    assert labelled <= present, "labels only for structures cut at this level"
    segments = _leader_segments(ax, drawing)
    for a, b in itertools.combinations(segments, 2):
        for p, q in itertools.product(segments[a], segments[b]):
            assert not section2d._segments_cross(*p, *q), f"the leaders of {a} and {b} cross at {level:.0%}"
    boxes = [b for _t, b in _texts(fig, ax)]
    for b1, b2 in itertools.combinations(boxes, 2):
        assert not b1.overlaps(b2), "two texts overlap"


def test_the_scale_stays_fixed_and_the_bone_only_state_is_clear(default_model, engine):
    px_per_cm = []
    for level in (0.1, 0.5, 0.9, 0.99):
        fig, ax, section, drawing = _plate(default_model, engine, level, PANELS[0])
        if level == 0.1:  # near the widest level the plate (labels and section) spans the panel
            boxes = [t.get_window_extent() for t in drawing.labels.values()]
            used = max(b.x1 for b in boxes) - min(b.x0 for b in boxes)
            assert used > 0.75 * ax.get_window_extent().width
        px_per_cm.append(ax.transData.transform((10.0, 0.0))[0] - ax.transData.transform((0.0, 0.0))[0])
        texts = _texts(fig, ax)
        bar = [b for t, b in texts if t.get_gid() == "scale_bar_text"]
        assert len(bar) == 1
        for t, b in texts:
            assert t.get_gid() == "scale_bar_text" or not b.overlaps(bar[0]), f"{t.get_text()!r} on the scale bar"
        notes = [t.get_text() for t, _b in texts]
        assert (section2d.BONE_ONLY_NOTE in notes) == (level == 0.99), level
        assert ("Linea aspera" in notes) == (level == 0.5), "the linea aspera only on the shaft"
    assert np.ptp(px_per_cm) < 1e-6 * px_per_cm[0], px_per_cm
