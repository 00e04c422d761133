"""Outbox storage: every state change is one conditional UPDATE whose rowcount decides.

No row locks (`with_for_update` emits nothing on SQL Server) and never a delete: a worker owns an
Envio only while `estado='enviando' AND tomado_por=<its owner token>`, and every move re-checks
the state it expects in the WHERE clause, so two workstations (or a worker and a supervisor)
racing for the same row always produce exactly one winner.

Claimed is not in flight: `enviando` with `iniciado_en IS NULL` is only *reserved* by a worker
(the claim lease covers the whole batch); `begin_send` sets `iniciado_en` right before the last
byte of the POST leaves. An expired reservation goes back to `programado` silently (it provably
never left); only a begun send can become *incierto*, and only through `registrar_incierto`.

Functions take the caller's `Session` and never commit: the caller's unit of work decides the
transaction (the worker commits each result on its own; other services may compose a cancel into
their own transaction). Each change writes its Evento in that same transaction.

The worker-side functions receive `owner: Actor`; `owner.usuario` is the lease owner token (unique
per worker instance) and is what lands in `tomado_por` and in the audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.phones import enmascarar
from dim_revision.errors import EnvioLocked, InvalidTransition, NotFound, StaleWrite, UserError
from dim_revision.outbox.masking import mask_provider_text, redact_phones
from dim_revision.outbox.states import Quien, check_transition, is_allowed, refusal_reason
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento

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


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def due_filter(now: datetime) -> ColumnElement[bool]:
    """programado, past its 15-minute window and past any scheduled retry."""
    return and_(
        Envio.estado == E.PROGRAMADO.value,
        Envio.enviar_desde <= now,
        or_(Envio.proximo_intento.is_(None), Envio.proximo_intento <= now),
    )


def claim_statement(envio_id: int, version: int, owner: str, until: datetime) -> Update:
    """The claim: a plain UPDATE ... WHERE (checked compiled for SQL Server in the tests)."""
    return (
        update(Envio)
        .where(
            Envio.id == envio_id,
            Envio.estado == E.PROGRAMADO.value,
            Envio.version == version,
        )
        .values(
            estado=E.ENVIANDO.value,
            tomado_por=owner,
            tomado_hasta=until,
            iniciado_en=None,
            intentos=Envio.intentos + 1,
            version=Envio.version + 1,
        )
        .execution_options(synchronize_session=False)
    )


def claim_due(
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
    check_transition(E.PROGRAMADO, E.ENVIANDO, Quien.WORKER)
    claimed: list[ClaimedEnvio] = []
    until = now + lease
    for row in candidates:
        if len(claimed) >= limit:
            break
        won = _rowcount(session.execute(claim_statement(row.id, row.version, owner.usuario, until)))
        if won != 1:
            continue
        item = ClaimedEnvio(
            id=row.id,
            solicitud_id=row.solicitud_id,
            telefono=row.telefono,
            plantilla=row.plantilla,
            parametros=row.parametros,
            intentos=row.intentos + 1,
            version=row.version + 1,
            enviar_desde=row.enviar_desde,
        )
        claimed.append(item)
        _audit(session, owner, now, item, "envio_tomado", {"intento": item.intentos})
    return claimed


def _audit(
    session: Session,
    actor: Actor,
    now: datetime,
    envio: ClaimedEnvio | Any,
    accion: str,
    detalle: dict[str, Any] | None = None,
) -> None:
    registrar_evento(
        session,
        actor,
        accion,
        now,
        solicitud_id=envio.solicitud_id,
        envio_id=envio.id,
        detalle=detalle,
    )


def _owned_by(owner: Actor, *estados: E) -> ColumnElement[bool]:
    return and_(
        Envio.estado.in_([e.value for e in estados]),
        Envio.tomado_por == owner.usuario,
    )


def _worker_move(
    session: Session,
    envio: ClaimedEnvio,
    owner: Actor,
    now: datetime,
    hacia: E,
    values: dict[str, Any],
    accion: str,
    detalle: dict[str, Any] | None = None,
    desde: tuple[E, ...] = (E.ENVIANDO,),
) -> bool:
    """Move an Envio this worker holds; False if it no longer does (lease expired and taken)."""
    for estado in desde:
        check_transition(estado, hacia, Quien.WORKER)
    won = _rowcount(
        session.execute(
            update(Envio)
            .where(Envio.id == envio.id, _owned_by(owner, *desde))
            .values(estado=hacia.value, version=Envio.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
    )
    if won == 1:
        _audit(session, owner, now, envio, accion, detalle)
    return won == 1


def begin_send(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, until: datetime
) -> bool:
    """Re-check ownership, mark the POST as begun (`iniciado_en`) and stretch the lease to cover
    this one send; called right before the request's last byte leaves.

    If the worker stalled (a PC suspended mid-batch) long enough for another workstation to
    return its reservation to the queue (or a supervisor acted), this returns False and the
    message is not sent.
    """
    return (
        _rowcount(
            session.execute(
                update(Envio)
                .where(Envio.id == envio.id, _owned_by(owner, E.ENVIANDO))
                .values(iniciado_en=now, tomado_hasta=until)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def mark_sent(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, proveedor_id: str | None
) -> bool:
    """Botmaker accepted it. Also valid from *incierto* while this worker still holds it: a slow
    answer that arrives after the lease was expired is still a definite answer."""
    return _worker_move(
        session,
        envio,
        owner,
        now,
        E.ENVIADO,
        {
            "proveedor_id": proveedor_id,
            "enviado_en": now,
            "ultimo_error": None,
            "tomado_por": None,
            "tomado_hasta": None,
            "proximo_intento": None,
        },
        "envio_enviado",
        {"intento": envio.intentos, "proveedor_id": proveedor_id},
        desde=(E.ENVIANDO, E.INCIERTO),
    )


def schedule_retry(
    session: Session,
    envio: ClaimedEnvio,
    owner: Actor,
    now: datetime,
    proximo_intento: datetime,
    error: str,
) -> bool:
    return _worker_move(
        session,
        envio,
        owner,
        now,
        E.PROGRAMADO,
        {
            "proximo_intento": proximo_intento,
            "ultimo_error": error,
            "tomado_por": None,
            "tomado_hasta": None,
        },
        "envio_reintento_programado",
        {"intento": envio.intentos, "error": error, "proximo_intento": proximo_intento},
    )


def mark_failed(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, error: str
) -> bool:
    return _worker_move(
        session,
        envio,
        owner,
        now,
        E.FALLIDO,
        {"ultimo_error": error, "tomado_por": None, "tomado_hasta": None, "proximo_intento": None},
        "envio_fallido",
        {"intento": envio.intentos, "error": error},
    )


def registrar_incierto(
    session: Session,
    envio: ClaimedEnvio | Any,
    actor: Actor,
    now: datetime,
    error: str,
    condicion: ColumnElement[bool],
    detalle: dict[str, Any] | None = None,
) -> bool:
    """THE one place where an Envio becomes *incierto* (the request may have reached Botmaker).

    `condicion` is the guard the caller owns (this worker still holds it, or its lease expired
    after the POST began); the row must also be `enviando` with the POST begun. Whoever resolves
    inciertos by asking Botmaker (webhook history / delivery results) hooks in here or reads
    the `envio_incierto` events this writes.
    """
    check_transition(E.ENVIANDO, E.INCIERTO, Quien.WORKER)
    won = _rowcount(
        session.execute(
            update(Envio)
            .where(
                Envio.id == envio.id,
                Envio.estado == E.ENVIANDO.value,
                Envio.iniciado_en.is_not(None),
                condicion,
            )
            .values(
                estado=E.INCIERTO.value,
                ultimo_error=mask_provider_text(error),
                tomado_hasta=None,
                proximo_intento=None,
                version=Envio.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if won == 1:
        _audit(
            session,
            actor,
            now,
            envio,
            "envio_incierto",
            {"intento": envio.intentos, "error": mask_provider_text(error), **(detalle or {})},
        )
    return won == 1


def mark_uncertain(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, error: str
) -> bool:
    """Keep `tomado_por` so the supervisor sees which workstation had it (and that worker can still
    record a late, definite answer)."""
    return registrar_incierto(session, envio, owner, now, error, Envio.tomado_por == owner.usuario)


def return_failed(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, motivo: str
) -> bool:
    """fallido → programado by the worker that just failed it (same version: nobody touched it
    since): the error was the configuration's, not the message's; the attempt does not count."""
    check_transition(E.FALLIDO, E.PROGRAMADO, Quien.WORKER)
    won = _rowcount(
        session.execute(
            update(Envio)
            .where(
                Envio.id == envio.id,
                Envio.estado == E.FALLIDO.value,
                Envio.version == envio.version + 1,
            )
            .values(
                estado=E.PROGRAMADO.value,
                intentos=Envio.intentos - 1,
                proximo_intento=None,
                version=Envio.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if won == 1:
        _audit(session, owner, now, envio, "envio_devuelto_por_pausa", {"motivo": motivo})
    return won == 1


def release(
    session: Session, envio: ClaimedEnvio, owner: Actor, now: datetime, motivo: str
) -> bool:
    """Back to the queue unsent (worker paused or stopping): the attempt does not count."""
    return _worker_move(
        session,
        envio,
        owner,
        now,
        E.PROGRAMADO,
        {
            "intentos": Envio.intentos - 1,
            "tomado_por": None,
            "tomado_hasta": None,
            "iniciado_en": None,
        },
        "envio_liberado",
        {"motivo": motivo},
    )


def expire_stale_leases(session: Session, now: datetime, actor: Actor) -> list[int]:
    """Envios left *enviando* by a worker that died, hung or lost the database.

    A reservation whose POST never began goes back to *programado* (the attempt does not count):
    it provably never left. One whose POST began may have reached Botmaker: it becomes
    *incierto* for a person (or the resolver) to decide. Never a silent resend.
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
            _return_unbegun(session, row, now, actor, stale)
            continue
        error = (
            f"El puesto que lo estaba enviando ({row.tomado_por or 'desconocido'}) dejó de "
            "responder después de empezar el envío: puede haber llegado a Botmaker."
        )
        if registrar_incierto(
            session, row, actor, now, error, stale, {"tomado_por": row.tomado_por}
        ):
            expired.append(row.id)
    return expired


def _return_unbegun(
    session: Session, row: Any, now: datetime, actor: Actor, stale: ColumnElement[bool]
) -> bool:
    check_transition(E.ENVIANDO, E.PROGRAMADO, Quien.WORKER)
    won = _rowcount(
        session.execute(
            update(Envio)
            .where(
                Envio.id == row.id,
                Envio.estado == E.ENVIANDO.value,
                Envio.iniciado_en.is_(None),
                stale,
            )
            .values(
                estado=E.PROGRAMADO.value,
                intentos=Envio.intentos - 1,
                tomado_por=None,
                tomado_hasta=None,
                version=Envio.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if won == 1:
        _audit(
            session,
            actor,
            now,
            row,
            "envio_liberado",
            {"motivo": "reserva vencida sin haber empezado el envío", "tomado_por": row.tomado_por},
        )
    return won == 1


# --- supervisor / operator actions ------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    id: int
    solicitud_id: int
    estado: E
    version: int
    intentos: int
    ultimo_error: str | None


def _current(session: Session, envio_id: int) -> _Current:
    row = session.execute(
        select(
            Envio.id,
            Envio.solicitud_id,
            Envio.estado,
            Envio.version,
            Envio.intentos,
            Envio.ultimo_error,
        ).where(Envio.id == envio_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No existe el envío {envio_id}.")
    estado = estado_leido(row.estado)
    if not isinstance(estado, E):
        raise InvalidTransition(
            f"El envío {envio_id} tiene un estado desconocido («{row.estado}»): no se puede "
            "modificar desde esta versión."
        )
    return _Current(row.id, row.solicitud_id, estado, row.version, row.intentos, row.ultimo_error)


def _check_manual(envio_id: int, current: _Current, hacia: E, accion: str) -> None:
    if current.estado is E.ENVIANDO and hacia is E.CANCELADO:
        raise EnvioLocked(
            f"El envío {envio_id} ya fue tomado para enviarse a Botmaker: no se puede {accion}."
        )
    if not is_allowed(current.estado, hacia, Quien.PERSONA):
        raise InvalidTransition(
            f"No se puede {accion} el envío {envio_id}: "
            + refusal_reason(current.estado, hacia, Quien.PERSONA)
        )


def _manual_move(
    session: Session,
    envio_id: int,
    actor: Actor,
    now: datetime,
    hacia: E,
    values: dict[str, Any],
    accion_texto: str,
    accion: str,
    expected_version: int | None = None,
    motivo: str | None = None,
) -> _Current:
    current = _current(session, envio_id)
    _check_manual(envio_id, current, hacia, accion_texto)
    if expected_version is not None and current.version != expected_version:
        raise StaleWrite(f"El envío {envio_id} cambió desde que se lo mostró; se recargó.")
    stmt = (
        update(Envio)
        .where(
            Envio.id == envio_id,
            Envio.estado == current.estado.value,
            Envio.version == current.version,
        )
        .values(estado=hacia.value, version=Envio.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    try:
        won = _rowcount(session.execute(stmt))
    except IntegrityError:
        raise UserError(
            f"La solicitud {current.solicitud_id} ya tiene otro envío pendiente: "
            f"cancélelo antes de {accion_texto} el envío {envio_id}."
        ) from None
    if won != 1:
        # Lost a race (a worker claimed it, another supervisor acted): say what it is now.
        _check_manual(envio_id, _current(session, envio_id), hacia, accion_texto)
        raise StaleWrite(f"El envío {envio_id} cambió mientras se lo modificaba; intente de nuevo.")
    detalle: dict[str, Any] = {"desde": current.estado.value}
    if motivo:
        detalle["motivo"] = motivo
    if current.ultimo_error:
        detalle["error_anterior"] = current.ultimo_error
    if hacia is E.PROGRAMADO:
        detalle["intentos_anteriores"] = current.intentos
    _audit(session, actor, now, current, accion, detalle)
    return current


def cancel(
    session: Session,
    envio_id: int,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
    *,
    reabrir: bool = True,
    motivo: str | None = None,
) -> None:
    """programado → cancelado. Against a racing claim exactly one wins: the loser of the cancel
    gets `EnvioLocked`. Like the operator's cancel, the request goes back to unresolved
    (`reabrir`), unless the cancel is because it is done anyway (a turno was booked)."""
    current = _manual_move(
        session,
        envio_id,
        actor,
        now,
        E.CANCELADO,
        {"proximo_intento": None},
        "cancelar",
        "envio_cancelado",
        expected_version,
        motivo,
    )
    if reabrir:
        session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == current.solicitud_id)
            .values(
                resuelto=False,
                fecha_resuelto=None,
                usuario_resuelto=None,
                version=SolicitudAsistencia.version + 1,
            )
            .execution_options(synchronize_session=False)
        )


def retry(session: Session, envio_id: int, actor: Actor, now: datetime) -> None:
    """fallido/incierto → programado, due now, with a fresh retry budget (a person decided)."""
    _manual_move(
        session,
        envio_id,
        actor,
        now,
        E.PROGRAMADO,
        {
            "proximo_intento": None,
            "intentos": 0,
            "ultimo_error": None,
            "tomado_por": None,
            "tomado_hasta": None,
        },
        "reintentar",
        "envio_reintentado",
    )


def mark_sent_manually(session: Session, envio_id: int, actor: Actor, now: datetime) -> None:
    """incierto → enviado: a supervisor confirmed (e.g. in Botmaker's console) that it arrived."""
    _manual_move(
        session,
        envio_id,
        actor,
        now,
        E.ENVIADO,
        {"enviado_en": now, "tomado_por": None, "tomado_hasta": None},
        "marcar como enviado",
        "envio_marcado_enviado",
    )


# --- read model for listings -----------------------------------------------------------------


class EstadoDesconocido(str):
    """A state this version does not know (a newer version wrote it, or a manual edit): shown,
    never acted on."""

    @property
    def etiqueta(self) -> str:
        return f"Desconocido ({self})"

    @property
    def value(self) -> str:
        return str(self)


def estado_leido(raw: str) -> E | EstadoDesconocido:
    try:
        return E(raw)
    except ValueError:
        return EstadoDesconocido(raw)


@dataclass(frozen=True)
class EnvioFila:
    """One line of `outbox list` / the supervisor view. The phone is masked at the source and the
    link and parameters (which carry the patient's token) are never read."""

    id: int
    solicitud_id: int
    estado: E | EstadoDesconocido
    telefono: str  # masked
    plantilla: str
    creado: datetime
    creado_por: str
    enviar_desde: datetime
    intentos: int
    proximo_intento: datetime | None
    ultimo_error: str | None
    proveedor_id: str | None
    enviado_en: datetime | None
    tomado_por: str | None


def list_envios(session: Session, estado: E | None = None, limit: int = 50) -> list[EnvioFila]:
    """Newest first."""
    stmt = select(
        Envio.id,
        Envio.solicitud_id,
        Envio.estado,
        Envio.telefono,
        Envio.plantilla,
        Envio.creado,
        Envio.creado_por,
        Envio.enviar_desde,
        Envio.intentos,
        Envio.proximo_intento,
        Envio.ultimo_error,
        Envio.proveedor_id,
        Envio.enviado_en,
        Envio.tomado_por,
    )
    if estado is not None:
        stmt = stmt.where(Envio.estado == estado.value)
    rows = session.execute(
        stmt.order_by(Envio.enviar_desde.desc(), Envio.id.desc()).limit(limit)
    ).all()
    return [
        EnvioFila(
            id=r.id,
            solicitud_id=r.solicitud_id,
            estado=estado_leido(r.estado),
            telefono=enmascarar(r.telefono),
            plantilla=r.plantilla,
            creado=r.creado,
            creado_por=r.creado_por,
            enviar_desde=r.enviar_desde,
            intentos=r.intentos,
            proximo_intento=r.proximo_intento,
            ultimo_error=redact_phones(r.ultimo_error) if r.ultimo_error else None,
            proveedor_id=r.proveedor_id,
            enviado_en=r.enviado_en,
            tomado_por=r.tomado_por,
        )
        for r in rows
    ]
