"""The level control: a slider and two spin boxes (% of femur length, cm from the hip).

Widgets write the level into the app state; the state's ``LevelChanged`` writes it back into
all three widgets under ``QSignalBlocker`` so the two directions never loop. A model made from
one cross-section has no levels: the widgets are disabled and hidden, and a note says so.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from thighview.app import state as st

_STEPS = 1000  # slider resolution: 0.1% of femur length
#: What levels are fractions of, short enough for the level bar (by ``FemurAxis.basis``; the
#: tooltip gives ``FemurAxis.length_name`` in full).
_SHORT_LENGTH_NAMES = {"femur": "femur length", "principal": "thigh extent", "points": "point distance"}
SINGLE_SECTION_NOTE = "One section: no levels"


def single_section_name(model) -> str:
    """``"single section (image)"``: what the level bar and status bar say for a flat model."""
    return f"single section ({model.flat.kind})"


def short_length_name(axis) -> str:
    """``"femur length"``, or for an axis chosen without a femur what its levels measure, briefly."""
    if axis.levels_in_mm:
        return "femur piece"
    return _SHORT_LENGTH_NAMES[axis.basis]


def _end_words(axis) -> tuple[str, str, str]:
    """The slider's left and right end and where the cm box counts from: the hip and the knee, or
    for part of a femur the ends it holds ("scan top", "scan end" where the scan cut the bone)."""
    kind = axis.piece.kind if axis.levels_in_mm else "whole"
    top = "hip" if kind in ("whole", "proximal") else "scan top"
    return top, ("knee   " if kind in ("whole", "distal") else "scan end   "), f"from the {top}"


class LevelControl(QtWidgets.QWidget):
    """Slider + % spin box + cm spin box bound to ``AppState.level``."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, _STEPS)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(50)
        self.slider.setToolTip("Level along the femur: hip (left) to knee (right)")
        self.percent = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.0, maximum=100.0, singleStep=1.0,
                                                suffix=" %")
        self.percent.setToolTip("Level as % of femur length from the proximal end")
        self.cm = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.0, maximum=100.0, singleStep=0.5,
                                           suffix=" cm")
        self.cm.setToolTip("Level in cm from the proximal end of the femur (the hip)")
        for box in (self.percent, self.cm):
            box.setKeyboardTracking(False)
            box.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.of_length = QtWidgets.QLabel("of femur length  ·")  # what levels measure, per model
        self.ends = [QtWidgets.QLabel(text) for text in ("hip", "knee   ", "from the hip")]  # per model
        hip, knee, from_hip = self.ends
        self.controls = [hip, self.slider, knee, self.percent, self.of_length, self.cm, from_hip]
        layout.addWidget(QtWidgets.QLabel("<b>Level</b> "))
        for widget in self.controls:
            layout.addWidget(widget, 1 if widget is self.slider else 0)
        self.note = QtWidgets.QLabel(f"<i>{SINGLE_SECTION_NOTE}</i>")
        self.note.setToolTip("This model is one cross-section (a planar mesh, a thin slab or an image): "
                             "it is measured at its one level")
        self.note.hide()
        layout.addWidget(self.note, 1)
        self.slider.valueChanged.connect(lambda v: app_state.set_level(v / _STEPS))
        self.percent.valueChanged.connect(lambda v: app_state.set_level(v / 100.0))
        self.cm.valueChanged.connect(self._from_cm)
        app_state.subscribe(self.on_event)
        self.setEnabled(False)

    def _femur_length_mm(self) -> float:
        return self.state.engine.axis.length_mm if self.state.engine is not None else 0.0

    def _from_cm(self, value: float) -> None:
        length = self._femur_length_mm()
        if length > 0:
            self.state.set_level(value * 10.0 / length)

    def on_event(self, event) -> None:
        if isinstance(event, st.ModelChanged):
            single = event.model.flat is not None
            self.setEnabled(True)
            for widget in self.controls:  # the note takes their place
                widget.setEnabled(not single)
                widget.setVisible(not single)
            self.note.setText(f"<i>{SINGLE_SECTION_NOTE}</i> — {single_section_name(event.model)}, measured "
                              "in its own plane" if single else "")
            self.note.setVisible(single)
            if single:
                return
            self.setToolTip("")
            axis = self.state.engine.axis
            self.of_length.setText(f"of {short_length_name(axis)}  ·")
            for label, text in zip(self.ends, _end_words(axis)):
                label.setText(text)
            self.of_length.setToolTip(f"Levels are fractions of {axis.length_name}, from its proximal end"
                                      + (f". The scan holds the {axis.describe()}" if axis.piece is not None else ""))
            with QtCore.QSignalBlocker(self.cm):
                self.cm.setMaximum(self._femur_length_mm() / 10.0)
        elif isinstance(event, st.LevelChanged):
            with QtCore.QSignalBlocker(self.slider), QtCore.QSignalBlocker(self.percent), \
                    QtCore.QSignalBlocker(self.cm):
                self.slider.setValue(round(event.level * _STEPS))
                self.percent.setValue(event.level * 100.0)
                self.cm.setValue(event.level_mm / 10.0)

    def close_view(self) -> None:
        self.state.unsubscribe(self.on_event)
