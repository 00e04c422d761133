"""The patient card: everything about one request the operator needs at a glance (DESIGN §4.2).

It renders a `SolicitudDetalle` (plain data) and nothing else: no database, no HTTP. Dates are
shown in Buenos Aires time; the request's age ("hace 2 h 10 min") comes from the injected clock
and is refreshed once a minute while the card is visible. Texts are selectable so DNI, phone and
email can be copied. Colours come from `resources/style.qss` through the `role` property.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dim_revision.clock import Clock, to_local
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.domain.phones import formatear
from dim_revision.services.detalle import (
    ContactoInfo,
    EnvioInfo,
    OtraSolicitud,
    RespuestaInfo,
    SolicitudDetalle,
)
from ui.record_text import motivo_atencion

EMPTY = "Elegí una solicitud de la lista."
VERIFIED = "✓ verificado"
UNVERIFIED = "sin verificar"
NO_DATA = "—"
AGE_REFRESH_MS = 60_000

_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def fecha_local(value: datetime | None) -> str:
    """'25/11/2026 14:05' in Buenos Aires time, or a dash."""
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value is not None else NO_DATA


def edad(delta: timedelta) -> str:
    """'recién', 'hace 12 min', 'hace 2 h 10 min', 'hace 3 d 4 h' (a future time counts as now)."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "recién"
    if minutes < 60:
        return f"hace {minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        return f"hace {hours} h {mins} min" if mins else f"hace {hours} h"
    days, hours = divmod(hours, 24)
    return f"hace {days} d {hours} h" if hours else f"hace {days} d"


def _label(
    text: str = "", role: str | None = None, *, rich: bool = False, wrap: bool = True
) -> QLabel:
    """A selectable label; `wrap=False` for values that must never be cut (DNI, phone, email)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(_SELECTABLE)
    label.setWordWrap(wrap)
    if wrap:
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # An explicit minimum keeps the scroll area from sizing the card for the narrowest
        # possible wrap (QLabel's minimumSizeHint); the layout's height-for-width gives the real
        # height.
        label.setMinimumSize(1, label.fontMetrics().height())
    if role:
        label.setProperty("role", role)
    return label


def _set_role(label: QLabel, role: str) -> None:
    """Change a label's colour role and make the stylesheet notice."""
    if label.property("role") != role:
        label.setProperty("role", role)
        label.style().unpolish(label)
        label.style().polish(label)


def _esc(text: str | None) -> str:
    return html.escape(text or "")


class PatientCard(QWidget):
    """Shows one `SolicitudDetalle`; `own_lease` is this workstation's lease key (not shown)."""

    def __init__(
        self, clock: Clock, own_lease: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientCard")
        self._clock = clock
        self._own_lease = own_lease
        self._detalle: SolicitudDetalle | None = None

        self.empty_label = QLabel(EMPTY)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "muted")

        self.nombre = _label(role="title")
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.45)
        title_font.setBold(True)
        self.nombre.setFont(title_font)
        self.estado = _label(role="muted")  # "Solicitud #12 · subida … (hace …)"
        self.tomada = _label(role="warn")
        self.atencion = _label(role="error")  # «Requiere atención» and why (issue 13.2)
        self.atencion.setObjectName("requiereAtencion")

        self.dni = _label(wrap=False)
        self.movil = _label(wrap=False)
        self.movil_verificado = _label(wrap=False)
        self.whatsapp = _label()
        self.email = _label(wrap=False)
        self.email_verificado = _label(wrap=False)
        self.cobertura = _label()
        self.turno = _label()
        self.envio = _label(rich=True)
        self.envio_error = _label(role="error")
        self.contactos = _label(rich=True)
        self.respuestas = _label(rich=True)  # "Respuestas del paciente" (issue #12)
        self.otras = _label(rich=True)

        self._rows: dict[str, QLabel] = {}
        self._row_index: dict[str, int] = {}
        self._slots: dict[str, QHBoxLayout] = {}
        data = QGridLayout()
        self._grid = data
        data.setHorizontalSpacing(12)
        data.setVerticalSpacing(4)
        data.setColumnStretch(1, 1)
        self._add_row(data, "DNI", self.dni)
        self._add_row(data, "Celular", self.movil, self.movil_verificado)
        self._slot(data, "Celular")  # Corregir celular (issue 13.8)
        self._add_row(data, "WhatsApp", self.whatsapp)
        self._add_row(data, "Email", self.email, self.email_verificado)
        self._add_row(data, "Cobertura", self.cobertura)
        self._add_row(data, "Turno", self.turno)
        self._slot(data, "Turno")  # Copiar link, Vincular turno (issue 13.10)
        self._add_row(data, "Envío", self.envio)
        data.addWidget(self.envio_error, data.rowCount(), 1, 1, 2)

        content = QWidget()
        content.setObjectName("patientCardContent")
        body = QVBoxLayout(content)
        body.setContentsMargins(12, 10, 12, 10)
        body.setSpacing(6)
        body.addWidget(self.nombre)
        body.addWidget(self.estado)
        body.addWidget(self.tomada)
        body.addWidget(self.atencion)
        body.addSpacing(4)
        body.addLayout(data)
        self.respuestas_title = self._section(body, "Respuestas del paciente", self.respuestas)
        self.contactos_title = self._section(body, "Contactos", self.contactos)
        self.otras_title = self._section(body, "Otras solicitudes del paciente", self.otras)
        body.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.scroll_area)

        self._timer = QTimer(self)
        self._timer.setInterval(AGE_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_age)
        self.show_detalle(None)

    def _add_row(
        self, grid: QGridLayout, caption: str, value: QLabel, extra: QLabel | None = None
    ) -> None:
        row = grid.rowCount()
        head = QLabel(caption)
        head.setProperty("role", "caption")
        head.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(head, row, 0, Qt.AlignmentFlag.AlignTop)
        if extra is None:
            grid.addWidget(value, row, 1, 1, 2)
        else:
            grid.addWidget(value, row, 1)
            grid.addWidget(extra, row, 2, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        self._rows[caption] = head
        self._row_index[caption] = row

    @staticmethod
    def _section(body: QVBoxLayout, title: str, content: QLabel) -> QLabel:
        body.addSpacing(6)
        head = QLabel(title)
        head.setProperty("role", "section")
        body.addWidget(head)
        body.addWidget(content)
        return head

    # --- public API ---------------------------------------------------------------------------

    def detalle(self) -> SolicitudDetalle | None:
        return self._detalle

    def show_detalle(self, d: SolicitudDetalle | None) -> None:
        self._detalle = d
        self.empty_label.setVisible(d is None)
        self.scroll_area.setVisible(d is not None)
        if d is None:
            self._timer.stop()
            return
        self.nombre.setText(d.nombre)
        self.refresh_age()
        self._timer.start()
        mine = d.tomado_clave is not None and d.tomado_clave == self._own_lease
        self.tomada.setVisible(bool(d.tomado_por) and not mine)
        self.tomada.setText(f"La está trabajando {d.tomado_por}." if d.tomado_por else "")

        self.dni.setText(d.dni or NO_DATA)
        movil = d.telefono_movil or NO_DATA
        if d.movil_corregido_por:
            movil += f" (corregido por {d.movil_corregido_por} {fecha_local(d.movil_corregido_en)})"
        self.movil.setText(movil)
        self._verified(self.movil_verificado, d.telefono_verificado)
        aviso = motivo_atencion(d)
        self.atencion.setText(aviso or "")
        self.atencion.setVisible(aviso is not None)
        if d.whatsapp:
            self.whatsapp.setText(formatear(d.whatsapp))
            _set_role(self.whatsapp, "normal")
        else:
            motivo = d.whatsapp_motivo or "el número no es válido."
            self.whatsapp.setText(f"No se puede enviar: {motivo}")
            _set_role(self.whatsapp, "error")
        self.email.setText(d.email or NO_DATA)
        self._verified(self.email_verificado, d.email_verificado, shown=bool(d.email))
        self.cobertura.setText(self._cobertura(d))
        self.turno.setText(self._turno(d))
        self.envio.setText(self._envio(d.envio))
        error = d.envio.ultimo_error if d.envio and d.envio.estado != EstadoEnvio.ENVIADO else None
        if d.envio is not None and d.envio.error_entrega and d.envio.estado == EstadoEnvio.ENVIADO:
            error = f"WhatsApp no pudo entregarlo: {d.envio.error_entrega}"
        self.envio_error.setText(error or "")
        self.envio_error.setVisible(bool(error))
        self.contactos.setText(self._contactos(d.contactos))
        self.respuestas.setText(self._respuestas(d.respuestas))
        self.respuestas_title.setVisible(bool(d.respuestas))
        self.respuestas.setVisible(bool(d.respuestas))
        self.otras.setText(self._otras(d.otras))
        self.scroll_area.verticalScrollBar().setValue(0)

    def refresh_age(self) -> None:
        """Re-render the upload time and its age against the clock (the timer calls this)."""
        d = self._detalle
        if d is None:
            return
        parts = [
            f"Solicitud #{d.id}",
            f"subida {fecha_local(d.fecha_subida)} ({edad(self._clock() - d.fecha_subida)})",
        ]
        if d.resuelto:
            quien = f" por {d.usuario_resuelto}" if d.usuario_resuelto else ""
            parts.append(f"resuelta {fecha_local(d.fecha_resuelto)}{quien}")
        self.estado.setText(" · ".join(parts))

    # --- pieces -------------------------------------------------------------------------------

    @staticmethod
    def _verified(label: QLabel, ok: bool, *, shown: bool = True) -> None:
        label.setVisible(shown)
        label.setText(VERIFIED if ok else UNVERIFIED)
        _set_role(label, "ok" if ok else "muted")

    @staticmethod
    def _cobertura(d: SolicitudDetalle) -> str:
        if not d.obra_social:
            return "Particular (sin obra social)"
        text = d.obra_social
        if d.plan:
            text += f" · plan {d.plan}"
        if d.numero_afiliado:
            text += f" · afiliado {d.numero_afiliado}"
        return text

    @staticmethod
    def _turno(d: SolicitudDetalle) -> str:
        if d.id_turno_destino is None:
            return "Sin turno vinculado"
        when = f" — {fecha_local(d.turno_fecha)}" if d.turno_fecha else ""
        return f"#{d.id_turno_destino}{when}"

    @staticmethod
    def _envio(e: EnvioInfo | None) -> str:
        if e is None:
            return "Sin envío"
        try:
            estado = EstadoEnvio(e.estado)
            etiqueta = e.etiqueta  # Entregado / Leído / Error de entrega once WhatsApp reports
        except ValueError:
            estado, etiqueta = None, e.estado
        if estado == EstadoEnvio.ENVIADO and e.leido_en is not None:
            detalle = f"enviado {fecha_local(e.enviado_en)} · leído {fecha_local(e.leido_en)}"
        elif estado == EstadoEnvio.ENVIADO and e.entregado_en is not None:
            detalle = (
                f"enviado {fecha_local(e.enviado_en)} · entregado {fecha_local(e.entregado_en)}"
            )
        elif estado == EstadoEnvio.ENVIADO:
            detalle = f"el {fecha_local(e.enviado_en)}"
        elif estado == EstadoEnvio.PROGRAMADO:
            detalle = f"sale {fecha_local(e.enviar_desde)}"
        else:
            detalle = f"creado {fecha_local(e.creado)} por {_esc(e.creado_por)}"
        text = f"<b>{_esc(etiqueta)}</b> · {detalle}"
        if e.intentos > 1:
            text += f" · {e.intentos} intentos"
        return text

    @staticmethod
    def _contactos(contactos: Sequence[ContactoInfo]) -> str:
        if not contactos:
            return "<i>Sin contactos registrados.</i>"
        ordered = sorted(contactos, key=lambda c: c.fecha, reverse=True)
        rows = []
        for c in ordered:
            comment = f"<br>{_esc(c.comentario)}" if c.comentario else ""
            rows.append(
                f"{fecha_local(c.fecha)} · {_esc(c.usuario)} · <b>{_esc(c.resultado)}</b>{comment}"
            )
        return '<p style="margin-top:0">' + '</p><p style="margin-top:4px">'.join(rows) + "</p>"

    @staticmethod
    def _respuestas(respuestas: Sequence[RespuestaInfo]) -> str:
        rows = [f"{fecha_local(r.fecha)} · «{_esc(r.texto)}»" for r in respuestas]
        return "<br>".join(rows)

    @staticmethod
    def _otras(otras: Sequence[OtraSolicitud]) -> str:
        if not otras:
            return "<i>No tiene otras solicitudes.</i>"
        rows = []
        for o in otras:
            estado = "resuelta" if o.resuelto else "<b>pendiente</b>"
            turno = f" · turno #{o.id_turno_destino}" if o.id_turno_destino is not None else ""
            rows.append(f"#{o.id} · {fecha_local(o.fecha_subida)} · {estado}{turno}")
        return "<br>".join(rows)

    def _slot(self, grid: QGridLayout, caption: str) -> None:
        """A line of buttons under a data row, filled by `add_row_button`."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 2)
        row.setSpacing(4)
        row.addStretch(1)
        grid.addLayout(row, grid.rowCount(), 1, 1, 2)
        self._slots[caption] = row

    def add_row_button(self, caption: str, button: QWidget) -> None:
        """Put an action's button under a data row ("Celular": Corregir celular…)."""
        row = self._slots[caption]
        row.insertWidget(row.count() - 1, button)

    def row_caption(self, caption: str) -> QLabel:
        """The caption label of a data row (tests and layout tweaks)."""
        return self._rows[caption]


__all__ = ["EMPTY", "UNVERIFIED", "VERIFIED", "PatientCard", "edad", "fecha_local"]
