"""Botmaker webhook payloads → plain events (pure; the shapes are documented in docs/botmaker.md).

Two notification kinds matter to us:

- **status** — what WhatsApp says about a message we sent: ``sent`` / ``delivered`` / ``read`` /
  ``error`` (``failed``), matched to our Envio by ``txId`` (= the ``webhookNotificationId`` the
  send returned, kept in ``envio.proveedor_id``) or by the ``webhookPayload`` we sent (our Envio
  id).
- **message** — Botmaker's documented message notification (``type: "message"``, ``messages[]``
  with ``_id``, ``date``, ``message``, ``from``); the ones ``from: "user"`` are the patient's
  replies after our template.

Anything else (variable changes, unknown types) is ignored with a 200, so Botmaker never stops
delivering because of a notification we do not use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dim_revision.domain.enums import EstadoEntrega

MAX_TEXT = 4000
MAX_REASON = 300

_STATUS = {
    "sent": None,
    "enviado": None,
    "delivered": EstadoEntrega.ENTREGADO,
    "entregado": EstadoEntrega.ENTREGADO,
    "read": EstadoEntrega.LEIDO,
    "seen": EstadoEntrega.LEIDO,
    "leido": EstadoEntrega.LEIDO,
    "error": EstadoEntrega.ERROR_ENTREGA,
    "failed": EstadoEntrega.ERROR_ENTREGA,
    "undelivered": EstadoEntrega.ERROR_ENTREGA,
}


class PayloadError(ValueError):
    """The body is JSON but not a Botmaker notification we can read; the message is Spanish."""


@dataclass(frozen=True)
class StatusEvent:
    clave: str  # idempotency key
    tx_id: str | None
    envio_id: int | None  # from webhookPayload
    estado: EstadoEntrega | None  # None: "sent" (accepted by WhatsApp, nothing new to show)
    fecha: datetime | None
    motivo: str | None  # WhatsApp's error reason


@dataclass(frozen=True)
class ReplyEvent:
    clave: str
    telefono: str  # digits only
    tx_id: str | None
    mensaje_id: str | None
    fecha: datetime | None
    texto: str


WebhookEvent = StatusEvent | ReplyEvent


def parse_payload(data: Any) -> list[WebhookEvent]:
    """The events in one notification (possibly none); PayloadError if it is not an object."""
    if isinstance(data, list):  # tolerate a batch of notifications
        events: list[WebhookEvent] = []
        for item in data[:100]:
            events.extend(parse_payload(item))
        return events
    if not isinstance(data, dict):
        raise PayloadError("El cuerpo debe ser un objeto JSON con la notificación de Botmaker.")
    kind = _text(data.get("type")).lower()
    if kind in {"status", "message_status", "status_change"} or (not kind and "status" in data):
        return [_status(data)]
    if kind == "message":
        return _messages(data)
    return []


def _status(data: dict[str, Any]) -> StatusEvent:
    raw = _text(data.get("status") or data.get("messageStatus")).lower()
    if raw not in _STATUS:
        raise PayloadError(f"Estado de mensaje desconocido: «{raw[:40]}».")
    tx_id = _text(data.get("txId") or data.get("webhookNotificationId"))[:120] or None
    payload = _text(data.get("webhookPayload"))
    envio_id = int(payload) if payload.isdigit() and len(payload) < 12 else None
    if tx_id is None and envio_id is None:
        raise PayloadError("La notificación de estado no trae txId ni webhookPayload.")
    estado = _STATUS[raw]
    motivo = None
    if estado is EstadoEntrega.ERROR_ENTREGA:
        motivo = _reason(data) or "WhatsApp no pudo entregar el mensaje (sin detalle)."
    ref = tx_id or f"p{envio_id}"
    return StatusEvent(
        clave=f"st:{ref}:{raw if estado is None else estado.value}"[:128],
        tx_id=tx_id,
        envio_id=envio_id,
        estado=estado,
        fecha=_date(data.get("date") or data.get("timestamp")),
        motivo=motivo,
    )


def _messages(data: dict[str, Any]) -> list[WebhookEvent]:
    phone = re.sub(r"\D", "", _text(data.get("contactId")))
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise PayloadError("La notificación de mensaje no trae la lista «messages».")
    tx_id = _text(data.get("txId"))[:120] or None
    events: list[WebhookEvent] = []
    for m in messages[:100]:
        if not isinstance(m, dict) or _text(m.get("from")).lower() not in {"user", "usuario"}:
            continue  # the bot's or an operator's messages are not the patient's reply
        texto = _text(m.get("message"))[:MAX_TEXT]
        if not texto or not phone:
            continue
        mensaje_id = _text(m.get("_id"))[:120] or None
        fecha = _date(m.get("date"))
        if mensaje_id:
            clave = f"msg:{mensaje_id}"
        else:
            digest = hashlib.sha256(f"{phone}|{m.get('date')}|{texto}".encode()).hexdigest()
            clave = f"msg:h{digest[:40]}"
        events.append(ReplyEvent(clave, phone, tx_id, mensaje_id, fecha, texto))
    return events


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def _reason(data: dict[str, Any]) -> str | None:
    err = data.get("error")
    parts: list[str] = []
    if isinstance(err, dict):
        parts = [_text(err.get("code")), _text(err.get("message") or err.get("title"))]
    elif err:
        parts = [_text(err)]
    parts.append(_text(data.get("errorMessage") or data.get("reason")))
    text = " ".join(p for p in parts if p)
    return text[:MAX_REASON] or None


def _date(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = _text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
