"""Generated README text from .ci/ (see docs/generate.py): the system packages, as .ci/run installs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _packages(release: str) -> dict[str, list[str]]:
    out = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--dry-run", "--release", release],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    fields = dict(line.split(": ", 1) for line in out.splitlines())
    return {"required": fields["required"].split(), "optional": fields["optional"].split()}


def system_packages() -> str:
    """README: the one apt line before the two commands, with what differs between releases."""
    old, new = _packages("debian-12"), _packages("ubuntu-24.04")
    only_old = [p for p in old["required"] if p not in new["required"]]
    only_new = [p for p in new["required"] if p not in old["required"]]
    swaps = "; ".join(f"`{b}` instead of `{a}`" for a, b in zip(only_old, only_new))
    optional = ", ".join(f"`{p}`" for p in old["optional"])
    return (f"On a fresh Debian 12 or Ubuntu 22.04 (on Ubuntu 24.04 and Debian 13: {swaps}; {optional} "
            "too where the release still has it), first install the system packages:\n\n"
            f"```\nsudo apt-get install {' '.join(old['required'])}\n```")


BLOCKS = {"system-packages": system_packages}
