"""``thighview build-model --out DIR``: generate the default thigh model (GLB + JSON)."""

from __future__ import annotations

import argparse
import sys
import time

HELP = "generate the built-in anatomical thigh model (thigh_default.glb + .json) into a folder"

#: Levels through the soft tissue: 8 is a coarse sketch; 400 is about 9 M triangles.
MIN_RESOLUTION, MAX_RESOLUTION = 8, 400


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write thigh_default.glb/.json into")
    parser.add_argument("--resolution", type=int, default=None, metavar="N",
                        help="levels through the soft tissue, 8-400 (default 96: about 0.5 M triangles; "
                             "128: about 1 M)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="0 = the reference thigh; another seed = a slightly different individual")


def run(args: argparse.Namespace) -> int:
    from thighview.errors import ThighViewError
    from thighview.procedural import DEFAULT_RESOLUTION, build
    from thighview.progress import TerminalProgress

    resolution = DEFAULT_RESOLUTION if args.resolution is None else args.resolution
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ThighViewError(f"--resolution must be between {MIN_RESOLUTION} and {MAX_RESOLUTION}, not {resolution}")
    start = time.perf_counter()

    model, glb_path, json_path = build(args.out, resolution=resolution, seed=args.seed,
                                       progress=TerminalProgress(sys.stderr))
    triangles = sum(len(faces) for _, faces in model.surfaces.values())
    print(f"wrote {glb_path} ({glb_path.stat().st_size / 1e6:.1f} MB, {len(model.surfaces)} structures, "
          f"{triangles} triangles) and {json_path.name} in {time.perf_counter() - start:.1f} s")
    return 0
