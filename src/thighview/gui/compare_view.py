"""File › Compare with…: a second thigh next to the current one, at the same relative level.

The compare window follows the main window's one level control: both sections are drawn at
that fraction of their own femur's length, at one scale (the paired figure's drawer, so the
export and the screen agree), with the compartments' areas and differences (B − A, cm² and
percentage points) in a table and both area profiles overlaid (A solid, B dashed). The
second model is a file, the built-in thigh or a thigh from measurements; it is opened off
the GUI thread like any model.
"""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtWidgets

from thighview import anatomy
from thighview.anatomy import MAIN_COMPARTMENTS
from thighview.errors import ThighViewError
from thighview.comparison import Comparison, cell, compare
from thighview.app import state as st
from thighview.gui.workers import run_in_thread
from thighview.render.colouring import ColourScheme

_COLUMNS = ("A cm²", "B cm²", "B − A cm²", "A % muscle", "B % muscle", "B − A points")
_PROFILE_LEVELS = 61


class CompareWindow(QtWidgets.QWidget):
    """Model A (the main window's) and model B side by side; follows the main window's level."""

    def __init__(self, app_state: st.AppState, model_b, engine_b, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.state = app_state
        self.model_b, self.engine_b = model_b, engine_b
        self.comparison: Comparison | None = None
        self.profiles: tuple | None = None
        self.setWindowTitle(f"Compare — {model_b.name}")
        self.figure = Figure(facecolor="white", figsize=(10, 6))
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(640, 420)
        self.section_axes = [self.figure.add_axes((0.01 + 0.5 * i, 0.34, 0.48, 0.6)) for i in range(2)]
        self.profile_axes = self.figure.add_axes((0.08, 0.07, 0.88, 0.2))
        self.caption = QtWidgets.QLabel(wordWrap=True)
        self.table = QtWidgets.QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(230)
        self.export_button = QtWidgets.QPushButton("Export paired figure…")
        self.export_button.setToolTip("Both sections at this level, one scale, and the differences (PNG, SVG, PDF)")
        self.export_button.clicked.connect(self.export_dialog)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.export_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.table)
        self._redraw_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._redraw_timer.timeout.connect(self.redraw)
        app_state.subscribe(self.on_event)
        self.resize(1100, 900)
        self._compute_profiles()
        self.redraw()

    def on_event(self, event) -> None:
        if isinstance(event, (st.LevelChanged, st.ColoursChanged)):
            self._redraw_timer.start()
        elif isinstance(event, st.ModelChanged):  # a new model A: its profile again
            self.profiles = None
            self._compute_profiles()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt)
        self.state.unsubscribe(self.on_event)
        super().closeEvent(event)

    def _compute_profiles(self) -> None:
        engine_a, engine_b = self.state.engine, self.engine_b
        levels = [i / (_PROFILE_LEVELS - 1) for i in range(_PROFILE_LEVELS)]
        run_in_thread(lambda: (engine_a.profile(levels), engine_b.profile(levels)), self._profiles_ready)

    def _profiles_ready(self, profiles) -> None:
        self.profiles = profiles
        self._redraw_timer.start()

    def redraw(self) -> None:
        """Both sections at the main window's level, the table, the overlaid profiles."""
        from thighview.export.figures import FigureOptions
        from thighview.export.paired import draw_pair

        state = self.state
        if state.engine is None:
            return
        self.comparison = compare(state.model, self.model_b, state.level, engine_a=state.engine,
                                  engine_b=self.engine_b)
        for ax in self.section_axes:
            ax.clear()
        palette = state.scheme.palette
        draw_pair(self.section_axes, self.comparison, (state.model.side, self.model_b.side),
                  FigureOptions(scheme=ColourScheme(palette=palette), labels=False), fontsize=9)
        self._draw_profiles(palette)
        self._fill_table()
        self.caption.setText(f"<b>A:</b> {state.model.name} &nbsp; <b>B:</b> {self.model_b.name} — both at "
                             f"<b>{state.level * 100:.1f}%</b> of femur length, one scale; move the level in the "
                             "main window")
        self.canvas.draw_idle()

    def export_dialog(self) -> None:
        """Ask where, then write the paired figure at the current level."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export the paired figure", "compare.png",
                                                        "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)")
        if path:
            try:
                self.export_to(path)
            except ThighViewError as exc:
                QtWidgets.QMessageBox.warning(self, "Could not export", str(exc))

    def export_to(self, path: str) -> None:
        """The paired figure (the export's own, as ``thighview export --compare`` writes it) to ``path``."""
        from thighview.export.figures import FigureOptions, save_figure
        from thighview.export.paired import paired_figure
        from thighview.export.provenance import provenance

        model = self.state.model
        fig = paired_figure(self.comparison, sides=(model.side, self.model_b.side),
                            options=FigureOptions(scheme=ColourScheme(palette=self.state.scheme.palette)))
        record = provenance(model, content="paired section figure", levels=[self.comparison.level],
                            extra={"compared_with": self.model_b.name})
        save_figure(fig, path, record=record, force=True)

    def _draw_profiles(self, palette: str) -> None:
        ax = self.profile_axes
        ax.clear()
        if self.profiles is not None:
            for profile, style, letter in zip(self.profiles, ("-", "--"), "AB"):
                areas = profile.compartment_areas_cm2
                for compartment in MAIN_COMPARTMENTS:
                    if compartment in areas:
                        ax.plot(100 * profile.levels, areas[compartment], style, linewidth=1.4,
                                color=anatomy.compartment_colour(compartment, palette),
                                label=f"{letter}: {compartment.label.lower()}")
            ax.legend(fontsize=7, ncol=6, loc="upper center", frameon=False, bbox_to_anchor=(0.5, 1.28))
        ax.axvline(100 * self.state.level, color="#222222", linewidth=0.8, linestyle=":")
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of femur length from the hip", fontsize=8)
        ax.set_ylabel("area cm²", fontsize=8)
        ax.tick_params(labelsize=7)

    def _fill_table(self) -> None:
        rows = [r for r in self.comparison.compartment_rows() if r.area_a or r.area_b]
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([r.label for r in rows])
        for i, r in enumerate(rows):
            cells = (cell(r.area_a, 2), cell(r.area_b, 2), cell(r.difference_cm2, 2, signed=True), cell(r.share_a, 1),
                     cell(r.share_b, 1), cell(r.difference_pp, 1, signed=True))
            for j, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)


class CompareChooser(QtWidgets.QMessageBox):
    """Which thigh to compare with: a file, the built-in thigh, or one from measurements."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(QtWidgets.QMessageBox.Icon.Question, "Compare with…",
                         "Show a second thigh next to this one, at the same level:", parent=parent)
        self.file_button = self.addButton("A model &file…", QtWidgets.QMessageBox.ButtonRole.ActionRole)
        self.default_button = self.addButton("The &built-in thigh", QtWidgets.QMessageBox.ButtonRole.ActionRole)
        self.client_button = self.addButton("A thigh from &measurements…", QtWidgets.QMessageBox.ButtonRole.ActionRole)
        self.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
