"""A label that never asks for its whole text's width: it draws what fits, ending in «…»."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """Asks for `min_chars` of width at least and elides the rest of its text. Seen at
    1366×768: a 70-character worker error grew the window to 1427 px, and a long file name ran
    into the viewer's «archivo 1/1» with no gap."""

    def __init__(self, parent: QWidget | None = None, *, min_chars: int = 16) -> None:
        super().__init__(parent)
        self._min_chars = min_chars

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * self._min_chars
        return QSize(min(hint.width(), least), hint.height())

    def shown_text(self) -> str:
        """What the label draws at its current width."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter, self.contentsRect(), int(self.alignment()), self.palette(), self.isEnabled(),
            self.shown_text(), self.foregroundRole(),
        )  # fmt: skip
        painter.end()
