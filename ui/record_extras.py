"""Issue 13's actions on the open record: Corregir celular (13.8), Vincular turno and Copiar link
(13.10). `MainWindow` calls `install(window)` once; the shortcuts live in `ui/shortcuts.SPECS`
(so F1 lists them) and the buttons sit on the patient card's Celular and Turno rows.

Both dialogs check the input as it is typed (Spanish reason, OK refused) and the services check
again; a refusal changes nothing. The writes run on the workstation's lane, in order with the
claim operations, and the record reloads afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dim_revision.domain.phones import formatear, resultado_whatsapp
from dim_revision.services import celular, turnos
from dim_revision.services.celular import MovilCorregido
from dim_revision.services.turnos import VinculoResultado
from ui.action_bar import ActionButton
from ui.db_errors import db_task, is_offline
from ui.portal_link import Copy, copy_portal_link, copy_to_clipboard
from ui.record_actions import RELOAD_ON
from ui.record_state import live_send
from ui.shortcuts import SPEC_BY_NAME
from ui.tasks import TaskFailure

if TYPE_CHECKING:
    from ui.main_window import MainWindow

CTRL_ENTER = ("Ctrl+Return", "Ctrl+Enter")
MAX_TURNO = 2**31 - 1


def _ctrl_enter(dialog: QDialog, accept: Callable[[], object]) -> None:
    for keys in CTRL_ENTER:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(accept)


def _buttons(dialog: QDialog, ok_text: str, accept: Callable[[], object]) -> QHBoxLayout:
    ok = QPushButton(f"{ok_text} (Ctrl+Enter)", dialog)
    ok.setObjectName("primaryButton")
    back = QPushButton("Cancelar (Esc)", dialog)
    for button in (ok, back):
        button.setAutoDefault(False)
    ok.clicked.connect(accept)
    back.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(back)
    row.addWidget(ok)
    _ctrl_enter(dialog, accept)
    return row


class CelularDialog(QDialog):
    """The new mobile, checked for WhatsApp as it is typed, and the patient's confirmation."""

    def __init__(self, parent: QWidget | None, nombre: str, actual: str | None) -> None:
        super().__init__(parent)
        self.setObjectName("celularDialog")
        self.setWindowTitle("Corregir celular")
        self.setModal(True)
        intro = QLabel(
            f"Celular de <b>{nombre}</b> para esta solicitud. Ahora: {actual or 'sin celular'}."
        )
        intro.setWordWrap(True)
        self.movil = QLineEdit(self)
        self.movil.setObjectName("celularNuevo")
        self.movil.setPlaceholderText("con característica, p. ej. 11 15-2345-6789")
        self.movil.setMaxLength(celular.MAX_MOVIL)
        self.resultado = QLabel(self)
        self.resultado.setObjectName("celularResultado")
        self.resultado.setWordWrap(True)
        self.confirmado = QCheckBox("El paciente &confirmó este número por teléfono", self)
        self.confirmado.setObjectName("celularConfirmado")
        self.comentario = QLineEdit(self)
        self.comentario.setObjectName("celularComentario")
        self.comentario.setMaxLength(celular.MAX_COMENTARIO)
        self.comentario.setPlaceholderText("opcional")
        form = QFormLayout()
        form.addRow("Celular &nuevo:", self.movil)
        form.addRow("", self.resultado)
        form.addRow("", self.confirmado)
        form.addRow("Co&mentario:", self.comentario)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(_buttons(self, "Guardar", self.try_accept))
        self.movil.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(460)
        self.movil.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update(self) -> None:
        text = self.movil.text().strip()
        if not text:
            self.resultado.setText("Escribí el celular con la característica.")
            self.resultado.setProperty("role", "muted")
        else:
            r = resultado_whatsapp(text)
            if r.numero is not None:
                self.resultado.setText(f"WhatsApp: {formatear(r.numero)}")
                self.resultado.setProperty("role", "ok")
            else:
                self.resultado.setText(f"No sirve para WhatsApp: {r.motivo}")
                self.resultado.setProperty("role", "error")
        self.resultado.style().unpolish(self.resultado)
        self.resultado.style().polish(self.resultado)

    def problem(self) -> str | None:
        try:
            celular.validar_movil(self.movil.text())
        except Exception as exc:  # ValidationError: its Spanish text is the message
            return str(exc)
        if not self.confirmado.isChecked():
            return "Marcá que el paciente confirmó el número por teléfono (Alt+C)."
        return None

    def try_accept(self) -> None:
        problem = self.problem()
        if problem is None:
            self.accept()
            return
        self.resultado.setText(problem)
        self.resultado.setProperty("role", "error")
        self.resultado.style().unpolish(self.resultado)
        self.resultado.style().polish(self.resultado)

    def value(self) -> tuple[str, str]:
        return self.movil.text().strip(), self.comentario.text().strip()


class TurnoDialog(QDialog):
    """The id of the turno given in Portal LITE, to link it to this request."""

    def __init__(self, parent: QWidget | None, nombre: str) -> None:
        super().__init__(parent)
        self.setObjectName("turnoDialog")
        self.setWindowTitle("Vincular turno")
        self.setModal(True)
        intro = QLabel(
            f"Número del turno que le diste a <b>{nombre}</b> en el Portal LITE. "
            "Se le adjunta la orden subida, como cuando el paciente reserva con el link."
        )
        intro.setWordWrap(True)
        self.turno = QLineEdit(self)
        self.turno.setObjectName("turnoId")
        self.turno.setMaxLength(12)
        self.mensaje = QLabel(self)
        self.mensaje.setObjectName("turnoMensaje")
        self.mensaje.setProperty("role", "error")
        self.mensaje.setWordWrap(True)
        self.mensaje.hide()
        form = QFormLayout()
        form.addRow("&Turno N.º:", self.turno)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.mensaje)
        layout.addLayout(_buttons(self, "Vincular", self.try_accept))
        self.setMinimumWidth(420)
        self.turno.setFocus(Qt.FocusReason.OtherFocusReason)

    def turno_id(self) -> int | None:
        text = self.turno.text().strip().lstrip("#")
        if not text.isdigit() or not 0 < int(text) <= MAX_TURNO:
            return None
        return int(text)

    def try_accept(self) -> None:
        if self.turno_id() is None:
            self.mensaje.setText("Escribí el número de turno: sólo dígitos, por ejemplo 4512.")
            self.mensaje.show()
            return
        self.accept()


class RecordExtras(QObject):
    def __init__(self, window: MainWindow, *, copy: Copy = copy_to_clipboard) -> None:
        super().__init__(window)
        self.window = window
        self.ws = window.ws
        self.copy = copy
        acts = window.actions_by_name
        self.actions = {name: acts[name] for name in ("celular", "vincular_turno", "copiar_link")}
        self.actions["celular"].triggered.connect(lambda _c=False: self.open_celular())
        self.actions["vincular_turno"].triggered.connect(lambda _c=False: self.open_turno())
        self.actions["copiar_link"].triggered.connect(
            lambda _c=False: copy_portal_link(self.ws, self.copy)
        )
        self.celular_dialog: CelularDialog | None = None
        self.turno_dialog: TurnoDialog | None = None
        self.buttons = {
            "celular": self._button("celular", "Corregir celular…"),
            "copiar_link": self._button("copiar_link", "Copiar link"),
            "vincular_turno": self._button("vincular_turno", "Vincular turno…"),
        }
        card = window.patient_card
        card.add_row_button("Celular", self.buttons["celular"])
        card.add_row_button("Turno", self.buttons["copiar_link"])
        card.add_row_button("Turno", self.buttons["vincular_turno"])
        self.ws.actions_changed.connect(self.update_actions)
        self.update_actions()

    def _button(self, name: str, text: str) -> ActionButton:
        button = ActionButton(self.actions[name], f"{text}  {SPEC_BY_NAME[name].label}")
        button.setObjectName(f"boton_{name}")
        button.setProperty("role", "cardAction")  # small, flat: see resources/style.qss
        return button

    def enabled(self) -> dict[str, bool]:
        ws = self.ws
        rec = ws.workable()
        d = rec.detalle if rec is not None else None
        shown = ws.current.detalle if ws.current is not None else None
        return {
            "celular": d is not None and not live_send(d),
            "vincular_turno": d is not None and d.id_turno_destino is None,
            "copiar_link": shown is not None,
        }

    def update_actions(self) -> None:
        for name, on in self.enabled().items():
            self.actions[name].setEnabled(on)

    # --- running on the lane -----------------------------------------------------------------

    def _run(self, fn: Callable[..., Any], on_done: Callable[[Any], None]) -> None:
        ws = self.ws
        ws.set_busy(True)

        def done(result: Any) -> None:
            ws.set_busy(False)
            on_done(result)

        ws.lane.submit(db_task(fn), on_done=done, on_error=self._failed)

    def _failed(self, failure: TaskFailure) -> None:
        ws = self.ws
        ws.set_busy(False)
        if is_offline(failure):
            ws.go_offline(failure.message)
            return
        ws.message.emit(failure.message, "error" if failure.unexpected else "warning")
        if isinstance(failure.exception, RELOAD_ON):
            ws.reload_current()
            ws.model.refresh()

    # --- Corregir celular ----------------------------------------------------------------------

    def open_celular(self) -> CelularDialog | None:
        rec = self.ws.workable()
        if rec is None or rec.detalle is None or not self.enabled()["celular"]:
            return None
        d = rec.detalle
        dialog = CelularDialog(self.window, d.nombre, d.telefono_movil)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sid, version = rec.id, d.version

        def finished(result: int) -> None:
            self.celular_dialog = None
            if result == QDialog.DialogCode.Accepted:
                movil, comentario = dialog.value()
                self.save_celular(sid, version, movil, comentario)

        dialog.finished.connect(finished)
        self.celular_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def save_celular(self, sid: int, version: int, movil: str, comentario: str) -> None:
        ws = self.ws

        def work() -> MovilCorregido:
            return celular.corregir_movil(
                ws.db,
                ws.actor,
                ws.clock(),
                solicitud_id=sid,
                version=version,
                movil=movil,
                comentario=comentario,
            )

        def done(result: MovilCorregido) -> None:
            dim = " (también en la ficha del paciente en DIM)" if result.en_dim else ""
            ws.message.emit(
                f"Celular corregido: {formatear(result.whatsapp)}{dim}. Quedó registrado el "
                "contacto; ya podés confirmar el envío (Ctrl+Enter).",
                "info",
            )
            ws.model.refresh_ids([sid])
            ws.reload_current()

        self._run(work, done)

    # --- Vincular turno ------------------------------------------------------------------------

    def open_turno(self) -> TurnoDialog | None:
        rec = self.ws.workable()
        if rec is None or rec.detalle is None or not self.enabled()["vincular_turno"]:
            return None
        dialog = TurnoDialog(self.window, rec.detalle.nombre)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sid = rec.id

        def finished(result: int) -> None:
            self.turno_dialog = None
            turno_id = dialog.turno_id()
            if result == QDialog.DialogCode.Accepted and turno_id is not None:
                self.link_turno(sid, turno_id)

        dialog.finished.connect(finished)
        self.turno_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def link_turno(self, sid: int, turno_id: int) -> None:
        """The same association the portal calls (`services/turnos.vincular_turno`)."""
        ws = self.ws

        def work() -> VinculoResultado:
            return turnos.vincular_turno(
                ws.db, ws.actor, ws.clock(), solicitud_id=sid, turno_id=turno_id
            )

        def done(result: VinculoResultado) -> None:
            if result.ya_vinculado:
                text = f"La solicitud ya estaba vinculada al turno #{turno_id}."
            else:
                n = result.adjuntos_copiados
                archivos = "1 archivo" if n == 1 else f"{n} archivos"
                text = f"Turno #{turno_id} vinculado: se le adjuntó la orden ({archivos})."
            ws.message.emit(text, "info")
            ws.model.refresh_ids([sid])
            ws.reload_current()

        self._run(work, done)


def install(window: MainWindow) -> RecordExtras:
    return RecordExtras(window)
