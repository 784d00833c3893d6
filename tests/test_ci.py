""".ci/run: which system packages it installs on each supported release, and how it treats a
package a release no longer has (apt's tools replaced by recording stand-ins: nothing is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("awk") is None,
                                reason=".ci/run is a bash script for Debian/Ubuntu")


def _dry_run(release: str) -> dict[str, str]:
    result = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--dry-run", "--release", release],
                            capture_output=True, text=True, timeout=60, check=True)
    return dict(line.split(": ", 1) for line in result.stdout.splitlines())


@pytest.mark.parametrize("release, glib", [("debian-12", "libglib2.0-0"), ("ubuntu-22.04", "libglib2.0-0"),
                                           ("debian-13", "libglib2.0-0t64"), ("ubuntu-24.04", "libglib2.0-0t64"),
                                           ("ubuntu-26.04", "libglib2.0-0t64")])
def test_dry_run_lists_the_packages_of_each_release(release, glib):
    listed = _dry_run(release)
    required, optional = listed["required"].split(), listed["optional"].split()
    assert listed["release"] == release
    assert glib in required and not {"libglib2.0-0", "libglib2.0-0t64"} - {glib} & set(required)
    for package in ("python3-venv", "xvfb", "libegl1", "libgl1-mesa-dri", "libxcb-cursor0", "libxkbcommon-x11-0",
                    "libfontconfig1", "libdbus-1-3"):
        assert package in required, package
    assert optional == ["libosmesa6"], "gone from recent Mesa: never required"


def test_dry_run_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- test-command -->\n```\n(.*?)\n```\n<!-- /test-command -->", readme, re.DOTALL)
    assert _dry_run("debian-12")["test command"] == block.group(1)


def _fake_repo(tmp_path: Path, test_command: str, available: set[str]) -> tuple[Path, dict]:
    """A copy of .ci/ under a README with ``test_command``, and apt tools that only record: dpkg
    knows no package as installed, apt-cache has a candidate for ``available`` only."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / ".ci", repo / ".ci")
    (repo / "README.md").write_text(f"<!-- test-command -->\n```\n{test_command}\n```\n<!-- /test-command -->\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    scripts = {
        "dpkg-query": "exit 1",
        # like the real one, a version table after the candidate: long enough (300 kB) that a reader
        # which stops at the candidate line leaves it writing into a closed pipe
        "apt-cache": 'case " $AVAILABLE " in *" $2 "*) echo "  Candidate: 1.0";; *) echo "  Candidate: (none)";; esac\n'
                     'yes "     500 http://archive.ubuntu.com/ubuntu noble/main amd64 Packages" | head -n 5000',
        "apt-get": f'echo "apt-get $*" >> {log}',
        "id": "echo 0",
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AVAILABLE": " ".join(sorted(available))}
    env.pop("CI", None)
    return repo, {"env": env, "log": log}


def _required_and_optional(release: str) -> tuple[list[str], list[str]]:
    listed = _dry_run(release)
    return listed["required"].split(), listed["optional"].split()


def test_a_missing_optional_package_is_skipped_and_the_rest_installed(tmp_path):
    required, optional = _required_and_optional("debian-12")
    repo, fake = _fake_repo(tmp_path, 'echo "CI=$CI"; echo "1 passed"', set(required))
    result = subprocess.run(["bash", ".ci/run", "--release", "debian-12"], cwd=repo, env=fake["env"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "has no package libosmesa6 (optional): skipped" in result.stdout
    assert "CI=1" in result.stdout, "GUI tests must not skip silently in CI"
    install = [line for line in fake["log"].read_text().splitlines() if " install " in line]
    assert len(install) == 1 and install[0].split()[-len(required):] == required


def test_a_missing_required_package_is_one_line_before_apt_get_install(tmp_path):
    required, _ = _required_and_optional("ubuntu-24.04")
    repo, fake = _fake_repo(tmp_path, 'echo "1 passed"', set(required) - {"libglib2.0-0t64"})
    result = subprocess.run(["bash", ".ci/run", "--release", "ubuntu-24.04"], cwd=repo, env=fake["env"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "has no package libglib2.0-0t64, which the tests need" in result.stderr
    assert " install " not in fake["log"].read_text() and "1 passed" not in result.stdout


def test_pytest_collecting_nothing_fails(tmp_path):
    required, optional = _required_and_optional("debian-12")
    repo, fake = _fake_repo(tmp_path, "exit 5", set(required) | set(optional))
    # --release: the packages offered are Debian 12's, whatever this machine runs (on Ubuntu 24.04 the
    # machine's own release would need libglib2.0-0t64 and stop before pytest)
    result = subprocess.run(["bash", ".ci/run", "--release", "debian-12"], cwd=repo, env=fake["env"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "collected no tests" in result.stderr
