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


def held_mb() -> float:
    """Memory the process holds (MB): glibc's allocated heap and mmapped blocks after a full collection,
    or the resident memory off glibc. Why not RSS: a freed block can stay resident as free heap that
    ``malloc_trim`` does not return (measured: 15-48 MB over one test, with ``used`` flat, after the
    GUI tests ran in the same process), so RSS tests a leak only as well as the allocator's state allows."""
    import gc

    gc.collect()
    used = heap_mb().get("used")
    return resident_mb() if used is None else used


def heap_mb() -> dict[str, float]:
    """glibc's heap (``mallinfo2``, MB): what is allocated and what is free but kept, and the count of
    Python's small-object blocks (its own arenas, outside glibc's heap). RSS growth with both flat is
    fragmentation or native memory; growth in ``used`` is something held. Off glibc, only the block count."""
    import ctypes

    from thighview._memory import libc

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    blocks = {"pyblocks": sys.getallocatedblocks()}
    call = getattr(libc(), "mallinfo2", None)
    if call is None:
        return blocks
    call.restype = MallInfo2
    info = call()
    return {"used": round((info.uordblks + info.hblkhd) / 2**20, 1), "free": round(info.fordblks / 2**20, 1),
            **blocks}


def arenas_mb() -> dict[str, float]:
    """glibc's arenas (``malloc_info``): how many, and what they hold from the system (MB, summed
    over heaps) against their free chunks. Many arenas with much free is per-thread fragmentation.
    Empty off glibc."""
    import ctypes
    import re

    from thighview._memory import libc

    c = libc()
    if c is None or not hasattr(c, "malloc_info") or not hasattr(c, "open_memstream"):
        return {}
    c.open_memstream.restype = ctypes.c_void_p
    buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
    stream = c.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
    c.malloc_info(0, ctypes.c_void_p(stream))
    c.fclose(ctypes.c_void_p(stream))
    xml = ctypes.string_at(buffer, size.value).decode()
    c.free(buffer)
    heaps = re.findall(r'<heap nr="\d+">(.*?)</heap>', xml, re.S)
    current = [int(m) for h in heaps for m in re.findall(r'<system type="current" size="(\d+)"', h)]
    free = [sum(int(x) for x in re.findall(r'<total type="(?:fast|rest)" count="\d+" size="(\d+)"', h))
            for h in heaps]
    mmapped = re.search(r'<total type="mmap" count="(\d+)" size="(\d+)"/>\s*<system type="current"', xml)
    return {"arenas": len(heaps), "system": round(sum(current) / 2**20, 1), "free": round(sum(free) / 2**20, 1),
            "mmap_chunks": int(mmapped.group(1)) if mmapped else -1,
            "mmap": round(int(mmapped.group(2)) / 2**20, 1) if mmapped else -1.0}


def mapped_mb() -> dict[str, float]:
    """Resident memory by kind of mapping (``/proc/self/smaps``, MB): the main heap (``[heap]``),
    anonymous maps (threads' arenas, large blocks, Python's arenas, native libraries' buffers), and
    files (libraries' code and data). Empty without /proc."""
    import re

    smaps = Path("/proc/self/smaps")
    totals = {"heap": 0, "anon": 0, "files": 0}
    kind = None
    for line in smaps.read_text().splitlines() if smaps.exists() else []:
        head = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
        if head:
            name = head.group(1)
            kind = "heap" if name == "[heap]" else "files" if name.startswith("/") else "anon"
        elif line.startswith("Rss:") and kind:
            totals[kind] += int(line.split()[1])
    return {k: round(v / 1024, 1) for k, v in totals.items()}
