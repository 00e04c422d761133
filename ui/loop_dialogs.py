"""The loop's two small questions: why a record is skipped, and «¿Enviar ahora?» (issue 13).

Both are keyboard-first: the skip reason is typed or picked with ↑/↓ from the common ones (or
with Alt+1…5) and Enter accepts; «Enviar ahora» is asked once, Enter sends and Esc does not.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dim_revision.workstation.pase import MAX_MOTIVO, MOTIVOS_SALTEO, limpiar_motivo


class SkipDialog(QDialog):
    """Saltear: a reason from the list or typed; Enter saltea, Esc vuelve."""

    def __init__(self, parent: QWidget | None, nombre: str) -> None:
        super().__init__(parent)
        self.setObjectName("skipDialog")
        self.setWindowTitle("Saltear solicitud")
        self.setModal(True)
        head = QLabel(f"¿Por qué salteás la solicitud de {nombre}?")
        head.setWordWrap(True)
        head.setProperty("role", "section")
        self.reasons = QListWidget(self)
        self.reasons.setObjectName("skipReasons")
        self.reasons.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for i, motivo in enumerate(MOTIVOS_SALTEO, start=1):
            self.reasons.addItem(f"{i}. {motivo}")
        rows = len(MOTIVOS_SALTEO)
        self.reasons.setFixedHeight(
            rows * self.reasons.sizeHintForRow(0) + 2 * self.reasons.frameWidth() + 4
        )
        self.reasons.itemClicked.connect(lambda item: self._pick(self.reasons.row(item)))
        self.reasons.itemDoubleClicked.connect(lambda _item: self._try_accept())
        self.text = QLineEdit(self)
        self.text.setObjectName("skipReason")
        self.text.setMaxLength(MAX_MOTIVO)
        self.text.setPlaceholderText("Escribí el motivo, o ↑/↓ para elegir uno de la lista")
        self.text.installEventFilter(self)
        self.error = QLabel(self)
        self.error.setObjectName("skipError")
        self.error.setStyleSheet("QLabel#skipError { color: #b42318; }")
        self.error.hide()
        self.text.textChanged.connect(lambda _t: self.error.hide())
        hint = QLabel("No vuelve a aparecer en esta pasada; queda en la lista con el motivo.")
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        self.ok_button = QPushButton("Saltear (Enter)", self)
        self.ok_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton("Volver (Esc)", self)
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
        self.ok_button.clicked.connect(self._try_accept)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.reasons)
        layout.addWidget(self.text)
        layout.addWidget(self.error)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(460, self.sizeHint().height())

    def motivo(self) -> str:
        return self.text.text().strip()

    def _pick(self, row: int) -> None:
        if 0 <= row < len(MOTIVOS_SALTEO):
            self.reasons.setCurrentRow(row)
            self.text.setText(MOTIVOS_SALTEO[row])
            self.text.selectAll()

    def _try_accept(self) -> None:
        try:
            limpiar_motivo(self.text.text())
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            row = self.reasons.currentRow()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and not mods:
                step = 1 if key == Qt.Key.Key_Down else -1
                self._pick(min(max(row + step, 0), len(MOTIVOS_SALTEO) - 1) if row >= 0 else 0)
                return True
            if mods == Qt.KeyboardModifier.AltModifier and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                self._pick(int(key) - int(Qt.Key.Key_1))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._try_accept()
                return True
        return super().eventFilter(watched, event)


class AskDialog(QDialog):
    """One yes/no question; Enter says yes, Esc says no."""

    def __init__(self, parent: QWidget | None, title: str, text: str, yes: str) -> None:
        super().__init__(parent)
        self.setObjectName("askDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        label = QLabel(text, self)
        label.setWordWrap(True)
        self.yes_button = QPushButton(f"{yes} (Enter)", self)
        self.yes_button.setObjectName("primaryButton")
        self.yes_button.setDefault(True)
        self.no_button = QPushButton("No (Esc)", self)
        self.no_button.setAutoDefault(False)
        self.yes_button.clicked.connect(self.accept)
        self.no_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.no_button)
        buttons.addWidget(self.yes_button)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(buttons)
        self.yes_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(420, self.sizeHint().height())
