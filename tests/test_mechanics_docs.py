"""docs/mechanics.md: its tables are what docs/mechanics_tables.py writes from the shipped data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_mechanics_doc_tables_equal_a_regeneration():
    spec = importlib.util.spec_from_file_location("mechanics_tables", DOCS / "mechanics_tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    text = (DOCS / "mechanics.md").read_text()
    assert tables.regenerate(text) == text
