"""Everyday conventions and controls in the real window (Xvfb, nothing mocked): the structure list
highlights in both views, opacity is labelled 3-D only, the tick hides in both, the heat map follows the
colour-blind palette, Save As / Help shortcuts, the bundled examples."""

from __future__ import annotations

import numpy as np
import pytest
from test_gui import _pixel, shown, synthetic, window  # noqa: F401 (fixtures)

from thighview.render import section2d
from thighview.render.colouring import ColourMode

pytestmark = pytest.mark.gui


def _highlight_pixels(view) -> int:
    """How many pixels of the 2-D view show the highlight outline's yellow."""
    view.redraw()
    image = view.canvas.grab().toImage()
    rgb = np.array([round(c * 255) for c in section2d.HIGHLIGHT])
    width, height = image.width(), image.height()
    pixels = np.array([[(image.pixelColor(x, y).red(), image.pixelColor(x, y).green(), image.pixelColor(x, y).blue())
                        for x in range(0, width, 2)] for y in range(0, height, 2)])
    return int((np.abs(pixels - rgb).max(axis=-1) <= 12).sum())


def test_selecting_a_structure_row_highlights_it_in_both_views(shown, qtbot):
    before_2d = _highlight_pixels(shown.section_view)
    before_3d = shown.view3d.screenshot().astype(int)
    shown.structures.tree.setCurrentItem(shown.structures.rows["vastus_lateralis"])
    assert shown.state.selected == "vastus_lateralis"
    qtbot.wait(100)
    assert before_2d == 0 and _highlight_pixels(shown.section_view) > 40, "the yellow outline in the section"
    after_3d = shown.view3d.screenshot().astype(int)
    changed = np.abs(after_3d - before_3d).max(axis=-1) > 30
    assert changed.mean() > 0.01, "the other muscles are dimmed in the 3-D view"


def test_the_structure_list_says_opacity_is_3d_only_and_the_tick_hides_in_both(shown, qtbot):
    view = shown.section_view
    assert shown.structures.tree.headerItem().text(1) == "3-D opacity"
    colour = _pixel(view, "vastus_lateralis")
    shown.state.set_opacity(["vastus_lateralis"], 0.0)
    assert np.abs(_pixel(view, "vastus_lateralis") - colour).max() <= 10, "opacity is the 3-D view's only"
    shown.structures.set_row_checked("vastus_lateralis", False)
    assert np.abs(_pixel(view, "vastus_lateralis") - colour).max() > 40, "unticked: gone from the section"


def test_heat_map_options_turn_it_on_and_the_colour_blind_palette_changes_it(shown, qtbot):
    view = shown.section_view
    shown.area_per_actions["compartment"].trigger()
    assert shown.state.scheme.mode is ColourMode.AREA and shown.state.scheme.area_per == "compartment"
    quad = _pixel(view, "vastus_lateralis")
    assert np.abs(quad - _pixel(view, "rectus_femoris")).max() <= 10, "one compartment, one colour"
    muscles = [n for n, c in shown.state.section.compartments.items() if c.is_muscle]
    before = {n: _pixel(view, n) for n in muscles}
    shown.colourblind_action.trigger()
    change = max(np.abs(_pixel(view, n) - before[n]).max() for n in muscles)
    assert change > 25, "the colour-blind heat map differs (cividis, not viridis)"


def test_save_as_help_and_examples(window, qtbot, tmp_path):
    from PySide6 import QtGui

    shortcuts = {a.shortcut().toString(): a for a in window.actions() if not a.shortcut().isEmpty()}
    assert shortcuts["Ctrl+Shift+S"] is window.sessions.save_as_action
    assert shortcuts["F1"] is window.help_action
    window.help_action.trigger()
    help_window = window.help_window
    assert help_window.isVisible() and help_window.pages.count() >= 5
    text = help_window.browser.toPlainText()
    assert "built-in thigh" in text.lower(), "the first guide is shown, rendered from the bundled Markdown"
    help_window.close()
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.example_actions[1].trigger()
    assert window.state.model.flat is not None and window.state.model.flat.kind == "image"
    assert QtGui.QKeySequence("Ctrl+S") == window.sessions.save_action.shortcut()
