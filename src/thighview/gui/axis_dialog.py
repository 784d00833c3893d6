"""Ask which axis to cut along when an opened model has no femur.

Levels and sections are measured along the femur shaft; without a femur the user picks the
thigh's longest principal axis or types two points (model coordinates, mm). The point fields
start at the principal axis's ends, so a small correction is a small edit.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from thighview.errors import ThighViewError
from thighview.femur_axis import FemurAxis
from thighview.model import ThighModel


def _format(point: np.ndarray) -> str:
    return ", ".join(f"{c:.1f}" for c in point)


def _parse(text: str) -> list[float]:
    try:
        values = [float(c) for c in text.replace(";", ",").split(",")]
    except ValueError:
        values = []
    if len(values) != 3:
        raise ThighViewError(f"'{text}' is not three numbers x, y, z (mm)")
    return values


class AxisDialog(QtWidgets.QDialog):
    """Principal axis or two points; :meth:`axis` is the choice once accepted."""

    def __init__(self, model: ThighModel, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.principal = FemurAxis.from_principal_axis(model)
        self._chosen: FemurAxis | None = None
        self.setWindowTitle("Choose the thigh's axis")
        intro = QtWidgets.QLabel(
            f"<b>{model.name}</b> has no femur, so there is no shaft axis to cut along.<br>"
            "Sections will be perpendicular to the axis you choose, and levels will be fractions of "
            "its length (the thigh's extent, or the distance between the points), not of femur length.")
        intro.setWordWrap(True)
        self.use_principal = QtWidgets.QRadioButton(
            f"Along the thigh's longest principal axis ({self.principal.length_mm:.0f} mm)")
        self.use_points = QtWidgets.QRadioButton("From two points (model coordinates, mm)")
        self.use_principal.setChecked(True)
        self.proximal = QtWidgets.QLineEdit(_format(self.principal.level_to_point(0.0)))
        self.distal = QtWidgets.QLineEdit(_format(self.principal.level_to_point(1.0)))
        points = QtWidgets.QFormLayout()
        points.addRow("Proximal end x, y, z:", self.proximal)
        points.addRow("Distal end x, y, z:", self.distal)
        self.problem = QtWidgets.QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        for widget in (intro, self.use_principal, self.use_points):
            layout.addWidget(widget)
        layout.addLayout(points)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.use_points.toggled.connect(self._enable_points)
        self._enable_points(False)

    def _enable_points(self, on: bool) -> None:
        self.proximal.setEnabled(on)
        self.distal.setEnabled(on)

    def accept(self) -> None:
        """Keep the dialog open, saying what is wrong, while the typed points make no axis."""
        if self.use_principal.isChecked():
            self._chosen = self.principal
        else:
            try:
                self._chosen = FemurAxis.from_points(self.model, _parse(self.proximal.text()),
                                                     _parse(self.distal.text()))
            except ThighViewError as error:
                self.problem.setText(error.reason)
                return
        super().accept()

    def axis(self) -> FemurAxis | None:
        return self._chosen


def ask_axis(model: ThighModel, parent: QtWidgets.QWidget | None = None) -> FemurAxis | None:
    """The axis the user chooses for a model without a femur; None if they cancel."""
    dialog = AxisDialog(model, parent)
    return dialog.axis() if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted else None
