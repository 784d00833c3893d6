"""The room-sized caption rule (thighview.render.room) and the figures docs/mechanics.md states from it."""

from __future__ import annotations

import math
from pathlib import Path

from thighview.render import room

DOC = Path(__file__).resolve().parents[1] / "docs" / "mechanics.md"


def test_the_rule_gives_the_figures_the_docs_state():
    from thighview.render.pressure2d import _MAX_FOOTER

    cap_mm = room.room_cap_height_fraction() * room.LAPTOP_SCREEN_HEIGHT_MM
    assert round(cap_mm, 1) == 7.0
    assert round(100 * room.room_cap_height_fraction(), 1) == 4.2
    assert math.ceil(room.room_cap_height_fraction() * 1080) == 46
    assert math.ceil(room.room_cap_height_fraction() * 720) == 31
    assert round(13.3 * 25.4 * 9 / math.hypot(16, 9)) == room.LAPTOP_SCREEN_HEIGHT_MM  # a 13.3" 16:9 screen
    doc = " ".join(DOC.read_text().split())
    for stated in (f"{room.CAPTION_ARCMIN:.0f}′ of arc seen from {room.ROOM_DISTANCE_MM / 1000:.0f} m",
                   f"{room.LAPTOP_SCREEN_HEIGHT_MM:.0f} mm tall) that is {cap_mm:.1f} mm",
                   f"{100 * room.room_cap_height_fraction():.1f} % of the screen's height",
                   "at least 46 px on a 1080-line screen",
                   f"{room.WORDS_PER_SECOND:.0f} words a second", f"{100 * _MAX_FOOTER:.0f} % of the height"):
        assert stated in doc, stated


def test_a_step_stays_long_enough_to_read_its_caption():
    assert room.reading_seconds("one two three") == room.LOOK_SECONDS + 1.0
    assert room.reading_seconds("") == room.LOOK_SECONDS
