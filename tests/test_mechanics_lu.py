"""SuperLU factors made in a worker thread and dropped on another are freed: pressure models, cancelled solves.

Found by the monkey's memory budget: with the Pressure panel open, every level change grew the
app by 10–22 MB (measured 15 MB per change on the fixture thigh): the panel builds the model in a
worker thread and the GUI thread drops the old one, and SciPy's SuperLU frees a block only on the
thread that allocated it (scipy #15921). :mod:`thighview.mechanics.lu` makes and frees every kept
factorisation on one thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from resident import held_mb
from synthetic_thigh import synthetic_model

from thighview.mechanics import PressureModel
from thighview.section import SectionEngine

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")

#: Builds measured after one warm-up build. Before the fix each leaked its factors and SuperLU's
#: workspace: resident memory grew 127 MB over these 6, held memory (glibc's ``used``) 1 607 MB.
BUILDS = 6
#: The bound on the growth of held memory over all of them: under 1.5 builds' factors (21 MB each here).
#: After the fix it grows by 0.0-0.1 MB, alone or after the GUI tests. (Resident memory, measured
#: before, also moved by 15-48 MB of free heap the allocator kept after the GUI tests: ``held_mb``.)
BOUND_MB = 30.0
#: Cancelled large-deformation solves measured after one warm-up; BOUND_MB holds for them too.
CANCELS = 4


def test_models_built_in_fresh_threads_and_dropped_here_are_freed():
    model = synthetic_model()
    engine = SectionEngine(model)
    kept: list = []

    def build(level: float) -> None:  # the panel's worker: build; the GUI thread drops the old model
        kept.append(PressureModel.from_section(engine.section(level).for_mechanics(), side=model.side))

    sizes = []
    for i in range(BUILDS + 1):
        worker = threading.Thread(target=build, args=(0.3 + 0.05 * (i % 4),))
        worker.start()
        worker.join()
        model_now = kept.pop()
        lu = model_now.solver._lu
        sizes.append((lu.L.nnz + lu.U.nnz) * 12 / 2**20)  # the factors' size (MB): values and indices
        del model_now, lu  # dropped on this thread, as the GUI thread drops the last level's model
        if i == 0:
            start = held_mb()
    growth = held_mb() - start
    assert min(sizes) > 1.0, "the factors are too small for this test to see them leak"
    assert growth < BOUND_MB, f"held memory grew {growth:.1f} MB over {BUILDS} builds " \
                              f"(factors {np.mean(sizes):.1f} MB each)"


def test_a_large_deformation_solve_cancelled_in_a_worker_frees_its_factors_here():
    """Found while chasing the monkey's slow memory growth: a cancelled Newton solve raised in the
    worker, and its exception, delivered to the GUI thread and dropped there, held the path's frame
    and so its last factorisation (measured: 317 MB never freed per cancelled 40 N solve on the
    built-in thigh; here 76 MB over these 4 before the fix)."""
    from thighview.errors import MechanicsError
    from thighview.mechanics import Contact

    thigh = synthetic_model()
    model = PressureModel.from_section(SectionEngine(thigh).section(0.5).for_mechanics(), side=thigh.side)
    errors: list = []

    def solve() -> None:  # the panel's worker: the user moves the contact during the solve
        polls = iter(range(8))
        try:
            model.solve_path(Contact("anterolateral", "into-bone", 40.0), cancel=lambda: next(polls, 8) >= 8)
        except MechanicsError as exc:
            errors.append(exc)  # handed to the GUI thread, which shows it and drops it

    for i in range(CANCELS + 1):
        worker = threading.Thread(target=solve)
        worker.start()
        worker.join()
        assert "cancelled" in str(errors.pop())  # dropped here, with its traceback
        if i == 0:
            start = held_mb()
    growth = held_mb() - start
    assert growth < BOUND_MB, f"held memory grew {growth:.1f} MB over {CANCELS} cancelled solves"
