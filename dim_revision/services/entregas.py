"""Delivery and replies (issue #12): apply Botmaker's status changes and the patient's messages.

Every event is applied at most once: its idempotency key goes into `webhook_evento` (unique) in
the same transaction as the change, so a replayed webhook, a reconciliation that learns the same
thing, or two service instances racing all end with one change. Delivery lives in its own columns
on `envio` (`estado_entrega` and timestamps), beside the outbox state machine, and only moves
forward (entregado → leído; error is final).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio, RespuestaPaciente, WebhookEvento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.phones import enmascarar
from dim_revision.envio.por_botmaker import avanzar_entrega, confirmar_incierto
from dim_revision.outbox.webhook import ReplyEvent, StatusEvent, WebhookEvent
from dim_revision.shared.actor import Actor
from dim_revision.shared.audit import registrar_evento

log = logging.getLogger(__name__)

BOTMAKER = Actor("botmaker", "servicio")
_APPLICABLE = (E.ENVIANDO.value, E.ENVIADO.value, E.INCIERTO.value)


@dataclass
class Resultado:
    aplicados: int = 0
    repetidos: int = 0
    desconocidos: int = 0

    def add(self, other: Resultado) -> None:
        self.aplicados += other.aplicados
        self.repetidos += other.repetidos
        self.desconocidos += other.desconocidos


def aplicar_eventos(
    db: Database, events: Sequence[WebhookEvent], now: datetime, actor: Actor = BOTMAKER
) -> Resultado:
    """Apply a notification's events in one transaction; replays are counted, never re-applied."""
    if not events:
        return Resultado()
    for attempt in range(2):
        try:
            with db.uow() as uow:
                result = _apply_all(uow.session, events, now, actor)
                uow.commit()
                return result
        except IntegrityError:
            # Another request stored one of these keys between our check and our insert: the
            # second pass sees it as a replay.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _apply_all(
    s: Session, events: Sequence[WebhookEvent], now: datetime, actor: Actor
) -> Resultado:
    keys = list({e.clave for e in events})
    seen = set(s.scalars(select(WebhookEvento.clave).where(WebhookEvento.clave.in_(keys))))
    result = Resultado()
    done: set[str] = set()
    for event in events:
        if event.clave in seen or event.clave in done:
            result.repetidos += 1
            continue
        done.add(event.clave)
        if isinstance(event, StatusEvent):
            ok = _apply_status(s, event, now, actor)
        else:
            ok = _apply_reply(s, event, now, actor)
        if ok:
            result.aplicados += 1
        else:
            result.desconocidos += 1
    s.flush()
    return result


def _find_envio(s: Session, tx_id: str | None, envio_id: int | None) -> Any:
    cols = (
        Envio.id,
        Envio.solicitud_id,
        Envio.estado,
        Envio.estado_entrega,
        Envio.proveedor_id,
        Envio.tomado_por,
    )
    if tx_id:
        row = s.execute(select(*cols).where(Envio.proveedor_id == tx_id).limit(1)).first()
        if row is not None:
            return row
    if envio_id is not None:
        return s.execute(select(*cols).where(Envio.id == envio_id)).first()
    return None


def _record(
    s: Session, clave: str, now: datetime, tipo: str, envio_id: int | None, detalle: dict[str, Any]
) -> None:
    s.add(
        WebhookEvento(
            clave=clave,
            recibido=now,
            tipo=tipo,
            envio_id=envio_id,
            resultado="aplicado",
            detalle=json.dumps(detalle, ensure_ascii=False, default=str),
        )
    )


def _apply_status(s: Session, ev: StatusEvent, now: datetime, actor: Actor) -> bool:
    row = _find_envio(s, ev.tx_id, ev.envio_id)
    if row is None or row.estado not in _APPLICABLE:
        log.info(
            "Webhook de Botmaker: estado «%s» para un envío desconocido (txId %s, payload %s)",
            ev.estado.value if ev.estado else "sent",
            ev.tx_id or "-",
            ev.envio_id or "-",
        )
        return False
    if row.estado == E.INCIERTO.value:
        confirmar_incierto(s, row.id, row.solicitud_id, now, actor, "webhook")
    if ev.tx_id and row.proveedor_id is None:
        s.execute(
            update(Envio)
            .where(Envio.id == row.id, Envio.proveedor_id.is_(None))
            .values(proveedor_id=ev.tx_id)
            .execution_options(synchronize_session=False)
        )
    changed = ev.estado is not None and avanzar_entrega(
        s, row.id, row.solicitud_id, ev.estado, ev.fecha or now, ev.motivo, now, actor, "webhook"
    )
    _record(
        s,
        ev.clave,
        now,
        "estado",
        row.id,
        {"estado": ev.estado.value if ev.estado else "sent", "cambio": bool(changed)},
    )
    return True


def _apply_reply(s: Session, ev: ReplyEvent, now: datetime, actor: Actor) -> bool:
    fecha = ev.fecha or now
    stmt = select(Envio.id, Envio.solicitud_id).where(
        Envio.telefono == ev.telefono, Envio.estado == E.ENVIADO.value
    )
    if ev.tx_id:
        row = s.execute(
            select(Envio.id, Envio.solicitud_id).where(Envio.proveedor_id == ev.tx_id).limit(1)
        ).first()
    else:
        row = s.execute(
            stmt.where(or_(Envio.enviado_en.is_(None), Envio.enviado_en <= fecha))
            .order_by(Envio.id.desc())
            .limit(1)
        ).first()
    if row is None:
        log.info(
            "Webhook de Botmaker: mensaje de %s sin un envío nuestro previo; se ignora",
            enmascarar(ev.telefono),
        )
        return False
    respuesta = RespuestaPaciente(
        solicitud_id=row.solicitud_id,
        envio_id=row.id,
        fecha=fecha,
        recibido=now,
        texto=ev.texto,
        mensaje_id=ev.mensaje_id,
    )
    s.add(respuesta)
    s.flush()
    s.execute(
        update(Envio)
        .where(Envio.id == row.id)
        .values(respuesta_en=fecha)
        .execution_options(synchronize_session=False)
    )
    registrar_evento(
        s,
        actor,
        "respuesta_paciente",
        now,
        solicitud_id=row.solicitud_id,
        envio_id=row.id,
        detalle={"respuesta_id": respuesta.id, "fecha": fecha.isoformat()},
    )
    _record(s, ev.clave, now, "respuesta", row.id, {"respuesta_id": respuesta.id})
    return True


# --- read side (the record's "Respuestas del paciente", the supervisor's counts) ---------------


@dataclass(frozen=True)
class Respuesta:
    fecha: datetime
    texto: str


def respuestas(db: Database, solicitud_id: int, limit: int = 50) -> list[Respuesta]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(RespuestaPaciente.fecha, RespuestaPaciente.texto)
            .where(RespuestaPaciente.solicitud_id == solicitud_id)
            .order_by(RespuestaPaciente.fecha.desc(), RespuestaPaciente.id.desc())
            .limit(limit)
        ).all()
    return [Respuesta(r.fecha, r.texto) for r in rows]
