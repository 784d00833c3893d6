"""Does any text overlap other text? Bounding boxes of matplotlib texts and of visible Qt text widgets.

:func:`figure_text_boxes` measures every visible, non-empty ``Text`` of a matplotlib figure with
its renderer (titles, labels, legends, tick labels, annotations); :func:`window_text_boxes` adds
the texts of a Qt window: labels, buttons and check boxes, group box titles, tab and header
sections, and the texts of every matplotlib canvas in it, all in window coordinates.
:func:`overlaps` lists the pairs that intersect (by more than ``slack`` pixels each way).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class TextBox:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float   # y grows downwards (window coordinates) or upwards (figure pixels): one frame per list

    def meets(self, other: TextBox, slack: float) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > slack
                and min(self.y1, other.y1) - max(self.y0, other.y0) > slack)


def overlaps(boxes: list[TextBox], slack: float = 1.0) -> list[tuple[str, str]]:
    """Every pair of boxes that intersect by more than ``slack`` pixels in both directions."""
    return [(a.text[:40], b.text[:40]) for a, b in itertools.combinations(boxes, 2) if a.meets(b, slack)]


def figure_text_boxes(fig, renderer=None) -> list[TextBox]:
    """The visible non-empty texts of a drawn matplotlib figure, in figure pixels (y up), cut to the figure
    (a text inside a hidden artist, e.g. a hidden legend, is not shown)."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    renderer = renderer or fig._get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    boxes = []

    def visit(artist) -> None:
        if not artist.get_visible():
            return
        hidden_axis = getattr(artist, "axison", True) is False   # set_axis_off: its axes are not drawn
        if isinstance(artist, Text) and artist.get_text().strip():
            b = artist.get_window_extent(renderer)
            x0, y0, x1, y1 = max(b.x0, 0), max(b.y0, 0), min(b.x1, width), min(b.y1, height)
            if x1 > x0 and y1 > y0:
                boxes.append(TextBox(artist.get_text(), x0, y0, x1, y1))
        if isinstance(artist, Axis):  # only the ticks it draws: those inside the view interval
            for child in [t for tick in artist._update_ticks() for t in (tick.label1, tick.label2)] \
                    + [artist.label, artist.offsetText]:
                visit(child)
            return
        for child in artist.get_children():
            if not (hidden_axis and child in (artist.xaxis, artist.yaxis)):
                visit(child)

    visit(fig)
    return boxes


def window_text_boxes(window) -> list[TextBox]:
    """The visible texts of a Qt window and of the matplotlib canvases in it, in window pixels (y down)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from PySide6 import QtCore, QtGui, QtWidgets

    boxes: list[TextBox] = []

    def add(widget, text: str, rect: QtCore.QRect) -> None:
        """``rect`` (widget coordinates) as far as the widget shows it on screen."""
        shown = widget.visibleRegion().boundingRect().intersected(rect)
        if text.strip() and not shown.isEmpty():
            top_left = widget.mapTo(window, shown.topLeft())
            boxes.append(TextBox(text, top_left.x(), top_left.y(), top_left.x() + shown.width(),
                                 top_left.y() + shown.height()))

    def text_rect(widget, text: str, area: QtCore.QRect, flags) -> QtCore.QRect:
        metrics = QtGui.QFontMetrics(widget.font())
        return metrics.boundingRect(area, int(flags), text).intersected(area)

    for widget in window.findChildren(QtWidgets.QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QtWidgets.QLabel) and widget.text():
            if widget.textFormat() == QtCore.Qt.TextFormat.RichText or QtCore.Qt.mightBeRichText(widget.text()):
                add(widget, widget.text(), widget.contentsRect())   # laid out by a document: its whole area
            else:
                flags = widget.alignment() | (QtCore.Qt.TextFlag.TextWordWrap if widget.wordWrap() else 0)
                add(widget, widget.text(), text_rect(widget, widget.text(), widget.contentsRect(), flags))
        elif isinstance(widget, QtWidgets.QAbstractButton) and widget.text():
            add(widget, widget.text(), widget.rect())
        elif isinstance(widget, QtWidgets.QGroupBox) and widget.title():
            option = QtWidgets.QStyleOptionGroupBox()
            widget.initStyleOption(option)
            rect = widget.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_GroupBox, option,
                                                 QtWidgets.QStyle.SubControl.SC_GroupBoxLabel, widget)
            add(widget, widget.title(), rect)
        elif isinstance(widget, QtWidgets.QTabBar):
            for i in range(widget.count()):
                add(widget, widget.tabText(i), widget.tabRect(i))
        elif isinstance(widget, QtWidgets.QHeaderView) and widget.model() is not None:
            horizontal = widget.orientation() == QtCore.Qt.Orientation.Horizontal
            for i in range(widget.count()):
                if widget.isSectionHidden(i):
                    continue
                text = str(widget.model().headerData(i, widget.orientation()) or "")
                start, size = widget.sectionViewportPosition(i), widget.sectionSize(i)
                rect = QtCore.QRect(start, 0, size, widget.height()) if horizontal else \
                    QtCore.QRect(0, start, widget.width(), size)
                add(widget.viewport(), text, rect)
        elif isinstance(widget, FigureCanvasQTAgg):
            ratio = widget.device_pixel_ratio or 1.0
            fig_height = widget.figure.bbox.height
            for box in figure_text_boxes(widget.figure, widget.get_renderer()):
                rect = QtCore.QRectF(box.x0 / ratio, (fig_height - box.y1) / ratio, (box.x1 - box.x0) / ratio,
                                     (box.y1 - box.y0) / ratio).toAlignedRect()
                add(widget, box.text, rect)
    return boxes
