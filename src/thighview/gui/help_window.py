"""Help › ThighView help (F1): the bundled user guides, rendered from their Markdown in the app.

The guides ship inside the package (``thighview/docs`` in a wheel, ``docs/`` in a checkout), so
help works offline and from an installed wheel; links between the guides open in the same window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from thighview._resources import docs_dir

#: The guides in reading order (any other Markdown file in the folder follows).
ORDER = ("default_model.md", "single_sections.md", "import.md", "mechanics.md", "troubleshooting.md")


def guide_title(path: Path) -> str:
    """A guide's first heading, without the #."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return path.stem.replace("_", " ").capitalize()


def guides(folder: Path | None = None) -> list[Path]:
    """The Markdown guides in ``folder`` (default: the bundled docs), in reading order."""
    folder = docs_dir() if folder is None else folder
    found = sorted(folder.glob("*.md")) if folder.is_dir() else []
    return sorted(found, key=lambda p: (ORDER.index(p.name) if p.name in ORDER else len(ORDER), p.name))


class HelpWindow(QtWidgets.QWidget):
    """A list of guides beside the selected guide."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setWindowTitle("ThighView help")
        self.pages = QtWidgets.QListWidget()
        self.browser = QtWidgets.QTextBrowser(openExternalLinks=True)
        self.browser.setOpenLinks(True)
        for path in guides():
            item = QtWidgets.QListWidgetItem(guide_title(path))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, str(path))
            self.pages.addItem(item)
        self.pages.currentItemChanged.connect(
            lambda item, _old: item and self.browser.setSource(QtCore.QUrl.fromLocalFile(
                item.data(QtCore.Qt.ItemDataRole.UserRole)), QtGui.QTextDocument.ResourceType.MarkdownResource))
        splitter = QtWidgets.QSplitter()
        splitter.addWidget(self.pages)
        splitter.addWidget(self.browser)
        splitter.setSizes([220, 640])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        if self.pages.count():
            self.pages.setCurrentRow(0)
        else:
            self.browser.setPlainText(f"The user guides were not found in {docs_dir()}.")
        screen = self.screen().availableGeometry()
        self.resize(min(900, screen.width()), min(700, screen.height()))
