"""The first window fits 1280×720, 1600×1000 and 1920×1080 screens with every dock tab open, and its
section panel keeps one scale, with no label cut, no crossing leaders and no overlapping text at
10 %, 50 %, 90 % and 99 % of femur length.

Each size is a real Xvfb screen of its own (pyvirtualdisplay, which pytest-xvfb uses) with the
window opened by ``tests/screen_fit.py`` in a subprocess, as a first start would open it.
"""

from __future__ import annotations

import pytest
from on_screen import run_on_screen

pytestmark = pytest.mark.gui
SIZES = ((1280, 720), (1600, 1000), (1920, 1080))


def _inside(inner, outer) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return w > 0 and h > 0 and ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_window_fits_the_screen_with_every_tab_open(size):
    report = run_on_screen("screen_fit.py", size, "SCREEN_FIT", timeout=300)
    screen = report["screen"]
    assert screen[2:] == list(size)
    assert set(report["tabs"]) >= {"Areas", "Structures", "Pressure"}
    first = report["tabs"]["Areas"]["window"]
    assert first[2] >= 0.9 * min(size[0], 1920) and first[3] >= 0.9 * min(size[1], 1200), "uses the screen"
    for tab, where in report["tabs"].items():
        assert _inside(where["window"], screen), f"{tab}: the window {where['window']} leaves the screen {screen}"
        assert where["window"] == first, f"opening {tab} resized the window"
        for part in ("slider", "status"):  # wholly on screen: shown region == the widget's own size
            shown = where[f"{part}_shown"]
            assert _inside(shown, screen) and shown[2:] == where[part][2:], f"{tab}: {part} cut or hidden"
    areas = report["tabs"]["Areas"]
    assert _inside(areas["table_shown"], screen)
    assert areas["table_shown"][3] >= 6 * areas["table_row"], "the Areas table shows at least six rows"
    for level, layout in report["section"].items():  # the section panel in this window, at this level
        assert layout["labels"] and not layout["cut"], f"{level}: labels cut by the panel edge: {layout['cut']}"
        assert not layout["crossing"], f"{level}: crossing leaders {layout['crossing']}"
        assert not layout["overlaps"], f"{level}: overlapping texts {layout['overlaps']}"
    scales = [layout["px_per_cm"] for layout in report["section"].values()]
    assert max(scales) - min(scales) < 1e-6 * scales[0], f"one scale along the femur: {scales}"
