"""``thighview pressure [MODEL]``: what one contact does to the section (slip, compression), as a table or JSON."""

from __future__ import annotations

import argparse

from thighview.app.pressure import DIRECTION_PRESETS
from thighview.cli_commands._input import LEVEL_HELP, add_model_options, level_argument

HELP = "simulate a contact on the skin at a level: slip at the septa and femur, compression at the bone"

PLACES_HELP = ("anterior, anterolateral, lateral, posterolateral, posterior, posteromedial, medial, anteromedial, "
               "or an angle in degrees (0 = anterior, positive towards lateral)")


def add_load_arguments(parser: argparse.ArgumentParser, default_direction: str) -> None:
    """Arguments shared with ``thighview animate``; ``--direction`` is one of the app's presets."""
    parser.add_argument("model", nargs="?", help="a model file or folder (default: the built-in thigh)")
    parser.add_argument("--level", type=level_argument, default=None,
                        help=f"level along the femur, {LEVEL_HELP} (default 50%%; a single section has only its own)")
    parser.add_argument("--at", default="anterolateral", help=f"where the contact is: {PLACES_HELP}")
    parser.add_argument("--direction", choices=tuple(DIRECTION_PRESETS), default=default_direction,
                        help="into-bone: aimed at the femur's centre; sideways: perpendicular to the femur, past it")
    parser.add_argument("--side", choices=("anterior", "posterior", "lateral", "medial"),
                        help="which way a sideways push goes (default: anterior, or lateral at the front/back)")
    parser.add_argument("--lean", type=float, default=None, metavar="DEG",
                        help="degrees between the push and the line into the bone: 0 = into the bone, 90 = along the "
                             "skin, perpendicular to the femur (default: into-bone 0; sideways 26.6, the friction "
                             "limit of a hand on dry skin)")
    parser.add_argument("--friction", type=float, default=None,
                        help="friction coefficient where tissue slides on the bone (default 0.089, the middle of "
                             "the measured range 0.016-0.5)")
    parser.add_argument("--large-deformation", action="store_true",
                        help="solve with large deformation and friction at the bone and septa, in load steps (seconds a "
                             "load; see docs/mechanics.md) instead of the linear small-strain model")
    parser.add_argument("--force", type=float, default=40.0, help="force in newtons (default 40)")
    parser.add_argument("--tool", choices=("thumb", "hand", "ball"), default="hand",
                        help="contact: thumb 20x25 mm, hand 60x80 mm, ball 35x35 mm (width x length along the thigh)")
    parser.add_argument("--sliding-kpa", type=float, default=None,
                        help="shear modulus of the sliding layers at septa and femur, kPa (a modelling choice; "
                             "default 2)")
    parser.add_argument("--fat-mm", type=float, default=None,
                        help="for a model without skin or fat: the fat layer added around its muscles for the "
                             "mechanics only (default: 10.4 mm, the mean anterior mid-thigh thickness by ultrasound)")
    add_model_options(parser)


def pressure_model(args: argparse.Namespace):
    """The thigh model and the factorised pressure model of the requested level."""
    from thighview.cli_commands._input import apply_model_options, image_options, section_levels
    from thighview.errors import LevelError
    from thighview.io import load_model
    from thighview.mechanics import PressureModel

    if args.level is not None and not 0.0 <= args.level <= 1.0:
        raise LevelError(f"level must be a fraction between 0 and 1 of the femur length, not {args.level}")
    model = apply_model_options(load_model(args.model, **image_options(args)), args)
    args.level = section_levels(model, None if args.level is None else [args.level], [0.5])[0]
    from thighview.section import SectionEngine

    section = SectionEngine(model).section(args.level)
    if section.envelope_note:
        import sys

        from thighview.section import default_fat_mm

        thickness = default_fat_mm() if args.fat_mm is None else args.fat_mm
        print(f"thighview: note: {section.envelope_note}; for the mechanics only, a {thickness:g} mm fat layer is "
              "added around it (change with --fat-mm)", file=sys.stderr)
    return model, PressureModel.from_model(model, args.level, section=section, fat_mm=args.fat_mm,
                                           sliding_kpa=args.sliding_kpa, friction=args.friction)


def contact(args: argparse.Namespace, direction: str):
    from thighview.mechanics import Contact, tool_named

    lean = 0.0 if direction == "into-bone" and args.direction == "compare" else args.lean
    return Contact(at=args.at, direction=direction, force_n=args.force, tool=tool_named(args.tool), side=args.side,
                   lean_deg=lean)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_load_arguments(parser, default_direction="into-bone")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.add_argument("--check-3d", action="store_true",
                        help="also solve the section extruded along the femur in 3-D (linear elastic, the tool's real "
                             "length; tens of seconds) and show the 2-D and 3-D results side by side")


def run(args: argparse.Namespace) -> int:
    import json

    from thighview.mechanics import compare_summary
    from thighview.mechanics.results import compare_ratios, side_by_side

    model, pressure = pressure_model(args)
    directions = DIRECTION_PRESETS[args.direction]
    readouts = {d: pressure.solve(contact(args, d), nonlinear=args.large_deformation).readout() for d in directions}
    three_d = _three_d(model, pressure, [contact(args, d) for d in directions]) if args.check_3d else {}
    header = {"model": str(model.source), "level": args.level, "side": model.side}
    if args.format == "json":
        body = {d: {**r.as_dict(), **({"three_d": three_d[d].as_dict()} if three_d else {})}
                for d, r in readouts.items()}
        extra = {}
        if len(readouts) == 2:
            extra["sideways_over_into_bone"] = {
                name: {"value": round(v, 3),
                       "range": None if r is None else {"min": round(r[0], 3), "max": round(r[1], 3)}}
                for name, (v, r) in compare_ratios(readouts["sideways"], readouts["into-bone"]).items()}
        print(json.dumps({**header, "results": body, **extra}, indent=2))
        return 0
    where = (f"a single section ({model.flat.kind})" if model.flat is not None else
             f"level {args.level:g} of {model.femur_axis.length_name}")
    kind = ("large deformation, neo-Hookean, friction at the bone and septa; solved in load steps" if args.large_deformation
            else "linear small-strain model; values scale with the force")
    print(f"{model.source}: {where}, {model.side} thigh (plane strain, {kind})")
    for d, r in readouts.items():
        print(f"\n[{d}]")
        print(r.table())
    if len(readouts) == 2:
        print("\nsideways vs into-bone: " + compare_summary(readouts["sideways"], readouts["into-bone"]))
    for d, r in three_d.items():
        print(f"\n[{d}: 2-D model vs the section extruded in 3-D (linear elastic)]")
        print(side_by_side(readouts[d], r))
    return 0


def _three_d(model, pressure, contacts) -> dict:
    """The 3-D check: the section extruded along the femur, solved for each contact (readouts by direction)."""
    import sys

    from thighview.mechanics.closure import slab_for
    from thighview.mechanics.solid3d import solve_in_3d

    print("thighview: solving the section extruded in 3-D (tens of seconds)...", file=sys.stderr, flush=True)
    slab = slab_for(model) if model.flat is None else None
    return {c.direction: d.readout() for c, d in zip(contacts, solve_in_3d(pressure, contacts, slab))}
