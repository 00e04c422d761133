"""Small dialogs of the operator's loop: Indicar contacto and the send preview (F1: help_overlay).

They show plain data and return plain values; the caller runs the service and, if it fails,
reopens the dialog with what the operator had typed (`initial_outcome`, `initial_comment`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QKeySequence,
    QShortcut,
    QTextOption,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from dim_revision.domain.enums import ResultadoContacto
from dim_revision.domain.phones import formatear
from dim_revision.services.envios import Borrador
from ui.help_overlay import HelpOverlay  # noqa: F401  (importable from here, as before the split)
from ui.key_names import action_label, key_text, shortcut_label  # noqa: F401  (same)

COMMENT_MAX = 2000
_CTRL_ENTER = ("Ctrl+Return", "Ctrl+Enter")

# Alt+letter for each outcome; unique, and shown underlined on the radio button.
_ACCELERATORS = {
    ResultadoContacto.CONTACTADO: "&Contactado",
    ResultadoContacto.NO_ATIENDE: "&No atiende",
    ResultadoContacto.NUMERO_ERRONEO: "Número &erróneo",
    ResultadoContacto.DEJO_MENSAJE: "Se &dejó mensaje",
    ResultadoContacto.VOLVER_A_LLAMAR: "&Volver a llamar",
    ResultadoContacto.OTRO: "&Otro",
}


def nota_salida(now_local: datetime, demora: timedelta) -> str:
    """'Sale en 15 minutos (a las 14:20). …' — when the message leaves, and that it can be fixed."""
    minutos = int(demora.total_seconds() // 60)
    if minutos <= 0:
        return "Sale apenas confirmes."
    cuando = "1 minuto" if minutos == 1 else f"{minutos} minutos"
    sale = now_local + demora
    return f"Sale en {cuando} (a las {sale:%H:%M}). Hasta entonces podés editarlo o cancelarlo."


def _accept_on_ctrl_enter(dialog: QDialog, accept: Callable[[], object]) -> None:
    for keys in _CTRL_ENTER:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(accept)


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


class ContactDialog(QDialog):
    """Indicar contacto: an outcome and a required comment; date and user are automatic."""

    def __init__(
        self,
        parent: QWidget | None,
        usuario: str,
        now_local: datetime,
        initial_outcome: ResultadoContacto | None = None,
        initial_comment: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contactDialog")
        self.setWindowTitle("Indicar contacto")
        self.setModal(True)

        self._outcomes = QButtonGroup(self)
        outcomes = QGridLayout()
        outcomes.setHorizontalSpacing(18)
        outcomes.setVerticalSpacing(6)
        self.radios: dict[ResultadoContacto, QRadioButton] = {}
        for i, (resultado, text) in enumerate(_ACCELERATORS.items()):
            radio = QRadioButton(text)
            radio.setToolTip(f"Alt+{text[text.index('&') + 1].upper()}")
            # Alt+letter or a click picks the outcome without pulling focus out of the comment.
            radio.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self._outcomes.addButton(radio, i)
            self.radios[resultado] = radio
            outcomes.addWidget(radio, i // 2, i % 2)
        self.radios[initial_outcome or ResultadoContacto.CONTACTADO].setChecked(True)

        self.comment = QPlainTextEdit()
        self.comment.setObjectName("contactComment")
        self.comment.setPlaceholderText(
            "Qué se habló, qué quedó pendiente, cuándo volver a llamar…"
        )
        self.comment.setTabChangesFocus(True)
        self.comment.setPlainText(initial_comment)
        self.comment.setMinimumHeight(110)
        comment_label = QLabel()
        self.comment_label = comment_label
        comment_label.setBuddy(self.comment)
        self.counter = QLabel()
        self.counter.setProperty("role", "muted")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.auto = _muted(f"Se registra automáticamente: {now_local:%d/%m/%Y %H:%M} — {usuario}")

        self.ok_button = QPushButton("Registrar contacto (Ctrl+Enter)")
        self.ok_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton("Cancelar (Esc)")
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
        self.ok_button.clicked.connect(self._try_accept)
        self.cancel_button.clicked.connect(self.reject)

        head = QLabel("Resultado del contacto")
        head.setProperty("role", "section")
        comment_row = QHBoxLayout()
        comment_row.addWidget(comment_label)
        comment_row.addStretch(1)
        comment_row.addWidget(self.counter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(head)
        layout.addLayout(outcomes)
        layout.addSpacing(6)
        layout.addLayout(comment_row)
        layout.addWidget(self.comment, 1)
        layout.addWidget(self.auto)
        layout.addSpacing(4)
        layout.addLayout(buttons)

        _accept_on_ctrl_enter(self, self._try_accept)
        self.comment.textChanged.connect(self._update)
        self._outcomes.idToggled.connect(lambda _id, _on: self._update())
        self._update()
        self.comment.setFocus(Qt.FocusReason.OtherFocusReason)
        self.comment.moveCursor(self.comment.textCursor().MoveOperation.End)
        self.resize(480, self.sizeHint().height())

    def outcome(self) -> ResultadoContacto:
        for resultado, radio in self.radios.items():
            if radio.isChecked():
                return resultado
        return ResultadoContacto.OTRO  # unreachable: one radio is always checked

    def comment_text(self) -> str:
        return self.comment.toPlainText().strip()

    def result_value(self) -> tuple[ResultadoContacto, str]:
        """What to record (also valid after a cancel, to keep the operator's draft)."""
        return self.outcome(), self.comment_text()

    def can_accept(self) -> bool:
        text = self.comment_text()
        needed = self.outcome().pide_comentario
        return (bool(text) or not needed) and len(text) <= COMMENT_MAX

    def _update(self) -> None:
        needed = self.outcome().pide_comentario
        self.comment_label.setText("Co&mentario" + (" (obligatorio)" if needed else " (opcional)"))
        n = len(self.comment_text())
        over = n > COMMENT_MAX
        self.counter.setText(f"{n}/{COMMENT_MAX}" + (" — demasiado largo" if over else ""))
        role = "error" if over else "muted"
        if self.counter.property("role") != role:
            self.counter.setProperty("role", role)
            self.counter.style().unpolish(self.counter)
            self.counter.style().polish(self.counter)
        self.ok_button.setEnabled(self.can_accept())

    def _try_accept(self) -> None:
        if self.can_accept():
            self.accept()


class MessageView(QTextEdit):
    """Read-only text as tall as its content, wrapping anywhere so a long link is never cut."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlainText(text)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        margins = self.contentsMargins()
        height = self.document().size().height() + margins.top() + margins.bottom()
        self.setFixedHeight(max(int(height + 0.5), self.fontMetrics().height() * 2))


class ConfirmPreviewDialog(QDialog):
    """Exactly what goes out — text, number, link, prestaciones — before it is queued."""

    def __init__(
        self,
        parent: QWidget | None,
        borrador: Borrador,
        now_local: datetime,
        demora: timedelta,
        aviso: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("confirmPreviewDialog")
        self.setWindowTitle("Confirmar envío por WhatsApp")
        self.setModal(True)
        self._borrador = borrador

        telefono = formatear(borrador.telefono)
        self.phone = QLabel(f"WhatsApp para <b>{html.escape(telefono)}</b>")
        self.phone.setTextFormat(Qt.TextFormat.RichText)
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_phone = _muted(f"número de WhatsApp: {borrador.telefono}")
        self.raw_phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        prest_head = QLabel("Prestaciones")
        prest_head.setProperty("role", "section")
        self.prestaciones = QLabel(
            "<br>".join(f"{i}. {html.escape(n)}" for i, n in enumerate(borrador.prestaciones, 1))
        )
        self.prestaciones.setTextFormat(Qt.TextFormat.RichText)
        self.prestaciones.setWordWrap(True)

        msg_head = QLabel("Mensaje")
        msg_head.setProperty("role", "section")
        self.texto = MessageView(borrador.texto)
        self.texto.setObjectName("whatsappBubble")

        link_label = QLabel("Link")
        link_label.setProperty("role", "caption")
        self.link = QLineEdit(borrador.link)
        self.link.setReadOnly(True)
        self.link.setCursorPosition(0)
        self.link.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        link_row = QHBoxLayout()
        link_row.addWidget(link_label)
        link_row.addWidget(self.link, 1)

        self.note = _muted(nota_salida(now_local, demora))
        self.dont_ask = QCheckBox("No volver a mostrar en esta sesión")

        self.confirm_button = QPushButton("Confirmar y enviar (Ctrl+Enter)")
        self.confirm_button.setObjectName("primaryButton")
        self.back_button = QPushButton("Volver (Esc)")
        for button in (self.confirm_button, self.back_button):
            button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self.accept)
        self.back_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(self.phone)
        layout.addWidget(self.raw_phone)
        # The phone is "sin verificar" (issue 13.8): said before the operator confirms.
        self.aviso = QLabel(aviso or "")
        self.aviso.setObjectName("avisoTelefono")
        self.aviso.setProperty("role", "warn")
        self.aviso.setWordWrap(True)
        self.aviso.setVisible(bool(aviso))
        layout.addWidget(self.aviso)
        layout.addSpacing(4)
        layout.addWidget(prest_head)
        layout.addWidget(self.prestaciones)
        layout.addSpacing(4)
        layout.addWidget(msg_head)
        layout.addWidget(self.texto)
        layout.addLayout(link_row)
        layout.addWidget(self.note)
        layout.addWidget(self.dont_ask)
        layout.addSpacing(4)
        layout.addLayout(buttons)

        _accept_on_ctrl_enter(self, self.accept)
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setMinimumWidth(520)
        self.resize(560, self.sizeHint().height())

    def borrador(self) -> Borrador:
        return self._borrador

    def dont_show_again(self) -> bool:
        return self.dont_ask.isChecked()
