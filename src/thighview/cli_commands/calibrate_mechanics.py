"""``thighview calibrate-mechanics``: re-derive the pressure model's fitted data from the built-in thigh.

At each fitted level: the 2-D model's out-of-plane closure fitted to a 3-D solve of the extruded
section (``data/mechanics_closure.json``), then the sensitivity sweep of the headline figures over
plausible tissue parameters (``data/mechanics_ranges.json``). A few minutes.
"""

from __future__ import annotations

import argparse

HELP = "re-derive the pressure model's 3-D closure and parameter ranges (slow: minutes)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out-dir", default=None,
                        help="folder to write mechanics_closure.json and mechanics_ranges.json to (default: the "
                             "package's data folder, replacing the shipped files)")


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from thighview._resources import data_path
    from thighview.export.atomic import atomic_write_text, check_target
    from thighview.io import load_model
    from thighview.mechanics import closure, ranges

    folder = Path(args.out_dir) if args.out_dir else data_path(closure.CLOSURE_FILE).parent
    for name in (closure.CLOSURE_FILE, ranges.RANGES_FILE):   # before the minutes of solving, not after
        check_target(folder / name, force=True)
    thigh = load_model(None)
    slab = closure.slab_for(thigh)
    fits, rows = [], []
    for level in closure.LEVELS:
        print(f"thighview: level {level:g}: 3-D solve, closure fit, parameter sweep", file=sys.stderr, flush=True)
        model, fit = closure.fit_level(thigh, level, slab)
        fits.append(fit)
        error = round(fit.fit_error, 4)
        print(f"thighview: level {level:g}: large-deformation sweep", file=sys.stderr, flush=True)
        large = ranges.sweep_large(model, error, log=lambda line: print(f"  {line}", file=sys.stderr, flush=True))
        rows.append({"level": level, "holding_length_mm": fit.as_dict()["holding_length_mm"],
                     "fit_error": error, "figures": ranges.sweep(model, error), "large_deformation": large})
    for name, doc in ((closure.CLOSURE_FILE, closure.document(thigh, slab, fits)),
                      (ranges.RANGES_FILE, ranges.document(rows))):
        atomic_write_text(folder / name, json.dumps(doc, indent=2) + "\n", force=True)  # never half a file
        print(f"wrote {folder / name}")
    return 0
