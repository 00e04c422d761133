"""Banners above the grid: the offline one (with «Reintentar») and short messages (DESIGN §9).

Errors are banners with a retry, never a crash dialog. A message banner remembers only the latest
message; informative ones hide by themselves after a while.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

KINDS = ("error", "warning", "info")
INFO_SECONDS = 8

_STYLE = """
QFrame#banner[kind="error"] { background: #b3261e; }
QFrame#banner[kind="error"] QLabel { color: white; font-weight: bold; }
QFrame#banner[kind="warning"] { background: #fff4ce; border-bottom: 1px solid #e0c45c; }
QFrame#banner[kind="warning"] QLabel { color: #4d3b00; }
QFrame#banner[kind="info"] { background: #e6f4ea; border-bottom: 1px solid #9bc9a8; }
QFrame#banner[kind="info"] QLabel { color: #173d22; }
QFrame#banner QPushButton { padding: 2px 10px; }
"""


class Banner(QFrame):
    action_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        action_text: str | None = None,
        closable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet(_STYLE)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.action_button = QPushButton(action_text or "", self)
        self.action_button.setVisible(action_text is not None)
        self.action_button.clicked.connect(self.action_requested)
        self.close_button = QPushButton("✕", self)
        self.close_button.setFlat(True)
        self.close_button.setToolTip("Cerrar el aviso")
        self.close_button.setVisible(closable)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.setProperty("kind", "info")
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))

    def show_message(self, text: str, kind: str = "info") -> None:
        if kind not in KINDS:
            raise ValueError(kind)
        self.label.setText(text)
        if kind != self.property("kind"):  # re-styling costs ~6 ms: only when the colour changes
            self.setProperty("kind", kind)
            self.style().unpolish(self)
            self.style().polish(self)
            for child in (self.label, self.action_button, self.close_button):
                self.style().unpolish(child)
                self.style().polish(child)
        self._timer.stop()
        if kind == "info":
            self._timer.start(INFO_SECONDS * 1000)
        self.show()
