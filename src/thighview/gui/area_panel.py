"""The area panel: areas per compartment and muscle, bone coverage, and the area profile chart.

Every number is read from the state's current ``Section`` (the section engine); the profile
is the engine's ``profile()``, computed once per model off the UI thread. A model made from one
cross-section has no profile: the chart says so.
"""

from __future__ import annotations

from dataclasses import replace

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtGui, QtWidgets

from thighview import anatomy
from thighview.anatomy import COMPARTMENT_ORDER, MAIN_COMPARTMENTS, Compartment
from thighview.app import state as st
from thighview.gui.workers import run_in_thread

NAME_ROLE = QtCore.Qt.ItemDataRole.UserRole
#: The area cell of a structure without an area here, by ``Section.without_area`` reason.
_NO_AREA_CELLS = {"not closed": "open", "self-intersecting": "crossed"}
_ABSENT = "not present at this level"
SINGLE_SECTION_CHART_NOTE = "One cross-section: no area profile along the femur."
#: Compartments in the order the table lists them.
ORDER = COMPARTMENT_ORDER


def compartment_members(model) -> list[tuple[Compartment, list[str]]]:
    """(compartment, its structures' names) for each compartment of ``model`` that has any, in :data:`ORDER`."""
    groups = [(c, [s.name for s in model.structures.values() if s.compartment is c]) for c in ORDER]
    return [(c, members) for c, members in groups if members]


def swatch(rgb) -> QtGui.QIcon:
    """A small square icon of a colour, for table rows."""
    pixmap = QtGui.QPixmap(12, 12)
    pixmap.fill(QtGui.QColor.fromRgbF(*rgb))
    painter = QtGui.QPainter(pixmap)
    painter.setPen(QtGui.QColor(60, 60, 60))
    painter.drawRect(0, 0, 11, 11)
    painter.end()
    return QtGui.QIcon(pixmap)


def coverage_text(coverage: dict[Compartment, float]) -> str:
    """``"Muscle on the femur's outline here: quadriceps 67% · adductors 19% · hamstrings 14%"`` (rich text)."""
    parts = sorted(((c, f) for c, f in coverage.items() if f > 0.005), key=lambda cf: -cf[1])
    if not parts:
        return "No muscle borders the femur at this level."
    (first, share), rest = parts[0], parts[1:]
    text = f"Muscle on the femur's outline here: <b>{first.label.lower()} {share * 100:.0f}%</b>"
    return text + "".join(f" · {c.label.lower()} {f * 100:.0f}%" for c, f in rest)


class ProfileChart(QtWidgets.QWidget):
    """Stacked muscle areas per compartment along the femur, with the current level marked.

    Clicking or dragging on the chart moves the level there (``level_picked``).
    """

    level_picked = QtCore.Signal(float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(figsize=(4, 2.2), facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(170)
        self.axes = self.figure.add_axes((0.13, 0.2, 0.84, 0.68))
        self.marker = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.profile = None
        self.palette: str | None = None
        self.canvas.setToolTip("Click or drag to move the level")
        self.canvas.mpl_connect("button_press_event", self._on_mouse)
        self.canvas.mpl_connect("motion_notify_event", self._on_mouse)
        self.waiting()

    def _on_mouse(self, event) -> None:
        if self.profile is not None and event.inaxes is self.axes and event.button == 1 and event.xdata is not None:
            self.level_picked.emit(min(max(event.xdata / 100.0, 0.0), 1.0))

    def waiting(self) -> None:
        """An empty chart saying the profile is on its way (it is computed off the UI thread)."""
        self.show_note("Computing the area profile…")

    def show_note(self, text: str) -> None:
        """An empty chart with a note instead of a profile."""
        self.profile = None
        self.marker = None
        self.axes.clear()
        self.axes.set_axis_off()
        self.axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=8, color="#777777",
                       transform=self.axes.transAxes)
        self.canvas.draw_idle()

    def show_profile(self, profile, palette: str, level: float, length_name: str) -> None:
        from thighview.render.profile_chart import draw_profile

        self.profile, self.palette = profile, palette
        ax = self.axes
        ax.clear()
        ax.set_axis_on()
        shown = draw_profile(ax, profile, palette, length_name=length_name, fontsize=7.5)
        if shown:
            ax.legend(fontsize=6.5, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, ncols=len(shown),
                      handlelength=1.0, columnspacing=0.8, borderaxespad=0.1)
        self.marker = ax.axvline(level * 100.0, color="#111111", lw=1.2, ls="--")
        self.canvas.draw_idle()

    def set_level(self, level: float) -> None:
        if self.marker is not None:
            self.marker.set_xdata([level * 100.0, level * 100.0])
            self.canvas.draw_idle()


class AreaPanel(QtWidgets.QWidget):
    """Areas table (compartments with expandable muscles), bone coverage and profile chart."""

    profile_ready = QtCore.Signal(object)

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Structure", "cm²", "% muscle"])
        self.tree.headerItem().setToolTip(1, "Cross-sectional area at this level, cm²")
        self.tree.headerItem().setToolTip(2, "Share of the muscle area at this level, %")
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setStretchLastSection(False)  # the names get the room
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.total = QtWidgets.QLabel(wordWrap=True)
        self.coverage = QtWidgets.QLabel(wordWrap=True)
        self.coverage.setToolTip("Share of the femur's outer perimeter bordered by each compartment")
        self.chart = ProfileChart()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.total)
        layout.addWidget(self.coverage)
        self.chart_title = QtWidgets.QLabel("<b>Area profile along the femur</b>")
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart, 2)
        self.single_note = QtWidgets.QLabel(f"<i>{SINGLE_SECTION_CHART_NOTE}</i>", wordWrap=True)
        self.single_note.setStyleSheet("color: #666;")
        self.single_note.hide()
        layout.addWidget(self.single_note)
        # two dicts: Compartment is a str enum, so the structure "skin" == Compartment.SKIN
        self.compartment_items: dict[Compartment, QtWidgets.QTreeWidgetItem] = {}
        self.items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.tree.itemClicked.connect(self._on_clicked)
        self.profile_ready.connect(self._on_profile)
        self.chart.level_picked.connect(app_state.set_level)
        app_state.subscribe(self.on_event)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, st.ModelChanged):
            self._build(event.model)
            single = event.model.flat is not None
            for widget in (self.chart_title, self.chart):
                widget.setVisible(not single)  # the table gets the room; a note says why
            self.single_note.setVisible(single)
            if single:
                self.chart.show_note(SINGLE_SECTION_CHART_NOTE)
                return
            self.chart.waiting()
            engine = self.state.engine
            run_in_thread(engine.profile, lambda profile: self.profile_ready.emit((engine, profile)))
        elif isinstance(event, st.CompartmentsChanged):  # regroup; the new section's numbers follow
            self._build(self.state.model)
            self._colour(self.state.colours)
            if self.chart.profile is not None:
                profile = replace(self.chart.profile, compartments=dict(self.state.engine.compartments))
                self._show_profile(profile, self.state.scheme.palette)
        elif isinstance(event, st.LevelChanged):
            self._fill(event.section)
            self._mark_absent(event.section)
            self.chart.set_level(event.level)
        elif isinstance(event, st.ColoursChanged):
            self._colour(event.colours)
            if self.chart.profile is not None and event.scheme.palette != self.chart.palette:
                self._show_profile(self.chart.profile, event.scheme.palette)
        elif isinstance(event, st.SelectionChanged):
            item = self.items.get(event.name)
            with QtCore.QSignalBlocker(self.tree):
                self.tree.setCurrentItem(item) if item is not None else self.tree.clearSelection()

    def _on_profile(self, payload) -> None:
        engine, profile = payload
        if engine is self.state.engine:  # a model loaded meanwhile makes this profile stale
            self._show_profile(profile, self.state.scheme.palette)

    def _show_profile(self, profile, palette: str) -> None:
        self.chart.show_profile(profile, palette, self.state.level, self.state.engine.axis.length_name)

    def _build(self, model) -> None:
        self.tree.clear()
        self.items, self.compartment_items = {}, {}
        for compartment, members in compartment_members(model):
            top = QtWidgets.QTreeWidgetItem([compartment.label, "", ""])  # no NAME_ROLE: not selectable
            font = top.font(0)
            font.setBold(True)
            for column in range(3):
                top.setFont(column, font)
            self.tree.addTopLevelItem(top)
            self.compartment_items[compartment] = top
            for name in members:
                child = QtWidgets.QTreeWidgetItem([anatomy.label_of(name), "", ""])
                child.setData(0, NAME_ROLE, name)
                top.addChild(child)
                self.items[name] = child
            top.setExpanded(compartment in MAIN_COMPARTMENTS)
        for item in [*self.items.values(), *self.compartment_items.values()]:
            for column in (1, 2):
                item.setTextAlignment(column, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)

    def _fill(self, section) -> None:
        """Write the section's numbers into the table and the coverage line."""
        rows = [(c, item, section.compartment_areas_cm2.get(c)) for c, item in self.compartment_items.items()]
        rows += [(n, item, section.areas_cm2.get(n)) for n, item in self.items.items()]
        for key, item, area in rows:
            share = section.percent_of_muscle(key) if area is not None else None
            reason = section.without_area.get(key) if area is None else None
            item.setText(1, _NO_AREA_CELLS.get(reason, "–" if area is None else f"{area:.1f}"))
            item.setToolTip(1, f"{reason} at this level, so no exact area" if reason else "")
            item.setText(2, "" if share is None else f"{share:.1f}")
        where = ("in this single section" if self.state.single_section else f"{section.where}" if section.where else
                 f"at {section.level * 100:.1f}% ({section.level_mm / 10:.1f} cm from the hip)")
        overlap = sum(o.area_cm2 for o in section.overlaps)
        self.total.setText(f"Muscle: <b>{section.muscle_area_cm2:.1f} cm²</b> of "
                           f"{section.total_area_cm2:.1f} cm² section {where}"
                           + (f" · overlaps {overlap:.1f} cm² counted once (hatched)" if section.overlaps else ""))
        self.coverage.setText(coverage_text({c: f for c, f in section.bone_coverage.items() if c.is_muscle}))

    def _mark_absent(self, section) -> None:
        """Grey out, with a dash, the structures that do not reach this level (area exactly 0, as
        the CLI's "not present at this level"), so a "0.0" row is not read as a tiny muscle."""
        grey = QtGui.QBrush(QtGui.QColor(150, 150, 150))
        for name, item in self.items.items():
            absent = section.areas_cm2.get(name) == 0.0
            for column in range(3):
                item.setData(column, QtCore.Qt.ItemDataRole.ForegroundRole, grey if absent else None)
            if absent:
                item.setText(1, "—")
                item.setText(2, "")
                item.setToolTip(1, _ABSENT)
            elif item.toolTip(1) == _ABSENT:
                item.setToolTip(1, "")

    def _colour(self, colours) -> None:
        palette = self.state.scheme.palette
        for compartment, item in self.compartment_items.items():
            item.setIcon(0, swatch(anatomy.hex_to_rgb(anatomy.compartment_colour(compartment, palette))))
        for name, item in self.items.items():
            item.setIcon(0, swatch(colours.get(name, (0.8, 0.8, 0.8))))

    def _on_clicked(self, item: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, NAME_ROLE)
        if name:
            self.state.select(name)

    def row_values(self, key: str | Compartment) -> tuple[str, str]:
        """The (area, % of muscle) texts shown for a structure or a compartment (for tests)."""
        item = self.compartment_items[key] if isinstance(key, Compartment) else self.items[key]
        return item.text(1), item.text(2)

    def close_view(self) -> None:
        self.state.unsubscribe(self.on_event)
