"""Keep the long-running app's heap compact (glibc).

Loading a model, building its section engine and its 3-D scene make hundreds of megabytes of
short-lived numpy temporaries, many on worker threads; glibc keeps the freed pages in its
arenas, so the app at rest held ~110 MB it no longer used. ``malloc_trim`` returns them.

Each worker thread also gets an arena of its own, up to eight per core (16 on the two-core
machines the app is tested on, measured with ``malloc_info`` after a few hundred monkey steps);
what one arena frees the others cannot reuse, and a half-used page in any of them stays resident.
:func:`limit_arenas` caps them at two before the window starts its workers.

Both are no-ops where the C library lacks them (macOS, Windows, musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


#: glibc's ``mallopt`` parameter for the arena cap (malloc.h).
_M_ARENA_MAX = -8
#: Arenas all the app's threads share: the main one and one more. The short monkey (the same steps each
#: run) ran as fast with two as with sixteen and held 7-17 MB less at the same start states (two A/B runs).
ARENAS = 2


@lru_cache(maxsize=1)
def libc() -> ctypes.CDLL | None:
    """The C library, looked up once (``find_library`` runs ``ldconfig``); None where there is none."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):  # no C library by that name (Windows)
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (threads started later share them); True if it could be set.
    Arenas made before the call stay, so call it before starting threads."""
    setter = getattr(libc(), "mallopt", None)
    return bool(setter is not None and setter(_M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Ask the C allocator to return free heap pages; True if it could be asked."""
    trim = getattr(libc(), "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True
