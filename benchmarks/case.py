"""The benchmark case record shared by every ``bench_*`` module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """One named comparison: ``ours`` against ``baseline`` on the same prepared input.

    ``setup`` runs once, untimed, and its return value is passed to both callables (so both
    see the same data). ``ours`` and ``baseline`` must do the same job. ``targets`` states the
    goals the issue sets, e.g. ``{"min_ratio": 20, "max_ours_s": 0.016}``; the runner reports
    whether each is met. ``reports`` (a unit: ``"s"``, ``"MB"``) means the callables return the
    measurement themselves (e.g. a child process's start-up time or resident memory) instead of
    being timed.
    """

    name: str
    ours: Callable[[Any], Any]
    baseline: Callable[[Any], Any]
    setup: Callable[[], Any] = lambda: None
    repeats: int = 7
    targets: dict[str, float] = field(default_factory=dict)
    reports: str | None = None
