"""The main window: 3-D view and 2-D section side by side, level bar, structure and area docks.

The window wires widgets to one :class:`~thighview.app.state.AppState`; it owns loading
(off the UI thread), menus with their shortcuts, drag-and-drop, recent files, settings, the
error dialog and presentation mode (full screen for showing clients the guided demo). Views
update themselves from the state's events.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from thighview._memory import limit_arenas, release_free_memory
from thighview.app import state as st
from thighview.errors import ThighViewError
from thighview.gui.about import about_details, about_html
from thighview.gui.area_panel import AreaPanel
from thighview.gui.client_actions import ClientActions
from thighview.gui.level_control import LevelControl, short_length_name, single_section_name
from thighview.gui.session_actions import SessionController
from thighview.gui.structure_panel import StructurePanel
from thighview.gui.view2d import SectionView
from thighview.gui.view3d import View3D
from thighview.gui.workers import load_model_and_engine, run_in_thread, wait_for_workers
from thighview.progress import Cancelled, Progress
from thighview.render.colouring import AREA_PER, AREA_UNITS, COLOURBLIND, PALETTES, SCHEME_CHOICES, ColourMode
from thighview.render.views import VIEWS

MAX_RECENT = 8
#: Presentation mode's larger fonts, on top of the application's style sheet.
PRESENTATION_STYLE = """
QLabel#caption { font-size: 17pt; padding: 6px 12px; }
QLabel#presentation_caption { font-size: 21pt; font-weight: 600; color: #1d2633; background: #eef2f7;
                              padding: 10px 14px; border-radius: 6px; }
QPushButton, QCheckBox, QSpinBox { font-size: 15pt; }
QDockWidget::title { font-size: 15pt; }
"""


def open_filter() -> str:
    """File › Open's filter: every suffix the readers open, and the section images on their own."""
    from thighview.io import SUPPORTED_SUFFIXES
    from thighview.io.formats import IMAGE, suffixes_read_by

    return (f"Thigh models and section images ({' '.join('*' + s for s in SUPPORTED_SUFFIXES)});;"
            f"Section images ({' '.join('*' + s for s in suffixes_read_by(IMAGE))});;All files (*)")


def first_window_geometry(available: QtCore.QRect) -> QtCore.QRect:
    """The first window fills the screen's available area (task bars aside), as large as is useful."""
    width, height = min(available.width(), 1920), min(available.height(), 1200)
    return QtCore.QRect(available.x() + (available.width() - width) // 2,
                        available.y() + (available.height() - height) // 2, width, height)


def scrolling(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """``widget`` in a frameless scroll area: a dock taller than a small screen scrolls instead of
    growing the window (and pushing the level bar and status bar off the screen)."""
    area = QtWidgets.QScrollArea(widgetResizable=True, frameShape=QtWidgets.QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(widget)
    return area


def _panel(title: str, widget: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """A view with a slim caption above it."""
    box = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    caption = QtWidgets.QLabel(title, wordWrap=True)
    caption.setObjectName("caption")
    # a long caption (large in presentation mode) wraps rather than widen the window
    caption.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return box


def ask_side(opened: str, parent: QtWidgets.QWidget | None = None) -> str:
    """For a file holding both thighs: which one to show (``opened`` is the one read by default)."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, "Both thighs in this file",
                                f"This file holds both thighs. The {opened} one is open: show the right or the "
                                "left thigh? (On the command line: --side right|left.)", parent=parent)
    buttons = {side: box.addButton(f"{side.capitalize()} thigh", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
               for side in ("right", "left")}
    box.setDefaultButton(buttons[opened])
    box.exec()
    return next((side for side, button in buttons.items() if box.clickedButton() is button), opened)


class MainWindow(QtWidgets.QMainWindow):
    """ThighView's window. ``settings`` lets tests use a throw-away settings file."""

    model_loaded = QtCore.Signal()

    def __init__(self, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        limit_arenas()  # before this window starts its worker threads (see thighview._memory)
        self._closing = False
        self._cancel_loading: threading.Event | None = None
        self.settings = settings or QtCore.QSettings()
        self.state = st.AppState()
        self.setWindowTitle("ThighView")
        self.setAcceptDrops(True)
        self.setDockOptions(QtWidgets.QMainWindow.DockOption.AnimatedDocks
                            | QtWidgets.QMainWindow.DockOption.AllowTabbedDocks)
        self.view3d = View3D(self.state)
        self.section_view = SectionView(self.state)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.addWidget(_panel("3D  ·  drag to rotate, scroll to zoom, click to identify", self.view3d))
        # the centre's second view: the section, or the pressure demo's stage while it is on (see set_stage)
        self.centre = QtWidgets.QStackedWidget()
        self.centre.addWidget(_panel("Section  ·  viewed from below, as in CT/MRI", self.section_view))
        self.splitter.addWidget(self.centre)
        self.splitter.setSizes([420, 600])
        self.stage = None  # the pressure stage (thighview.gui.stage), made the first time it is shown
        self._sizes_before_stage: list[int] | None = None  # the splitter and dock as the stage found them
        self._dock_width_before_stage = 0
        self.setCentralWidget(self.splitter)
        self.level_control = LevelControl(self.state)
        self.structures = StructurePanel(self.state)
        self.areas = AreaPanel(self.state)
        self._before_presentation: dict | None = None  # the layout presentation mode will restore
        self.demo = None  # the guided demo's controller while `thighview demo` plays (gui.demo_mode)
        right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        self._docks = [self._dock("Areas", self.areas, right), self._dock("Structures", self.structures, right)]
        self.tabifyDockWidget(self._docks[0], self._docks[1])  # the views get the width; tabs hold the rest
        self._dock_pressure_panel()
        self._docks[0].raise_()
        # dragging the level is an interaction with the 3-D view: it draws at low detail meanwhile
        self.level_control.slider.sliderPressed.connect(self.view3d.begin_interaction)
        self.level_control.slider.sliderReleased.connect(self.view3d.end_interaction)
        level_bar = QtWidgets.QToolBar("Level", objectName="level_bar", movable=False)
        level_bar.addWidget(self.level_control)
        self.addToolBar(QtCore.Qt.ToolBarArea.BottomToolBarArea, level_bar)
        self.hover_label = QtWidgets.QLabel()
        self.level_label = QtWidgets.QLabel()
        self.model_label = QtWidgets.QLabel()
        self.busy = QtWidgets.QProgressBar(maximumWidth=140, maximum=0, textVisible=False)
        self.busy.hide()
        bar = self.statusBar()
        bar.addWidget(self.hover_label, 1)
        for widget in (self.busy, self.level_label, self.model_label):
            bar.addPermanentWidget(widget)
        self.error_box: QtWidgets.QMessageBox | None = None
        self.image_dialog = None  # the Image import dialog while it is open
        self.help_window = None  # Help › ThighView help, once opened
        self.load_options: dict = {}  # the current image's colour map and pixel size, as chosen
        self._build_actions()
        self._build_menus_and_toolbar()
        self.structures.install_edit_menu(self.menuBar())  # Edit › Undo/Redo (compartment assignments)
        self.sessions = SessionController(self)
        self.client_actions = ClientActions(self)  # File › New thigh from measurements…, Compare with…
        self.state.subscribe(self.on_event)
        self._restore_settings()

    # --- layout -----------------------------------------------------------------------------
    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self, objectName=f"dock_{title.lower()}")
        dock.setWidget(scrolling(widget))
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _dock_pressure_panel(self) -> None:
        """Dock the mechanics engineer's pressure panel when it is installed.

        The panel (and the finite-element code behind it) is created the first time its tab is
        shown: it costs nothing at start-up and does no work while nobody looks at it.
        """
        import importlib.util

        self.pressure = self.pressure_dock = None
        if importlib.util.find_spec("thighview.gui.pressure_panel") is None:
            return
        dock = self._dock("Pressure", QtWidgets.QLabel("Opening the pressure demo…"),
                          QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self._docks[0], dock)
        self._docks.append(dock)
        self.pressure_dock = dock

        def create(visible: bool) -> None:
            if visible and self.pressure is None and not self._closing:
                from thighview.gui.pressure_panel import PressurePanel

                self.pressure = PressurePanel(self.state)
                self.pressure.set_presentation(self.presenting)
                self.pressure.show_canvas(not self.staged)
                # playing the demo brings it to the stage
                self.pressure.play.toggled.connect(lambda on: on and self.set_stage(True))
                self.pressure.next_step.clicked.connect(lambda: self.set_stage(True))
                self.pressure.previous_step.clicked.connect(lambda: self.set_stage(True))
                dock.setWidget(scrolling(self.pressure))  # scrolls on a small screen, never grows the window
            elif visible and self.pressure is not None:
                self.pressure.set_seen(True)  # builds the model of the level shown if it changed meanwhile
            elif not visible and self.pressure is not None:
                self.pressure.pause()  # another tab came forward: no animation (nor 3D slab) unseen
                self.pressure.set_seen(False)  # ... and no model built for levels nobody sees
                if not self._closing:
                    self.set_stage(False)  # ... and the section view takes the centre again

        dock.visibilityChanged.connect(create)

    def _action(self, text: str, slot, shortcut: str = "", checkable: bool = False, tip: str = "") -> QtGui.QAction:
        action = QtGui.QAction(text, self, checkable=checkable)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.open_action = a("&Open model…", self.open_dialog, "Ctrl+O", tip="Open a model file")
        self.open_folder_action = a("Open a &folder of meshes…", self.open_folder_dialog, "Ctrl+Alt+O",
                                    tip="Open a folder holding one mesh file per structure")
        self.open_default_action = a("Open the &built-in thigh", lambda: self.load(None), "Ctrl+Shift+O")
        self.export_action = a("&Export…", self.open_export_dialog, "Ctrl+E", tip="Save figures, tables, movies")
        self.quit_action = a("&Quit", self.close, "Ctrl+Q")
        self.view_actions = [a(v.label, lambda _=False, k=v.key: self.view3d.set_view(k), v.shortcut)
                             for v in VIEWS]
        self.reset_action = a("&Reset camera", lambda: self.view3d.set_view("overview"), "R")
        self.clip_action = a("&Cut away the thigh above the section", self.view3d.set_clipping, "Ctrl+K",
                             checkable=True)
        self.clip_action.setChecked(True)
        self.plane_action = a("Show cutting &plane", self.view3d.set_plane_visible, "Ctrl+P", checkable=True)
        self.plane_action.setChecked(True)
        self.image_action = a("Show the section &image under the regions", self.section_view.set_image_visible,
                              "Ctrl+I", checkable=True, tip="For a model opened from a labelled image")
        self.image_action.setChecked(True)
        self.image_action.setEnabled(False)
        self.import_action = a("Image &import settings…", self.reopen_image_import, "Ctrl+Shift+I",
                               tip="Colours and scale of the section image")
        self.import_action.setEnabled(False)
        steps = (("1% towards the hip", -0.01, "Ctrl+Up"), ("1% towards the knee", 0.01, "Ctrl+Down"),
                 ("10% towards the hip", -0.10, "Ctrl+PgUp"), ("10% towards the knee", 0.10, "Ctrl+PgDown"))
        self.level_actions = [a(f"Move {text}", lambda _=False, d=delta: self.state.step_level(d), key)
                              for text, delta, key in steps]
        self.mode_group = QtGui.QActionGroup(self)
        self.mode_actions = {}
        for index, mode in enumerate(ColourMode, start=1):
            action = a(mode.label, lambda _=False, m=mode: self.set_mode(m), f"Ctrl+Shift+{index}", checkable=True)
            self.mode_group.addAction(action)
            self.mode_actions[mode] = action
        self.colourblind_action = a("Colour-&blind-safe palette", self.set_colourblind, "Ctrl+Shift+B",
                                    checkable=True)
        self.area_per_actions = self._scheme_choice("area_per", {k: f"Heat map per {k}" for k in AREA_PER})
        self.area_unit_actions = self._scheme_choice("area_unit",
                                                     {k: f"Heat map in {unit}" for k, unit in AREA_UNITS.items()})
        self.help_action = a("ThighView &help", self.show_help, "F1", tip="The user guides")
        self.about_action = a("&About ThighView and this model…", self.show_about)
        self.example_actions = [
            a("The built-in thigh (3-D model)", lambda: self.load(None)),
            a("A Braus-like section image (one cross-section)", self.open_example_image)]
        self.stage_action = a("Pressure demo on the &stage", self.set_stage, "Ctrl+M", checkable=True,
                              tip="The pressure demo large in the centre, in place of the section view")
        self.presentation_action = a("&Presentation mode", self.set_presentation, "F11", checkable=True,
                                     tip="Full screen with large captions for showing the guided demo (F11 or Esc "
                                         "leaves it)")
        self.leave_presentation_action = a("Leave presentation mode", lambda: self.set_presentation(False), "Esc")
        self.leave_presentation_action.setEnabled(False)

    def _build_menus_and_toolbar(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions([self.open_action, self.open_folder_action, self.open_default_action,
                              self.import_action])
        examples = file_menu.addMenu("Open an e&xample")
        examples.addActions(self.example_actions)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("&View")
        view_menu.addActions(self.view_actions)
        view_menu.addAction(self.reset_action)
        view_menu.addSeparator()
        view_menu.addActions([self.clip_action, self.plane_action, self.image_action])
        view_menu.addSeparator()
        for dock in self._docks:
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addActions([self.stage_action, self.presentation_action])
        level_menu = menu.addMenu("&Level")
        level_menu.addActions(self.level_actions)
        colour_menu = menu.addMenu("&Colour")
        colour_menu.addActions(list(self.mode_actions.values()))
        colour_menu.addSeparator()
        colour_menu.addAction(self.colourblind_action)
        colour_menu.addSeparator()
        colour_menu.addActions([*self.area_per_actions.values(), *self.area_unit_actions.values()])
        help_menu = menu.addMenu("&Help")
        help_menu.addActions([self.help_action, self.about_action])

        tools = QtWidgets.QToolBar("Display", objectName="display_bar", movable=False)
        tools.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
        tools.addWidget(QtWidgets.QLabel(" Colour: "))
        self.mode_combo = QtWidgets.QComboBox()
        for mode in ColourMode:
            self.mode_combo.addItem(mode.label, mode)
        self.mode_combo.currentIndexChanged.connect(lambda i: self.set_mode(self.mode_combo.itemData(i)))
        tools.addWidget(self.mode_combo)
        tools.addAction(self.colourblind_action)
        tools.addSeparator()
        tools.addWidget(QtWidgets.QLabel(" View: "))
        for view, action in zip(VIEWS, self.view_actions):
            if view.key != "overview":
                button = QtWidgets.QToolButton()
                button.setDefaultAction(action)
                button.setText(view.label.split(" (")[0])
                tools.addWidget(button)
        tools.addAction(self.reset_action)
        tools.addSeparator()
        tools.addAction(self.clip_action)
        self.clip_action.setIconText("Cut away above")
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, tools)

    # --- the pressure stage -----------------------------------------------------------------
    @property
    def staged(self) -> bool:
        """True while the pressure demo has the centre (the stage in place of the section view)."""
        return self.stage is not None and self.centre.currentWidget() is self.stage

    def set_stage(self, on: bool) -> None:
        """The pressure demo takes the centre (its stage replaces the section view and gets most of the
        width; the Pressure tab comes forward and builds its model) or gives it back as it was."""
        on = bool(on) and self.pressure_dock is not None
        if on != self.staged:
            if on:
                if self.stage is None:
                    from thighview.gui.stage import PressureStage

                    self.stage = PressureStage(self.state)
                    self.stage.drag_started.connect(self.view3d.begin_interaction)  # low detail while dragging
                    self.stage.drag_finished.connect(self.view3d.end_interaction)
                    self.centre.addWidget(self.stage)
                self._sizes_before_stage = self.splitter.sizes()
                self._dock_width_before_stage = max([d.width() for d in self._docks if d.isVisible()], default=0)
                self.centre.setCurrentWidget(self.stage)
                total = sum(self._sizes_before_stage)
                self.splitter.setSizes([round(0.28 * total), total - round(0.28 * total)])
                self.pressure_dock.show()
                self.pressure_dock.raise_()  # creates the panel (and its model) the first time
                # the controls make room for the stage (the dock scrolls what does not fit)
                narrow = round(0.24 * self.width())
                self.resizeDocks([self.pressure_dock], [min(self._dock_width_before_stage or narrow, narrow)],
                                 QtCore.Qt.Orientation.Horizontal)
            else:
                self.centre.setCurrentIndex(0)
                shown = [d for d in self._docks if d.isVisible()]
                if shown and self._dock_width_before_stage:
                    self.resizeDocks(shown[:1], [self._dock_width_before_stage], QtCore.Qt.Orientation.Horizontal)
                if self._sizes_before_stage is not None:
                    self.splitter.setSizes(self._sizes_before_stage)
            if self.pressure is not None:
                self.pressure.show_canvas(not on)  # one drawing of the demo at a time
            self.state.pressure.set_stage(on)
        self.stage_action.setChecked(on)

    # --- presentation mode ------------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self._before_presentation is not None

    def set_presentation(self, on: bool) -> None:
        """Full screen for a client: the two views and the pressure demo (animation, caption, step
        buttons) only, in larger fonts. Leaving restores the exact layout from before (docks,
        toolbars, splitter, window state)."""
        if on == self.presenting:
            self.presentation_action.setChecked(on)
            return
        if on:
            self._before_presentation = {
                "docks": self.saveState(), "splitter": self.splitter.saveState(), "window": self.windowState(),
                "sizes": self.splitter.sizes(), "staged": self.staged,
                "geometry": self.saveGeometry(),
                "menu": self.menuBar().isVisible(), "status": self.statusBar().isVisible(),
                "style": self.styleSheet()}
            for bar in self.findChildren(QtWidgets.QToolBar):
                bar.hide()
            for dock in self._docks:
                dock.setVisible(dock is self.pressure_dock)
            self.menuBar().hide()
            self.statusBar().hide()
            self.setStyleSheet(self.styleSheet() + PRESENTATION_STYLE)
            self.showFullScreen()
            total = sum(self.splitter.sizes())
            share = 0.28 if self.staged else 0.5  # the 3D slab beside the section, or the stage
            self.splitter.setSizes([round(share * total), total - round(share * total)])
            if self.pressure_dock is not None:
                self.pressure_dock.raise_()  # creates the panel the first time
                share = 0.24 if self.staged else 0.4  # the stage needs the width more than the controls
                self.resizeDocks([self.pressure_dock], [round(share * self.width())], QtCore.Qt.Orientation.Horizontal)
            if self.pressure is not None:
                self.pressure.set_presentation(True)
        else:
            before, self._before_presentation = self._before_presentation, None
            if self.pressure is not None:
                self.pressure.set_presentation(False)  # its everyday size first, then the docks around it
            self.setStyleSheet(before["style"])
            self.setWindowState(before["window"])
            self.restoreGeometry(before["geometry"])
            self.menuBar().setVisible(before["menu"])
            self.statusBar().setVisible(before["status"])
            self.restoreState(before["docks"])  # the Pressure tab going out of sight takes the stage away
            if not before["staged"]:
                self._sizes_before_stage = before["sizes"]  # where a stage that came up meanwhile returns to
            if self.staged == before["staged"]:
                self.splitter.restoreState(before["splitter"])
        self.presentation_action.setChecked(on)
        self.leave_presentation_action.setEnabled(on)

    # --- colour scheme ----------------------------------------------------------------------
    def set_mode(self, mode: ColourMode) -> None:
        self._set_scheme(mode=ColourMode(mode))

    def set_colourblind(self, on: bool) -> None:
        self._set_scheme(palette=COLOURBLIND if on else PALETTES[0])

    def _scheme_choice(self, key: str, texts: dict[str, str]) -> dict[str, QtGui.QAction]:
        """Exclusive checkable actions setting one heat-map option, by value (and turning the heat map on:
        an option of a map that is not shown would do nothing visible)."""
        group = QtGui.QActionGroup(self)
        actions = {}
        for value, text in texts.items():
            actions[value] = self._action(text, lambda _=False, v=value: self._set_scheme(mode=ColourMode.AREA,
                                                                                           **{key: v}),
                                          checkable=True)
            group.addAction(actions[value])
        return actions

    def _set_scheme(self, **changes) -> None:
        self.state.set_scheme(self.state.scheme.with_(**changes))
        self._sync_scheme_widgets()

    def _sync_scheme_widgets(self) -> None:
        scheme = self.state.scheme
        with QtCore.QSignalBlocker(self.mode_combo):
            self.mode_combo.setCurrentIndex(list(ColourMode).index(scheme.mode))
        self.mode_actions[scheme.mode].setChecked(True)
        self.colourblind_action.setChecked(scheme.palette == COLOURBLIND)
        self.area_per_actions[scheme.area_per].setChecked(True)
        self.area_unit_actions[scheme.area_unit].setChecked(True)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        state = self.state
        if isinstance(event, st.ModelChanged):
            model = event.model
            self.setWindowTitle(f"ThighView — {model.name}")
            self.model_label.setText(f"  Model: <b>{model.name}</b> ({model.side} thigh)  ")
            for action in self.level_actions:
                action.setEnabled(model.flat is None)  # one section: nowhere to move
            self.image_action.setEnabled(self.section_view.has_image)
            self.import_action.setEnabled(self.section_view.has_image)
        elif isinstance(event, st.LevelChanged) and state.single_section:
            self.level_label.setText(f"  <b>{single_section_name(state.model).capitalize()}</b>  ")
        elif isinstance(event, st.LevelChanged):
            axis = state.engine.axis
            femur = axis.basis == "femur"
            of, start = ("femur", "the hip") if femur else (short_length_name(axis), "the proximal end")
            if axis.levels_in_mm:  # part of a femur: from its landmark, and what the scan holds
                self.level_label.setText(f"  Level <b>{axis.level_words(event.level_mm)}</b> · {axis.piece.name}  ")
            else:
                self.level_label.setText(f"  Level <b>{event.level * 100:.1f}%</b> of {of} · "
                                         f"{event.level_mm / 10:.1f} cm from {start}  ")
            if state.hovered:
                self.hover_label.setText(state.describe(state.hovered))
        elif isinstance(event, (st.HoverChanged, st.SelectionChanged)):
            name = state.hovered or state.selected
            prefix = "" if state.hovered else "Selected: "
            self.hover_label.setText(prefix + state.describe(name) if name else "")

    # --- loading ----------------------------------------------------------------------------
    def load(self, path: str | Path | None, *, ask_image_import: bool = True, **options) -> None:
        """Open a model (``None`` = the built-in thigh) off the UI thread, with progress and Cancel.

        Errors go to a dialog; the window keeps showing the previous model meanwhile. ``options``
        are an image's ``colour_map`` and ``pixel_size`` (:func:`~thighview.io.load_model`); a
        section image opened with ``ask_image_import`` shows the Image import dialog once open.
        """
        text = None if path is None else str(path)
        name = Path(text).name if text else "the built-in thigh"
        cancel = threading.Event()
        self._cancel_loading = cancel  # closing the window cancels it too
        dialog = QtWidgets.QProgressDialog(f"Opening {name}…", "Cancel", 0, 100, self)
        dialog.setWindowTitle("Opening a model")
        dialog.setWindowModality(QtCore.Qt.WindowModality.NonModal)  # no nested event loop in setValue
        dialog.setMinimumDuration(700)  # quick loads never flash a dialog
        dialog.setAutoReset(False)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.canceled.connect(cancel.set)

        def show(progress: Progress) -> None:
            dialog.setValue(round(100 * progress.fraction))
            dialog.setLabelText(f"{name}: {progress.message}")

        def ended() -> bool:
            """Close the dialog; True if the window is still there to show the outcome."""
            dialog.close()
            dialog.deleteLater()  # a dialog never shown (a quick load) is not deleted by closing it
            if self._closing:  # finished while the window closes: nothing to show it in
                self._loading_done()
            return not self._closing

        def done(result) -> None:
            if ended():
                self.finish_loading(text, result, options=options, ask_image_import=ask_image_import)

        def failed(error: BaseException) -> None:
            if ended():
                self.loading_failed(error)

        self.begin_loading(text)
        run_in_thread(lambda report: load_model_and_engine(text, progress=report, cancel=cancel, **options), done,
                      failed, on_progress=show)

    def begin_loading(self, path: str | None) -> None:
        """Show that a model is being opened (busy bar and cursor) until it finishes or fails."""
        self.busy.show()
        self.hover_label.setText(f"Opening {Path(path).name if path else 'the built-in thigh'}…")
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.BusyCursor)

    def _loading_done(self) -> None:
        QtWidgets.QApplication.restoreOverrideCursor()
        self.busy.hide()
        self.hover_label.clear()

    def finish_loading(self, path: str | None, result, *, options: dict | None = None,
                       ask_image_import: bool = False) -> None:
        """Show a model loaded by :func:`load_model_and_engine` (GUI thread); ``options`` are the
        image options it was read with (sessions store them)."""
        self._loading_done()
        if self._closing:
            return
        model, engine = result
        options = dict(options or {})
        if model.provenance.get("dropped_other_side") and "side" not in options and path is not None:
            chosen = ask_side(model.side, self)  # the file holds both thighs: which one?
            if chosen != model.side:
                self.load(path, ask_image_import=ask_image_import, side=chosen, **options)
                return
        engine = engine or self._engine_along_chosen_axis(model)
        if engine is None:
            return
        self.load_options = {k: v for k, v in options.items() if k != "side"}  # sessions keep image options
        self.state.set_model(model, engine, level=float(self.settings.value("level", 0.5)))  # a section keeps its own
        release_free_memory()  # the reader's and the engine's temporaries (freed on a worker thread)
        if path is not None:
            self._remember_recent(path)
        self.model_loaded.emit()
        if engine.axis.piece is not None and not engine.axis.piece.is_whole:  # say what part of the femur it is
            self.statusBar().showMessage(f"Femur: {engine.axis.describe()}.", 20000)
        if model.flat is not None and model.flat.kind == "image":
            self._after_image_import(path, model, ask_image_import)

    def reopen_image_import(self) -> None:
        """File › Image import settings: the dialog again for the image on screen."""
        model = self.state.model
        if model is not None and model.flat is not None and model.flat.kind == "image" and model.source:
            self._after_image_import(str(model.source), model, ask=True)

    def _after_image_import(self, path: str, model, ask: bool) -> None:
        """An image: the Image import dialog (colours, scale) when asked; its warnings otherwise."""
        from thighview.gui.image_import import ImageImportDialog, warnings_text

        if not ask:
            warnings = warnings_text(model)
            if warnings:
                self.statusBar().showMessage(warnings, 15000)
            return
        self.image_dialog = ImageImportDialog(model, self.load_options, self.settings, self)
        self.image_dialog.chosen.connect(lambda opts: self.load(path, ask_image_import=False, **opts))
        self.image_dialog.finished.connect(lambda _r: setattr(self, "image_dialog", None))
        self.image_dialog.open()

    def _engine_along_chosen_axis(self, model):
        """For a model without a femur: ask which axis to cut along, then build its section
        engine; None (and the previous model stays) if the user cancels."""
        from thighview.gui.axis_dialog import ask_axis
        from thighview.section import SectionEngine

        axis = ask_axis(model, self)
        if axis is None:
            self.statusBar().showMessage("Not opened: a model without a femur needs an axis to cut along.", 8000)
            return None
        model.set_axis(axis)
        self.statusBar().showMessage(f"No femur: levels are fractions of {axis.length_name}.", 10000)
        return SectionEngine(model)

    def loading_failed(self, error: BaseException) -> None:
        self._loading_done()
        if isinstance(error, Cancelled):
            self.statusBar().showMessage("Opening cancelled.", 4000)
            return
        if isinstance(error, ThighViewError):
            self.show_error("Could not open the model", str(error))
        else:
            self.show_error("Could not open the model", f"Unexpected {type(error).__name__}: {error}")

    def open_example_image(self) -> None:
        """File › Open an example › the Braus-like section image, at the scale it was drawn."""
        from thighview._resources import EXAMPLE_IMAGE_MM_PER_PIXEL, example_section_image

        self.load(example_section_image(), ask_image_import=False, pixel_size=EXAMPLE_IMAGE_MM_PER_PIXEL)

    def show_help(self) -> None:
        """Help › ThighView help (F1): the bundled guides in a window of their own."""
        from thighview.gui.help_window import HelpWindow

        if self.help_window is None:
            self.help_window = HelpWindow(self)
        self.help_window.show()
        self.help_window.raise_()

    def open_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open a thigh model", start, open_filter())
        if path:
            self.settings.setValue("last_dir", str(Path(path).parent))
            self.load(path)

    def open_export_dialog(self) -> None:
        """File › Export (the export engineer's dialog) on the current state and 3D camera."""
        if self.state.model is None:
            return
        from thighview.gui.export_dialog import ExportDialog

        dialog = ExportDialog(self.state, self, settings=self.settings, camera=self.view3d.camera_position,
                              show_image=self.image_action.isChecked())
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)  # one per File › Export: none piles up
        dialog.open()

    def open_folder_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        path = QtWidgets.QFileDialog.getExistingDirectory(self, "Open a folder of meshes", start)
        if path:
            self.settings.setValue("last_dir", str(Path(path).parent))
            self.load(path)

    def show_error(self, title: str, message: str) -> None:
        """A non-blocking error dialog; the window stays usable behind it."""
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Critical, title, message,
                                    QtWidgets.QMessageBox.StandardButton.Ok, self)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_box = box
        box.finished.connect(lambda _r: setattr(self, "error_box", None))
        box.open()

    def show_about(self) -> None:
        box = QtWidgets.QMessageBox(self)
        box.setWindowTitle("About ThighView")
        box.setTextFormat(QtCore.Qt.TextFormat.RichText)
        box.setText(about_html(self.state.model))
        box.setDetailedText(about_details(self.state.model))  # technical provenance behind "Show Details…"
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- recent files and settings ----------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", recent[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.load(p)).setStatusTip(path)
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        available = self.screen().availableGeometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.setGeometry(first_window_geometry(available))
        elif not available.contains(self.frameGeometry()):  # remembered on a larger screen
            self.setGeometry(self.geometry().intersected(available))
        window_state = self.settings.value("window_state")
        if window_state is not None:
            self.restoreState(window_state)
        else:
            self.resizeDocks(self._docks[:1], [380], QtCore.Qt.Orientation.Horizontal)
        splitter = self.settings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        scheme = self.state.scheme
        remembered = {key: self.settings.value(name) for key, name in (("mode", "colour_mode"), ("palette", "palette"))}
        self.state.scheme = scheme.with_(**{key: value for key, value in remembered.items()
                                            if value in SCHEME_CHOICES[key]})
        self._sync_scheme_widgets()
        self._fill_recent_menu()

    def _save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("colour_mode", self.state.scheme.mode.value)
        self.settings.setValue("palette", self.state.scheme.palette)
        if not self.state.single_section:  # a single section's one level is not a place to return to
            self.settings.setValue("level", self.state.level)
        self.settings.sync()

    # --- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802 (Qt)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802 (Qt)
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.load(paths[0])

    # --- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt)
        self._closing = True
        self.set_presentation(False)  # the settings keep the everyday layout
        self.set_stage(False)
        if self._cancel_loading is not None:
            self._cancel_loading.set()  # an import in progress stops at its next step
        self._save_settings()
        self.sessions.close()
        self.statusBar().clearMessage()  # stops the timer of a transient message (e.g. "Session saved")
        if self.pressure is not None:
            self.pressure.close_view()  # a finished build must not start the next one while workers drain
        wait_for_workers()
        QtWidgets.QApplication.processEvents()  # deliver finished workers before the views go
        self.state.unsubscribe(self.on_event)
        views = (self.view3d, self.section_view, self.level_control, self.structures, self.areas, self.stage)
        for view in views:
            if view is not None:
                view.close_view()
        super().closeEvent(event)

