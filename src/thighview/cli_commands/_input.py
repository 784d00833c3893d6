"""The import options every command that opens a model shares: ``--units``, ``--labels``, ``--side``,
``--axis``, ``--femur-length MM``, ``--assign NAME=COMPARTMENT``, and for a labelled section image ``--pixel-size`` and
``--colour-map``.

Use ``add_input_options(parser)`` in ``add_arguments`` and ``load_input(args.model, args)``
in ``run`` so that ``areas``, ``profile``, ``export``, ``info`` and ``convert`` open exactly
what File › Open opens. Commands whose own options clash with ``--side`` take only
``add_model_options(parser)`` (``--axis``, ``--assign``, ``--pixel-size``, ``--colour-map``), open the
model with ``load_model(path, **image_options(args))`` and call ``apply_model_options(model, args)``.
A single cross-section has one level: :func:`section_levels` gives it, and refuses others.
``--assign`` does on the command line what the Structures panel's "assign to compartment" does
in the app (a structure the vocabulary does not know is otherwise "unassigned", not muscle).
"""

from __future__ import annotations

import argparse

UNIT_CHOICES = ("auto", "mm", "cm", "m")
ASSIGN_HELP = ("put a structure in a compartment (repeatable): NAME as `thighview info` lists it (or as the file "
               "names it), COMPARTMENT one of {choices}")
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
                       help="which thigh to keep when a file holds both (default: the one with a femur); for a "
                            "single section, which thigh it is (default: judged from where the adductors lie)")
    add_model_options(group)


def add_model_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--axis`` and ``--assign`` (what the user decides about a model once it is open), and how to
    read a labelled section image: ``--pixel-size`` and ``--colour-map``."""
    from thighview.anatomy import Compartment  # stdlib-only module: no numpy behind it

    parser.add_argument("--axis", metavar="principal|X,Y,Z:X,Y,Z", help=AXIS_HELP)
    parser.add_argument("--assign", metavar="NAME=COMPARTMENT", action="append", default=[],
                        help=ASSIGN_HELP.format(choices=", ".join(c.value for c in Compartment)))
    parser.add_argument("--femur-length", type=float, metavar="MM",
                        help="for a scan holding part of the femur (knee or hip end): the whole femur's length, so "
                             "levels become fractions of it (stated as estimated); default: mm from the landmark")
    parser.add_argument("--pixel-size", type=float, metavar="MM",
                        help="millimetres per pixel of a labelled section image (default: assume the femur's "
                             "typical mid-shaft diameter, and say so)")
    parser.add_argument("--colour-map", metavar="FILE.json",
                        help="which structure each colour of a section image (or coloured mesh) stands for, as "
                             '{"#ff0000": "quadriceps", ...} (default: red quadriceps, green adductors, blue '
                             "hamstrings, white femur, yellow fat)")


LEVEL_HELP = "as a percentage of femur length from the proximal end (30%%) or a fraction (0.3)"


def level_fraction(text: str) -> float:
    """A level as the app shows it (``"30%"``, ``"30 %"``) or as a fraction (``"0.3"``) -> 0.3.

    A bare number above 1 is refused with the percentage it probably meant (LevelError)."""
    from thighview.errors import LevelError

    spec = text.strip()
    percent = spec.endswith("%")
    try:
        value = float(spec.rstrip("%").strip())
    except ValueError:
        raise LevelError(f"cannot read the level {text!r}: give a percentage like 30% or a fraction like 0.3") from None
    if not percent and value > 1.0:
        raise LevelError(f"level {text!r} is outside the femur (0 to 1, or 0% to 100%): did you mean {spec}%?")
    return value / 100.0 if percent else value


def level_argument(text: str) -> float:
    """:func:`level_fraction` as an argparse ``type`` (its error becomes argparse's one-line usage error)."""
    from thighview.errors import LevelError

    try:
        return level_fraction(text)
    except LevelError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def image_options(args: argparse.Namespace) -> dict:
    """``load_model`` keywords from ``--pixel-size`` and ``--colour-map``."""
    return {"pixel_size": getattr(args, "pixel_size", None), "colour_map": getattr(args, "colour_map", None)}


def section_levels(model, levels: list[float] | None, default: list[float]) -> list[float]:
    """The levels to cut ``model`` at: the asked ones (or ``default``); a single cross-section's one
    level, where asking for any other is a LevelError (it has no levels to choose)."""
    from thighview.errors import LevelError

    if model.flat is None:
        return list(default) if levels is None else list(levels)
    if levels is not None:
        raise LevelError(f"this model is a single section ({model.flat.kind}) with one level: "
                         "leave out --level/--levels", model.source)
    return [model.flat.level]


def refuse_single_section(model, what: str) -> None:
    """LevelError for work along the thigh (a profile, a level sweep) on a single cross-section."""
    from thighview.errors import LevelError

    if model.flat is not None:
        raise LevelError(f"this model is a single section ({model.flat.kind}): it has no {what}", model.source)


def load_input(path, args: argparse.Namespace):
    """``load_model`` with the options from :func:`add_input_options` (missing ones default)."""
    from thighview.io import load_model

    model = load_model(path, units=getattr(args, "units", "auto"), labels=getattr(args, "labels", None),
                       side=getattr(args, "side", None), **image_options(args))
    return apply_model_options(model, args)


def apply_model_options(model, args: argparse.Namespace):
    """Give ``model`` the compartments ``--assign`` sets and the axis ``--axis`` asks for (none
    asked: the femur's, found as usual), and print the import's warnings (an assumed scale, a
    colour no entry maps) to stderr, one line each."""
    import sys

    for warning in model.provenance.get("warnings", []):
        print(f"thighview: warning: {model.source}: {warning}", file=sys.stderr)
    for name, compartment in parse_assignments(getattr(args, "assign", None) or [], model).items():
        model.structures[name].compartment = compartment
    spec = getattr(args, "axis", None)
    if spec is not None:
        if model.flat is not None:
            from thighview.errors import ModelError

            raise ModelError(f"--axis does not apply to a single section ({model.flat.kind}): it is cut in its "
                             "own plane", model.source)
        model.set_axis(parse_axis(spec, model))
    femur_length = getattr(args, "femur_length", None)
    if femur_length is not None:
        model.set_axis(model.femur_axis.with_femur_length(femur_length, model.source))
    return model


def parse_assignments(specs: list[str], model) -> dict:
    """``["NAME=COMPARTMENT", ...]`` -> {structure name: Compartment}; ModelError naming what is wrong.

    NAME is the structure's name in the model or the name the file gave it (case and spaces
    aside); COMPARTMENT its value or label (``other_muscle``, ``"other muscle"``).
    """
    from thighview.anatomy import Compartment
    from thighview.errors import ModelError

    def key(text: str) -> str:
        return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())

    names = {}
    for structure in model.structures.values():
        for alias in (structure.raw_name, structure.name):  # the model's own name wins a clash
            if alias:
                names[key(alias)] = structure.name
    compartments = {key(c.value): c for c in Compartment}
    assignments = {}
    for spec in specs:
        name, equals, compartment = spec.rpartition("=")
        if not equals or not name.strip():
            raise ModelError(f"--assign {spec!r}: give NAME=COMPARTMENT, e.g. --assign 'Segment_7=adductors'",
                             model.source)
        if key(name) not in names:
            known = ", ".join(sorted(model.structures))
            raise ModelError(f"--assign {spec!r}: this model has no structure {name.strip()!r} (it has: {known})",
                             model.source)
        if key(compartment) not in compartments:
            raise ModelError(f"--assign {spec!r}: {compartment.strip()!r} is not a compartment "
                             f"({', '.join(c.value for c in Compartment)})", model.source)
        assignments[names[key(name)]] = compartments[key(compartment)]
    return assignments


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
