"""The 2-D section view: :func:`thighview.render.section2d.draw_section` on a Qt matplotlib canvas.

Redraws once per batch of state changes (and on resize, since labels are laid out in pixels);
hovering names the structure under the mouse, clicking selects it. A model made from a labelled
image shows that image under its (then semi-transparent) regions unless turned off.
"""

from __future__ import annotations

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6 import QtCore, QtGui, QtWidgets

from thighview.app import state as st
from thighview.render import section2d
from thighview.render.legend import draw_colour_bar, draw_legend, section_legend


class SectionView(QtWidgets.QWidget):
    """The section at the current level, as an atlas plate."""

    def __init__(self, app_state: st.AppState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = app_state
        self.figure = Figure(facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(320, 320)
        self.axes = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.drawing = section2d.SectionDrawing()
        self.show_image = True  # an image model's picture under its regions
        self._extent: tuple[object, tuple[float, float] | None] = (None, None)  # (model, its widest extent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self._redraw_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._redraw_timer.timeout.connect(self.redraw)
        self.canvas.mpl_connect("motion_notify_event", self._on_move)
        self.canvas.mpl_connect("button_release_event", self._on_click)
        self.canvas.mpl_connect("resize_event", lambda _e: self.request_redraw())
        app_state.subscribe(self.on_event)

    def on_event(self, event) -> None:
        if isinstance(event, (st.ModelChanged, st.LevelChanged, st.ColoursChanged, st.VisibilityChanged,
                              st.SelectionChanged)):
            self.request_redraw()

    def request_redraw(self) -> None:
        self._redraw_timer.start()

    def set_image_visible(self, on: bool) -> None:
        """Show or hide the original picture under an image model's regions."""
        self.show_image = bool(on)
        self.request_redraw()

    @property
    def has_image(self) -> bool:
        """True when the current model came from a labelled image (an underlay can be shown)."""
        model = self.state.model
        return model is not None and model.flat is not None and model.flat.image is not None

    def redraw(self) -> None:
        """Draw the current section now (the timer calls this once per batch)."""
        state, section = self.state, self.state.section
        self.axes.clear()
        if state.model is None or section is None:
            self.canvas.draw_idle()
            return
        visible = [n for n, v in state.visible.items() if v]
        underlay = section2d.image_underlay(state.model.flat, section.frame) if self.show_image else None
        self.drawing = section2d.draw_section(self.axes, section, state.colours, side=state.model.side,
                                              visible=visible, highlight=state.selected,
                                              compartments=section.compartments, underlay=underlay,
                                              extent=self._model_extent())
        legend = section_legend(section, state.scheme, areas=False, structures=state.model.structures.values(),
                                muscles=False)  # the view labels every muscle already
        if legend.bar:  # the same legend as an exported figure's, inset in the lower right corner
            draw_colour_bar(self.axes.inset_axes((0.70, 0.05, 0.27, 0.022)), legend.bar, fontsize=7.5)
        else:
            draw_legend(self.axes, legend.entries, fontsize=7.5, loc="lower right", handlelength=1.2,
                        borderaxespad=0.2)
        self.canvas.draw()

    def _model_extent(self) -> tuple[float, float] | None:
        """The model's widest section (mm), computed once per model: one scale at every level."""
        model = self.state.model
        if model.flat is not None:
            return None
        frame = self.state.section.frame
        key = (id(model), tuple(frame.normal))  # a new axis for the same model: a new extent
        if self._extent[0] != key:
            self._extent = (key, section2d.widest_extent(model, frame))
        return self._extent[1]

    def data_to_widget(self, x: float, y: float) -> QtCore.QPoint:
        """Widget pixel of a section-frame point (mm), e.g. to find a structure's pixel in a test."""
        px, py = self.axes.transData.transform((x, y))
        ratio = self.canvas.device_pixel_ratio or 1.0
        return QtCore.QPoint(round(px / ratio), round(self.canvas.height() - py / ratio))

    def _structure_at_event(self, event) -> str | None:
        if event.inaxes is not self.axes or self.state.section is None:
            return None
        visible = [n for n, v in self.state.visible.items() if v]
        return section2d.structure_at(self.state.section.polygons, event.xdata, event.ydata, visible)

    def _on_move(self, event) -> None:
        name = self._structure_at_event(event)
        if name != self.state.hovered:
            self.state.hover(name)
            if name:  # name, compartment and area right at the cursor (the status bar says it too)
                QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), self.state.describe(name), self.canvas)
            else:
                QtWidgets.QToolTip.hideText()

    def _on_click(self, event) -> None:
        if event.button == 1:
            self.state.select(self._structure_at_event(event))

    def close_view(self) -> None:
        self.state.unsubscribe(self.on_event)
        self._redraw_timer.stop()
