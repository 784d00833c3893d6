"""A file holding both thighs: the app asks which one to show when it opens (real window under Xvfb;
the question is answered by a timer, as a user would)."""

from __future__ import annotations

import pytest
from section_shapes import straight_thigh
from test_gui import window  # noqa: F401 (the real main window fixture)

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def both_legs(tmp_path_factory):
    import trimesh

    scene = trimesh.Scene()
    for name, (vertices, faces) in straight_thigh(400.0).items():
        right = trimesh.Trimesh(vertices - [150.0, 0.0, 0.0], faces, process=False)
        left = trimesh.Trimesh(vertices * [-1.0, 1.0, 1.0] + [150.0, 0.0, 0.0], faces[:, ::-1], process=False)
        scene.add_geometry(right, node_name=f"{name}_right", geom_name=f"{name}_right")
        scene.add_geometry(left, node_name=f"{name}_left", geom_name=f"{name}_left")
    path = tmp_path_factory.mktemp("both") / "both_legs.glb"
    path.write_bytes(scene.export(file_type="glb"))
    return path


def _answer(label: str) -> list:
    from PySide6 import QtCore, QtWidgets

    seen = []

    def poll() -> None:  # the question box, found by its buttons (another test's box may still be open)
        boxes = [w for w in QtWidgets.QApplication.topLevelWidgets()
                 if isinstance(w, QtWidgets.QMessageBox) and w.isVisible()
                 and any(b.text() == label for b in w.buttons())]
        if boxes:
            seen.append(boxes[0].text())
            next(b for b in boxes[0].buttons() if b.text() == label).click()
        else:
            QtCore.QTimer.singleShot(50, poll)

    QtCore.QTimer.singleShot(50, poll)
    return seen


@pytest.mark.parametrize("label, side", [("Left thigh", "left"), ("Right thigh", "right")])
def test_opening_both_thighs_offers_the_choice(window, both_legs, qtbot, label, side):
    asked = _answer(label)
    with qtbot.waitSignal(window.model_loaded, timeout=60000):
        window.load(str(both_legs))
    assert asked and "holds both thighs" in asked[0]
    assert window.state.model.side == side and window.state.model.femur is not None
    assert "side" not in window.load_options
