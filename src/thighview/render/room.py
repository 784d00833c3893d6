"""Text sized for a room: the caption a physio's client reads from two metres on a laptop screen.

Letters are legible at 5′ of arc (20/20 acuity); reading a sentence once, rather than at the
acuity limit, needs about twice that (an acuity reserve of 2:1 for spot reading; ergonomics
standards ask 16′ for sustained reading). We take :data:`CAPTION_ARCMIN` = 12′ of cap height. At
:data:`ROOM_DISTANCE_MM` = 2 m that is 7.0 mm, which on the smallest common laptop screen (13.3",
16:9: :data:`LAPTOP_SCREEN_HEIGHT_MM` = 166 mm tall) is 4.2 % of the screen's height, whatever its
pixel count: at least 46 px on a 1080-line screen, 31 px on a 720-line one. The same share of a movie
frame's height holds when the movie is played full screen. The GUI's demo caption
(:mod:`thighview.gui.demo_mode`) and the exported frames (:mod:`thighview.render.pressure2d`) use it.
"""

from __future__ import annotations

import math

ROOM_DISTANCE_MM = 2000.0
CAPTION_ARCMIN = 12.0
LAPTOP_SCREEN_HEIGHT_MM = 166.0   # a 13.3-inch 16:9 screen: 13.3 in x 9 / sqrt(16² + 9²) = 6.52 in
#: How fast a client reads a caption while watching the section (180 words a minute), and a second to look up.
WORDS_PER_SECOND = 3.0
LOOK_SECONDS = 1.0


def room_cap_height_fraction() -> float:
    """The caption's smallest cap height as a fraction of the screen's (or frame's) height."""
    cap_mm = 2.0 * ROOM_DISTANCE_MM * math.tan(math.radians(CAPTION_ARCMIN / 60.0) / 2.0)
    return cap_mm / LAPTOP_SCREEN_HEIGHT_MM


def reading_seconds(caption: str) -> float:
    """How long a captioned step stays on screen at least: time to read its caption once."""
    return LOOK_SECONDS + len(caption.split()) / WORDS_PER_SECOND
