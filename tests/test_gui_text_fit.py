"""No text overlaps other text in the main window, with the pressure demo on, in the normal window and in
``thighview demo``'s presentation mode, on 1280×720, 1600×1000 and 1920×1080 screens.

Each size is a real Xvfb screen of its own (as ``tests/test_gui_screen_sizes.py``), the window opened by
``tests/text_fit.py`` in a subprocess; the boxes are Qt's text widgets and every matplotlib text in the
window's canvases (``tests/text_overlap.py``).
"""

from __future__ import annotations

import pytest
from on_screen import run_on_screen
from text_overlap import TextBox, figure_text_boxes, overlaps

SIZES = ((1280, 720), (1600, 1000), (1920, 1080))


def test_the_checker_sees_overlapping_texts_and_only_those():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=100)
    fig.text(0.1, 0.5, "first caption line")
    fig.text(0.15, 0.51, "second, drawn over it")
    fig.text(0.1, 0.1, "apart")
    hidden = fig.text(0.1, 0.5, "hidden")
    hidden.set_visible(False)
    ax = fig.add_axes((0.5, 0.6, 0.4, 0.3))
    ax.set_axis_off()   # its tick labels are not drawn, so not counted
    boxes = figure_text_boxes(fig)
    assert sorted(b.text for b in boxes) == ["apart", "first caption line", "second, drawn over it"]
    assert overlaps(boxes) == [("first caption line", "second, drawn over it")]
    assert not TextBox("a", 0, 0, 10, 10).meets(TextBox("b", 10, 0, 20, 10), slack=1.0), "touching is not overlap"


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_overlaps_in_the_window_normal_and_presenting(size):
    report = run_on_screen("text_fit.py", size, "TEXT_FIT")
    for mode in ("normal", "presentation"):
        assert report[mode]["texts"] >= 20, f"{mode}: too few texts found to mean anything: {report[mode]}"
        assert not report[mode]["overlaps"], f"{mode} at {size}: overlapping texts {report[mode]['overlaps']}"
