"""The Pressure panel: press on the section, into the bone or sideways, and watch it deform.

The panel listens to the app state: at each new level it builds the pressure model (mesh and
factorisation, about a second) in a worker thread; after that every change of place, force,
direction or tool is one fast solve on the GUI thread. Click on the section to place the
contact. The animation state is a :class:`thighview.mechanics.animation.Playback`; the
panel's QTimer only advances it. The guided demo steps through the article's massage order.
While it plays, every frame is also sent out (:attr:`PressurePanel.slab_frame`) for the 3-D
view's deformed slab. In presentation mode the settings and numbers give way to a large caption.
"""

from __future__ import annotations

import math

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtWidgets

from thighview.errors import ThighViewError
from thighview.gui import state as st
from thighview.gui.workers import run_in_thread
from thighview.mechanics import PLACES, TOOLS, Contact, Materials, PressureModel
from thighview.mechanics.animation import COLOUR_MODES, FrameStyle, PanelDrawer, Playback, Scene
from thighview.mechanics.demo import GUIDED_DEMO
from thighview.mechanics.geometry import lateral_sign

_DIRECTIONS = {"Compare both": ("into-bone", "sideways"), "Into the bone": ("into-bone",),
               "Sideways": ("sideways",)}
_SIDES = {"auto": None, "anterior": "anterior", "posterior": "posterior", "lateral": "lateral", "medial": "medial"}


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
    note = (f"<br><small>Soft tissue at its stiffness under a hand (elastography × "
            f"{readouts[0].working_stiffening:g}, calibrated to in-vivo indentation). "
            f"Sliding layers {readouts[0].sliding_kpa:g} kPa: a modelling choice. "
            "Contact: {t} ({w:g} mm wide, {l:g} mm along the thigh).</small>").format(
        t=readouts[0].tool, w=readouts[0].width_mm, l=readouts[0].length_mm)
    return "<table cellspacing='0'>" + "".join(rows) + "</table>" + note


class PressurePanel(QtWidgets.QWidget):
    """Controls, the deforming section and the readout, for the state's current section."""

    #: Each played frame as ``(deformation at its load, drawn scale, compression limit %, label)``;
    #: ``None`` when the animation stops or the section changes (nothing to show in 3-D).
    slab_frame = QtCore.Signal(object)

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.model: PressureModel | None = None
        self.drawer: PanelDrawer | None = None
        self.scene: Scene | None = None
        self.playback = Playback()
        self._generation = 0  # a newer level makes older model builds stale
        self._build_ui()
        self.timer = QtCore.QTimer(self, interval=round(1000 / self.speed.value()))
        self.timer.timeout.connect(self._tick)
        # a level slider sends many levels: build once it rests, one build at a time
        self._settle = QtCore.QTimer(self, singleShot=True, interval=300)
        self._settle.timeout.connect(self._start_build)
        self._building = self._pending = False
        app_state.subscribe(self.on_event)
        if app_state.section is not None:
            self._start_build()

    # --- layout -----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.place = QtWidgets.QComboBox()
        self.place.addItems(list(PLACES))
        self.place.setCurrentText("anterolateral")
        self.angle = QtWidgets.QDoubleSpinBox(minimum=-360.0, maximum=360.0, decimals=0, suffix=" °",
                                              value=PLACES["anterolateral"], wrapping=True)
        self.angle.setToolTip("Angle around the femur: 0 = anterior, positive towards lateral")
        self.direction = QtWidgets.QComboBox()
        self.direction.addItems(list(_DIRECTIONS))
        self.side = QtWidgets.QComboBox()
        self.side.addItems(list(_SIDES))
        self.side.setToolTip("Which way a sideways push goes")
        self.force = QtWidgets.QDoubleSpinBox(minimum=1.0, maximum=200.0, value=40.0, suffix=" N", decimals=0)
        self.tool = QtWidgets.QComboBox()
        for tool in TOOLS.values():
            self.tool.addItem(f"{tool.name} ({tool.width_mm:g} × {tool.length_mm:g} mm)", tool.name)
        self.tool.setCurrentIndex(list(TOOLS).index("hand"))
        self.sliding = QtWidgets.QDoubleSpinBox(minimum=0.05, maximum=20.0, value=Materials().sliding_kpa,
                                                singleStep=0.1, decimals=2, suffix=" kPa")
        self.sliding.setToolTip("Shear modulus of the sliding layers at the septa and around the femur. "
                                "No measured value exists: this is a modelling choice.")
        self.colour = QtWidgets.QComboBox()
        self.colour.addItems(list(COLOUR_MODES))
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

        self.play = QtWidgets.QPushButton("Play")
        self.play.setCheckable(True)
        self.loop = QtWidgets.QCheckBox("Loop", checked=True)
        self.speed = QtWidgets.QSpinBox(minimum=2, maximum=30, value=12, suffix=" fps")
        controls = QtWidgets.QHBoxLayout()
        for widget in (self.play, self.loop, self.speed):
            controls.addWidget(widget)
        self.previous_step = QtWidgets.QPushButton("◀ Step")
        self.next_step = QtWidgets.QPushButton("Guided demo ▶")
        controls.addStretch(1)
        controls.addWidget(self.previous_step)
        controls.addWidget(self.next_step)
        self.demo_index = -1

        self.figure = Figure(figsize=(6, 3.6), dpi=100, facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(260)
        self.status = QtWidgets.QLabel(wordWrap=True)
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
        layout.addWidget(self.status)
        layout.addWidget(self.readout)

        self.place.currentTextChanged.connect(lambda name: self.angle.setValue(PLACES[name]))
        for signal in (self.angle.valueChanged, self.direction.currentIndexChanged, self.side.currentIndexChanged,
                       self.force.valueChanged, self.tool.currentIndexChanged, self.colour.currentIndexChanged):
            signal.connect(self._resolve)
        self.sliding.editingFinished.connect(self._rebuild)
        self.play.toggled.connect(self._on_play)
        self.loop.toggled.connect(lambda on: setattr(self.playback, "loop", on))
        self.speed.valueChanged.connect(lambda fps: self.timer.setInterval(round(1000 / fps)))
        self.next_step.clicked.connect(lambda: self._demo_step(+1))
        self.previous_step.clicked.connect(lambda: self._demo_step(-1))
        self.canvas.mpl_connect("button_press_event", self._on_click)

    # --- state events -----------------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, st.LevelChanged):
            self.slab_frame.emit(None)  # the 3-D slab showed the old section
            self._rebuild()

    def _rebuild(self) -> None:
        self._settle.start()

    def _start_build(self) -> None:
        """Mesh and factorise the current section off the UI thread (after the running build, if any)."""
        section, model = self.state.section, self.state.model
        if section is None or model is None:
            return
        if self._building:
            self._pending = True
            return
        self._building = True
        self._generation += 1
        generation, side = self._generation, model.side
        materials = Materials.from_targets(self.sliding.value())
        self.status.setText(f"Building the pressure model at {section.level * 100:.0f}% of the femur…")

        def build() -> PressureModel:
            return PressureModel.from_section(section.for_mechanics(), side=side, materials=materials)

        def finish() -> None:
            self._building = False
            if self._pending:
                self._pending = False
                self._start_build()

        def done(result: PressureModel) -> None:
            finish()
            if generation == self._generation:  # no newer build was started
                self.model, self.drawer = result, None
                self.status.setText("Click on the skin to move the contact. Linear plane-strain model: "
                                    "numbers scale with the force.")
                self._resolve()

        def failed(error: BaseException) -> None:
            finish()
            if generation == self._generation:
                self.model = None
                self.status.setText(str(error) if isinstance(error, ThighViewError)
                                    else f"The pressure model failed: {type(error).__name__}: {error}")

        run_in_thread(build, done, failed)

    # --- loads and drawing ------------------------------------------------------------------
    def contacts(self) -> list[Contact]:
        tool = TOOLS[self.tool.currentData()]
        side = _SIDES[self.side.currentText()]
        return [Contact(at=self.angle.value(), direction=d, force_n=self.force.value(), tool=tool, side=side)
                for d in _DIRECTIONS[self.direction.currentText()]]

    def _resolve(self, *_args) -> None:
        """Solve the current loads (milliseconds: the model is factorised) and redraw."""
        if self.model is None:
            return
        style = FrameStyle(colour_by=self.colour.currentText())
        if self.drawer is None or self.drawer.style != style:
            self.drawer = PanelDrawer(self.model, style)
        caption = None
        if self.demo_index >= 0:
            step = GUIDED_DEMO[self.demo_index]
            caption = f"{self.demo_index + 1}. {step.title}: {step.caption}"
        try:
            self.scene = Scene.solve(self.model, self.contacts(), style, caption)
        except ThighViewError as exc:
            self.status.setText(str(exc))
            return
        self.readout.setText(readout_html([d.readout() for d in self.scene.deformations]))
        self.caption.setText(self.scene.caption)
        self._draw()

    def _draw(self) -> None:
        if self.scene is None or self.drawer is None:
            return
        fraction = self.playback.load_fraction if self.playback.playing or self.playback.index else 1.0
        self.scene.draw(self.figure, self.drawer, fraction, footer_px=70)
        self.canvas.draw_idle()
        if self.playback.playing:
            self.slab_frame.emit(self._slab(fraction))

    def _slab(self, fraction: float) -> tuple:
        """The frame for the 3-D slab: the sideways load when both are compared (what the demo is about)."""
        scene = self.scene
        shown = next((d for d in scene.deformations if d.contact.direction == "sideways"), scene.deformations[-1])
        scale = "to scale" if abs(scene.exaggeration - 1.0) < 1e-6 else f"x{scene.exaggeration:.2g}"
        label = (f"Deformed slab: {shown.contact.force_n * fraction:.0f} N {shown.contact.direction}, "
                 f"displacement {scale}; red = compressed (+/-{scene.compression_limit_pct:.0f} %)")
        return shown.scaled(fraction), scene.exaggeration, scene.compression_limit_pct, label

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: hide the settings and the numbers, show the step's caption large."""
        self.settings_box.setVisible(not on)
        self.readout.setVisible(not on)
        self.status.setVisible(not on)
        self.caption.setVisible(on)

    # --- animation and guided demo ----------------------------------------------------------
    def _on_play(self, on: bool) -> None:
        self.playback.playing = on
        self.play.setText("Pause" if on else "Play")
        if on:
            self.timer.start()
        else:
            self.timer.stop()
            self.slab_frame.emit(None)

    def _tick(self) -> None:
        if not self.playback.advance():
            self.play.setChecked(False)
        self._draw()

    def _demo_step(self, delta: int) -> None:
        self.demo_index = (self.demo_index + delta) % len(GUIDED_DEMO)
        step = GUIDED_DEMO[self.demo_index]
        blockers = [QtCore.QSignalBlocker(w) for w in (self.place, self.angle, self.side, self.direction)]
        self.place.setCurrentText(step.at)
        self.angle.setValue(PLACES[step.at])
        self.side.setCurrentText(step.side or "auto")
        self.direction.setCurrentText("Compare both")
        del blockers
        self._resolve()
        self.playback.index = 0
        self.play.setChecked(True)

    def _on_click(self, event) -> None:
        """A click on the section places the contact at that angle around the femur."""
        if self.model is None or event.xdata is None:
            return
        dx, dy = event.xdata - self.model.shape.centre[0], event.ydata - self.model.shape.centre[1]
        angle = math.degrees(math.atan2(lateral_sign(self.model.shape.side) * dx, dy)) % 360.0
        self.demo_index = -1
        self.angle.setValue(round(angle))

    def pause(self) -> None:
        """Stop the animation (its 3-D slab goes); the window calls this when the panel goes out of sight."""
        self.play.setChecked(False)

    def close_view(self) -> None:
        self.timer.stop()
        self._settle.stop()
        self.state.unsubscribe(self.on_event)
