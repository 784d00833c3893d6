"""``thighview demo [MODEL]``: the app opens straight into presentation mode with the guided demo playing."""

from __future__ import annotations

import argparse

HELP = ("show a client the pressure demo: full screen, the guided massage order playing with large captions "
        "(Space pause/resume, Left/Right step, Esc back to the normal window)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="a model file or folder to open (default: the built-in thigh)")


def run(args: argparse.Namespace) -> int:
    from thighview.gui.app import run_app

    return run_app(args.model, demo=True)
