"""The ``thighview`` command: the GUI with no arguments, subcommands over the headless core.

Each subcommand lives in its own module under :mod:`thighview.cli_commands` and exposes
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``. Those modules import only
``argparse``-level code at the top; numpy, VTK and Qt are imported inside ``run`` so that
``thighview --help`` stays fast (a test checks it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from thighview import __version__, cli_commands


def command_names() -> list[str]:
    """Every subcommand, discovered from the modules in :mod:`thighview.cli_commands`."""
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(cli_commands.__path__)
                  if not m.name.startswith("_"))


def _command_module(name: str):
    return importlib.import_module(f"thighview.cli_commands.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thighview",
        description="ThighView: the human thigh in cross-section. "
        "With no command (or just a model file), opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"thighview {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_names():
        module = _command_module(name)
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        command_parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                    help="show full tracebacks for errors")
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    gui = sub.add_parser("gui", help="open the desktop app (the default)", description="Open the desktop app.")
    gui.add_argument("model", nargs="?", help="a model file or folder to open (default: the built-in thigh)")
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from thighview.gui.app import run_app

    return run_app(getattr(args, "model", None))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point. Returns the process exit code (0 ok, 1 user error, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    positional = [a for a in argv if not a.startswith("-")]
    if positional and positional[0] not in (*command_names(), "gui"):
        argv.insert(argv.index(positional[0]), "gui")  # `thighview FILE` opens FILE in the app
    args = build_parser().parse_args(argv)
    run = getattr(args, "_run", _run_gui)
    try:
        return int(run(args) or 0)
    except KeyboardInterrupt:
        print("thighview: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `thighview areas | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # one line for users, the traceback only with --debug
        from thighview.errors import ThighViewError

        if args.debug:
            raise
        if isinstance(exc, ThighViewError):
            print(f"thighview: error: {exc}", file=sys.stderr)
        else:
            print(f"thighview: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                  file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
