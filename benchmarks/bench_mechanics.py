"""Pressure demo: moving the contact on the default mid-thigh section.

Ours: the model is assembled and LU-factorised once per section; a new contact place only
builds a new right-hand side and back-substitutes. Baseline: the same job done naively,
re-assembling the same mixed system on the same mesh and factorising it again for the new
contact. Targets from the issue: <= 50 ms per move and >= 10x faster than the baseline.
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
    model.solve(next(contacts))


def _reassemble(data) -> None:
    from thighview.mechanics.fem import ElasticitySolver

    model, contacts = data
    fresh = ElasticitySolver(model.mesh, model.shear_modulus_mpa, model.poisson, fixed_facets=model.fixed_facets,
                             loaded_facets=model.loaded_facets, foundation=model.foundation)
    fresh.solve_with_pressure(model.load_vector(next(contacts)))  # the baseline assembled its own copy too


def cases() -> list[Case]:
    return [Case(name="pressure: move the contact (factorised once) vs re-assemble and solve",
                 ours=_move, baseline=_reassemble, setup=_setup, repeats=7,
                 targets={"min_ratio": 10, "max_ours_s": 0.05})]
