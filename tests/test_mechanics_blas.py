"""The Newton loop runs on one BLAS thread, and gives the caller's setting back afterwards."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Point
from threadpoolctl import ThreadpoolController

from thighview.mechanics.fem import ElasticitySolver
from thighview.mechanics.hyperelastic import HyperelasticSolver
from thighview.mechanics.meshing import triangulate


def _blas_threads() -> set[int]:
    return {pool.num_threads for pool in ThreadpoolController().select(user_api="blas").lib_controllers}


def test_newton_iterates_on_one_blas_thread_and_restores_the_setting():
    ring = Point(0, 0).buffer(30, 64).difference(Point(0, 0).buffer(10, 32))
    mesh = triangulate(ring, [], lambda p: np.full(len(p), 4.0), 4.0)
    linear = ElasticitySolver(mesh, 0.004, 0.45)
    inner = np.flatnonzero(np.hypot(*linear.ubasis.doflocs) < 11)
    solver = HyperelasticSolver(linear, 0.004, 0.45, fixed=inner)
    load = np.zeros(solver.n_u)
    load[np.argmax(linear.ubasis.doflocs[0])] = 0.01   # a small point load on the outside, along x
    seen = []
    with ThreadpoolController().limit(limits=2, user_api="blas"):   # the caller's setting, whatever the cores
        steps = list(solver.path(load, [0.5, 1.0], cancel=lambda: seen.append(_blas_threads()) or False))
        assert _blas_threads() == {2}
    assert len(steps) == 2 and np.abs(steps[-1].u).max() > 0
    assert seen and all(threads == {1} for threads in seen)
