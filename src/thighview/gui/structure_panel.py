"""The structure tree: visibility (check boxes) and opacity per compartment and per structure."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.gui import state as st
from thighview.gui.area_panel import ORDER, swatch

_CHECKED = QtCore.Qt.CheckState.Checked
_UNCHECKED = QtCore.Qt.CheckState.Unchecked
_PARTIAL = QtCore.Qt.CheckState.PartiallyChecked
_NAMES_ROLE = QtCore.Qt.ItemDataRole.UserRole


class StructurePanel(QtWidgets.QWidget):
    """Check a row to show it, select rows and move the slider to set their opacity."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(["Structure", "Opacity"])
        self.tree.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)  # the names get the room
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.opacity.setToolTip("Opacity of the selected rows")
        self.envelope = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.envelope.setToolTip("Opacity of skin and subcutaneous fat in the 3D view")
        form = QtWidgets.QFormLayout()
        form.addRow("Selected rows:", self.opacity)
        form.addRow("Skin && fat:", self.envelope)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(QtWidgets.QLabel("<b>Opacity in 3D</b>"))
        layout.addLayout(form)
        # two dicts: Compartment is a str enum, so the structure "skin" == Compartment.SKIN
        self.rows: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.compartment_rows: dict[Compartment, QtWidgets.QTreeWidgetItem] = {}
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemSelectionChanged.connect(self._sync_opacity_slider)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.envelope.valueChanged.connect(
            lambda v: app_state.set_opacity(self._envelope_names(), v / 100.0))
        app_state.subscribe(self.on_event)

    def _envelope_names(self) -> list[str]:
        return self.state.names_in(Compartment.SKIN) + self.state.names_in(Compartment.FAT)

    def on_event(self, event) -> None:
        if isinstance(event, st.ModelChanged):
            self._build(event.model)
        elif isinstance(event, (st.VisibilityChanged, st.OpacityChanged)):
            self._refresh()
        elif isinstance(event, st.ColoursChanged):
            for name, item in self.rows.items():
                item.setIcon(0, swatch(event.colours.get(name, (0.8, 0.8, 0.8))))

    def _build(self, model) -> None:
        with QtCore.QSignalBlocker(self.tree):
            self.tree.clear()
            self.rows, self.compartment_rows = {}, {}
            for compartment in ORDER:
                members = [s.name for s in model.structures.values() if s.compartment is compartment]
                if not members:
                    continue
                top = QtWidgets.QTreeWidgetItem([compartment.label, ""])
                top.setData(0, _NAMES_ROLE, members)
                top.setFlags(top.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                self.tree.addTopLevelItem(top)
                self.compartment_rows[compartment] = top
                for name in members:
                    child = QtWidgets.QTreeWidgetItem([anatomy.label_of(name), ""])
                    child.setData(0, _NAMES_ROLE, [name])
                    child.setFlags(child.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                    top.addChild(child)
                    self.rows[name] = child
        self._refresh()

    def _refresh(self) -> None:
        """Check states and opacity texts from the state (signals blocked: no echo)."""
        state = self.state
        with QtCore.QSignalBlocker(self.tree):
            for item in [*self.rows.values(), *self.compartment_rows.values()]:
                names = item.data(0, _NAMES_ROLE)
                shown = [state.visible[n] for n in names]
                item.setCheckState(0, _CHECKED if all(shown) else _UNCHECKED if not any(shown) else _PARTIAL)
                values = {round(state.opacity[n] * 100) for n in names}
                item.setText(1, f"{values.pop()}%" if len(values) == 1 else "mixed")
        with QtCore.QSignalBlocker(self.envelope):
            envelope = self._envelope_names()
            if envelope:
                self.envelope.setValue(round(max(state.opacity[n] for n in envelope) * 100))
        self._sync_opacity_slider()

    def _on_item_changed(self, item: QtWidgets.QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self.state.set_visible(item.data(0, _NAMES_ROLE), item.checkState(0) != _UNCHECKED)

    def _selected_names(self) -> list[str]:
        names: list[str] = []
        for item in self.tree.selectedItems():
            names.extend(n for n in item.data(0, _NAMES_ROLE) if n not in names)
        return names

    def _sync_opacity_slider(self) -> None:
        names = self._selected_names()
        self.opacity.setEnabled(bool(names))
        if names:
            with QtCore.QSignalBlocker(self.opacity):
                self.opacity.setValue(round(max(self.state.opacity[n] for n in names) * 100))

    def _on_opacity(self, value: int) -> None:
        self.state.set_opacity(self._selected_names(), value / 100.0)

    def set_row_checked(self, key: str | Compartment, checked: bool) -> None:
        """Tick or untick a structure's or a compartment's row as a click on its check box would."""
        row = self.compartment_rows[key] if isinstance(key, Compartment) else self.rows[key]
        row.setCheckState(0, _CHECKED if checked else _UNCHECKED)

    def close_view(self) -> None:
        self.state.unsubscribe(self.on_event)
