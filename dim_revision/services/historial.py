"""A request's history as readable Spanish lines (issue #6): every audit event and contact, in order.

The audit codes are internal (`envio_confirmado`); supervisors read "Confirmó el envío por
WhatsApp". Contacts come from the `contacto` table, which has the outcome and the comment, so
the matching `contacto_registrado` events are not repeated. Unknown codes show as they are, so
a new action is never hidden from the history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from dim_revision.clock import to_local
from dim_revision.db.models import Contacto, Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.errors import NotFound
from dim_revision.shared.masking import redact_phones

# Every accion written with registrar_evento / the outbox's _audit.
ACCIONES: dict[str, str] = {
    "solicitud_registrada": "Registró la solicitud desde el portal",
    "envio_confirmado": "Confirmó el envío por WhatsApp",
    "envio_editado": "Editó las prestaciones del envío",
    "envio_cancelado": "Canceló el envío",
    "envio_adelantado": "Adelantó el envío (enviar ahora)",
    "envio_tomado": "El trabajador de envíos tomó el mensaje para enviarlo",
    "envio_enviado": "Se envió el mensaje por WhatsApp",
    "envio_reintento_programado": "Falló el envío; se programó un nuevo intento",
    "envio_fallido": "El envío falló definitivamente",
    "envio_incierto": "El envío quedó incierto (puede haber llegado)",
    "envio_liberado": "Se liberó el envío para reintentarlo",
    "envio_devuelto_por_pausa": "El envío volvió a la cola: los envíos se pausaron por un error de configuración",
    "envio_reintentado": "Reintentó el envío",
    "envio_marcado_enviado": "Marcó el envío como enviado",
    "contacto_registrado": "Registró un contacto",
    "marcado_resuelto": "Marcó la solicitud como resuelta sin envío",
    "solicitud_baja": "Dio de baja la solicitud",
    "bloqueo_liberado": "Liberó la solicitud tomada",
    "turno_vinculado": "Se vinculó un turno",
    "reabierta": "Reabrió la solicitud",
    "solicitud_salteada": "Salteó la solicitud en su pasada",
    "resuelto_deshecho": "Deshizo «Resuelto»: la solicitud volvió a sin resolver",
    "cancelacion_deshecha": "Deshizo la cancelación: el envío se programó de nuevo",
    "demo_seed": "Datos de demostración",
    "exportacion": "Exportó la grilla",
    "operador_agregado": "Registró un operador",
    "operador_deshabilitado": "Deshabilitó un operador",
    # Delivery and replies from Botmaker (issue #12)
    "entrega_entregado": "WhatsApp entregó el mensaje al paciente",
    "entrega_leido": "El paciente leyó el mensaje",
    "entrega_error_entrega": "WhatsApp no pudo entregar el mensaje",
    "respuesta_paciente": "El paciente respondió el mensaje",
    "envio_confirmado_botmaker": "Botmaker confirmó que recibió el mensaje incierto",
    "envio_reencolado_botmaker": "Botmaker confirmó que no recibió el mensaje: se reenvía",
    "link_firmado": "El servicio firmó el link al enviar",
    # Issue 13
    "atencion_resuelta": "Resolvió el envío que requería atención",
    "movil_corregido": "Corrigió el celular con el paciente al teléfono",
    "bloqueo_propio_liberado": "Liberó al iniciar la solicitud que su sesión anterior dejó tomada",
}


@dataclass(frozen=True)
class LineaHistorial:
    fecha: datetime
    usuario: str
    estacion: str | None
    accion: str  # the code, or "contacto" for a contact
    texto: str

    def formato(self) -> str:
        """One line as a supervisor reads it: local time, who, what."""
        return f"{to_local(self.fecha):%d/%m/%Y %H:%M} · {self.usuario} · {self.texto}"


def texto_accion(accion: str, detalle: dict[str, Any] | None = None) -> str:
    base = ACCIONES.get(accion, accion)
    extra = _extra(accion, detalle or {})
    return f"{base}: {extra}" if extra else base


def _extra(accion: str, d: dict[str, Any]) -> str:
    if accion in (
        "solicitud_baja",
        "reabierta",
        "envio_liberado",
        "envio_devuelto_por_pausa",
        "envio_cancelado",
        "solicitud_salteada",
    ) and d.get("motivo"):
        return f"«{d['motivo']}»"
    if accion == "marcado_resuelto" and d.get("comentario"):
        return f"«{d['comentario']}»"
    if accion == "bloqueo_liberado" and d.get("tomado_por"):
        return f"la tenía {d['tomado_por']}"
    if accion == "turno_vinculado" and d.get("turno_id") is not None:
        return f"turno {d['turno_id']}"
    if accion in ("envio_fallido", "envio_incierto", "envio_reintento_programado") and d.get(
        "error"
    ):
        return redact_phones(str(d["error"]))
    if accion == "entrega_error_entrega" and d.get("motivo"):
        return redact_phones(str(d["motivo"]))
    if accion == "contacto_registrado" and d.get("resultado"):
        return _resultado(str(d["resultado"]))
    return ""


def _resultado(code: str) -> str:
    try:
        return ResultadoContacto(code).etiqueta
    except ValueError:
        return code


def _detalle(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def historial(db: Database, solicitud_id: int) -> list[LineaHistorial]:
    """Oldest first; at the same instant events come before contacts, each in insertion order."""
    with db.uow() as uow:
        s = uow.session
        if s.get(SolicitudAsistencia, solicitud_id) is None:
            raise NotFound(f"La solicitud {solicitud_id} no existe.")
        keyed: list[tuple[datetime, int, int, LineaHistorial]] = []
        for ev in s.scalars(select(Evento).where(Evento.solicitud_id == solicitud_id)):
            if ev.accion == "contacto_registrado":
                continue  # told by the Contacto row, with its comment
            texto = texto_accion(ev.accion, _detalle(ev.detalle))
            linea = LineaHistorial(ev.fecha, ev.usuario, ev.estacion, ev.accion, texto)
            keyed.append((ev.fecha, 0, ev.id, linea))
        for c in s.scalars(select(Contacto).where(Contacto.solicitud_id == solicitud_id)):
            texto = f"Registró un contacto: {_resultado(c.resultado)} — «{c.comentario}»"
            keyed.append(
                (c.fecha, 1, c.id, LineaHistorial(c.fecha, c.usuario, None, "contacto", texto))
            )
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]
