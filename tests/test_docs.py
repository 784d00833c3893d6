"""The figures README.md and docs/*.md state about the code are what the code gives now.

They sit between ``<!-- generated: NAME -->`` markers and are written by ``docs/generate.py``
from the ``docs/gen_*.py`` modules; here they are regenerated and compared with the committed text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("thighview_docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_block_has_a_generator_and_every_generator_is_used(generate):
    used = [name for path in generate.DOCUMENTS for name in generate.used_blocks(path.read_text(encoding="utf-8"))]
    assert sorted(set(used)) == sorted(generate.blocks())


def test_a_drifted_figure_is_found_and_rewritten(generate, tmp_path):
    functions = {"answer": lambda: "42 cm²"}
    doc = tmp_path / "doc.md"
    doc.write_text("Before.\n<!-- generated: answer -->\n41 cm²\n<!-- /generated -->\nAfter.\n")
    fresh = generate.render(doc.read_text(), functions)
    assert fresh == "Before.\n<!-- generated: answer -->\n42 cm²\n<!-- /generated -->\nAfter.\n"
    assert generate.render(fresh, functions) == fresh
    with pytest.raises(KeyError, match="no generator for the block 'answer'"):
        generate.render(fresh, {})


@pytest.mark.slow
def test_generated_figures_match_the_code(generate):
    """Loads the built-in model and reads the Braus-like drawing: about half a minute."""
    stale = generate.regenerate()
    assert not stale, "run `python docs/generate.py`:\n" + "".join(
        generate.diff(path, old, new) for path, (old, new) in stale.items())


def test_single_section_rules_state_the_code_constants():
    """docs/single_sections.md states what io.flat and io.regions decide with, at their precision."""
    from thighview.io.flat import PLANAR_TOLERANCE, SLAB_RATIO
    from thighview.io.regions import THICKNESS_FRACTION

    text = " ".join((DOCS / "single_sections.md").read_text(encoding="utf-8").split())
    assert f"every vertex within {100 * PLANAR_TOLERANCE:g} % of the model's size from one plane" in text
    assert f"thinner than {100 * SLAB_RATIO:g} % of its width along its thinnest axis" in text
    assert f"a thin prism either side of its plane ({100 * THICKNESS_FRACTION:g} % of the section's size" in text
