"""``thighview convert IN OUT.glb``: any model ThighView opens, as one GLB (written atomically).

The GLB keeps a node per structure under its canonical name, compartment colours, and the
metadata (compartments, side, anterior direction) that reopens the model as it was.
"""

from __future__ import annotations

import argparse

from thighview.cli_commands._input import add_input_options, load_input

HELP = "convert a model file or folder (meshes, label map, masks) into one GLB"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="a model file or folder")
    parser.add_argument("output", help="the GLB file to write")
    parser.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    add_input_options(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from thighview.errors import ExportError
    from thighview.export.atomic import check_target
    from thighview.io.writers import write_glb

    target = Path(args.output)
    if target.suffix.lower() != ".glb":
        raise ExportError("convert writes GLB: give the output a .glb name", target)
    check_target(target, force=args.force)  # fail before a slow import, not after
    model = load_input(args.input, args)
    write_glb(model, target, force=args.force)
    print(f"{target}: {len(model.structures)} structures written")
    return 0
