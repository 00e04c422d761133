"""The status bar: who is working, whether the database answers, and how the outbox is doing."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from dim_revision.outbox.status import OutboxCounts, WorkerStatus
from dim_revision.services.actor import Actor
from ui.elided_label import ElidedLabel

ONLINE_STYLE = "color: #1e6b34;"
OFFLINE_STYLE = "color: #b3261e; font-weight: bold;"
PAUSED_STYLE = "color: #b3261e; font-weight: bold;"
MAX_CHARS = 70  # a long worker error must not widen the window past a 1366 px screen
MIN_CHARS = 16  # what the worker label asks for at least; the rest of its text is elided


def _set_short(label: QLabel, text: str) -> None:
    """At most MAX_CHARS on the bar (…), the whole text in the tooltip."""
    label.setText(text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…")
    label.setToolTip(text if len(text) > MAX_CHARS else "")


def outbox_text(counts: OutboxCounts | None) -> str:
    if counts is None:
        return "Envíos: —"
    return (
        f"Envíos: {counts.programados + counts.enviando} programados · "
        f"{counts.enviados_hoy} enviados hoy · {counts.fallidos} fallidos · "
        f"{counts.inciertos} inciertos"
    )


class StatusBar(QStatusBar):
    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(True)
        self.user_label = QLabel(f"Operador: {actor.usuario} ({actor.estacion})", self)
        self.db_label = QLabel(self)
        self.outbox_label = QLabel(outbox_text(None), self)
        self.worker_label = ElidedLabel(self, min_chars=MIN_CHARS)
        self.worker_label.hide()
        self.key_label = QLabel(self)  # link-key fingerprint vs the service's (issue #12)
        self.key_label.setObjectName("keyLabel")
        self.key_label.hide()
        self.servicio = False  # [outbox] modo = "servicio": this PC never sends
        self.addWidget(self.user_label)
        self.addWidget(self.db_label)
        self.addPermanentWidget(self.key_label)
        self.addPermanentWidget(self.worker_label)
        self.addPermanentWidget(self.outbox_label)
        self.set_db(True)

    def set_db(self, online: bool, detail: str = "") -> None:
        if online:
            self.db_label.setText("● Base de datos conectada")
            self.db_label.setStyleSheet(ONLINE_STYLE)
            self.db_label.setToolTip(detail)
        else:
            self.db_label.setText("● Sin conexión con la base de datos")
            self.db_label.setStyleSheet(OFFLINE_STYLE)
            self.db_label.setToolTip(detail)

    def set_outbox(self, counts: OutboxCounts | None, status: WorkerStatus | None) -> None:
        self.outbox_label.setText(outbox_text(counts))
        if counts is not None and counts.requieren_atencion:
            self.outbox_label.setToolTip(
                "Hay envíos fallidos o inciertos: un supervisor debe revisarlos."
            )
        else:
            self.outbox_label.setToolTip("")
        if status is None and self.servicio:
            self.worker_label.setText("Envíos: a cargo del servicio")
            self.worker_label.setStyleSheet("")
            self.worker_label.show()
        elif status is None:
            self.worker_label.setText("Envíos: el trabajador no está corriendo en este puesto")
            self.worker_label.setStyleSheet("")
            self.worker_label.show()
        elif status.pausado:
            _set_short(self.worker_label, f"Envíos en pausa: {status.motivo or 'sin motivo'}")
            self.worker_label.setStyleSheet(PAUSED_STYLE)
            self.worker_label.show()
        elif status.ultimo_error:
            _set_short(self.worker_label, f"Envíos con problemas: {status.ultimo_error}")
            self.worker_label.setStyleSheet(PAUSED_STYLE)
            self.worker_label.show()
        else:
            self.worker_label.hide()

    def set_key(self, ok: bool, text: str) -> None:
        """The link-key check: a mismatch is shown in red before a patient gets a bad link."""
        self.key_label.setText(("" if ok else "¡Atención! ") + text[:1].upper() + text[1:])
        self.key_label.setStyleSheet("" if ok else PAUSED_STYLE)
        self.key_label.setToolTip(
            "Huella (primeros 8 hex del SHA-256) de la clave que firma los links; nunca la clave."
        )
        self.key_label.show()
