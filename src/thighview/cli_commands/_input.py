"""The import options every command that opens a model shares: ``--units``, ``--labels``, ``--side``, ``--axis``.

Use ``add_input_options(parser)`` in ``add_arguments`` and ``load_input(args.model, args)``
in ``run`` so that ``areas``, ``profile``, ``export``, ``info`` and ``convert`` open exactly
what File › Open opens. Commands whose own options clash with ``--side`` take only
``add_axis_option(parser)`` and ``apply_axis(model, args)``.
"""

from __future__ import annotations

import argparse

UNIT_CHOICES = ("auto", "mm", "cm", "m")
AXIS_HELP = ("the axis levels are measured along, for a model without a femur: 'principal' (the thigh's longest "
             "principal axis; levels are fractions of its extent) or two points PROXIMAL:DISTAL as X,Y,Z:X,Y,Z "
             "in model mm (levels are fractions of the distance between them)")


def add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("import options")
    group.add_argument("--units", choices=UNIT_CHOICES, default="auto",
                       help="length unit of a mesh file (default: judged from the anatomy's size)")
    group.add_argument("--labels", metavar="FILE",
                       help="colour table naming a label map's values (Slicer .ctbl/.txt/.csv, ITK-SNAP, JSON)")
    group.add_argument("--side", choices=("right", "left"),
                       help="which thigh to keep when a file holds both (default: the one with a femur)")
    add_axis_option(group)


def add_axis_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--axis", metavar="principal|X,Y,Z:X,Y,Z", help=AXIS_HELP)


def load_input(path, args: argparse.Namespace):
    """``load_model`` with the options from :func:`add_input_options` (missing ones default)."""
    from thighview.io import load_model

    model = load_model(path, units=getattr(args, "units", "auto"), labels=getattr(args, "labels", None),
                       side=getattr(args, "side", None))
    return apply_axis(model, args)


def apply_axis(model, args: argparse.Namespace):
    """Give ``model`` the axis ``--axis`` asks for (none asked: the femur's, found as usual)."""
    spec = getattr(args, "axis", None)
    if spec is not None:
        model.set_axis(parse_axis(spec, model))
    return model


def parse_axis(spec: str, model):
    """``principal`` or ``X,Y,Z:X,Y,Z`` -> a :class:`FemurAxis` for ``model``; ModelError otherwise."""
    from thighview.errors import ModelError
    from thighview.femur_axis import FemurAxis

    text = spec.strip()
    if text.lower() == "principal":
        return FemurAxis.from_principal_axis(model)
    points = []
    for part in text.split(":"):
        try:
            points.append([float(c) for c in part.split(",")])
        except ValueError:
            points = []
            break
    if len(points) != 2 or any(len(p) != 3 for p in points):
        raise ModelError(f"--axis {spec!r}: give 'principal' or two points as X,Y,Z:X,Y,Z (mm, proximal first)")
    return FemurAxis.from_points(model, *points)
