"""Start-up: ``thighview --help`` must stay fast because heavy modules load lazily.

Baseline: a process that imports what the core would load eagerly without the lazy design
(numpy, pyvista, PySide6). The ratio is how many times faster the CLI starts.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.case import Case


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


CASES = [
    Case(
        name="cli --help vs eager heavy imports",
        ours=lambda _: _run("import sys; sys.argv=['thighview','--help']\n"
                            "from thighview.cli import main\ntry: main()\nexcept SystemExit: pass"),
        baseline=lambda _: _run("import numpy, pyvista, PySide6.QtWidgets"),
        repeats=5,
        targets={"min_ratio": 3},
    )
]
