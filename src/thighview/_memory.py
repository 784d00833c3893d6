"""Give freed heap memory back to the system after a burst of temporary arrays.

Loading a model, building its section engine and its 3-D scene make hundreds of megabytes of
short-lived numpy temporaries, many on worker threads; glibc keeps the freed pages in its
arenas, so the app at rest held ~110 MB it no longer used. ``malloc_trim`` returns them. A no-op
where the C library has no ``malloc_trim`` (macOS, Windows, musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util


def release_free_memory() -> bool:
    """Ask the C allocator to return free heap pages; True if it could be asked."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):
        return False
    trim(0)
    return True
