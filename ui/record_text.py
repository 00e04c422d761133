"""Sentences about the open record (state line, send countdown), computed from plain data."""

from __future__ import annotations

from datetime import datetime

from dim_revision.clock import to_local
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.domain.phones import formatear
from dim_revision.services import atencion
from dim_revision.services.detalle import EnvioInfo, SolicitudDetalle


def countdown(
    envio: EnvioInfo | None, now: datetime, max_intentos: int | None = None
) -> str | None:
    """Text of the correction window while the send can still be changed, else None; after a
    failed attempt, the retry: "reintentando (3/8), próximo intento 10:42" (issue 13.2)."""
    if envio is None or envio.estado != EstadoEnvio.PROGRAMADO:
        return None
    if envio.intentos > 0:
        return _retry_text(envio, now, max_intentos)
    remaining = int((envio.enviar_desde - now).total_seconds())
    at = f"{to_local(envio.enviar_desde):%H:%M}"
    if remaining <= 0:
        return f"Envío programado para las {at}: sale en cualquier momento."
    minutes, seconds = divmod(remaining, 60)
    return (
        f"Envío programado: sale a las {at}, faltan {minutes} min {seconds:02d} s. "
        "Podés editarlo, cancelarlo o enviarlo ya."
    )


def _retry_text(envio: EnvioInfo, now: datetime, max_intentos: int | None) -> str:
    de = f"{envio.intentos}/{max_intentos}" if max_intentos else str(envio.intentos)
    cuando = envio.proximo_intento
    proximo = (
        f"próximo intento {to_local(cuando):%H:%M}"
        if cuando is not None and cuando > now
        else "el próximo intento sale en cualquier momento"
    )
    motivo = f" Último error: {envio.ultimo_error.strip()}" if envio.ultimo_error else ""
    if motivo and not motivo.endswith("."):
        motivo += "."
    return f"Envío programado: reintentando ({de}), {proximo}.{motivo}"


def aviso_telefono(detalle: SolicitudDetalle | None) -> str | None:
    """The preview's warning when the mobile is "sin verificar" (issue 13.8), else None."""
    if detalle is None or detalle.telefono_verificado or detalle.whatsapp is None:
        return None
    numero = formatear(detalle.whatsapp)
    if detalle.movil_corregido_por:
        when = (
            f" el {to_local(detalle.movil_corregido_en):%d/%m a las %H:%M}"
            if detalle.movil_corregido_en
            else ""
        )
        return (
            f"⚠ Celular sin verificar: {numero} lo corrigió {detalle.movil_corregido_por}{when} "
            "con el paciente al teléfono; el portal no lo verificó."
        )
    return (
        f"⚠ Celular sin verificar: el paciente no confirmó {numero} en el portal. "
        "Si dudás, llamalo y corregilo (Ctrl+M) antes de enviar."
    )


def motivo_atencion(detalle: SolicitudDetalle) -> str | None:
    """«Requiere atención» and what the operator can do about it, or None (issue 13.2)."""
    envio = detalle.envio
    if not detalle.atencion or envio is None:
        return None
    motivo = atencion.motivo(envio.estado, envio.ultimo_error)
    if detalle.reconfirmable:
        que = (
            "Corregí el celular (Ctrl+M) y confirmá de nuevo (Ctrl+Enter), "
            "o marcala resuelta (Ctrl+R) si ya lo resolviste de otra forma."
        )
    else:
        que = "Si ya hablaste con el paciente, marcala resuelta (Ctrl+R)."
    return f"Requiere atención: {motivo} {que}"


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
    aviso = motivo_atencion(detalle)
    if aviso is not None:
        parts.append(aviso)
    elif envio is not None:
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
        motivo = (envio.ultimo_error or "sin detalle").strip().rstrip(". ")  # no "(6).."
        return f"El envío falló: {motivo} (ya se atendió)."
    if estado == EstadoEnvio.INCIERTO:
        return "No se sabe si el WhatsApp salió (incierto): lo revisa un supervisor."
    return ""
