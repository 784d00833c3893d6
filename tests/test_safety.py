"""Safety audit as tests: nothing unpickled or evaluated, no network, exports stay in their folder."""

from __future__ import annotations

import ast
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from thighview.errors import ThighViewError
from thighview.io import load_model

SOURCE = Path(__file__).resolve().parents[1] / "src" / "thighview"
#: Modules that run data (unpickling) or reach the network have no place in a file viewer.
FORBIDDEN_MODULES = {"pickle", "cPickle", "shelve", "marshal", "dill", "urllib", "requests", "http", "socket",
                     "ftplib", "urllib3", "httpx", "aiohttp"}


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [(node, f"imports {n}") for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
            found.append((node, f"calls {node.func.id}()"))
        if isinstance(node, ast.Call) and any(k.arg == "allow_pickle" and getattr(k.value, "value", False)
                                              for k in node.keywords):
            found.append((node, "allow_pickle=True"))
    return [f"{path.relative_to(SOURCE)}:{node.lineno}: {text}" for node, text in found]


def test_no_pickle_eval_or_network_code_in_the_package():
    hits = [hit for path in sorted(SOURCE.rglob("*.py")) for hit in _findings(path)]
    assert not hits, "\n".join(hits)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize("uri", ["http://example.com/buffer.bin", "https://example.com/b.bin",
                                 "file:///etc/passwd", "../outside.bin"])
def test_gltf_never_fetches_a_buffer_from_elsewhere(tmp_path, no_network, uri):
    path = tmp_path / "remote.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "buffers": [{"uri": "%s", "byteLength": 36}],'
                    '"bufferViews": [{"buffer": 0, "byteLength": 36}], "accessors": [{"bufferView": 0,'
                    '"componentType": 5126, "count": 3, "type": "VEC3"}], "meshes": [{"primitives":'
                    '[{"attributes": {"POSITION": 0}}]}], "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}]}' % uri)
    with pytest.raises(ThighViewError) as info:
        load_model(path)
    assert "remote.gltf" in str(info.value)
    assert not no_network


@pytest.mark.parametrize("stem, expected", [("../../etc/passwd", "etc_passwd"), ("a\\b:c*?", "a_b_c"),
                                            ("line\nbreak", "line_break"), ("..", "thigh"), ("fine-name", "fine-name")])
def test_export_names_cannot_leave_the_output_folder(stem, expected):
    from thighview.export.batch import _stem

    assert _stem(SimpleNamespace(stem=stem), None) == expected
