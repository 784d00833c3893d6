"""The structure tree: visibility (check boxes), opacity and compartment per structure.

Structures whose names the vocabulary does not know arrive as *Unassigned*: they are listed in
their own group with a hint, and a row's context menu (or the compartment box below the tree)
assigns any structure to a compartment. Assignments go through a ``QUndoStack`` (Edit › Undo,
Ctrl+Z / Ctrl+Shift+Z) and :meth:`AppState.set_compartments`, so every number and colour follows.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from thighview import anatomy
from thighview.anatomy import Compartment
from thighview.app import state as st
from thighview.gui.area_panel import ORDER, compartment_members, swatch

_CHECKED = QtCore.Qt.CheckState.Checked
_UNCHECKED = QtCore.Qt.CheckState.Unchecked
_PARTIAL = QtCore.Qt.CheckState.PartiallyChecked
_NAMES_ROLE = QtCore.Qt.ItemDataRole.UserRole
UNASSIGNED_HINT = "Not a name ThighView knows: right-click to assign it to a compartment"


class AssignCommand(QtGui.QUndoCommand):
    """Move structures to one compartment; undo puts each back where it was."""

    def __init__(self, app_state: st.AppState, names: list[str], compartment: Compartment) -> None:
        structures = app_state.model.structures
        what = anatomy.label_of(names[0]) if len(names) == 1 else f"{len(names)} structures"
        super().__init__(f"assign {what} to {compartment.label.lower()}")
        self.state = app_state
        self.before = {n: structures[n].compartment for n in names}
        self.after = dict.fromkeys(names, compartment)

    def redo(self) -> None:
        self.state.set_compartments(self.after)

    def undo(self) -> None:
        self.state.set_compartments(self.before)


class StructurePanel(QtWidgets.QWidget):
    """Check a row to show it; select rows to set their opacity or compartment (or right-click a row)."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(["Structure", "3-D opacity"])  # the tick shows or hides in both views
        self.tree.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)  # the names get the room
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.opacity.setToolTip("Opacity of the selected rows")
        self.envelope = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.envelope.setToolTip("Opacity of skin and subcutaneous fat in the 3D view (untick them to hide "
                                 "them in the section too)")
        form = QtWidgets.QFormLayout()
        form.addRow("Selected rows:", self.opacity)
        form.addRow("Skin && fat:", self.envelope)
        self.tree.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.hint = QtWidgets.QLabel(wordWrap=True)
        self.hint.setStyleSheet("color: #8a5a00;")
        self.hint.hide()
        self.compartment = QtWidgets.QComboBox()
        self.compartment.setPlaceholderText("Select a structure above to change it")  # why it is empty and off
        self.compartment.setToolTip("Assign the selected structures to a compartment (Edit › Undo takes it back)")
        for compartment in ORDER:
            self.compartment.addItem(compartment.label, compartment)
        self.compartment.activated.connect(lambda i: self.assign(self._selected_names(), self.compartment.itemData(i)))
        self.undo_stack = QtGui.QUndoStack(self)
        assign_form = QtWidgets.QFormLayout()
        assign_form.addRow("Compartment:", self.compartment)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)
        layout.addLayout(assign_form)
        layout.addWidget(QtWidgets.QLabel("<b>Opacity in 3D</b> (the section always draws ticked rows in full; "
                                          "untick a row to hide it in both views)", wordWrap=True))
        layout.addLayout(form)
        # two dicts: Compartment is a str enum, so the structure "skin" == Compartment.SKIN
        self.rows: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.compartment_rows: dict[Compartment, QtWidgets.QTreeWidgetItem] = {}
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemSelectionChanged.connect(self._sync_selection_widgets)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.envelope.valueChanged.connect(
            lambda v: app_state.set_opacity(self._envelope_names(), v / 100.0))
        app_state.subscribe(self.on_event)

    def _envelope_names(self) -> list[str]:
        return self.state.names_in(Compartment.SKIN) + self.state.names_in(Compartment.FAT)

    def on_event(self, event) -> None:
        if isinstance(event, st.ModelChanged):
            self.undo_stack.clear()  # assignments belong to the model they were made on
            self._build(event.model)
        elif isinstance(event, st.CompartmentsChanged):
            selected = self._selected_names()
            self._build(self.state.model)
            self._select(selected)
            for name in event.names:  # show where the moved rows went
                self.rows[name].parent().setExpanded(True)
            self.tree.scrollToItem(self.rows[event.names[0]])
        elif isinstance(event, (st.VisibilityChanged, st.OpacityChanged)):
            self._refresh()
        elif isinstance(event, st.ColoursChanged):
            for name, item in self.rows.items():
                item.setIcon(0, swatch(event.colours.get(name, (0.8, 0.8, 0.8))))

    def _build(self, model) -> None:
        with QtCore.QSignalBlocker(self.tree):
            self.tree.clear()
            self.rows, self.compartment_rows = {}, {}
            for compartment, members in compartment_members(model):
                top = QtWidgets.QTreeWidgetItem([compartment.label, ""])
                top.setData(0, _NAMES_ROLE, members)
                top.setFlags(top.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                self.tree.addTopLevelItem(top)
                self.compartment_rows[compartment] = top
                for name in members:
                    child = QtWidgets.QTreeWidgetItem([anatomy.label_of(name), ""])
                    child.setData(0, _NAMES_ROLE, [name])
                    child.setFlags(child.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                    child.setIcon(0, swatch(self.state.colours.get(name, (0.8, 0.8, 0.8))))
                    top.addChild(child)
                    self.rows[name] = child
            unassigned = self.compartment_rows.get(Compartment.UNASSIGNED)
            if unassigned is not None:
                unassigned.setExpanded(True)
                unassigned.setText(0, f"{Compartment.UNASSIGNED.label} (right-click to assign)")
                for item in (unassigned, *(unassigned.child(i) for i in range(unassigned.childCount()))):
                    item.setToolTip(0, UNASSIGNED_HINT)
                    item.setForeground(0, QtGui.QColor("#8a5a00"))
        count = len(self.state.names_in(Compartment.UNASSIGNED))
        self.hint.setText(f"<b>{count} structure{'s' if count != 1 else ''} without a compartment</b> "
                          "(not counted as muscle): right-click a row, or select it and choose a compartment below.")
        self.hint.setVisible(count > 0)
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
        self._sync_selection_widgets()

    def _on_item_changed(self, item: QtWidgets.QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self.state.set_visible(item.data(0, _NAMES_ROLE), item.checkState(0) != _UNCHECKED)

    def _selected_names(self) -> list[str]:
        names: list[str] = []
        for item in self.tree.selectedItems():
            names.extend(n for n in item.data(0, _NAMES_ROLE) if n not in names)
        return names

    def _select(self, names: list[str]) -> None:
        for name in names:
            if name in self.rows:
                self.rows[name].setSelected(True)

    def _sync_selection_widgets(self) -> None:
        names = self._selected_names()
        if len(self.tree.selectedItems()) == 1 and len(names) == 1:  # one structure: highlight it in the views
            self.state.select(names[0])
        self.opacity.setEnabled(bool(names))
        self.compartment.setEnabled(bool(names))
        compartments = {self.state.model.structures[n].compartment for n in names}
        with QtCore.QSignalBlocker(self.compartment):
            self.compartment.setCurrentIndex(ORDER.index(compartments.pop()) if len(compartments) == 1 else -1)
        if names:
            with QtCore.QSignalBlocker(self.opacity):
                self.opacity.setValue(round(max(self.state.opacity[n] for n in names) * 100))

    def _on_opacity(self, value: int) -> None:
        self.state.set_opacity(self._selected_names(), value / 100.0)

    # --- compartments ---------------------------------------------------------------------
    def assign(self, names: list[str], compartment: Compartment | str) -> None:
        """Assign structures to a compartment as one undoable step (nothing to do: no step)."""
        compartment = Compartment(compartment)  # a combo box's item data comes back as plain text
        names = [n for n in names if self.state.model.structures[n].compartment is not compartment]
        if names:
            self.undo_stack.push(AssignCommand(self.state, names, compartment))

    def assignment_menu(self, names: list[str]) -> QtWidgets.QMenu:
        """"Assign to compartment" with every compartment, the current one ticked."""
        menu = QtWidgets.QMenu(self)
        what = anatomy.label_of(names[0]) if len(names) == 1 else f"{len(names)} structures"
        menu.addSection(f"Assign {what} to")
        current = {self.state.model.structures[n].compartment for n in names}
        for compartment in ORDER:
            action = menu.addAction(swatch(anatomy.hex_to_rgb(anatomy.compartment_colour(
                compartment, self.state.scheme.palette))), compartment.label)
            action.setCheckable(True)
            action.setChecked(current == {compartment})
            action.triggered.connect(lambda _=False, c=compartment: self.assign(names, c))
        return menu

    def _show_context_menu(self, position: QtCore.QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        names = self._selected_names() if item.isSelected() else list(item.data(0, _NAMES_ROLE))
        menu = self.assignment_menu(names)
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(position))

    def install_edit_menu(self, menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
        """Put Edit › Undo/Redo (Ctrl+Z, Ctrl+Shift+Z) for assignments after the menu bar's first menu."""
        window = menu_bar.parentWidget()
        undo = self.undo_stack.createUndoAction(window, "&Undo")
        redo = self.undo_stack.createRedoAction(window, "&Redo")
        undo.setShortcut(QtGui.QKeySequence("Ctrl+Z"))
        redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])
        menu = QtWidgets.QMenu("&Edit", menu_bar)
        menu.addActions([undo, redo])
        window.addActions([undo, redo])  # the shortcuts work wherever the focus is in the window
        menus = menu_bar.actions()
        if len(menus) > 1:
            menu_bar.insertMenu(menus[1], menu)
        else:
            menu_bar.addMenu(menu)
        self.undo_action, self.redo_action = undo, redo
        return menu

    def set_row_checked(self, key: str | Compartment, checked: bool) -> None:
        """Tick or untick a structure's or a compartment's row as a click on its check box would."""
        row = self.compartment_rows[key] if isinstance(key, Compartment) else self.rows[key]
        row.setCheckState(0, _CHECKED if checked else _UNCHECKED)

    def close_view(self) -> None:
        self.state.unsubscribe(self.on_event)
