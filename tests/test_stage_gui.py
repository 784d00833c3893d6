"""The pressure demo on the stage, in the real main window (pytest-qt under Xvfb): it takes the centre,
moves between frames, follows a click and a drag on the skin, compares at one size and scale, and
gives the section view back pixel for pixel."""

from __future__ import annotations

import numpy as np
import pytest
from test_gui import shown, synthetic, window  # noqa: F401 (the main window fixtures)

pytestmark = pytest.mark.gui


def _pixels(widget) -> np.ndarray:
    """The widget's pixels as an (h, w, 3) array, grabbed as the screen shows them."""
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * height)
    return data.reshape(height, image.bytesPerLine())[:, :3 * width].reshape(height, width, 3).copy()


def _stage_up(window, qtbot):
    window.set_stage(True)
    qtbot.waitUntil(lambda: window.state.pressure.scene is not None and window.stage.drawing is not None,
                    timeout=60000)
    qtbot.wait(100)
    return window.stage


def _one_push_on_stage(window, qtbot):
    """The stage showing one sideways push: (the stage, its panel, the pressure state)."""
    stage = _stage_up(window, qtbot)
    pressure = window.state.pressure
    pressure.update(direction="sideways")
    qtbot.waitUntil(lambda: len(stage.drawing.panels) == 1, timeout=30000)
    return stage, stage.drawing.panels[0], pressure


def _widget_point(stage, xy) -> tuple[float, float]:
    """The canvas widget's pixel (logical, from the top) of a section point (mm) on the first panel."""
    ratio = stage.canvas.device_pixel_ratio or 1.0
    x, y = stage.drawing.panels[0].ax.transData.transform(xy)
    return x / ratio, stage.canvas.height() - y / ratio


def test_the_stage_takes_the_centre_and_moves_between_frames(shown, qtbot):
    window = shown
    stage = _stage_up(window, qtbot)
    assert window.staged and window.stage_action.isChecked() and window.state.pressure.on_stage
    assert not window.section_view.isVisible() and stage.canvas.isVisible()
    central, canvas = window.centralWidget(), stage.canvas
    assert canvas.width() * canvas.height() >= 0.6 * central.width() * central.height()
    drawn = np.any(_pixels(canvas) < 235, axis=2)   # what is not white background
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    assert np.ptp(rows) > 0.75 * canvas.height() and np.ptp(cols) > 0.75 * canvas.width()

    pressure = window.state.pressure
    pressure.play(True)
    qtbot.waitUntil(lambda: pressure.playback.index >= 4, timeout=60000)
    early = _pixels(canvas).astype(int)
    qtbot.waitUntil(lambda: pressure.playback.index >= 12, timeout=60000)
    pressure.play(False)
    assert np.abs(_pixels(canvas).astype(int) - early).mean() > 0.5, "the stage did not move between frames"
    assert window.view3d.slab.visible and window.view3d.slab.tool_actor.GetVisibility()  # 3-D: slab and tool


def test_a_click_on_the_skin_moves_the_tool_there(shown, qtbot):
    import shapely
    from PySide6 import QtCore

    stage, panel, pressure = _one_push_on_stage(shown, qtbot)
    model = pressure.model
    rest = model.shape.skin_point(250.0)   # where the skin at 250 degrees is drawn now
    nearest = np.argmin(np.linalg.norm(model.mesh.points - rest, axis=1))
    drawn = rest + panel.exaggeration * panel.deformation.displacement[nearest]
    x, y = _widget_point(stage, drawn)
    qtbot.mouseClick(stage.canvas, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: pressure.settings.at != "anterolateral", timeout=30000)
    qtbot.wait(100)
    # the tool is drawn at the new contact: its outline passes there, and the pixels there are dark
    tx, ty = _widget_point(stage, panel.pose.contact)
    outline = np.array([_widget_point(stage, p) for p in panel.tool.get_xy()])
    assert shapely.LineString(outline).distance(shapely.Point(tx, ty)) < 3.0
    along = np.hypot(tx - x, ty - y)
    radial = panel.pose.contact - model.shape.centre
    radial_px = np.subtract(_widget_point(stage, model.shape.centre + radial), _widget_point(stage, model.shape.centre))
    rx, ry = radial_px / np.linalg.norm(radial_px)
    tangential = abs((tx - x) * ry - (ty - y) * rx)
    assert tangential < 4.0, f"the tool is {tangential:.1f} px along the skin from the click ({along:.1f} px in all)"
    image = _pixels(stage.canvas)
    ratio = image.shape[1] / stage.canvas.width()
    patch = image[round(ty * ratio) - 4:round(ty * ratio) + 5, round(tx * ratio) - 4:round(tx * ratio) + 5]
    assert patch.min() < 80, "nothing dark (the tool's outline, the arrow) drawn at the contact"


def test_dragging_the_tool_and_the_arrow_handle(shown, qtbot):
    from PySide6 import QtCore

    from thighview.render.pressure_tool import angle_of

    stage, panel, pressure = _one_push_on_stage(shown, qtbot)
    model = pressure.model
    start = pressure.scene
    left = QtCore.Qt.MouseButton.LeftButton

    def at(point) -> QtCore.QPoint:
        x, y = _widget_point(stage, point)
        return QtCore.QPoint(round(x), round(y))

    def footer() -> np.ndarray:   # the caption and notes under the panels
        image = _pixels(stage.canvas).astype(int)
        ratio = image.shape[0] / stage.canvas.height()
        return image[image.shape[0] - int(panel.ax.get_window_extent().y0 * ratio / stage.canvas.device_pixel_ratio):]

    before = footer()
    qtbot.mousePress(stage.canvas, left, pos=at(panel.pose.contact))
    for angle in (60.0, 75.0, 90.0):
        qtbot.mouseMove(stage.canvas, at(model.shape.skin_point(angle)))
        # the tool follows the mouse: drawn at the pointer's angle round the femur
        qtbot.waitUntil(lambda a=angle: abs(angle_of(model.shape, panel.pose.contact) - a) < 3.0, timeout=30000)
        assert pressure.scene.exaggeration == start.exaggeration   # held while dragging: no flicker
        assert pressure.scene.preview and pressure.scene.caption == start.caption   # the readouts wait
    during = footer()
    assert len(before) > 20 and np.array_equal(during, before), "the caption was rewritten during the drag"
    qtbot.mouseRelease(stage.canvas, left, pos=at(model.shape.skin_point(90.0)))
    assert abs(angle_of(model.shape, panel.pose.contact) - 90.0) < 3.0 and not pressure._scales_held
    # the drop: the full solution replaces the preview, and the caption says what the new place does
    assert not pressure.scene.preview and pressure.scene.caption != start.caption
    assert np.abs(footer() - during).mean() > 0.05, "the drop did not write the new place's caption"

    qtbot.wait(100)
    contact, handle = panel.pose.contact, panel.pose.handle
    reach = np.linalg.norm(handle - contact)
    anterior = contact + reach * np.array([0.6, 0.8])  # the handle swung round, the push leaning
    qtbot.mousePress(stage.canvas, left, pos=at(handle))
    qtbot.mouseMove(stage.canvas, at(anterior))
    qtbot.waitUntil(lambda: pressure.settings.lean_deg is not None, timeout=30000)
    qtbot.mouseRelease(stage.canvas, left, pos=at(anterior))
    assert 0.0 < pressure.settings.lean_deg <= 90.0 and stage.lean.value() == pressure.settings.lean_deg
    assert pressure.scene.deformations[0].contact.lean == pressure.settings.lean_deg


def test_compare_shows_two_panels_of_one_size_and_scale(shown, qtbot):
    window = shown
    stage = _stage_up(window, qtbot)
    window.state.pressure.update(direction="compare")
    qtbot.waitUntil(lambda: len(stage.drawing.panels) == 2, timeout=30000)
    a, b = (p.ax for p in stage.drawing.panels)
    ea, eb = a.get_window_extent(), b.get_window_extent()
    assert (ea.width, ea.height) == pytest.approx((eb.width, eb.height), abs=1.0) and ea.x1 <= eb.x0 + 1
    mm = lambda ax: np.ptp(ax.transData.transform([(0.0, 0.0), (100.0, 0.0)])[:, 0])  # noqa: E731
    assert mm(a) == pytest.approx(mm(b), rel=1e-6)
    image = _pixels(stage.canvas)
    assert ea.width > 0.4 * image.shape[1]   # each about half the stage
    drawn = [np.any(image[:, round(e.x0):round(e.x1)] < 250, axis=2).mean() for e in (ea, eb)]
    assert min(drawn) > 0.05 and max(drawn) < 2.0 * min(drawn), drawn   # both drawn, alike


def test_leaving_the_stage_gives_the_section_view_back_unchanged(shown, qtbot):
    window = shown
    qtbot.wait(200)
    before, sizes = _pixels(window.section_view), window.splitter.sizes()
    stage = _stage_up(window, qtbot)
    window.state.pressure.play(True)
    qtbot.waitUntil(lambda: window.state.pressure.playback.index >= 3, timeout=60000)
    window.set_stage(False)
    window.state.pressure.play(False)
    qtbot.wait(200)
    assert not window.staged and window.section_view.isVisible() and not stage.isVisible()
    assert window.splitter.sizes() == sizes
    after = _pixels(window.section_view)
    assert after.shape == before.shape and np.array_equal(after, before)
    assert not window.view3d.slab.visible


def test_play_brings_the_stage_and_the_palette_reaches_it(shown, qtbot):
    window = shown
    window.pressure_dock.show()
    window.pressure_dock.raise_()
    qtbot.waitUntil(lambda: window.pressure is not None and window.state.pressure.scene is not None, timeout=60000)
    assert not window.staged
    window.pressure.play.click()
    assert window.staged
    window.pressure.play.click()  # pause: the stage stays, still
    qtbot.waitUntil(lambda: window.stage.drawing is not None, timeout=30000)
    qtbot.wait(100)
    plain = _pixels(window.stage.canvas).astype(int)
    window.set_colourblind(True)
    qtbot.wait(100)
    assert np.abs(_pixels(window.stage.canvas).astype(int) - plain).mean() > 1.0
    assert window.stage.drawer.style.palette == "colorblind"
    window._docks[0].raise_()  # another tab: the demo leaves the stage
    qtbot.waitUntil(lambda: not window.staged, timeout=10000)


def test_a_drag_moves_the_3d_slab_only_at_the_drop(shown, qtbot):
    """Dragging the tool redraws the 2-D stage each frame; the 3-D slab (a VTK render) waits for the drop,
    then shows the full solution at the new place."""
    from PySide6 import QtCore

    from thighview.render.pressure_tool import angle_of

    stage, panel, pressure = _one_push_on_stage(shown, qtbot)
    view, model = shown.view3d, pressure.model
    slab = view.slab
    qtbot.waitUntil(lambda: slab.visible, timeout=30000)
    qtbot.wait(200)
    before = view.screenshot().astype(int)
    shown_scenes = []
    show_scene = slab.show_scene

    def counted(scene, *args, **kwargs):   # counts the slab's updates; the real update still runs
        shown_scenes.append(scene)
        return show_scene(scene, *args, **kwargs)

    slab.show_scene = counted
    left = QtCore.Qt.MouseButton.LeftButton

    def at(point) -> QtCore.QPoint:
        x, y = _widget_point(stage, point)
        return QtCore.QPoint(round(x), round(y))

    qtbot.mousePress(stage.canvas, left, pos=at(panel.pose.contact))
    for angle in (60.0, 75.0, 90.0, 105.0):
        qtbot.mouseMove(stage.canvas, at(model.shape.skin_point(angle)))
        qtbot.waitUntil(lambda a=angle: abs(angle_of(model.shape, panel.pose.contact) - a) < 3.0, timeout=30000)
        assert pressure.scene.preview   # the stage shows the drag's frames
    assert shown_scenes == [], "the 3-D slab was redrawn during the drag"
    qtbot.mouseRelease(stage.canvas, left, pos=at(model.shape.skin_point(105.0)))
    qtbot.wait(100)
    assert len(shown_scenes) >= 1 and shown_scenes[-1] is pressure.scene and not shown_scenes[-1].preview
    assert all(not s.preview for s in shown_scenes)
    after = view.screenshot().astype(int)
    changed = np.any(np.abs(after - before) > 30, axis=2).mean()
    assert changed > 0.002, changed   # the slab moved with the tool, at the drop
