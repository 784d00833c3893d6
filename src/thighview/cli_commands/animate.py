"""``thighview animate [MODEL] --out demo.gif``: the pressure demo as a movie (GIF or MP4)."""

from __future__ import annotations

import argparse

from thighview.cli_commands.pressure import add_load_arguments, contact, pressure_model

HELP = "render the pressure demo (load ramps up and relaxes) to a GIF or MP4; compare the two directions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_load_arguments(parser, ("compare", "into-bone", "sideways"))
    parser.add_argument("--out", required=True, help="the movie to write (.gif or .mp4)")
    parser.add_argument("--colour-by", choices=("compression", "slip", "shear"), default="compression",
                        help="colour the tissue by volume change or shear strain, or show slip at the septa and femur")
    parser.add_argument("--frames", type=int, default=36, help="frames per load cycle (default 36)")
    parser.add_argument("--fps", type=float, default=12.0, help="frames per second (default 12)")
    parser.add_argument("--exaggeration", type=float, default=None,
                        help="scale of the drawn displacement (default: automatic; stated on every frame)")
    parser.add_argument("--roll", type=float, metavar="DEGREES", default=None,
                        help="roll the contact (e.g. a ball) this many degrees along the skin from --at, "
                             "positive towards lateral from anterior")
    parser.add_argument("--guided", action="store_true",
                        help="the guided demo: anterior-lateral, medial, posterior-lateral, hamstrings (ignores --at)")
    parser.add_argument("--force-overwrite", action="store_true", help="replace an existing file")


def run(args: argparse.Namespace) -> int:
    import itertools

    from thighview.errors import ExportError
    from thighview.export.movie import check_movie_target, write_movie
    from thighview.progress import TerminalProgress
    from thighview.mechanics.demo import GUIDED_DEMO
    from thighview.render.pressure2d import FrameStyle, frames, rolling_frames

    check_movie_target(args.out)
    if not 2 <= args.frames <= 600:
        raise ExportError(f"frames must be between 2 and 600, not {args.frames}", args.out)
    if args.roll is not None and args.guided:
        raise ExportError("choose either --roll or --guided", args.out)
    directions = ("into-bone", "sideways") if args.direction == "compare" else (args.direction,)
    model, pressure = pressure_model(args)
    style = FrameStyle(colour_by=args.colour_by, exaggeration=args.exaggeration)
    if args.roll is not None:
        clips = [rolling_frames(pressure, [contact(args, d) for d in directions], args.roll,
                                n_frames=args.frames, style=style)]
    elif args.guided:
        steps = [(argparse.Namespace(**{**vars(args), "at": s.at, "side": s.side or args.side}),
                  f"{i + 1}. {s.title}: {s.caption}") for i, s in enumerate(GUIDED_DEMO)]
        clips = [frames(pressure, [contact(a, d) for d in directions], n_frames=args.frames, style=style,
                        caption=caption, nonlinear=args.large_deformation) for a, caption in steps]
    else:
        clips = [frames(pressure, [contact(args, d) for d in directions], n_frames=args.frames, style=style,
                        nonlinear=args.large_deformation)]
    write_movie(args.out, itertools.chain.from_iterable(clips), n_frames=args.frames * len(clips), fps=args.fps,
                force=args.force_overwrite, report=TerminalProgress(),
                provenance={"model": str(model.source), "level": f"{args.level:g}", "force_n": f"{args.force:g}",
                            "directions": ",".join(directions)})
    print(f"wrote {args.out}")
    return 0
