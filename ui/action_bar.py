"""The row of buttons under the detail: each mirrors a window QAction and shows its shortcut.

Above them: the 15-minute window of a scheduled send, the «cambios sin guardar» marker when the
picks on screen differ from that send, and the «Deshacer» bar after Resuelto / Cancelar envío."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dim_revision.workstation.session import UNSAVED
from ui.shortcuts import SPEC_BY_NAME, button_text

MAIN_BUTTONS = ("confirmar", "resuelto", "contacto", "saltear", "turno", "imagen")
NAV_BUTTONS = ("anterior", "siguiente")
ENVIO_BUTTONS = ("editar", "cancelar", "enviar_ahora")


class ActionButton(QPushButton):
    """A push button driven by a QAction: same enabled state, triggers it, shows its shortcut."""

    def __init__(self, action: QAction, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._action = action
        self.setToolTip(action.toolTip())
        self.setAutoDefault(False)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    @property
    def action(self) -> QAction:
        return self._action

    def _sync(self) -> None:
        self.setEnabled(self._action.isEnabled())
        self.setVisible(self._action.isVisible())


class ActionBar(QFrame):
    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionBar")
        self.buttons: dict[str, ActionButton] = {}

        self.envio_frame = QFrame(self)
        self.envio_frame.setObjectName("envioFrame")
        self.envio_frame.setStyleSheet(
            "QFrame#envioFrame { background: #e8f0fb; border: 1px solid #b9cde8; border-radius: 4px; }"
        )
        self.envio_label = QLabel(self.envio_frame)
        self.envio_label.setObjectName("envioCountdown")
        self.envio_label.setWordWrap(True)
        self.envio_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.envio_label.setStyleSheet(
            "QLabel#envioCountdown { font-weight: 600; color: #1f3b63; }"
        )
        envio_row = QHBoxLayout(self.envio_frame)
        envio_row.setContentsMargins(8, 4, 8, 4)
        envio_row.addWidget(self.envio_label, 1)
        for name in ENVIO_BUTTONS:
            envio_row.addWidget(self._button(actions, name))
        self.envio_frame.hide()

        self.unsaved_label = QLabel(UNSAVED, self)
        self.unsaved_label.setObjectName("cambiosSinGuardar")
        self.unsaved_label.setStyleSheet(
            "QLabel#cambiosSinGuardar { background: #fff4ce; color: #7a4b00; font-weight: 600;"
            " border: 1px solid #e8c36a; border-radius: 4px; padding: 3px 8px; }"
        )
        self.unsaved_label.hide()

        self.undo_frame = QFrame(self)
        self.undo_frame.setObjectName("undoBar")
        self.undo_frame.setStyleSheet(
            "QFrame#undoBar { background: #eef6ee; border: 1px solid #a6d2a6; border-radius: 4px; }"
        )
        self.undo_label = QLabel(self.undo_frame)
        self.undo_label.setObjectName("undoText")
        undo_row = QHBoxLayout(self.undo_frame)
        undo_row.setContentsMargins(8, 2, 8, 2)
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self._button(actions, "deshacer"))
        self.undo_frame.hide()

        self.state_label = QLabel(self)
        self.state_label.setObjectName("recordState")
        self.state_label.setWordWrap(True)
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Always there, one line at least: a record with nothing to say does not move the buttons
        # (showing and hiding it re-laid the window out on every record, issue 19).
        self.state_label.setMinimumHeight(self.state_label.fontMetrics().lineSpacing())

        main_row = QHBoxLayout()
        main_row.setSpacing(6)
        for name in MAIN_BUTTONS:
            main_row.addWidget(self._button(actions, name))
        main_row.addStretch(1)
        for name in NAV_BUTTONS:
            main_row.addWidget(self._button(actions, name))
        self.buttons["confirmar"].setObjectName("primaryButton")
        self.buttons["confirmar"].setDefault(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.undo_frame)
        layout.addWidget(self.envio_frame)
        layout.addWidget(self.unsaved_label)
        layout.addWidget(self.state_label)
        layout.addLayout(main_row)

    def _button(self, actions: dict[str, QAction], name: str) -> ActionButton:
        button = ActionButton(actions[name], button_text(SPEC_BY_NAME[name]), self)
        button.setObjectName(f"boton_{name}")
        self.buttons[name] = button
        return button

    def set_state_text(self, text: str) -> None:
        self.state_label.setText(text)

    def show_envio(self, text: str | None) -> None:
        """The 15-minute window: countdown text and its three buttons, or hidden."""
        if text is None:
            self.envio_frame.hide()
            return
        self.envio_label.setText(text)
        self.envio_frame.show()

    def show_unsaved(self, unsaved: bool) -> None:
        self.unsaved_label.setVisible(unsaved)

    def show_undo(self, text: str | None) -> None:
        """«… · Deshacer (Ctrl+Z), 7 s» while the last move can be undone, else hidden."""
        if text is None:
            self.undo_frame.hide()
            return
        self.undo_label.setText(text)
        self.undo_frame.show()
