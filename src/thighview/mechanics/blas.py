"""One BLAS thread while the mechanics iterate.

Why: the Newton loop hands hundreds of mid-sized dense products to OpenBLAS (numpy's ``einsum``
contracts through ``matmul``) between its sparse solves. OpenBLAS's worker threads spin-wait
between calls, and on a two-core machine that spinning takes the CPU the rest of the app needs: the
40 N sequence took 4.9 s of CPU with the default two threads against 2.8 s with one, in the same
wall time on an idle machine, and 5.4 s against 4.5 s of wall time beside a busy app
(docs/mechanics.md, Speed). OpenBLAS's pool is process-wide, and threadpoolctl lets only one
thread at a time change it: a solve that overlaps another thread's keeps whatever that one set.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@functools.lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController

    importlib.import_module("scipy.sparse.linalg")  # loads SciPy's own OpenBLAS, so the controller sees it

    return ThreadpoolController()


def on_one_blas_thread(function: F) -> F:
    """Run ``function`` with every loaded BLAS on one thread, and restore the setting when it returns."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _controller().limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)
    return wrapper  # type: ignore[return-value]
