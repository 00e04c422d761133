"""The row of buttons under the detail: each mirrors a window QAction and shows its shortcut."""

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

from ui.shortcuts import SPEC_BY_NAME, button_text

MAIN_BUTTONS = ("confirmar", "resuelto", "contacto", "turno", "imagen")
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

        self.state_label = QLabel(self)
        self.state_label.setObjectName("recordState")
        self.state_label.setWordWrap(True)
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

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
        layout.addWidget(self.envio_frame)
        layout.addWidget(self.state_label)
        layout.addLayout(main_row)

    def _button(self, actions: dict[str, QAction], name: str) -> ActionButton:
        button = ActionButton(actions[name], button_text(SPEC_BY_NAME[name]), self)
        button.setObjectName(f"boton_{name}")
        self.buttons[name] = button
        return button

    def set_state_text(self, text: str) -> None:
        self.state_label.setText(text)
        self.state_label.setVisible(bool(text))

    def show_envio(self, text: str | None) -> None:
        """The 15-minute window: countdown text and its three buttons, or hidden."""
        if text is None:
            self.envio_frame.hide()
            return
        self.envio_label.setText(text)
        self.envio_frame.show()
