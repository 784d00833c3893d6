"""``thighview compare A B --level 0.5``: two thighs at the same relative level, and their differences.

A and B are model files or folders, or ``default`` for the built-in thigh. Each side's numbers
are that model's own ``thighview areas`` numbers; differences are B − A in cm² and, for
shares of the muscle area, in percentage points.
"""

from __future__ import annotations

import argparse

HELP = "compare two thighs at the same level: areas per compartment and muscle, differences (cm², points)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="first model file or folder ('default' for the built-in thigh)")
    parser.add_argument("b", metavar="B", help="second model file or folder ('default' for the built-in thigh)")
    parser.add_argument("--level", type=float, default=0.5,
                        help="fraction of each femur's length from its proximal end, 0-1 (default 0.5)")
    parser.add_argument("--by", choices=("both", "compartment", "muscle"), default="both",
                        help="rows per compartment, per structure, or both (default)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="output format (default: table)")


def load_named(path: str):
    """A model file or folder; ``default`` is the built-in thigh."""
    from thighview.io import load_model

    return load_model(None if path == "default" else path)


def run(args: argparse.Namespace) -> int:
    import json

    from thighview.comparison import compare

    comparison = compare(load_named(args.a), load_named(args.b), args.level)
    if args.format == "json":
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(comparison.to_csv(args.by), end="")
    else:
        print(comparison.to_table(args.by))
    return 0
