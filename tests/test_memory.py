"""The allocator settings the window makes for a long day's use (glibc only)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

THREADS = 8
#: Each thread allocates while the others hold theirs, so that glibc would give each its own arena.
PROGRAM = textwrap.dedent(f"""
    import sys, threading
    sys.path.insert(0, {str(Path(__file__).parent)!r})
    from resident import arenas_mb
    from thighview._memory import limit_arenas
    if sys.argv[1] == "limit":
        assert limit_arenas(2)
    barrier = threading.Barrier({THREADS})
    def work():
        held = [bytearray(1000) for _ in range(2000)]
        barrier.wait()
    threads = [threading.Thread(target=work) for _ in range({THREADS})]
    for t in threads: t.start()
    for t in threads: t.join()
    print(arenas_mb()["arenas"])
""")


def arenas_after_threads(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_threads_share_two_arenas_once_limited():
    assert arenas_after_threads("limit") <= 2
    assert arenas_after_threads("default") > 2, "without the limit each thread has its own arena"
