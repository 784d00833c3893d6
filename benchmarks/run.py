"""Run every benchmark case and print one JSON object per case.

    python -m benchmarks                 # all cases
    python -m benchmarks section import  # only modules bench_section.py, bench_import.py
    python -m benchmarks --list

Each ``benchmarks/bench_<area>.py`` exposes ``CASES: list[Case]`` (or ``cases() -> list[Case]``
when building inputs is costly). For every case the runner alternates ours and baseline runs,
takes medians of the repeats, and prints
``{"case": ..., "ours_s": ..., "baseline_s": ..., "ratio": baseline_s / ours_s, "targets": {...}, "met": bool}``,
with the median CPU seconds of this process (``ours_cpu_s``, ``baseline_cpu_s``) and the machine's
load, since wall times on a shared machine depend on it.
Ratios, not absolute times, are what we compare across machines.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import statistics
import sys
import time
from pathlib import Path

from benchmarks.case import Case

_HERE = Path(__file__).resolve().parent


def _modules(only: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(_HERE)]) if m.name.startswith("bench_"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only]
    return names


def _cases(module_name: str) -> list[Case]:
    module = importlib.import_module(f"benchmarks.{module_name}")
    if hasattr(module, "cases"):
        return list(module.cases())
    return list(module.CASES)


def _measure_once(case: Case, fn, data) -> tuple[float, float]:
    """Seconds taken by ``fn(data)`` (or what it returns for a case that ``reports`` its own measurement)
    and this process's CPU seconds meanwhile (the machine may be shared: wall time depends on its load)."""
    cpu, start = time.process_time(), time.perf_counter()
    value = fn(data)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return (wall if case.reports is None else float(value)), cpu


def run_case(case: Case) -> dict:
    """Time a case: warm both up once, then alternate ours/baseline ``repeats`` times."""
    data = case.setup()
    case.ours(data)
    case.baseline(data)
    ours, base, ours_cpu, base_cpu = [], [], [], []
    for _ in range(case.repeats):
        for fn, times, cpus in ((case.ours, ours, ours_cpu), (case.baseline, base, base_cpu)):
            value, cpu = _measure_once(case, fn, data)
            times.append(value)
            cpus.append(cpu)
    ours_s, baseline_s = statistics.median(ours), statistics.median(base)
    result = {"case": case.name, "ours_s": ours_s, "baseline_s": baseline_s,
              "ratio": baseline_s / ours_s if ours_s > 0 else float("inf"), "repeats": case.repeats,
              "ours_cpu_s": statistics.median(ours_cpu), "baseline_cpu_s": statistics.median(base_cpu),
              "load_1min": round(os.getloadavg()[0], 2)}
    if case.reports is not None:
        result.update(unit=case.reports, ours_all=ours, baseline_all=base)
    if case.targets:
        checks = {
            "min_ratio": lambda v: result["ratio"] >= v,
            "max_ratio": lambda v: result["ratio"] <= v,
            "max_ours_s": lambda v: ours_s <= v,
        }
        result["targets"] = case.targets
        result["met"] = all(checks[key](value) for key, value in case.targets.items())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="areas to run (e.g. section import); default all")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    failed = False
    for module_name in _modules(args.only):
        for case in _cases(module_name):
            if args.list:
                print(f"{module_name.removeprefix('bench_')}: {case.name}")
                continue
            result = run_case(case)
            failed |= result.get("met") is False
            print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
