"""``thighview animate [MODEL] --out demo.mp4``: the pressure demo as a movie (GIF or MP4) or still (PNG).

An MP4 is 1920x1080 unless ``--size`` says otherwise, a GIF or PNG the drawer's own size (two
440-px panels and the footer); a frame of a given size is the same picture scaled, with the
caption at room size (:mod:`thighview.render.room`). A PNG is the fully loaded frame: for
``--guided``, one per step (``NAME-1.png`` …).
"""

from __future__ import annotations

import argparse

from thighview.app.pressure import DIRECTION_PRESETS
from thighview.cli_commands.pressure import add_load_arguments, contact, pressure_model

HELP = ("render the pressure demo (load ramps up and relaxes) to a GIF or MP4, or its fully loaded frame to a PNG; "
        "compare the two directions")
#: An MP4's frame size unless --size is given (a GIF or PNG keeps the drawer's own, smaller size).
MP4_SIZE = (1920, 1080)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_load_arguments(parser, default_direction="compare")
    parser.add_argument("--out", required=True,
                        help="the movie to write (.gif or .mp4), or .png for the fully loaded frame (one per step "
                             "with --guided: NAME-1.png ...)")
    parser.add_argument("--size", metavar="WxH", default=None,
                        help="frame size in pixels, e.g. 1920x1080 (default: 1920x1080 for MP4; GIF and PNG "
                             "880x520); a given size has the caption large enough to read from two metres")
    parser.add_argument("--colour-by", choices=("compression", "slip", "shear"), default="compression",
                        help="colour the tissue by volume change or shear strain, or show slip at the septa and femur")
    parser.add_argument("--frames", type=int, default=36, help="frames per load cycle (default 36)")
    parser.add_argument("--fps", type=float, default=12.0, help="frames per second (default 12)")
    parser.add_argument("--exaggeration", type=float, default=None,
                        help="draw the displacement this many times larger (default 1: to scale; stated on every frame)")
    parser.add_argument("--roll", type=float, metavar="DEGREES", default=None,
                        help="roll the contact (e.g. a ball) this many degrees along the skin from --at, "
                             "positive towards lateral from anterior")
    parser.add_argument("--guided", action="store_true",
                        help="the guided demo: anterior-lateral, medial, posterior-lateral, hamstrings (ignores --at)")
    parser.add_argument("--force-overwrite", action="store_true", help="replace an existing file")


def run(args: argparse.Namespace) -> int:
    import itertools
    from pathlib import Path

    from thighview.cli_commands.export import parse_size
    from thighview.errors import ExportError
    from thighview.export.atomic import check_target
    from thighview.export.figures import check_size
    from thighview.export.movie import check_movie_target, write_movie
    from thighview.mechanics.demo import GUIDED_DEMO
    from thighview.progress import TerminalProgress
    from thighview.render.pressure2d import FrameStyle, frames, rolling_frames
    from thighview.render.room import room_cap_height_fraction

    still = Path(args.out).suffix.lower() == ".png"
    if not still:
        check_movie_target(args.out)
    size = parse_size(args.size)
    if size is None and Path(args.out).suffix.lower() == ".mp4":
        size = MP4_SIZE
    if size is not None:
        check_size(size)
    if not 2 <= args.frames <= 600:
        raise ExportError(f"frames must be between 2 and 600, not {args.frames}", args.out)
    if args.roll is not None and args.guided:
        raise ExportError("choose either --roll or --guided", args.out)
    directions = DIRECTION_PRESETS[args.direction]
    out = Path(args.out)
    targets = [out.with_name(f"{out.stem}-{i + 1}.png") for i in range(len(GUIDED_DEMO))] if still and args.guided \
        else [out]
    if still:
        for target in targets:
            check_target(target, force=args.force_overwrite)  # before the model is built or a frame drawn
    model, pressure = pressure_model(args)
    style = FrameStyle(colour_by=args.colour_by, exaggeration=args.exaggeration, size_px=size,
                       caption_cap=None if size is None else room_cap_height_fraction())
    if still:
        args.frames = 3  # rest, full load, rest: the middle frame is the picture
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
    record = {"model": str(model.source), "level": f"{args.level:g}", "force_n": f"{args.force:g}",
              "directions": ",".join(directions)}
    if still:
        from thighview.export.scene import save_png

        for clip, target in zip(clips, targets):
            save_png(next(itertools.islice(clip, 1, None)), target, record=record, force=args.force_overwrite)
            print(f"wrote {target}")
        return 0
    write_movie(args.out, itertools.chain.from_iterable(clips), n_frames=args.frames * len(clips), fps=args.fps,
                force=args.force_overwrite, report=TerminalProgress(), provenance=record)
    print(f"wrote {args.out}")
    return 0
