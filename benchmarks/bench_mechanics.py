"""Pressure demo: moving the contact (linear preview) and the large-deformation 40 N sequence.

Preview. Ours: the model is assembled and LU-factorised once per section; a new contact place
only builds a new right-hand side and back-substitutes. Baseline: re-assembling the same mixed
system on the same mesh and factorising it again for the new contact. Targets from the issue:
<= 50 ms per move and >= 10x faster than the baseline.

Large deformation. Ours: the 40 N into-bone sequence on the default mid-thigh section as the app
solves it (:data:`~thighview.mechanics.interface.DEFAULT_FRACTIONS` load steps, bonded at the
muscle attachments, Coulomb friction and lift-off elsewhere on the femur; vectorised assembly
into a fixed sparse pattern, secant predictor, Newton steps by GMRES on a kept LU). Baseline: the
naive loop the issue names, re-assembling with scikit-fem's ``asm`` and re-factorising at every
Newton iteration (:func:`thighview.mechanics.hyperelastic.naive_newton`), with the same load
steps, contact, line search and stopping rule. Target from the issue: <= 2 s. Wall time on a
shared machine follows its load; the CPU seconds (``ours_cpu_s``) are the fairer figure there.
"""

from __future__ import annotations

import itertools

from benchmarks.case import Case

_PLACES = ("anterolateral", "lateral", "posterolateral", "posterior", "medial", "anterior")


def _setup():
    from thighview.io import load_model
    from thighview.mechanics import Contact, PressureModel

    model = PressureModel.from_model(load_model(), 0.5)
    contacts = itertools.cycle([Contact(at, d) for at in _PLACES for d in ("into-bone", "sideways")])
    return model, contacts


def _move(data) -> None:
    model, contacts = data
    model.preview(next(contacts))


def _reassemble(data) -> None:
    from thighview.mechanics.fem import ElasticitySolver

    model, contacts = data
    fresh = ElasticitySolver(model.mesh, model.shear_modulus_mpa, model.poisson, fixed_facets=model.fixed_facets,
                             loaded_facets=model.loaded_facets, foundation=model.foundation)
    fresh.solve_with_pressure(model.load_vector(next(contacts)))  # the baseline assembled its own copy too


def _setup_large():
    from thighview.io import load_model
    from thighview.mechanics import Contact, PressureModel

    model = PressureModel.from_model(load_model(), 0.5)
    load = model.load_vector(Contact("anterolateral", "into-bone", 40.0))
    return model, model.large.solver, model.large.cuts.load(load)


def _large(data) -> None:
    from thighview.mechanics.interface import DEFAULT_FRACTIONS

    model, solver, load = data
    list(solver.path(load, DEFAULT_FRACTIONS, friction=model.friction))


def _naive(data) -> None:
    from thighview.mechanics.hyperelastic import naive_newton
    from thighview.mechanics.interface import DEFAULT_FRACTIONS

    model, solver, load = data
    naive_newton(solver, load, DEFAULT_FRACTIONS, friction=model.friction)


def cases() -> list[Case]:
    return [Case(name="pressure: move the contact (factorised once) vs re-assemble and solve",
                 ours=_move, baseline=_reassemble, setup=_setup, repeats=7,
                 targets={"min_ratio": 10, "max_ours_s": 0.05}),
            Case(name="pressure: large-deformation 40 N with friction at the femur (Newton-Krylov) vs naive Newton",
                 ours=_large, baseline=_naive, setup=_setup_large, repeats=1,
                 targets={"max_ours_s": 2.0})]
