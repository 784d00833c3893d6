"""The one GIF/MP4 writer: level sweeps, camera turntables and the pressure demo all use it.

Frames are RGB(A) ``uint8`` arrays of one size, from any generator (matplotlib figures,
off-screen pyvista screenshots, the mechanics' deformation frames). The writer streams them
into a temporary file beside the target and publishes it only when the last frame is in
(:mod:`thighview.export.atomic`), so a cancel, an error or a kill never leaves a partial
movie at the target. The provenance record goes into the GIF comment / MP4 ``comment`` tag.
A GIF stores identical consecutive frames once with their durations added (Pillow does
this), so a pause plays as long but counts as one frame; an MP4 keeps every frame.

    write_movie("sweep.mp4", frames, n_frames=60, fps=12, report=TerminalProgress())

or, to drive it step by step (the GUI's worker, with cancel):

    run_steps(movie_steps("sweep.gif", frames, n_frames=60), report=..., cancel=event)
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from pathlib import Path

import numpy as np

from thighview.errors import ExportError, MissingExtraError
from thighview.export.atomic import atomic_path
from thighview.progress import CancelFlag, Progress, Report, Steps, run_steps
from thighview.export.provenance import as_comment

MOVIE_SUFFIXES = (".gif", ".mp4")
#: MP4 needs ffmpeg (imageio-ffmpeg, about 165 MB), an extra of the install; GIF needs only Pillow.
VIDEO_EXTRA = "video"


def require_video(path: str | Path) -> None:
    """Refuse MP4 (in one line naming the extra to install) where imageio-ffmpeg is absent."""
    import importlib.util

    if importlib.util.find_spec("imageio_ffmpeg") is None:
        raise MissingExtraError(f"MP4 export needs ffmpeg, which this install lacks: pip install "
                                f"'thighview[{VIDEO_EXTRA}]' (GIF works without it)", path)


def check_movie_target(path: str | Path) -> None:
    """Refuse, before any frame is drawn, a movie of a type this install cannot write."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MOVIE_SUFFIXES:
        raise ExportError(f"a movie must be .gif or .mp4, not '{suffix or path.name}'", path)
    if suffix == ".mp4":
        require_video(path)


def _rgb(frame: np.ndarray, background: float = 255.0) -> np.ndarray:
    """An RGB ``uint8`` frame; alpha is composited onto white (neither GIF nor H.264 keep it)."""
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ExportError(f"a movie frame must be an RGB(A) image, not an array of shape {frame.shape}")
    if frame.dtype != np.uint8:
        frame = np.clip(np.asarray(frame, dtype=float) * (255.0 if frame.max() <= 1.0 else 1.0), 0, 255)
        frame = frame.astype(np.uint8)
    if frame.shape[2] == 4:
        alpha = frame[..., 3:4].astype(np.float32) / 255.0
        frame = (frame[..., :3] * alpha + background * (1.0 - alpha)).astype(np.uint8)
    return frame


def _even(frame: np.ndarray) -> np.ndarray:
    """H.264 (yuv420p) needs even sides: repeat the last row/column where one is odd."""
    pad_h, pad_w = frame.shape[0] % 2, frame.shape[1] % 2
    if pad_h or pad_w:
        frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return frame


def _writer(temp: Path, fps: float, comment: str | None, loop: bool):
    import imageio.v2 as imageio

    if temp.suffix.lower() == ".gif":
        options = {"duration": 1000.0 / fps, "loop": 0 if loop else 1}
        if comment:
            options["comment"] = comment.encode("utf-8")
        return imageio.get_writer(temp, format="GIF", mode="I", **options)
    params = ["-movflags", "+faststart"]
    if comment:
        params += ["-metadata", f"comment={comment}"]
    return imageio.get_writer(temp, format="FFMPEG", mode="I", fps=fps, codec="libx264", quality=8,
                              macro_block_size=1, pixelformat="yuv420p", ffmpeg_params=params,
                              ffmpeg_log_level="error")


def movie_steps(path: str | Path, frames: Iterable[np.ndarray], *, n_frames: int | None = None,
                fps: float = 12.0, force: bool = False, provenance: dict[str, str] | None = None,
                loop: bool = True) -> Steps:
    """Write ``frames`` to ``path`` (.gif or .mp4), yielding :class:`Progress` after each frame.

    ``n_frames`` is the expected count (for progress; taken from ``len(frames)`` when it has
    one). Closing the generator early deletes the partial file.
    """
    path = Path(path)
    check_movie_target(path)
    if not fps > 0:
        raise ExportError(f"frames per second must be positive, not {fps}", path)
    total = n_frames if n_frames is not None else (len(frames) if isinstance(frames, Sized) else 0)
    comment = as_comment(provenance) if provenance else None
    is_mp4 = path.suffix.lower() == ".mp4"
    with atomic_path(path, force=force) as temp:
        writer = _writer(temp, fps, comment, loop)
        size = None
        count = 0
        try:
            for frame in frames:
                frame = _rgb(frame)
                if is_mp4:
                    frame = _even(frame)
                if size is None:
                    size = frame.shape
                elif frame.shape != size:
                    raise ExportError(f"frame {count + 1} is {frame.shape[1]}x{frame.shape[0]} pixels, "
                                      f"the first was {size[1]}x{size[0]}", path)
                writer.append_data(frame)
                count += 1
                yield Progress(count, max(total, count), path.name)
        finally:
            writer.close()
        if count == 0:
            raise ExportError("no frames to write", path)


def write_movie(path: str | Path, frames: Iterable[np.ndarray], *, n_frames: int | None = None,
                fps: float = 12.0, force: bool = False, provenance: dict[str, str] | None = None,
                loop: bool = True, report: Report | None = None, cancel: CancelFlag | None = None) -> Path:
    """Write a whole movie atomically; see :func:`movie_steps`. Returns ``path``."""
    run_steps(movie_steps(path, frames, n_frames=n_frames, fps=fps, force=force, provenance=provenance,
                          loop=loop), report=report, cancel=cancel)
    return Path(path)
