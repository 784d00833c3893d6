"""File › Export: choose what to save, confirm overwrites, export with progress and cancel.

The dialog only gathers choices into an :class:`~thighview.export.batch.ExportRequest` (the
same object ``thighview export`` builds) and runs the planned jobs: jobs that draw with
matplotlib or write tables run in a worker thread; jobs that render with VTK (3-D pictures,
the turntable) step on the GUI thread between events, since only the GUI thread may touch
VTK. A progress dialog follows both and its Cancel stops the current file, which is then
never written (see :mod:`thighview.export.atomic`).

Hook it into the main window with::

    self.export_action = a("&Export…", self.open_export_dialog, "Ctrl+E", tip="Save figures, tables, movies")
    file_menu.addAction(self.export_action)

    def open_export_dialog(self) -> None:
        ExportDialog(self.state, self, settings=self.settings,
                     camera=self.view3d.plotter.camera_position, show_image=self.image_action.isChecked()).open()
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from thighview.errors import ThighViewError
from thighview.export.batch import DEFAULT_SIZE, ExportJob, ExportRequest, plan
from thighview.export.figures import MAX_PIXELS, MIN_PIXELS, FigureOptions
from thighview.gui.workers import run_in_thread
from thighview.progress import Cancelled, Progress, run_steps

#: (label, formats, kind for the default size)
CHOICES = (
    ("Section figure — PNG", ("png",), "figure"),
    ("Section figure — SVG (vector)", ("svg",), "figure"),
    ("Section figure — PDF (vector)", ("pdf",), "figure"),
    ("Figure sheet (all levels) — PDF", ("pdf",), "sheet"),
    ("Figure sheet (all levels) — PNG", ("png",), "sheet"),
    ("3-D view — PNG", ("png3d",), "png3d"),
    ("3-D scene — GLB (glTF)", ("glb",), "png3d"),
    ("Areas — CSV", ("csv",), "figure"),
    ("Areas — JSON", ("json",), "figure"),
    ("Animation — MP4", ("mp4",), "movie2d"),
    ("Animation — GIF", ("gif",), "movie2d"),
)
ANIMATIONS = (("Level sweep, hip to knee", "sweep"), ("Turntable of the 3-D view", "turntable"),
              ("Pressure demo: into bone vs sideways", "pressure"))


def format_name(fmt: str) -> str:
    """A format as the dialog names it: ``png3d`` is a PNG too."""
    return "PNG" if fmt == "png3d" else fmt.upper()


def show_written(parent: QtWidgets.QWidget | None, paths: list[Path]) -> QtWidgets.QMessageBox:
    """A non-blocking note listing the files an export wrote, with "Show in folder"."""
    folder = paths[0].parent if paths else Path.home()
    names = "\n".join(p.name for p in paths[:12]) + (f"\n… and {len(paths) - 12} more" if len(paths) > 12 else "")
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "Export finished",
                                f"{len(paths)} file{'s' if len(paths) != 1 else ''} written in {folder}:\n\n{names}",
                                QtWidgets.QMessageBox.StandardButton.Close, parent)
    show = box.addButton("Show in folder", QtWidgets.QMessageBox.ButtonRole.ActionRole)
    show.clicked.connect(lambda: QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder))))
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class ExportDialog(QtWidgets.QDialog):
    """Choices for one export batch from the app's current state (model, level, colours, visibility)."""

    exported = QtCore.Signal(list)  # the written paths

    def __init__(self, state, parent: QtWidgets.QWidget | None = None, *, settings: QtCore.QSettings | None = None,
                 camera: tuple | None = None, show_image: bool = True) -> None:
        super().__init__(parent)
        self.show_image = show_image  # a section image's picture under the regions, as the 2-D view shows it
        self.setWindowTitle("Export")
        self.state = state
        self.settings = settings
        self.camera = camera
        self.written: list[Path] = []
        self.report_box: QtWidgets.QMessageBox | None = None  # the last export's list of written files
        self._jobs: list[ExportJob] = []
        self._cancel = threading.Event()
        self._steps = None
        self._progress: QtWidgets.QProgressDialog | None = None
        self._build()
        if state.single_section:
            self._one_level_only()
        self._choice_changed()

    # --- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        form = self.form = QtWidgets.QFormLayout()
        self.choice = QtWidgets.QComboBox()
        for label, _, _ in CHOICES:
            self.choice.addItem(label)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        form.addRow("&What", self.choice)
        self.formats_row = QtWidgets.QHBoxLayout()  # the same content in several formats at once
        self.format_boxes: dict[str, QtWidgets.QCheckBox] = {}
        form.addRow("Formats", self.formats_row)
        self.animation = QtWidgets.QComboBox()
        for label, key in ANIMATIONS:
            self.animation.addItem(label, key)
        self.animation.currentIndexChanged.connect(self._choice_changed)
        form.addRow("&Animation", self.animation)
        self.frames = QtWidgets.QSpinBox(minimum=2, maximum=1200, value=48)
        self.fps = QtWidgets.QSpinBox(minimum=1, maximum=60, value=12, suffix=" frames/s")
        movie_row = self._movie_row = QtWidgets.QHBoxLayout()
        movie_row.addWidget(self.frames)
        movie_row.addWidget(self.fps)
        form.addRow("Frames", movie_row)
        self.levels = QtWidgets.QLineEdit(f"{self.state.level * 100:.1f}%")
        self.levels.setToolTip("% of femur length from the hip, as the level bar shows it, e.g. 30%, 50%, 70%")
        form.addRow("&Levels", self.levels)
        size_row = QtWidgets.QHBoxLayout()
        self.width_box, self.height_box = QtWidgets.QSpinBox(), QtWidgets.QSpinBox()
        for box, top in ((self.width_box, MAX_PIXELS[0]), (self.height_box, MAX_PIXELS[1])):
            box.setRange(MIN_PIXELS, top)
            box.setSuffix(" px")
            size_row.addWidget(box)
        size_row.insertWidget(1, QtWidgets.QLabel("×"))
        form.addRow("Size", size_row)
        self.transparent = QtWidgets.QCheckBox("Transparent background")
        self.labels = QtWidgets.QCheckBox("Labels", checked=True)
        self.legend = QtWidgets.QCheckBox("Legend", checked=True)
        self.title = QtWidgets.QCheckBox("Title and level", checked=True)
        self.scale_bar = QtWidgets.QCheckBox("Scale bar", checked=True)
        self.table = QtWidgets.QCheckBox("Area table")
        looks = QtWidgets.QGridLayout()
        for i, box in enumerate((self.transparent, self.labels, self.legend, self.title, self.scale_bar, self.table)):
            looks.addWidget(box, i // 2, i % 2)
        form.addRow("Show", looks)
        folder_row = QtWidgets.QHBoxLayout()
        start = self.settings.value("export/folder", str(Path.home())) if self.settings else str(Path.home())
        self.folder = QtWidgets.QLineEdit(str(start))
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow("Folder", folder_row)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _one_level_only(self) -> None:
        """A single cross-section has no levels to sweep: figure sheets and the level sweep are
        greyed out (with the reason), and the one level is the only level."""
        why = "One cross-section: no levels to sweep"
        for combo, disabled in ((self.choice, [i for i, c in enumerate(CHOICES) if c[2] == "sheet"]),
                                (self.animation, [i for i, a in enumerate(ANIMATIONS) if a[1] == "sweep"])):
            for index in disabled:
                item = combo.model().item(index)
                item.setEnabled(False)
                item.setToolTip(why)
            if combo.currentIndex() in disabled:
                combo.setCurrentIndex(next(i for i in range(combo.count()) if i not in disabled))
        self.levels.setText(f"{self.state.model.flat.level * 100:.1f}%")
        self.levels.setEnabled(False)
        self.levels.setToolTip(why)

    def _choice_changed(self) -> None:
        _, formats, kind = CHOICES[self.choice.currentIndex()]
        movie = formats[0] in ("gif", "mp4")
        if movie and self.animation.currentData() in ("turntable", "pressure"):
            kind = "movie3d" if self.animation.currentData() == "turntable" else "pressure"  # the demo: 1080p
        width, height = DEFAULT_SIZE[kind]
        self.width_box.setValue(width)
        self.height_box.setValue(height)
        for widget in (self.animation, self.frames, self.fps):
            widget.setEnabled(movie)
        self.form.setRowVisible(self.animation, movie)  # no animation rows for a still image
        self.form.setRowVisible(self._movie_row, movie)
        self._fill_formats()
        if kind == "sheet" and "," not in self.levels.text():
            self.levels.setText("30%, 50%, 70%")
        figure = formats[0] in ("png", "svg", "pdf")
        for box in (self.labels, self.scale_bar, self.table):
            box.setEnabled(figure)
        self.transparent.setEnabled(formats[0] in ("png", "svg", "pdf", "png3d"))
        sized = formats[0] not in ("csv", "json", "glb")
        self.width_box.setEnabled(sized)
        self.height_box.setEnabled(sized)

    def _fill_formats(self) -> None:
        """Check boxes for every format of the chosen content (the chosen one always on)."""
        chosen, formats, _ = CHOICES[self.choice.currentIndex()]
        while self.formats_row.count():
            self.formats_row.takeAt(0).widget().deleteLater()
        self.format_boxes = {}
        for label, (fmt,), _ in CHOICES:
            if label.split(" — ")[0] == chosen.split(" — ")[0]:  # "Section figure — PNG", "… — SVG"
                box = QtWidgets.QCheckBox(format_name(fmt), checked=fmt == formats[0])
                box.setEnabled(fmt != formats[0])
                self.formats_row.addWidget(box)
                self.format_boxes[fmt] = box

    def _browse(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Export into folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    # --- the request ----------------------------------------------------------------------------
    def request(self, *, force: bool = False) -> ExportRequest:
        """The current choices as an export request (raises ThighViewError for unreadable levels)."""
        from thighview.cli_commands.areas import parse_levels

        label, formats, kind = CHOICES[self.choice.currentIndex()]
        pressure = self.state.pressure.settings  # the demo as the app shows it: place, direction, force
        figure = FigureOptions(scheme=self.state.scheme, labels=self.labels.isChecked(),
                               legend=self.legend.isChecked(), title=None if self.title.isChecked() else "",
                               level_annotation=self.title.isChecked(), scale_bar=self.scale_bar.isChecked(),
                               table=self.table.isChecked(), transparent=self.transparent.isChecked(),
                               highlight=self.state.selected,
                               hidden=frozenset(n for n, shown in self.state.visible.items() if not shown),
                               image=self.show_image)
        return ExportRequest(
            out_dir=Path(self.folder.text()).expanduser(),
            formats=tuple(f for f, box in self.format_boxes.items() if box.isChecked()) or formats,
            levels=tuple(parse_levels(self.levels.text().replace(" ", ""))),
            size=(self.width_box.value(), self.height_box.value()), figure=figure, camera=self.camera,
            sheet=kind == "sheet", animation=self.animation.currentData(), frames=self.frames.value(),
            fps=float(self.fps.value()), visible=dict(self.state.visible),
            pressure_at=pressure.at, pressure_direction=pressure.direction, force_n=pressure.force_n,
            pressure_large_deformation=pressure.large_deformation,
            opacity=dict(self.state.opacity), force=force)

    def _plan(self) -> list[ExportJob] | None:
        """The jobs, after the user confirmed overwriting any existing file; None if they declined."""
        request = self.request()
        targets = [job.target for job in plan(replace(request, force=True), self.state.model, self.state.engine)]
        existing = [t for t in targets if t.exists()]
        if existing:
            names = "\n".join(t.name for t in existing[:8])
            answer = QtWidgets.QMessageBox.question(
                self, "Replace files?", f"These files already exist in {request.out_dir}:\n\n{names}\n\nReplace them?",
                QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No,
                QtWidgets.QMessageBox.StandardButton.No)
            if answer != QtWidgets.QMessageBox.StandardButton.Yes:
                return None
        return plan(replace(request, force=bool(existing)), self.state.model, self.state.engine)

    # --- running --------------------------------------------------------------------------------
    def start(self) -> None:
        """Plan (with overwrite confirmation) and run the export; errors go to a message box."""
        if self.state.model is None:
            return
        try:
            jobs = self._plan()
        except ThighViewError as exc:
            QtWidgets.QMessageBox.warning(self, "Cannot export", str(exc))
            return
        if not jobs:
            return
        if self.settings is not None:
            self.settings.setValue("export/folder", self.folder.text())
        self._jobs = list(jobs)
        self.written = []
        self._cancel.clear()
        self._progress = QtWidgets.QProgressDialog("Exporting…", "Cancel", 0, 1000, self)
        self._progress.setWindowTitle("Export")
        self._progress.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        self._progress.canceled.connect(self._cancel.set)
        self._progress.show()
        self.export_button.setEnabled(False)
        self._next_job()

    def reject(self) -> None:
        """Closing while exporting cancels the export first (the worker still reports to this dialog)."""
        if self._jobs:
            self._cancel.set()
            return
        super().reject()

    def _next_job(self) -> None:
        if not self._jobs:
            self._finish(None)
            return
        job = self._jobs[0]
        if job.uses_vtk:  # VTK belongs to the GUI thread: one step per event-loop turn
            self._steps = job.steps()
            QtCore.QTimer.singleShot(0, self._step)
        else:
            run_in_thread(lambda report: run_steps(job.steps(), report=report, cancel=self._cancel),
                          lambda _: self._on_job_done(None), self._on_job_done, on_progress=self._on_progress)

    def _step(self) -> None:
        try:
            if self._cancel.is_set():
                self._steps.close()  # deletes the partial file
                raise Cancelled("export cancelled; no file was written")
            self._on_progress(next(self._steps))
        except StopIteration:
            self._on_job_done(None)
        except Exception as exc:
            self._steps.close()
            self._on_job_done(exc)
        else:
            QtCore.QTimer.singleShot(0, self._step)

    def _on_progress(self, progress: Progress) -> None:
        if self._progress is None or not self._jobs:
            return
        job = self._jobs[0]
        self._progress.setLabelText(f"{job.description}\n{job.target.name}")
        self._progress.setValue(int(999 * progress.fraction))

    def _on_job_done(self, error: BaseException | None) -> None:
        if error is not None:
            self._finish(error)
            return
        self.written.append(self._jobs.pop(0).target)
        self._next_job()

    def _finish(self, error: BaseException | None) -> None:
        self._jobs = []
        if self._progress is not None:
            self._progress.canceled.disconnect(self._cancel.set)
            self._progress.close()
            self._progress = None
        self.export_button.setEnabled(True)
        if error is None:
            self.report_box = show_written(self.parentWidget(), list(self.written))
            self.exported.emit(list(self.written))
            self.accept()
        elif isinstance(error, Cancelled):
            self.exported.emit(list(self.written))
        elif isinstance(error, ThighViewError):
            QtWidgets.QMessageBox.warning(self, "Export failed", str(error))
        else:
            QtWidgets.QMessageBox.critical(self, "Export failed", f"{type(error).__name__}: {error}")
