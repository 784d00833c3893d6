"""The Pressure panel: press on the section, into the bone or sideways, and watch it deform.

The panel shows and edits the app state's :class:`~thighview.app.pressure.PressureState`: its
widgets write the settings there, and it draws what the state publishes (the solved loads, the
frame to show) with :mod:`thighview.render.pressure2d`. At each new level it builds the pressure
model (mesh and factorisation, about a second; the state's ``model_builder``, the CLI's model too) in a
worker thread and hands it to the state; after that every change of place, force, direction or tool is one fast solve. Click on the
section to place the contact. The animation state (frame i of n) is the state's; the panel's
QTimer only advances it, and the 3-D view's deformed slab follows the same frames. The guided
demo steps through the article's massage order. In presentation mode the settings and numbers
give way to a large caption.
"""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtWidgets

from thighview.anatomy import label_of
from thighview.app import pressure as ps
from thighview.app import state as st
from thighview.errors import ThighViewError
from thighview.gui.workers import run_in_thread
from thighview.mechanics import PLACES, TOOLS, Materials, PressureModel
from thighview.mechanics.geometry import place_angle
from thighview.mechanics.loads import SIDES
from thighview.render.pressure2d import COLOUR_MODES, FrameStyle, PanelDrawer, SceneFigure
from thighview.render.pressure_tool import angle_of

#: The direction presets as the panel names them.


def readout_html(readouts) -> str:
    """The readouts side by side as a small HTML table, units in every row."""
    def row(label: str, cells) -> str:
        return f"<tr><td>{label}</td>" + "".join(f"<td align='right'>&nbsp;{c}</td>" for c in cells) + "</tr>"

    rows = [row("<b>load</b>", [f"<b>{r.force_n:g} N {r.direction}</b>" for r in readouts])]
    for i, stat in enumerate(readouts[0].slip):
        rows.append(row(f"slip, {stat.label} (max / mean)",
                        [f"{r.slip[i].max_mm:.1f} / {r.slip[i].mean_mm:.1f} mm" for r in readouts]))
    rows.append(row("compression at the bone under the contact (mean)",
                    [f"{r.under_contact_mean_pct:.1f} %" for r in readouts]))
    rows.append(row("compression within 5 mm of the bone (95th pct)",
                    [f"{r.compression_peak_pct:.1f} %" for r in readouts]))
    rows.append(row("under the tool: indentation / drag",
                    [f"{r.indentation_mm:.0f} / {r.drag_mm:.0f} mm" for r in readouts]))
    rows.append(row("peak displacement (anywhere)", [f"{r.peak_displacement_mm:.0f} mm" for r in readouts]))
    # the same rows for both models (the linear one holds the whole outline and has no stretch limit), so the
    # panel keeps its layout when the large-deformation result replaces the preview
    rows.append(row("normal stress on the bone facing the contact (mean)",
                    [f"{r.bone_normal_kpa[1]:.1f} kPa" if r.bone_normal_kpa else "–" for r in readouts]))
    rows.append(row("bone outline: bonded / stick / slip / lifted off",
                    [" / ".join(f"{100 * r.interface_shares.get(k, 0.0):.0f}" for k in
                                ("bonded", "stick", "slip", "open")) + " %" if r.interface_shares else "held all round"
                     for r in readouts]))
    septa = [s.name for s in readouts[0].slip if s.name != "femur"]
    rows.append(row("normal stress across the septa, " + " / ".join(label_of(n).split()[0].lower() for n in septa)
                    + " (+ pressed together)",
                    [" / ".join(f"{r.septa[n].normal_kpa:+.1f}" if n in r.septa and r.septa[n].face else "–"
                                for n in septa) + " kPa" if r.septa else "–" for r in readouts]))
    rows.append(row("least stretch of skin and fat (creases below 0.54)",
                    ["–" if r.least_surface_stretch is None else f"{r.least_surface_stretch:.2f}"
                     + (" (past it)" if r.past_surface_instability else "") for r in readouts]))
    rows.append(row("range over plausible tissue parameters: indentation / slip at the femur",
                    ["{0:.0f}–{1:.0f} / {2:.1f}–{3:.1f} mm".format(*r.ranges["indentation_mm"],
                                                                  *r.ranges["femur_slip_max_mm"])
                     if r.ranges else "–" for r in readouts]))
    model = "linear, small strain" if readouts[0].friction is None else "neo-Hookean, large strain"
    note = (f"<br><small>Model: {model}. Soft tissue at its stiffness under a hand (elastography × "
            f"{readouts[0].working_stiffening:g}, calibrated to in-vivo indentation). "
            f"The linear preview's sliding layers {readouts[0].sliding_kpa:g} kPa: a modelling choice. "
            "Contact: {t} ({w:g} mm wide, {l:g} mm along the thigh).</small>").format(
        t=readouts[0].tool, w=readouts[0].width_mm, l=readouts[0].length_mm)
    return "<table cellspacing='0'>" + "".join(rows) + "</table>" + note


class PressurePanel(QtWidgets.QWidget):
    """Controls, the deforming section and the readout, for the state's current section."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.pressure = app_state.pressure
        self.pressure.runner = run_in_thread   # large-deformation solves go to the worker pool
        self.drawer: PanelDrawer | None = None
        self.drawing: SceneFigure | None = None  # laid out once per model, style and size; moved per frame
        self._drawing_key: tuple | None = None
        self._generation = 0  # a newer level makes older model builds stale
        self._build_ui()
        self.timer = QtCore.QTimer(self, interval=round(1000 / self.speed.value()))
        self.timer.timeout.connect(self.pressure.advance)
        # a level slider sends many levels: build once it rests, one build at a time
        self._settle = QtCore.QTimer(self, singleShot=True, interval=300)
        self._settle.timeout.connect(self._start_build)
        self._building = self._pending = False
        # out of sight (its dock behind another tab, or closed) a new level or sliding stiffness builds
        # nothing; the model for what is current is built when the panel is seen again (see set_seen)
        self._seen, self._stale = True, False
        self._closed = False  # a closed panel starts no build (the window is waiting for its workers)
        self._show_settings()
        app_state.subscribe(self.on_event)
        if app_state.section is not None:
            self._start_build()

    # --- layout -----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.place = QtWidgets.QComboBox()
        self.place.addItems(list(PLACES))
        self.angle = QtWidgets.QDoubleSpinBox(minimum=-360.0, maximum=360.0, decimals=0, suffix=" °", wrapping=True)
        self.angle.setToolTip("Angle around the femur: 0 = anterior, positive towards lateral")
        self.direction = QtWidgets.QComboBox()
        for key, label in ps.DIRECTION_LABELS.items():
            self.direction.addItem(label, key)
        self.side = QtWidgets.QComboBox()
        self.side.addItem("auto", None)
        for side in SIDES:
            self.side.addItem(side, side)
        self.side.setToolTip("Which way a sideways push goes")
        self.force = QtWidgets.QDoubleSpinBox(minimum=ps.FORCE_RANGE_N[0], maximum=ps.FORCE_RANGE_N[1],
                                              suffix=" N", decimals=0)
        self.tool = QtWidgets.QComboBox()
        for tool in TOOLS.values():
            self.tool.addItem(f"{tool.name} ({tool.width_mm:g} × {tool.length_mm:g} mm)", tool.name)
        self.sliding = QtWidgets.QDoubleSpinBox(minimum=ps.SLIDING_RANGE_KPA[0], maximum=ps.SLIDING_RANGE_KPA[1],
                                                singleStep=0.1, decimals=2, suffix=" kPa")
        self.sliding.setToolTip("Shear modulus of the sliding layers at the septa and around the femur. "
                                "No measured value exists: this is a modelling choice.")
        self.colour = QtWidgets.QComboBox()
        self.colour.addItems(list(COLOUR_MODES))
        self.large = QtWidgets.QCheckBox("Large deformation, friction at bone and septa")
        self.large.setToolTip("Solve each load again with large deformation and friction where tissue slides on "
                              "the femur (seconds, in the background); the linear model is shown meanwhile")
        form = QtWidgets.QFormLayout()
        place_row = QtWidgets.QHBoxLayout()
        place_row.addWidget(self.place, 1)
        place_row.addWidget(self.angle)
        form.addRow("Place (or click the skin)", place_row)
        form.addRow("Direction", self.direction)
        form.addRow("Push towards", self.side)
        form.addRow("Force", self.force)
        form.addRow("Tool", self.tool)
        form.addRow("Sliding layers (modelling choice)", self.sliding)
        form.addRow("Colour by", self.colour)
        form.addRow("Model", self.large)

        self.play = QtWidgets.QPushButton("Play")
        self.play.setCheckable(True)
        self.loop = QtWidgets.QCheckBox("Loop", checked=self.pressure.playback.loop)
        self.speed = QtWidgets.QSpinBox(minimum=2, maximum=30, value=12, suffix=" fps")
        controls = QtWidgets.QHBoxLayout()
        for widget in (self.play, self.loop, self.speed):
            controls.addWidget(widget)
        self.previous_step = QtWidgets.QPushButton("◀ Step")
        self.next_step = QtWidgets.QPushButton("Guided demo ▶")
        controls.addStretch(1)
        controls.addWidget(self.previous_step)
        controls.addWidget(self.next_step)

        self.figure = Figure(figsize=(6, 3.6), dpi=100, facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(260)
        self.status = QtWidgets.QLabel(wordWrap=True)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())   # one or two lines: no jumps
        self.solve_progress = QtWidgets.QProgressBar(maximum=1000, textVisible=False, visible=False)
        self.stop_solve = QtWidgets.QPushButton("Stop", visible=False)
        self.stop_solve.setToolTip("Stop the large-deformation solve and keep the linear model")
        solving = QtWidgets.QHBoxLayout()
        for widget, stretch in ((self.solve_progress, 1), (self.stop_solve, 0)):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)   # the drawing does not jump when a solve starts or ends
            widget.setSizePolicy(policy)
            solving.addWidget(widget, stretch)
        self.readout = QtWidgets.QLabel(textInteractionFlags=QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setWordWrap(True)

        # what a client needs to read: hidden except in presentation mode (see set_presentation)
        self.caption = QtWidgets.QLabel(wordWrap=True, objectName="presentation_caption", visible=False)
        self.settings_box = QtWidgets.QWidget()
        self.settings_box.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.settings_box)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(solving)
        layout.addWidget(self.status)
        layout.addWidget(self.readout)

        update = self.pressure.update
        self.place.currentTextChanged.connect(lambda name: update(at=name))
        self.angle.valueChanged.connect(lambda angle: update(at=float(angle)))
        self.direction.currentIndexChanged.connect(lambda _i: update(direction=self.direction.currentData()))
        self.side.currentIndexChanged.connect(lambda _i: update(side=self.side.currentData()))
        self.force.valueChanged.connect(lambda force: update(force_n=float(force)))
        self.tool.currentIndexChanged.connect(lambda _i: update(tool=self.tool.currentData()))
        self.colour.currentTextChanged.connect(lambda mode: update(colour_by=mode))
        self.large.toggled.connect(lambda on: update(large_deformation=bool(on)))
        self.stop_solve.clicked.connect(lambda: self.pressure.stop_solving("Stopped: showing the linear model"))
        self.sliding.editingFinished.connect(self._sliding_edited)
        self.play.toggled.connect(self.pressure.play)
        self.loop.toggled.connect(self.pressure.set_loop)
        self.speed.valueChanged.connect(lambda fps: self.timer.setInterval(round(1000 / fps)))
        self.next_step.clicked.connect(lambda: self.pressure.step_demo(+1))
        self.previous_step.clicked.connect(lambda: self.pressure.step_demo(-1))
        self.canvas.mpl_connect("button_press_event", self._on_click)
        self.canvas.mpl_connect("resize_event", lambda _e: self._draw(self.pressure.scene, self.pressure.load_fraction))

    def _show_settings(self) -> None:
        """Bring the widgets up to the state's settings (without echoing them back)."""
        s = self.pressure.settings
        widgets = (self.place, self.angle, self.direction, self.side, self.force, self.tool, self.sliding,
                   self.colour, self.large)
        blockers = [QtCore.QSignalBlocker(w) for w in widgets]
        if s.at in PLACES:
            self.place.setCurrentText(s.at)
        self.direction.setCurrentIndex(self.direction.findData(s.direction))
        self.side.setCurrentIndex(max(self.side.findData(s.side), 0))
        self.tool.setCurrentIndex(self.tool.findData(s.tool))
        self.colour.setCurrentText(s.colour_by)
        self.large.setChecked(s.large_deformation)
        spins = ((self.angle, place_angle(s.at)), (self.force, s.force_n), (self.sliding, self._sliding_kpa()))
        for spin, value in spins:
            if spin.value() != value:  # the box being typed in keeps its cursor
                spin.setValue(value)
        del blockers

    def _sliding_kpa(self) -> float:
        """The sliding layers' stiffness the model uses: the user's, or the mechanics' default."""
        chosen = self.pressure.settings.sliding_kpa
        return Materials().sliding_kpa if chosen is None else chosen

    def _sliding_edited(self) -> None:
        if self.sliding.value() != self._sliding_kpa():
            self.pressure.update(sliding_kpa=float(self.sliding.value()))

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, st.LevelChanged):
            self._rebuild()
        elif isinstance(event, ps.PressureChanged):
            self._show_settings()
            if "sliding_kpa" in event.names:
                self._rebuild()
            if "colour_by" in event.names:
                self._draw(self.pressure.scene, self.pressure.load_fraction)
        elif isinstance(event, st.ColoursChanged):
            self._draw(self.pressure.scene, self.pressure.load_fraction)  # the palette may have changed
        elif isinstance(event, ps.PressureSolved):
            self._show_result(event)
        elif isinstance(event, ps.PressureBusy):
            self._show_busy(event)
        elif isinstance(event, ps.PressureFrame):
            self._show_playback(event.playing)
            self._draw(event.scene, event.load_fraction)

    def _rebuild(self) -> None:
        if self._seen:
            self._settle.start()
        else:
            self._stale = True

    def set_seen(self, on: bool) -> None:
        """The window says whether the panel is in sight (a dock behind a tab is still "visible" to Qt).
        Out of sight nothing is built; back in sight, one build for the current level if it changed."""
        self._seen = bool(on)
        if self._seen and self._stale:
            self._stale = False
            self._start_build()

    @property
    def building(self) -> bool:
        """True while a pressure model is being built, or a new level waits for its build (the status
        then says so); once False the state has the section's model, or the status says why not."""
        return self._building or self._pending or self._settle.isActive()

    def _start_build(self) -> None:
        """Mesh and factorise the current section off the UI thread (after the running build, if any)."""
        section, model = self.state.section, self.state.model
        if section is None or model is None or self._closed:
            return
        if not self._seen:   # it went out of sight while the level settled
            self._stale = True
            return
        if self._building:
            self._pending = True
            return
        self._building = True
        self._generation += 1
        generation = self._generation
        build = self.pressure.model_builder(model, section)   # the CLI's and the exports' model too
        self.status.setText(f"Building the pressure model at {section.level * 100:.0f}% of the femur…")

        def finish() -> None:
            self._building = False
            if self._pending:
                self._pending = False
                self._start_build()

        def done(result: PressureModel) -> None:
            finish()
            if generation == self._generation:  # no newer build was started
                self.pressure.set_model(result)

        def failed(error: BaseException) -> None:
            finish()
            if generation == self._generation:
                self.pressure.set_model(None)
                self.status.setText(str(error) if isinstance(error, ThighViewError)
                                    else f"The pressure model failed: {type(error).__name__}: {error}")

        run_in_thread(build, done, failed)

    # --- showing the state ------------------------------------------------------------------
    def _show_result(self, solved: ps.PressureSolved) -> None:
        """The readout and caption of freshly solved loads, or why there are none."""
        if solved.error is not None:
            self.status.setText(solved.error)
        elif solved.scene is not None and not solved.scene.preview:   # a drag's preview: the readout at the drop
            linear = solved.scene.deformations[0].kind == "linear"
            self.status.setText("Click on the skin to move the contact. " + (
                "Linear plane-strain model: numbers scale with the force." if linear else
                "Large deformation, friction at the bone and across the septa: the animation shows its load steps."))
            self.readout.setText(readout_html([d.readout() for d in solved.scene.deformations]))
            self.caption.setText(solved.scene.caption)

    def _show_busy(self, busy: ps.PressureBusy) -> None:
        """The large-deformation solve's progress bar and Stop button, or why it stopped."""
        self.solve_progress.setVisible(busy.running)
        self.stop_solve.setVisible(busy.running)
        if busy.running:
            self.solve_progress.setValue(round(1000 * busy.fraction))
            self.status.setText(f"{busy.message}… (showing the linear model meanwhile)")
        elif busy.error is not None:
            self.status.setText(busy.error)

    def _draw(self, scene, load_fraction: float) -> None:
        """Show the frame: the drawing's artists moved in place (laid out again for a new model, style or size)."""
        if scene is None or self.pressure.model is None or not self.canvas.isVisibleTo(self):
            return  # a hidden canvas (the demo is on the stage) draws nothing
        style = FrameStyle(colour_by=self.pressure.settings.colour_by, palette=self.state.scheme.palette)
        if self.drawer is None or self.drawer.model is not self.pressure.model or self.drawer.style != style:
            self.drawer = PanelDrawer(self.pressure.model, style)
        key = (id(self.drawer), len(scene.deformations), *self.figure.bbox.size)  # the figure's pixels: the layout's
        if key != self._drawing_key:
            self.drawing = SceneFigure(self.figure, self.drawer, len(scene.deformations), footer_px=70)
            self._drawing_key = key
        self.drawing.update(scene, load_fraction)
        self.canvas.draw_idle()

    def show_canvas(self, on: bool) -> None:
        """Show the small drawing (off while the demo is on the window's stage: one drawing at a time)."""
        self.canvas.setVisible(on)
        if on:
            self._draw(self.pressure.scene, self.pressure.load_fraction)

    def _show_playback(self, playing: bool) -> None:
        """The Play button and the timer follow the state's playback."""
        if self.play.isChecked() != playing:
            with QtCore.QSignalBlocker(self.play):
                self.play.setChecked(playing)
        self.play.setText("Pause" if playing else "Play")
        if playing and not self.timer.isActive():
            self.timer.start()
        elif not playing:
            self.timer.stop()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: hide the settings and the numbers (loop and speed too: in large type they
        would make the panel wider than its dock), show the step's caption large."""
        self.settings_box.setVisible(not on)
        self.loop.setVisible(not on)
        self.speed.setVisible(not on)
        self.readout.setVisible(not on)
        self.status.setVisible(not on)
        self.caption.setVisible(on)

    # --- input ------------------------------------------------------------------------------
    def _on_click(self, event) -> None:
        """A click on the section places the contact at that angle around the femur."""
        model = self.pressure.model
        if model is None or event.xdata is None:
            return
        self.pressure.place_at(round(angle_of(model.shape, (event.xdata, event.ydata))))

    def pause(self) -> None:
        """Stop the animation (its 3-D slab goes); the window calls this when the panel goes out of sight."""
        self.pressure.play(False)

    def close_view(self) -> None:
        self._closed = True
        self.pressure.runner = None
        self.pressure.stop_solving()   # the window waits for its workers: a solve in flight stops now
        self.timer.stop()
        self._settle.stop()
        self.state.unsubscribe(self.on_event)
