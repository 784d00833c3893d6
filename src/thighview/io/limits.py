"""Size limits for imports, so that a wrong or huge file fails early with a clear message.

Defaults suit a desktop with a few GiB of free memory. Override them per call
(``load_model(path, limits=Limits(max_triangles=...))``) or for a whole process with the
environment variables ``THIGHVIEW_MAX_FILE_MB``, ``THIGHVIEW_MAX_TRIANGLES``,
``THIGHVIEW_MAX_VOXELS``, ``THIGHVIEW_MAX_LABELS`` and ``THIGHVIEW_MAX_IMAGE_PIXELS``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NoReturn

from thighview.errors import LimitExceededError

_ENV = {
    "max_file_mb": "THIGHVIEW_MAX_FILE_MB",
    "max_triangles": "THIGHVIEW_MAX_TRIANGLES",
    "max_voxels": "THIGHVIEW_MAX_VOXELS",
    "max_labels": "THIGHVIEW_MAX_LABELS",
    "max_image_pixels": "THIGHVIEW_MAX_IMAGE_PIXELS",
}


@dataclass(frozen=True)
class Limits:
    """The largest input an import accepts.

    ``max_labels`` also tells label maps from intensity images: a CT or MRI volume has
    thousands of distinct values, a segmentation has tens.
    """

    max_file_mb: float = 2048.0
    max_triangles: int = 20_000_000
    max_voxels: int = 1024**3
    max_labels: int = 1000
    #: A section image's pixels: labelling needs about 40 bytes per pixel (7000 x 7000 = 2 GB).
    max_image_pixels: int = 50_000_000

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, overridden by any ``THIGHVIEW_MAX_*`` environment variable."""
        values = {}
        for f in fields(cls):
            text = os.environ.get(_ENV[f.name])
            if text is None:
                continue
            try:
                value = float(text)
            except ValueError:
                raise LimitExceededError(f"{_ENV[f.name]}={text!r} is not a number") from None
            values[f.name] = value if f.type == "float" else int(value)
        return cls(**values)

    def _refuse(self, key: str, what: str, path: Path | None, how: str = "") -> NoReturn:
        """The one-line error for ``what`` over the limit ``key`` (and how to raise it)."""
        value = getattr(self, key)
        limit = f"{value:.0f} MB" if key.endswith("_mb") else f"{value:,}"
        raise LimitExceededError(f"{what}, over the {limit} limit (raise it with {_ENV[key]}{how})", path)

    def check_file(self, path: Path) -> None:
        size_mb = path.stat().st_size / 2**20
        if size_mb > self.max_file_mb:
            self._refuse("max_file_mb", f"file is {size_mb:.0f} MB", path)

    def check_triangles(self, count: int, path: Path) -> None:
        if count > self.max_triangles:
            self._refuse("max_triangles", f"{count:,} triangles", path)

    def check_voxels(self, shape: tuple[int, ...], path: Path) -> None:
        count = 1
        for n in shape:
            count *= int(n)
        if count > self.max_voxels:
            self._refuse("max_voxels", f"image of {' x '.join(str(int(n)) for n in shape)} = {count:,} voxels", path)

    def check_labels(self, count: int, path: Path) -> None:
        if count > self.max_labels:
            raise LimitExceededError(
                f"{count:,} distinct values: this looks like an intensity image, not a label map "
                f"(the limit is {self.max_labels:,} labels; raise it with {_ENV['max_labels']})", path)

    def check_pixels(self, width: int, height: int, path: Path) -> None:
        count = int(width) * int(height)
        if count > self.max_image_pixels:
            self._refuse("max_image_pixels", f"image of {int(width):,} x {int(height):,} = {count:,} pixels", path,
                         ", or scale the image down")
