"""Sparse LU factors that are made and freed on one thread, so that they are freed at all.

SciPy's SuperLU records every block it allocates in a table of the thread that allocates it and
frees a block only if the freeing thread's table has it (scipy issue #15921, open in 1.17). A
pressure model is factorised in a worker thread and dropped on the GUI thread when the level
changes: its factors (10–20 MB on a thigh section) were never freed, so the app grew by that much
at every level while the Pressure panel was open. Here every kept factorisation is made on one
long-lived thread, and when it is dropped, wherever that happens, its last reference is handed
back to that thread to be released there. The large-deformation Newton steps need it too, though
each solve makes and drops its factorisations in one call: when a solve is cancelled, its exception
carries the solve's frames, and with them the last factorisation, to the GUI thread that shows it
(measured: 317 MB never freed per cancelled 40 N solve on the built-in thigh).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp

_OWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thighview-superlu")
_owner_thread: list[threading.Thread] = []


class Factors:
    """A SuperLU factorisation (``solve`` and its attributes) that is freed on the thread that made it."""

    __slots__ = ("_lu",)

    def __init__(self, lu: Any) -> None:
        self._lu = lu

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        return self._lu.solve(rhs, trans)

    def __getattr__(self, name: str) -> Any:  # only for names a Factors lacks: SuperLU's L, U, perm_r...
        if name == "_lu":  # not set (a copy being made): no endless lookup
            raise AttributeError(name)
        return getattr(self._lu, name)

    def __del__(self) -> None:
        held = [getattr(self, "_lu", None)]  # after this, the list holds the only reference
        self._lu = None
        if _owner_thread and threading.current_thread() is _owner_thread[0]:
            return
        try:
            _OWNER.submit(held.clear)  # the last reference goes on the owner thread
        except RuntimeError:  # the interpreter is shutting down: nothing is kept for long anyway
            pass


def _make(matrix: sp.csc_matrix, kwargs: dict) -> Factors:
    from scipy.sparse.linalg import splu as scipy_splu

    if not _owner_thread:
        _owner_thread.append(threading.current_thread())
    return Factors(scipy_splu(matrix, **kwargs))


def splu(matrix: sp.csc_matrix, **kwargs: Any) -> Factors:
    """:func:`scipy.sparse.linalg.splu` made on the owner thread (see the module note); raises as it does."""
    return _OWNER.submit(_make, matrix, kwargs).result()
