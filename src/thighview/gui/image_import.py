"""The Image import dialog: which structure each colour of a section image stands for, and its scale.

Shown once a labelled section image is open (the model's ``provenance`` lists the colours found,
their pixels and areas, the unmapped ones and the reader's warnings). The user can change what
a colour stands for (a combo box per colour; unmapped colours are highlighted), and give the
scale as a pixel size, by dragging a line of known length over the picture, or keep the stated
assumption (the femur's typical mid-shaft diameter). OK emits ``chosen`` with the options for
:func:`~thighview.io.load_model` (``colour_map``, ``pixel_size``); the window reloads with them
off the UI thread. The scale choice is remembered (QSettings) for the next image.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from thighview import anatomy
from thighview.io.colour_map import BACKGROUND, OUTLINE, ColourMap, parse_colour

#: Choices offered for a colour: the compartments first, then every muscle and tissue by name.
_GROUPS = ("quadriceps_femoris", "adductors", "hamstrings", "femur", "subcutaneous_fat", "skin")
NOT_MAPPED = "— not mapped —"
_UNMAPPED_BRUSH = QtGui.QColor(255, 226, 180)
_SETTINGS = "image_import/"  # the last pixel size and drawn length, offered for the next image


def warnings_text(model) -> str:
    """The reader's warnings about an image (JPEG, unmapped colours, assumed scale) as one line."""
    return " · ".join(str(w) for w in model.provenance.get("warnings", []))


def structure_choices() -> list[str]:
    """Names a colour can stand for, the compartment groups first."""
    rest = [n for n in anatomy.canonical_names() if n not in _GROUPS]
    return [*_GROUPS, *rest]


class LengthCanvas(QtWidgets.QWidget):
    """The image, scaled to fit, on which the user drags a line; ``line`` is its two ends in
    image pixels (column, row) and ``line_changed`` fires as it is drawn."""

    line_changed = QtCore.Signal()

    def __init__(self, image: np.ndarray, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        rgba = np.ascontiguousarray(image if image.shape[2] == 4 else
                                    np.dstack([image, np.full(image.shape[:2], 255, np.uint8)]))
        h, w = rgba.shape[:2]
        self._rgba = rgba  # QImage does not own the buffer
        self.image = QtGui.QImage(rgba.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGBA8888)
        self.line: tuple[QtCore.QPointF, QtCore.QPointF] | None = None
        self._dragging = False
        self.setMinimumSize(280, 280)
        self.setCursor(QtCore.Qt.CursorShape.CrossCursor)
        self.setToolTip("Drag a line across something of known length, then type its length in mm")

    def _target(self) -> QtCore.QRectF:
        """Where the image is drawn: fitted into the widget, aspect kept, centred."""
        w, h = self.image.width(), self.image.height()
        scale = min(self.width() / w, self.height() / h)
        return QtCore.QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def to_image(self, point: QtCore.QPointF) -> QtCore.QPointF:
        target = self._target()
        scale = target.width() / self.image.width()
        return QtCore.QPointF((point.x() - target.x()) / scale, (point.y() - target.y()) / scale)

    def to_widget(self, point: QtCore.QPointF) -> QtCore.QPointF:
        target = self._target()
        scale = target.width() / self.image.width()
        return QtCore.QPointF(target.x() + point.x() * scale, target.y() + point.y() * scale)

    def line_length_px(self) -> float:
        """The drawn line's length in image pixels (0 without a line)."""
        if self.line is None:
            return 0.0
        a, b = self.line
        return math.hypot(b.x() - a.x(), b.y() - a.y())

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt)
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            start = self.to_image(event.position())
            self.line, self._dragging = (start, start), True
            self.update()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt)
        if self._dragging and self.line is not None:
            self.line = (self.line[0], self.to_image(event.position()))
            self.update()
            self.line_changed.emit()

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt)
        if self._dragging and self.line is not None:
            self.line = (self.line[0], self.to_image(event.position()))
            self._dragging = False
            self.update()
            self.line_changed.emit()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt)
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QtGui.QColor(235, 235, 235))
        painter.drawImage(self._target(), self.image)
        if self.line is not None:
            a, b = (self.to_widget(p) for p in self.line)
            for colour, width in ((QtGui.QColor(255, 255, 255), 4.0), (QtGui.QColor(20, 20, 20), 2.0)):
                painter.setPen(QtGui.QPen(colour, width, cap=QtCore.Qt.PenCapStyle.RoundCap))
                painter.drawLine(a, b)
            painter.setBrush(QtGui.QColor(255, 200, 0))
            for p in (a, b):
                painter.drawEllipse(p, 3.5, 3.5)
        painter.end()


class ImageImportDialog(QtWidgets.QDialog):
    """Colours -> structures and the scale of a section image (see the module docstring)."""

    chosen = QtCore.Signal(dict)  # the load options: colour_map (a JSON-form dict), pixel_size

    def __init__(self, model, options: dict, settings: QtCore.QSettings,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Image import")
        self.model, self.options, self.settings = model, dict(options), settings
        provenance = model.provenance
        self.pixel_size_mm = float(provenance.get("pixel_size_mm") or 0.0)
        self.canvas = LengthCanvas(model.flat.image)
        self.table = self._colour_table(provenance)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.canvas, 1)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(QtWidgets.QLabel("<b>Colours found</b> — choose what each stands for"))
        right.addWidget(self.table, 1)
        top.addLayout(right, 1)
        layout.addLayout(top, 1)
        layout.addWidget(self._scale_box(provenance))
        warnings = warnings_text(model)
        self.warnings = QtWidgets.QLabel(f"⚠ {warnings}" if warnings else "", wordWrap=True)
        self.warnings.setStyleSheet("color: #8a4b00;")
        self.warnings.setVisible(bool(warnings))
        layout.addWidget(self.warnings)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("OK — measure")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.canvas.line_changed.connect(self._on_line)
        self._as_read = self.options_chosen()  # OK without a change reloads nothing
        self.resize(980, 620)

    # --- colours ----------------------------------------------------------------------------
    def _colour_table(self, provenance: dict) -> QtWidgets.QTableWidget:
        rows = [(c, e.get("name"), e.get("pixels"), e.get("area_cm2"))
                for c, e in provenance.get("colours", {}).items()]
        table = QtWidgets.QTableWidget(len(rows), 4)
        table.setHorizontalHeaderLabels(["Colour", "Pixels", "cm²", "Stands for"])
        table.verticalHeader().hide()
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # only the combo boxes take input
        header = table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.colours: list[str] = []
        self.found_names: list[str | None] = []  # what each colour stood for when read (None: unmapped)
        self.combos: list[QtWidgets.QComboBox] = []
        choices = structure_choices()
        for row, (colour, name, pixels, area) in enumerate(rows):
            swatch = QtGui.QPixmap(16, 16)
            swatch.fill(QtGui.QColor(*parse_colour(colour)))
            cells = [QtWidgets.QTableWidgetItem(QtGui.QIcon(swatch), colour),
                     QtWidgets.QTableWidgetItem("" if pixels is None else f"{int(pixels):,}"),
                     QtWidgets.QTableWidgetItem("" if area is None else f"{float(area):.2f}")]
            for column, cell in enumerate(cells):
                cell.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
                if column:
                    cell.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
                if name is None:
                    cell.setBackground(_UNMAPPED_BRUSH)
                    cell.setToolTip("No colour of the map matches: measured as a region of its own, unassigned")
                table.setItem(row, column, cell)
            combo = QtWidgets.QComboBox(editable=True)
            combo.addItem(NOT_MAPPED, "")
            combo.addItem("Background (not measured)", BACKGROUND)
            combo.addItem("Outline (split between its neighbours)", OUTLINE)
            for choice in choices:
                combo.addItem(anatomy.label_of(choice), choice)
            known = combo.findData(anatomy.match_name(name).canonical or name) if name else 0
            if known >= 0:
                combo.setCurrentIndex(known)
            else:
                combo.setEditText(name)  # a name outside the vocabulary stays as the file gave it
            combo.setToolTip("What this colour stands for; type any name for a structure not listed")
            table.setCellWidget(row, 3, combo)
            self.colours.append(colour)
            self.found_names.append(name)
            self.combos.append(combo)
        return table

    def name_for(self, row: int) -> str:
        """The structure chosen for a row ('' = not mapped); typed text is a name of its own."""
        combo = self.combos[row]
        text = combo.currentText().strip()
        index = combo.findText(text)
        return combo.itemData(index) if index >= 0 else text

    def set_name(self, colour: str, name: str) -> None:
        """Choose what a colour stands for (as picking it in its combo box would)."""
        combo = self.combos[self.colours.index(colour)]
        combo.setCurrentIndex(combo.findData(name))

    def colour_map(self) -> dict:
        """The colour map (JSON form) the table describes: the map the image was read with, each
        region renamed as chosen (every shade that made it follows; "not mapped" drops them) and
        each unmapped colour given a name added."""
        given = self.options.get("colour_map")
        base = ColourMap.from_mapping(given) if isinstance(given, dict) else ColourMap.default()
        renamed, added = {}, {}
        for row, colour in enumerate(self.colours):
            before, after = self.found_names[row], self.name_for(row)
            if before is None and after:
                added[colour] = after
            elif before is not None and after != before:
                renamed[before] = after
        entries = {}
        for rgb, name in zip(base.colours, base.names):
            name = renamed.get(name, name)
            if name:
                entries[anatomy.rgb_to_hex(rgb, 255)] = name
        return {"tolerance": base.tolerance, "colours": {**entries, **added}}

    # --- scale ------------------------------------------------------------------------------
    def _scale_box(self, provenance: dict) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Scale")
        grid = QtWidgets.QGridLayout(box)
        self.by_pixel = QtWidgets.QRadioButton("Pixel size")
        self.by_length = QtWidgets.QRadioButton("A known length: drag a line over the picture, it is")
        self.by_assumption = QtWidgets.QRadioButton(
            "Assume the femur has its typical mid-shaft diameter (an assumption, stated in exports)")
        self.pixel_box = QtWidgets.QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=999.0, singleStep=0.01,
                                                  suffix=" mm per pixel")
        self.length_box = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.1, maximum=5000.0, singleStep=1.0,
                                                   suffix=" mm")
        self.length_result = QtWidgets.QLabel("drag a line over the picture")
        saved = self.settings.value(_SETTINGS + "pixel_size_mm")
        self.pixel_box.setValue(float(saved) if saved else (self.pixel_size_mm or 0.2))
        self.length_box.setValue(float(self.settings.value(_SETTINGS + "length_mm", 50.0)))
        grid.addWidget(self.by_pixel, 0, 0)
        grid.addWidget(self.pixel_box, 0, 1)
        grid.addWidget(self.by_length, 1, 0)
        grid.addWidget(self.length_box, 1, 1)
        grid.addWidget(self.length_result, 1, 2)
        grid.addWidget(self.by_assumption, 2, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        self.now = QtWidgets.QLabel(f"Now: {provenance.get('scale', '')}", wordWrap=True)
        self.now.setStyleSheet("color: #555;")
        grid.addWidget(self.now, 3, 0, 1, 3)
        given = self.options.get("pixel_size")
        if given is not None:
            self.pixel_box.setValue(float(given))
        (self.by_pixel if given is not None else self.by_assumption).setChecked(True)
        self.length_box.valueChanged.connect(self._on_line)
        self.pixel_box.valueChanged.connect(lambda _v: self.by_pixel.setChecked(True))
        return box

    def _on_line(self, *_args) -> None:
        size = self.drawn_pixel_size()
        if size is None:
            self.length_result.setText("drag a line over the picture")
            return
        self.by_length.setChecked(True)
        self.length_result.setText(f"{self.canvas.line_length_px():.1f} pixels → {size:.4f} mm per pixel")

    def drawn_pixel_size(self) -> float | None:
        """Millimetres per pixel from the drawn line and its typed length (None without a line)."""
        pixels = self.canvas.line_length_px()
        return self.length_box.value() / pixels if pixels >= 2.0 else None

    def pixel_size(self) -> float | None:
        """The chosen pixel size in mm, or None for the femur-diameter assumption."""
        if self.by_pixel.isChecked():
            return self.pixel_box.value()
        if self.by_length.isChecked():
            return self.drawn_pixel_size()
        return None

    # --- OK ---------------------------------------------------------------------------------
    def options_chosen(self) -> dict:
        """The load options the dialog stands for now."""
        return {"colour_map": self.colour_map(), "pixel_size": self.pixel_size()}

    def accept(self) -> None:
        if self.by_length.isChecked() and self.drawn_pixel_size() is None:
            self.length_result.setText("<b>drag a line over the picture first</b>")
            return
        chosen = self.options_chosen()
        self.settings.setValue(_SETTINGS + "length_mm", self.length_box.value())
        if chosen["pixel_size"] is not None:
            self.settings.setValue(_SETTINGS + "pixel_size_mm", chosen["pixel_size"])
        super().accept()
        if chosen != self._as_read:
            self.chosen.emit(chosen)
