"""Sentences about the open record (state line, send countdown), computed from plain data."""

from __future__ import annotations

from datetime import datetime

from dim_revision.clock import to_local
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.services.detalle import EnvioInfo, SolicitudDetalle


def countdown(envio: EnvioInfo | None, now: datetime) -> str | None:
    """Text of the correction window while the send can still be changed, else None."""
    if envio is None or envio.estado != EstadoEnvio.PROGRAMADO:
        return None
    remaining = int((envio.enviar_desde - now).total_seconds())
    at = f"{to_local(envio.enviar_desde):%H:%M}"
    if remaining <= 0:
        return f"Envío programado para las {at}: sale en cualquier momento."
    minutes, seconds = divmod(remaining, 60)
    return (
        f"Envío programado: sale a las {at}, faltan {minutes} min {seconds:02d} s. "
        "Podés editarlo, cancelarlo o enviarlo ya."
    )


def state_line(detalle: SolicitudDetalle, *, claimed: bool, reason: str | None) -> str:
    """One line over the buttons saying what can be done with this record and why not."""
    parts: list[str] = []
    if reason:
        parts.append(reason)
    elif not claimed:
        parts.append("Sólo lectura: no se pudo tomar la solicitud.")
    if detalle.resuelto:
        when = (
            f" el {to_local(detalle.fecha_resuelto):%d/%m a las %H:%M}"
            if detalle.fecha_resuelto
            else ""
        )
        who = f" por {detalle.usuario_resuelto}" if detalle.usuario_resuelto else ""
        parts.append(f"Resuelta{who}{when}.")
    envio = detalle.envio
    if envio is not None:
        parts.append(_envio_text(envio))
    elif not detalle.resuelto and detalle.whatsapp is None:
        parts.append(
            "No se puede enviar el WhatsApp: el paciente no tiene un celular válido. "
            "Indicá un contacto (Ctrl+K) o marcala resuelta (Ctrl+R)."
        )
    if detalle.id_turno_destino is not None:
        turno = (
            f" para el {to_local(detalle.turno_fecha):%d/%m a las %H:%M}"
            if detalle.turno_fecha
            else ""
        )
        parts.append(f"El paciente tomó el turno #{detalle.id_turno_destino}{turno}.")
    return " ".join(parts)


def _envio_text(envio: EnvioInfo) -> str:
    estado = envio.estado
    if estado == EstadoEnvio.ENVIADO and envio.estado_entrega == "leido":
        return "El paciente leyó el WhatsApp."
    if estado == EstadoEnvio.ENVIADO and envio.estado_entrega == "entregado":
        return "WhatsApp entregado al paciente."
    if estado == EstadoEnvio.ENVIADO and envio.estado_entrega == "error_entrega":
        return (
            f"WhatsApp no pudo entregar el mensaje ({envio.error_entrega or 'sin detalle'}): "
            "revisá el número o llamá al paciente."
        )
    if estado == EstadoEnvio.ENVIADO:
        when = f" a las {to_local(envio.enviado_en):%H:%M}" if envio.enviado_en else ""
        return f"WhatsApp enviado{when}."
    if estado == EstadoEnvio.ENVIANDO:
        return "El WhatsApp se está enviando ahora."
    if estado == EstadoEnvio.CANCELADO:
        return "El último envío fue cancelado."
    if estado == EstadoEnvio.FALLIDO:
        motivo = (envio.ultimo_error or "sin detalle").rstrip(". ")  # no "(6).." (issue 13.11)
        return f"El envío falló: {motivo}. Avisá a un supervisor."
    if estado == EstadoEnvio.INCIERTO:
        return "No se sabe si el WhatsApp salió (incierto): lo revisa un supervisor."
    return ""
