"""Matplotlib figures as pixels: the frames of every movie (section sweeps, the pressure demo)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def figure_rgba(fig: Figure) -> np.ndarray:
    """The figure rendered to an RGBA ``uint8`` array (for movie frames)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def fill_triangles(corners: np.ndarray, colours: np.ndarray, clip: tuple[int, int, int, int]
                   ) -> tuple[np.ndarray, int, int] | None:
    """Flat-coloured triangles rasterised in one pass of numpy: an RGBA image for a raster renderer.

    ``corners`` (n, 3, 2) are in display pixels (y up, as matplotlib's renderers take them),
    ``colours`` (n, 4) ``uint8``, ``clip`` the pixel columns ``x0, x1`` and rows ``y0, y1`` to draw
    in (half-open). A pixel takes the colour of the triangle its centre lies in (scan lines through
    the pixel centres, half-open spans, so triangles that share an edge do not both paint it; where
    triangles overlap, as a folded mesh can, one of them keeps the pixel). Returns the image (rows
    bottom first, as Agg's ``draw_image`` takes them; transparent where no triangle is) and the
    display pixel of its lower left corner, or None if nothing is drawn.

    Why: Agg draws a triangle at a time (a few microseconds each, whatever its size); a deforming
    mesh of a few thousand triangles is drawn each frame of a drag, and this does it several
    times faster with the same pixels inside each triangle (edges are not anti-aliased; the
    outlines drawn over them are).
    """
    p = np.asarray(corners, dtype=float)
    finite = np.isfinite(p).all(axis=(1, 2))
    if not finite.all():
        p, colours = p[finite], np.asarray(colours)[finite]
    if not len(p):
        return None
    cx0, cx1, cy0, cy1 = clip
    x, y = p[:, :, 0].copy(), p[:, :, 1].copy()
    for i, j in ((0, 1), (1, 2), (0, 1)):                   # corners by height: a (lowest), b, c
        swap = y[:, i] > y[:, j]
        for v in (x, y):
            v[swap, i], v[swap, j] = v[swap, j], v[swap, i]
    (xa, xb, xc), (ya, yb, yc) = x.T, y.T
    first = np.clip(np.ceil(ya - 0.5), cy0, cy1).astype(np.int32)   # rows whose centre is in [ya, yc)
    rows = np.maximum(np.clip(np.ceil(yc - 0.5), cy0, cy1).astype(np.int32) - first, 0)
    total = int(rows.sum())
    if not total:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):   # dx/dy of the edges a-c, a-b, b-c (a flat one: unused)
        s_long, s_low, s_high = (xc - xa) / (yc - ya), (xb - xa) / (yb - ya), (xc - xb) / (yc - yb)
    # one span per triangle and row: from the long edge a-c to a-b below b, b-c above
    tri = np.repeat(np.arange(len(p), dtype=np.int32), rows)
    row = np.repeat(first - np.cumsum(rows, dtype=np.int32) + rows, rows) + np.arange(total, dtype=np.int32)
    centre = row + 0.5
    below = centre - ya[tri]
    long = xa[tri] + below * s_long[tri]
    short = np.where(centre >= yb[tri], xb[tri] + (centre - yb[tri]) * s_high[tri], xa[tri] + below * s_low[tri])
    start = np.clip(np.ceil(np.minimum(long, short) - 0.5), cx0, cx1).astype(np.int32)  # centres in [left, right)
    runs = np.clip(np.ceil(np.maximum(long, short) - 0.5), cx0, cx1).astype(np.int32) - start
    keep = np.flatnonzero(runs > 0)
    if not len(keep):
        return None
    tri, row, start, runs = tri[keep], row[keep], start[keep], runs[keep]
    x0, x1 = int(start.min()), int((start + runs).max())
    y0, y1 = int(row.min()), int(row.max()) + 1
    width, size = x1 - x0, (y1 - y0) * (x1 - x0)
    # the image, flat, as runs sorted by where they begin, each cut to begin where the last one ended (a
    # folded mesh), with transparent gaps between them: one np.repeat writes every pixel
    begin = (row - y0) * width + (start - x0)                       # rows bottom first, as the renderer takes them
    low, high = (begin & 0xFFFF).astype(np.uint16), (begin >> 16).astype(np.uint16)
    order = np.argsort(low, kind="stable")                           # two radix sorts of 16 bits: faster
    order = order[np.argsort(high[order], kind="stable")]            # than one comparison sort
    begin = begin[order]
    end = begin + runs[order]
    covered = np.empty_like(end)
    covered[0] = 0
    np.maximum.accumulate(end[:-1], out=covered[1:])
    begin = np.maximum(begin, covered)
    lengths = np.empty(2 * len(begin) + 1, dtype=np.int64)
    lengths[0:-1:2] = begin - covered                               # gap
    lengths[1::2] = np.maximum(end - begin, 0)                      # run
    lengths[-1] = size - int(end.max())
    values = np.zeros(len(lengths), dtype=np.uint32)                # RGBA bytes as one word: 0 is transparent
    values[1::2] = np.ascontiguousarray(colours, dtype=np.uint8).view(np.uint32).ravel()[tri[order]]
    image = np.repeat(values, lengths)
    return image.view(np.uint8).reshape(y1 - y0, width, 4), x0, y0
