"""File › New thigh from measurements…: a form, a live preview of the mid-thigh section, the aims.

The form takes what a clinician measures in two minutes (units and plausible ranges beside
each field); every change re-derives the targets and redraws the planned mid-thigh section
off the GUI thread, and lists the numbers the model will aim for and what gives way when the
measurements disagree. *Build* generates the model in a worker thread (progress, cancel)
into the app's state folder and emits ``built(path)``; the window opens it like any file,
so sessions and recent files keep it, and its JSON keeps the measurements.
"""

from __future__ import annotations

import html
import json
import re
import threading
from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as PolygonPatch
from PySide6 import QtCore, QtWidgets

from thighview import anatomy
from thighview.errors import ThighViewError
from thighview.gui.workers import run_in_thread
from thighview.procedural.measurements import LABELS, SEXES, SIDES, TRAINING, Measurements, plausible

#: Drawn first (outermost) to last; everything else in between, the femur on top.
_UNDER = ("skin", "subcutaneous_fat", "fascia_lata")
_PREVIEW_DELAY_MS = 250
#: The preview shows ±this many mm round the femur: a 90 cm thigh (the plausible maximum) fits.
_PREVIEW_HALF_MM = 170.0
_FAT_KINDS = {"not measured": None, "skinfold (caliper)": "skinfold_mm", "ultrasound": "fat_ultrasound_mm"}


class _Cancelled(Exception):
    """The user cancelled a build."""


def models_folder() -> Path:
    """Where models built from measurements are kept (beside the autosave: the app's state folder)."""
    from thighview.session import autosave_path

    return autosave_path().parent / "models"


def folder_for(m: Measurements) -> Path:
    """One folder per set of measurements (the same set reuses it)."""
    slug = re.sub(r"[^a-z0-9]+", "_", m.describe().lower()).strip("_")
    return models_folder() / slug


class ClientDialog(QtWidgets.QDialog):
    """The form; ``built(path)`` carries the written model's GLB."""

    built = QtCore.Signal(str)

    def __init__(self, settings: QtCore.QSettings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New thigh from measurements")
        self.settings = settings
        self._generation = 0
        self._cancel: threading.Event | None = None
        self.derivation = None  # the last preview's Derivation
        self.resolution: int | None = None  # levels to build (None: the shipped resolution)
        ranges = plausible()
        self.sex = _combo(SEXES)
        self.height = _spin(ranges["height_m"], 1.75, 2, 0.01, " m")
        self.mass = _spin(ranges["mass_kg"], 75.0, 1, 0.5, " kg")
        self.circumference_on = QtWidgets.QCheckBox("measured")
        self.circumference = _spin(ranges["thigh_circumference_cm"], 50.0, 1, 0.5, " cm")
        self.fat_kind = _combo(tuple(_FAT_KINDS))
        self.fat = _spin((1.0, 80.0), 12.0, 1, 0.5, " mm")
        self.training = _combo(TRAINING)
        self.side = _combo(SIDES)
        form = QtWidgets.QFormLayout()
        for label, *widgets in (("sex", self.sex), ("height_m", self.height), ("mass_kg", self.mass),
                                ("thigh_circumference_cm", self.circumference, self.circumference_on),
                                ("skinfold_mm", self.fat_kind, self.fat), ("training", self.training),
                                ("side", self.side)):
            text, unit = LABELS[label]
            if label == "skinfold_mm":
                text = "Front-thigh fat"
            row = QtWidgets.QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            form.addRow(text, row)
        self.ranges_label = QtWidgets.QLabel(_ranges_text(ranges), wordWrap=True)
        self.ranges_label.setStyleSheet("color: #666;")
        self.aims = QtWidgets.QLabel(wordWrap=True, textFormat=QtCore.Qt.TextFormat.RichText)
        self.aims.setMinimumWidth(330)
        self.aims.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        self.figure = Figure(facecolor="white", figsize=(4, 4))
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(320, 320)
        self.axes = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.progress = QtWidgets.QProgressBar(textVisible=True)
        self.progress.hide()
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.build_button = self.buttons.addButton("&Build", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.build)
        self.buttons.rejected.connect(self.cancel)
        left = QtWidgets.QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.ranges_label)
        left.addWidget(QtWidgets.QLabel("<b>The model will aim for</b>"))
        left.addWidget(self.aims, 1)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(QtWidgets.QLabel("Mid-thigh section, viewed from below"))
        right.addWidget(self.canvas, 1)
        top = QtWidgets.QHBoxLayout()
        top.addLayout(left)
        top.addLayout(right, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.resize(860, 520)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=_PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._restore()
        for signal in (self.sex.currentIndexChanged, self.height.valueChanged, self.mass.valueChanged,
                       self.circumference.valueChanged, self.circumference_on.toggled,
                       self.fat_kind.currentIndexChanged, self.fat.valueChanged, self.training.currentIndexChanged,
                       self.side.currentIndexChanged):
            signal.connect(self._changed)
        self._changed()

    # --- the form ---------------------------------------------------------------------------
    def measurements(self) -> Measurements:
        """The form's measurements (raises :class:`~thighview.errors.MeasurementError` if implausible)."""
        values = {"sex": self.sex.currentText(), "height_m": round(self.height.value(), 3),
                  "mass_kg": round(self.mass.value(), 2), "training": self.training.currentText(),
                  "side": self.side.currentText()}
        if self.circumference_on.isChecked():
            values["thigh_circumference_cm"] = round(self.circumference.value(), 2)
        field = _FAT_KINDS[self.fat_kind.currentText()]
        if field is not None:
            values[field] = round(self.fat.value(), 2)
        return Measurements(**values)

    def set_measurements(self, m: Measurements) -> None:
        """Fill the form (from a previous session of the form, or a test)."""
        self.sex.setCurrentText(m.sex)
        self.height.setValue(m.height_m)
        self.mass.setValue(m.mass_kg)
        self.circumference_on.setChecked(m.thigh_circumference_cm is not None)
        if m.thigh_circumference_cm is not None:
            self.circumference.setValue(m.thigh_circumference_cm)
        kind = "skinfold (caliper)" if m.skinfold_mm is not None else "ultrasound" if m.fat_ultrasound_mm is not None \
            else "not measured"
        self.fat_kind.setCurrentText(kind)
        if kind != "not measured":
            self.fat.setValue(m.skinfold_mm if m.skinfold_mm is not None else m.fat_ultrasound_mm)
        self.training.setCurrentText(m.training)
        self.side.setCurrentText(m.side)

    def _changed(self) -> None:
        self.circumference.setEnabled(self.circumference_on.isChecked())
        self.fat.setEnabled(_FAT_KINDS[self.fat_kind.currentText()] is not None)
        self._timer.start()

    def _restore(self) -> None:
        text = self.settings.value("client/measurements", "")
        try:
            self.set_measurements(Measurements.from_dict(json.loads(text)) if text else Measurements())
        except (ValueError, TypeError, ThighViewError):
            self.set_measurements(Measurements())

    # --- preview ----------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Derive and lay out mid-thigh for the form's measurements, off the GUI thread."""
        from thighview.procedural.client import mid_thigh_rings

        try:
            m = self.measurements()
        except ThighViewError as exc:
            self.aims.setText(f"<span style='color:#b00'>{html.escape(str(exc))}</span>")
            self.build_button.setEnabled(False)
            return
        self._generation += 1
        generation = self._generation
        run_in_thread(lambda: mid_thigh_rings(m),
                      lambda result: self._show_preview(generation, *result),
                      lambda error: self._preview_failed(generation, error))

    def _preview_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.aims.setText(f"<span style='color:#b00'>{html.escape(str(error))}</span>")
            self.build_button.setEnabled(False)

    def _show_preview(self, generation: int, derivation, rings: dict) -> None:
        if generation != self._generation:  # a newer preview is on its way
            return
        from thighview.cli_commands.build_model import aims_lines

        self.derivation = derivation
        self.build_button.setEnabled(True)
        lines = [html.escape(line) for line in aims_lines(derivation.aims)]
        warnings = [f"<span style='color:#a35400'>⚠ {html.escape(w)}</span>" for w in derivation.warnings]
        self.aims.setText("<br>".join(lines + warnings))
        ax = self.axes
        ax.clear()
        order = [*_UNDER, *(n for n in rings if n not in _UNDER and n != "femur"), "femur"]
        for name in order:
            if name in rings:
                colour = anatomy.compartment_colour(anatomy.compartment_of(name))  # as the app's default view
                ax.add_patch(PolygonPatch(rings[name][0], closed=True, facecolor=colour,
                                          edgecolor="#333333", linewidth=0.4))
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlim(-_PREVIEW_HALF_MM, _PREVIEW_HALF_MM)  # one scale for every thigh: sizes compare
        ax.set_ylim(-_PREVIEW_HALF_MM, _PREVIEW_HALF_MM)
        bar_x, bar_y = -0.9 * _PREVIEW_HALF_MM, -0.9 * _PREVIEW_HALF_MM
        ax.plot([bar_x, bar_x + 50.0], [bar_y, bar_y], color="#222222", linewidth=1.5)
        ax.text(bar_x + 25.0, bar_y + 4.0, "5 cm", ha="center", va="bottom", fontsize=7.5, color="#222222")
        ax.axis("off")
        lateral_left = derivation.measurements.side == "right"
        style = dict(transform=ax.transAxes, fontsize=8, color="#555555", fontweight="bold")
        ax.text(0.5, 0.98, "ANTERIOR", ha="center", va="top", **style)
        ax.text(0.01, 0.5, "LATERAL" if lateral_left else "MEDIAL", ha="left", va="center", rotation=90, **style)
        ax.text(0.99, 0.5, "MEDIAL" if lateral_left else "LATERAL", ha="right", va="center", rotation=90, **style)
        self.canvas.draw_idle()

    # --- building ---------------------------------------------------------------------------
    def build(self) -> None:
        """Generate the model off the GUI thread; on success emit ``built`` and close."""
        from thighview.procedural.client import build_client

        try:
            m = self.measurements()
        except ThighViewError as exc:
            self.aims.setText(f"<span style='color:#b00'>{html.escape(str(exc))}</span>")
            return
        self.settings.setValue("client/measurements", json.dumps(m.to_dict()))
        cancel = threading.Event()
        self._cancel = cancel
        self.build_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        from thighview.procedural import DEFAULT_RESOLUTION

        resolution = self.resolution or DEFAULT_RESOLUTION

        def build(report):  # worker thread: each step reported here, stopped at the next one once cancelled
            def progress(step) -> None:
                if cancel.is_set():
                    raise _Cancelled
                report(step)

            return build_client(m, folder_for(m), resolution, progress=progress)[2]

        run_in_thread(build, self._built, self._failed, on_progress=self._show_progress)

    def _show_progress(self, step) -> None:
        self.progress.setValue(round(100 * step.fraction))
        self.progress.setFormat(f"{step.message} %p%")

    def _built(self, glb: Path) -> None:
        self._cancel = None
        self.progress.hide()
        self.built.emit(str(glb))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._cancel = None
        self.progress.hide()
        self.build_button.setEnabled(True)
        if not isinstance(error, _Cancelled):
            self.aims.setText(f"<span style='color:#b00'>Could not build the model: {html.escape(str(error))}</span>")

    def cancel(self) -> None:
        """Cancel a build in progress (at its next step), or close the form."""
        if self._cancel is not None:
            self._cancel.set()
            self.progress.setFormat("Cancelling…")
            return
        self.reject()


def _combo(items) -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    box.addItems(list(items))
    return box


def _spin(limits: tuple[float, float], value: float, decimals: int, step: float, suffix: str) -> QtWidgets.QDoubleSpinBox:
    box = QtWidgets.QDoubleSpinBox(decimals=decimals, singleStep=step, suffix=suffix)
    box.setRange(*limits)
    box.setValue(value)
    box.setKeyboardTracking(False)
    return box


def _ranges_text(ranges: dict[str, tuple[float, float]]) -> str:
    parts = [f"{LABELS[k][0].lower()} {lo:g}–{hi:g} {LABELS[k][1]}" for k, (lo, hi) in ranges.items()]
    return "Plausible ranges: " + "; ".join(parts) + ". Left unmeasured, the circumference and the fat are derived."
