"""The moves the sender makes on an Envío: take it, begin the POST, record what Botmaker said.

A worker owns an Envío only while `estado='enviando' AND tomado_por=<its owner token>`; every
move here re-checks that in its WHERE clause (through `mover`), so a worker that stalled and lost
its lease records nothing over another workstation's work.

Claimed is not in flight: `enviando` with `iniciado_en IS NULL` is only *reserved* (the claim
lease covers the whole batch); `empezar` sets `iniciado_en` right before the last byte of the
POST leaves. An expired reservation goes back to `programado` silently (it provably never left);
only a begun send can become *incierto*, and only through `dejar_incierto`.

The functions receive `owner: Actor`; `owner.usuario` is the lease owner token (unique per worker
instance) and is what lands in `tomado_por` and in the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Update, and_, or_, select
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import Mov
from dim_revision.envio.mover import EnvioRef, mover, sentencia
from dim_revision.shared.actor import Actor
from dim_revision.shared.masking import mask_provider_text

# How many extra candidates to read per claim, so a worker that loses a few races to another
# workstation still fills its batch in one round.
CANDIDATE_FACTOR = 3


@dataclass(frozen=True)
class ClaimedEnvio:
    """What a worker needs to send one Envio, read in the same statement that won the claim."""

    id: int
    solicitud_id: int
    telefono: str
    plantilla: str
    parametros: str  # JSON text as stored
    intentos: int  # attempts so far, this one included
    version: int  # the row's version after the claim
    enviar_desde: datetime

    def variables(self) -> dict[str, Any]:
        """The template variables; ValueError if the stored JSON is not an object."""
        value = json.loads(self.parametros or "{}")
        if not isinstance(value, dict):
            raise ValueError("parametros no es un objeto JSON")
        return value


def due_filter(now: datetime) -> ColumnElement[bool]:
    """programado, past its 15-minute window and past any scheduled retry."""
    return and_(
        Envio.estado == E.PROGRAMADO.value,
        Envio.enviar_desde <= now,
        or_(Envio.proximo_intento.is_(None), Envio.proximo_intento <= now),
    )


def _tomar_valores(owner: str, until: datetime) -> dict[str, Any]:
    return {
        "tomado_por": owner,
        "tomado_hasta": until,
        "iniciado_en": None,
        "intentos": Envio.intentos + 1,
    }


def sentencia_tomar(envio_id: int, version: int, owner: str, until: datetime) -> Update:
    """The claim: a plain UPDATE ... WHERE (checked compiled for SQL Server in the tests)."""
    return sentencia(
        Mov.TOMAR, envio_id, donde=(Envio.version == version,), valores=_tomar_valores(owner, until)
    )


def tomar(
    session: Session, now: datetime, owner: Actor, lease: timedelta, limit: int
) -> list[ClaimedEnvio]:
    """Claim up to `limit` due Envios, oldest first; the ones another worker won are skipped."""
    if limit <= 0:
        return []
    candidates = session.execute(
        select(
            Envio.id,
            Envio.version,
            Envio.solicitud_id,
            Envio.telefono,
            Envio.plantilla,
            Envio.parametros,
            Envio.intentos,
            Envio.enviar_desde,
        )
        .where(due_filter(now))
        .order_by(Envio.enviar_desde, Envio.id)
        .limit(limit * CANDIDATE_FACTOR)
    ).all()
    claimed: list[ClaimedEnvio] = []
    until = now + lease
    for row in candidates:
        if len(claimed) >= limit:
            break
        won = mover(
            session,
            Mov.TOMAR,
            row,
            owner,
            now,
            donde=(Envio.version == row.version,),
            valores=_tomar_valores(owner.usuario, until),
            detalle={"intento": row.intentos + 1},
        )
        if won:
            claimed.append(
                ClaimedEnvio(
                    id=row.id,
                    solicitud_id=row.solicitud_id,
                    telefono=row.telefono,
                    plantilla=row.plantilla,
                    parametros=row.parametros,
                    intentos=row.intentos + 1,
                    version=row.version + 1,
                    enviar_desde=row.enviar_desde,
                )
            )
    return claimed


def _suyo(owner: Actor) -> ColumnElement[bool]:
    return Envio.tomado_por == owner.usuario


_SUELTO = {"tomado_por": None, "tomado_hasta": None}


def empezar(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, until: datetime
) -> bool:
    """Re-check ownership, mark the POST as begun (`iniciado_en`) and stretch the lease to cover
    this one send; called right before the request's last byte leaves.

    If the worker stalled (a PC suspended mid-batch) long enough for another workstation to
    return its reservation to the queue (or a supervisor acted), this returns False and the
    message is not sent. No audit event: the column is the record, and nothing may sit between
    this commit and the last byte.
    """
    return mover(
        session,
        Mov.EMPEZAR,
        envio,
        owner,
        now,
        donde=(_suyo(owner),),
        valores={"iniciado_en": now, "tomado_hasta": until},
    )


def firmar(
    session: Session,
    envio: EnvioRef,
    owner: Actor,
    now: datetime,
    valores: dict[str, Any],
    token_id: str,
) -> bool:
    """Servicio mode: store the link signed by the sender, once (`token_id` still empty)."""
    return mover(
        session,
        Mov.FIRMAR,
        envio,
        owner,
        now,
        # NVARCHAR(max) `link` is never compared: the short token_id says "not signed yet".
        donde=(_suyo(owner), Envio.token_id == ""),
        valores=valores,
        detalle={"token_id": token_id},
    )


def aceptado(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, proveedor_id: str | None
) -> bool:
    """Botmaker accepted it. Also valid from *incierto* while this worker still holds it: a slow
    answer that arrives after the lease was expired is still a definite answer."""
    return mover(
        session,
        Mov.ACEPTADO,
        envio,
        owner,
        now,
        donde=(_suyo(owner),),
        valores={
            "proveedor_id": proveedor_id,
            "enviado_en": now,
            "ultimo_error": None,
            "proximo_intento": None,
            **_SUELTO,
        },
        detalle={"intento": envio.intentos, "proveedor_id": proveedor_id},
    )


def reprogramar(
    session: Session,
    envio: ClaimedEnvio,
    owner: Actor,
    now: datetime,
    proximo_intento: datetime,
    error: str,
) -> bool:
    return mover(
        session,
        Mov.REPROGRAMAR,
        envio,
        owner,
        now,
        donde=(_suyo(owner),),
        valores={"proximo_intento": proximo_intento, "ultimo_error": error, **_SUELTO},
        detalle={"intento": envio.intentos, "error": error, "proximo_intento": proximo_intento},
    )


def fallar(session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, error: str) -> bool:
    return mover(
        session,
        Mov.FALLAR,
        envio,
        owner,
        now,
        donde=(_suyo(owner),),
        valores={"ultimo_error": error, "proximo_intento": None, **_SUELTO},
        detalle={"intento": envio.intentos, "error": error},
    )


def dejar_incierto(
    session: Session,
    envio: Any,
    actor: Actor,
    now: datetime,
    error: str,
    condicion: ColumnElement[bool],
    detalle: dict[str, Any] | None = None,
) -> bool:
    """THE one place where an Envio becomes *incierto* (the request may have reached Botmaker).

    `condicion` is the guard the caller owns (this worker still holds it, or its lease expired
    after the POST began); the row must also be `enviando` with the POST begun.
    """
    masked = mask_provider_text(error)
    return mover(
        session,
        Mov.DEJAR_INCIERTO,
        envio,
        actor,
        now,
        donde=(Envio.iniciado_en.is_not(None), condicion),
        valores={"ultimo_error": masked, "tomado_hasta": None, "proximo_intento": None},
        detalle={"intento": envio.intentos, "error": masked, **(detalle or {})},
    )


def incierto(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, error: str
) -> bool:
    """Keep `tomado_por` so the supervisor sees which workstation had it (and that worker can still
    record a late, definite answer)."""
    return dejar_incierto(session, envio, owner, now, error, _suyo(owner))


def devolver_por_pausa(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, motivo: str
) -> bool:
    """fallido → programado by the worker that just failed it (same version: nobody touched it
    since): the error was the configuration's, not the message's; the attempt does not count."""
    return mover(
        session,
        Mov.DEVOLVER_POR_PAUSA,
        envio,
        owner,
        now,
        donde=(Envio.version == envio.version + 1,),
        valores={"intentos": Envio.intentos - 1, "proximo_intento": None},
        detalle={"motivo": motivo},
    )


def liberar(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, motivo: str
) -> bool:
    """Back to the queue unsent (worker paused or stopping): the attempt does not count."""
    return mover(
        session,
        Mov.LIBERAR,
        envio,
        owner,
        now,
        donde=(_suyo(owner),),
        valores={"intentos": Envio.intentos - 1, "iniciado_en": None, **_SUELTO},
        detalle={"motivo": motivo},
    )


def vencer_reservas(session: Session, now: datetime, actor: Actor) -> list[int]:
    """Envios left *enviando* by a worker that died, hung or lost the database.

    A reservation whose POST never began goes back to *programado* (the attempt does not count):
    it provably never left. One whose POST began may have reached Botmaker: it becomes
    *incierto* for a person (or the reconciliation) to decide. Never a silent resend.
    Returns the ids turned incierto.
    """
    stale = or_(Envio.tomado_hasta.is_(None), Envio.tomado_hasta < now)
    rows = session.execute(
        select(
            Envio.id, Envio.solicitud_id, Envio.tomado_por, Envio.intentos, Envio.iniciado_en
        ).where(Envio.estado == E.ENVIANDO.value, stale)
    ).all()
    expired: list[int] = []
    for row in rows:
        if row.iniciado_en is None:
            mover(
                session,
                Mov.LIBERAR,
                row,
                actor,
                now,
                donde=(Envio.iniciado_en.is_(None), stale),
                valores={"intentos": Envio.intentos - 1, **_SUELTO},
                detalle={
                    "motivo": "reserva vencida sin haber empezado el envío",
                    "tomado_por": row.tomado_por,
                },
            )
            continue
        error = (
            f"El puesto que lo estaba enviando ({row.tomado_por or 'desconocido'}) dejó de "
            "responder después de empezar el envío: puede haber llegado a Botmaker."
        )
        if dejar_incierto(session, row, actor, now, error, stale, {"tomado_por": row.tomado_por}):
            expired.append(row.id)
    return expired
