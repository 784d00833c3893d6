"""Run a test script in a subprocess on an Xvfb screen of its own size (one Qt application is bound to one
screen, so each size is its own process) and read the JSON report it prints after ``MARKER ``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_on_screen(script: str, size: tuple[int, int], marker: str, timeout: float = 400,
                  args: tuple[str, ...] = ()) -> dict:
    """``tests/<script> [args]`` on a ``size`` screen; its report (assertion error with its output if none)."""
    from pyvirtualdisplay import Display

    with Display(size=size, color_depth=24) as display:
        env = {**os.environ, "DISPLAY": display.new_display_var}
        done = subprocess.run([sys.executable, str(Path(__file__).with_name(script)), *args], env=env,
                              capture_output=True, text=True, timeout=timeout)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(marker + " ")), None)
    assert line is not None, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(line.split(" ", 1)[1])
