"""The import options every command that opens a model shares: ``--units``, ``--labels``, ``--side``.

Use ``add_input_options(parser)`` in ``add_arguments`` and ``load_input(args.model, args)``
in ``run`` so that ``areas``, ``profile``, ``export``, ``info`` and ``convert`` open exactly
what File › Open opens.
"""

from __future__ import annotations

import argparse

UNIT_CHOICES = ("auto", "mm", "cm", "m")


def add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("import options")
    group.add_argument("--units", choices=UNIT_CHOICES, default="auto",
                       help="length unit of a mesh file (default: judged from the anatomy's size)")
    group.add_argument("--labels", metavar="FILE",
                       help="colour table naming a label map's values (Slicer .ctbl/.txt/.csv, ITK-SNAP, JSON)")
    group.add_argument("--side", choices=("right", "left"),
                       help="which thigh to keep when a file holds both (default: the one with a femur)")


def load_input(path, args: argparse.Namespace):
    """``load_model`` with the options from :func:`add_input_options` (missing ones default)."""
    from thighview.io import load_model

    return load_model(path, units=getattr(args, "units", "auto"), labels=getattr(args, "labels", None),
                      side=getattr(args, "side", None))
