"""``thighview export [MODEL] --levels 0.3,0.5,0.7 --format svg,png --out DIR``: teaching exports in batch.

Section figures (PNG/SVG/PDF), a figure sheet of several levels, 3-D pictures, the GLB scene,
area tables (CSV/JSON) and animations (GIF/MP4: level sweep, turntable, pressure demo). Every
file is written atomically and none is overwritten without ``--force``; a progress bar on
stderr follows long work. Files are named ``<model>_section_50.svg``, ``<model>_areas.csv``...
"""

from __future__ import annotations

import argparse

from thighview.app.pressure import DIRECTION_PRESETS
from thighview.cli_commands._input import add_model_options
from thighview.export import FORMATS

HELP = "write figures, 3-D pictures, tables and animations (PNG, SVG, PDF, CSV, JSON, GLB, GIF, MP4)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="a model file or folder (default: the built-in thigh)")
    parser.add_argument("--levels", default=None, metavar="SPEC",
                        help="fractions of femur length from the proximal end: a list like 0.3,0.5,0.7 "
                             "or START:STOP:STEP (default 0.5; a single section has only its own)")
    parser.add_argument("--format", default="svg,png", metavar="LIST",
                        help=f"comma-separated, from: {', '.join(FORMATS)} (default svg,png); png/svg/pdf are "
                             "the 2-D section figure, png3d the 3-D view")
    parser.add_argument("--out", default=".", metavar="DIR", help="output folder (must exist; default: here)")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")
    parser.add_argument("--size", metavar="WxH", help="picture or frame size in pixels, e.g. 3840x2160 "
                                                      "(default: a good size per output)")
    parser.add_argument("--transparent", action="store_true", help="transparent background (PNG, SVG, PDF)")
    add_colour_options(parser)
    parser.add_argument("--title", help="heading text (default: '<side> thigh in cross-section'; '' for none)")
    parser.add_argument("--no-labels", action="store_true", help="no muscle labels")
    parser.add_argument("--no-legend", action="store_true", help="no legend")
    parser.add_argument("--no-scale-bar", action="store_true", help="no scale bar")
    parser.add_argument("--no-image", action="store_true",
                        help="a section read from an image: leave the picture out from under its regions")
    parser.add_argument("--no-level", action="store_true", help="no level annotation")
    parser.add_argument("--table", action="store_true", help="add an area table beside the section figure")
    parser.add_argument("--sheet", action="store_true",
                        help="also a figure sheet: all levels side by side, legend, area profile (in each "
                             "of png/svg/pdf asked for; PDF if none)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="with csv/json: also an area profile at N evenly spaced levels")
    parser.add_argument("--view", default="overview",
                        help="3-D camera: overview, anterior, posterior, lateral, medial, down_femur, up_femur")
    parser.add_argument("--animation", default="sweep", choices=("sweep", "turntable", "pressure"),
                        help="gif/mp4 content: level sweep hip to knee, camera turntable at the first level, "
                             "or the pressure demo at the first level (default sweep)")
    parser.add_argument("--frames", type=int, default=48, help="frames in an animation (default 48)")
    parser.add_argument("--fps", type=float, default=12.0, help="frames per second (default 12)")
    parser.add_argument("--direction", default="compare", choices=tuple(DIRECTION_PRESETS),
                        help="pressure demo: load direction (default compare: both side by side)")
    parser.add_argument("--at", default="anterolateral",
                        help="pressure demo: where the hand presses (a place name or degrees; default anterolateral)")
    parser.add_argument("--force-n", type=float, default=40.0, help="pressure demo: force in newtons (default 40)")
    parser.add_argument("--large-deformation", action="store_true",
                        help="pressure demo: frames from the large-deformation solve with friction at the bone and septa "
                             "(seconds a load) instead of the linear model")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no list of written files")
    parser.add_argument("--compare", metavar="B",
                        help="instead: the paired figure of this model (A) and B (a model file or 'default') at each "
                             "level, both at one scale, with the differences (png/svg/pdf of --format)")
    add_model_options(parser)


def add_colour_options(parser: argparse.ArgumentParser) -> None:
    """``--colour-mode``, ``--palette``, ``--area-per``, ``--area-unit``: a :class:`ColourScheme`'s
    settings, with the choices it allows."""
    from thighview.render.colouring import SCHEME_CHOICES, ColourScheme

    default = ColourScheme().settings()
    choices = SCHEME_CHOICES
    parser.add_argument("--colour-mode", "--color-mode", dest="colour_mode", default=default["mode"],
                        choices=choices["mode"], help=f"colour by {', '.join(choices['mode'])}")
    parser.add_argument("--palette", default=default["palette"], choices=choices["palette"], help="colour palette")
    parser.add_argument("--area-per", default=default["area_per"], choices=choices["area_per"],
                        help="area heat map: one value per muscle or per compartment")
    parser.add_argument("--area-unit", default=default["area_unit"], choices=choices["area_unit"],
                        help="area heat map in percent of the muscle area or in cm²")


def colour_scheme(args: argparse.Namespace):
    """The :class:`ColourScheme` that :func:`add_colour_options` asked for."""
    from thighview.render.colouring import ColourScheme

    return ColourScheme(mode=args.colour_mode, palette=args.palette, area_per=args.area_per,
                        area_unit=args.area_unit)


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``'3840x2160'`` -> ``(3840, 2160)``."""
    from thighview.errors import ExportError

    if text is None:
        return None
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise ExportError(f"cannot read size '{text}' (use WIDTHxHEIGHT, e.g. 1920x1080)") from None
    return width, height


def _place(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import sys
    from pathlib import Path

    from thighview.cli_commands.areas import parse_levels
    from thighview.export.batch import ExportRequest, plan, run_jobs
    from thighview.export.figures import FigureOptions, check_size
    from thighview.progress import TerminalProgress
    from thighview.cli_commands._input import apply_model_options, image_options, section_levels
    from thighview.io import load_model
    from thighview.section import SectionEngine

    size = parse_size(args.size)
    if size is not None:
        check_size(size)
    options = FigureOptions(scheme=colour_scheme(args), labels=not args.no_labels,
                            legend=not args.no_legend, title=args.title, level_annotation=not args.no_level,
                            scale_bar=not args.no_scale_bar, table=args.table, transparent=args.transparent,
                            image=not args.no_image)
    request = ExportRequest(
        out_dir=Path(args.out), formats=tuple(f.strip().lower() for f in args.format.split(",") if f.strip()),
        levels=(), size=size, figure=options, view=args.view, sheet=args.sheet,
        profile=args.profile, animation=args.animation, frames=args.frames, fps=args.fps,
        pressure_at=_place(args.at), pressure_direction=args.direction, force_n=args.force_n,
        pressure_large_deformation=args.large_deformation, force=args.force)
    asked = parse_levels(args.levels) if args.levels is not None else None
    model = apply_model_options(load_model(args.model, **image_options(args)), args)
    request = dataclasses.replace(request, levels=tuple(section_levels(model, asked, [0.5])))
    engine = SectionEngine(model)
    if args.compare is not None:
        from thighview.cli_commands.compare import load_named
        from thighview.export.paired import write_paired

        written = write_paired(model, load_named(args.compare), request, engine_a=engine)
        if not args.quiet:
            for path in written:
                print(path)
        return 0
    jobs = plan(request, model, engine)
    note = engine.section(request.levels[0]).envelope_note
    if note:  # a model without skin or fat: say what its outline is, once
        print(f"thighview: note: {note}" + ("; the pressure animation adds a fat layer for the mechanics only"
                                            if request.animation == "pressure" else ""), file=sys.stderr)
    written = run_jobs(jobs, report=None if args.quiet else TerminalProgress(sys.stderr))
    if not args.quiet:
        for path in written:
            print(path)
    return 0
