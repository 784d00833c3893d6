"""This process's memory as the memory tests and the monkey's budget read it (Linux /proc, glibc)."""

from __future__ import annotations

import sys
from pathlib import Path


def resident_mb() -> float:
    """Resident memory now (MB), after a full collection and ``malloc_trim``, so that it counts what
    is still held, not garbage or free pages glibc keeps."""
    import gc

    from thighview._memory import release_free_memory

    gc.collect()
    release_free_memory()
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")  # no /proc here


def heap_mb() -> dict[str, float]:
    """glibc's heap (``mallinfo2``, MB): what is allocated and what is free but kept, and the count of
    Python's small-object blocks (its own arenas, outside glibc's heap). RSS growth with both flat is
    fragmentation or native memory; growth in ``used`` is something held. Off glibc, only the block count."""
    import ctypes
    import ctypes.util

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    blocks = {"pyblocks": sys.getallocatedblocks()}
    try:
        call = ctypes.CDLL(ctypes.util.find_library("c")).mallinfo2
    except (OSError, AttributeError, TypeError):
        return blocks
    call.restype = MallInfo2
    info = call()
    return {"used": round((info.uordblks + info.hblkhd) / 2**20, 1), "free": round(info.fordblks / 2**20, 1),
            **blocks}
