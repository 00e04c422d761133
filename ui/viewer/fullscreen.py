"""«Ver imagen»: a top-level, full-screen window around a second viewer (Esc or F11 closes it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget


class FullScreenWindow(QWidget):
    """Hosts `content` (an OrderViewer sharing the runner and cache) in its own window."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Ver imagen — DIM Revisión")
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)
        self.close_action = QAction("Cerrar pantalla completa", self)
        self.close_action.setShortcuts([QKeySequence("Esc"), QKeySequence("F11")])
        self.close_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.close_action.triggered.connect(self.close)
        self.addAction(self.close_action)
