"""Regenerate the figures that README.md and docs/*.md state about the code, or check them.

A generated figure sits between two markers, on lines of their own::

    <!-- generated: NAME -->
    ...text written by the block NAME...
    <!-- /generated -->

The blocks are the functions in ``BLOCKS`` of every ``docs/gen_*.py`` module: each returns the
text (Markdown) to put between the markers, computed from the code. To state a new figure, add
a function to a ``gen_*.py`` module (a new module is found by itself), put the markers in the
document and run this script.

``python docs/generate.py`` rewrites every block in place; ``--check`` changes nothing, prints
each stale block as a diff and exits 1 (``tests/test_docs.py`` runs the check, so a figure that
drifts from the code fails the test run); ``--only NAME[,NAME]`` limits either to some blocks.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import re
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The documents whose figures are generated.
DOCUMENTS = (ROOT / "README.md", *sorted(HERE.glob("*.md")))
_BLOCK = re.compile(r"(<!-- generated: ([\w.-]+) -->\n)(.*?)(<!-- /generated -->)", re.DOTALL)


def blocks() -> dict[str, Callable[[], str]]:
    """Every block of every ``docs/gen_*.py`` module, by name (a name defined twice is an error)."""
    found: dict[str, Callable[[], str]] = {}
    for path in sorted(HERE.glob("gen_*.py")):
        spec = importlib.util.spec_from_file_location(f"thighview_docs_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, function in module.BLOCKS.items():
            if name in found:
                raise ValueError(f"{path.name}: block {name!r} is defined twice")
            found[name] = function
    return found


def used_blocks(text: str) -> list[str]:
    """The names of the generated blocks in a document, in order."""
    return [m.group(2) for m in _BLOCK.finditer(text)]


def render(text: str, functions: dict[str, Callable[[], str]], only: set[str] | None = None,
           cache: dict[str, str] | None = None) -> str:
    """``text`` with the content of each (selected) block replaced by what its function returns now."""
    cache = {} if cache is None else cache

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if only is not None and name not in only:
            return match.group(0)
        if name not in functions:
            raise KeyError(f"no generator for the block {name!r} (define it in a docs/gen_*.py module)")
        if name not in cache:
            cache[name] = functions[name]().rstrip("\n") + "\n"
        return match.group(1) + cache[name] + match.group(4)

    return _BLOCK.sub(fill, text)


def regenerate(documents=DOCUMENTS, only: set[str] | None = None) -> dict[Path, tuple[str, str]]:
    """``{document: (committed text, generated text)}`` for each document whose blocks are stale."""
    functions, cache, changed = blocks(), {}, {}
    for path in documents:
        text = path.read_text(encoding="utf-8")
        fresh = render(text, functions, only, cache)
        if fresh != text:
            changed[path] = (text, fresh)
    return changed


def diff(path: Path, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), str(path),
                                        f"{path} (generated now)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a block is stale")
    parser.add_argument("--only", help="comma-separated block names")
    args = parser.parse_args(argv)
    changed = regenerate(only=set(args.only.split(",")) if args.only else None)
    for path, (old, new) in changed.items():
        if args.check:
            sys.stdout.write(diff(path, old, new))
        else:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
