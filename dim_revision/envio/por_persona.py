"""The moves a person makes on an Envío: the operator (confirm, edit, send now, cancel) and the
supervisor (retry, mark sent, cancel). Role checks are the services' (`services/envios.py`).

Each is one `mover_verificado` call: read, explain a refusal, check the version, update, explain a
lost race. The operator's screen and the supervisor's list word a refusal differently (the
operator sees "ya se está enviando", the supervisor the table's reason); both are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import MOVIMIENTOS, Mov, Quien, is_allowed, refusal_reason
from dim_revision.envio.mover import Actual, Explicacion, auditar, mover_verificado
from dim_revision.errors import EnvioLocked, InvalidTransition, UserError
from dim_revision.shared.actor import Actor


def programar(
    session: Session, envio: Envio, actor: Actor, now: datetime, detalle: dict[str, Any]
) -> Envio:
    """Confirmar envío: the row is born *programado* (the unique index on live sends per
    solicitud refuses a second one at flush: the caller words that)."""
    m = MOVIMIENTOS[Mov.PROGRAMAR]
    envio.estado = m.hacia.value
    envio.version = 1
    session.add(envio)
    session.flush()
    auditar(session, actor, now, Mov.PROGRAMAR, envio, detalle)
    return envio


# --- the operator's wording: the record screen ---------------------------------------------------


def mensaje_bloqueado(estado: E) -> str:
    if estado is E.ENVIANDO:
        return "El mensaje ya se está enviando: no se puede modificar ni cancelar."
    if estado is E.CANCELADO:
        return "El envío ya estaba cancelado."
    return (
        f"El envío ya no está programado (estado: {estado.etiqueta.lower()}): "
        "no se puede modificar."
    )


def solo_programado(actual: Actual) -> Exception | None:
    """The operator may touch a send only inside its correction window."""
    return None if actual.estado is E.PROGRAMADO else EnvioLocked(mensaje_bloqueado(actual.estado))


def editar(
    session: Session,
    envio_id: int,
    actor: Actor,
    now: datetime,
    valores: Mapping[str, Any],
    detalle: dict[str, Any],
    *,
    version: int | None = None,
) -> Actual:
    """New prestaciones / link / window for a send still programado."""
    return mover_verificado(
        session,
        Mov.EDITAR,
        envio_id,
        actor,
        now,
        explicar=solo_programado,
        version=version,
        valores=valores,
        detalle=lambda _a: detalle,
    )


def adelantar(session: Session, envio_id: int, actor: Actor, now: datetime) -> Actual:
    """ "Enviar ahora": skip the rest of the correction window (the caller wakes the worker)."""
    return mover_verificado(
        session,
        Mov.ADELANTAR,
        envio_id,
        actor,
        now,
        explicar=solo_programado,
        valores={"enviar_desde": now, "proximo_intento": None},
    )


# --- the supervisor's wording: the Envíos list, `outbox` CLI, HTTP ------------------------------


def _por_tabla(envio_id: int, hacia: E, accion: str) -> Explicacion:
    def explicar(actual: Actual) -> Exception | None:
        if actual.estado is E.ENVIANDO and hacia is E.CANCELADO:
            return EnvioLocked(
                f"El envío {envio_id} ya fue tomado para enviarse a Botmaker: no se puede {accion}."
            )
        if not is_allowed(actual.estado, hacia, Quien.PERSONA):
            return InvalidTransition(
                f"No se puede {accion} el envío {envio_id}: "
                + refusal_reason(actual.estado, hacia, Quien.PERSONA)
            )
        return None

    return explicar


def _detalle(motivo: str | None) -> Any:
    def detalle(actual: Actual) -> dict[str, Any]:
        out: dict[str, Any] = {"desde": actual.estado.value}
        if motivo:
            out["motivo"] = motivo
        if actual.ultimo_error:
            out["error_anterior"] = actual.ultimo_error
        return out

    return detalle


def cancelar(
    session: Session,
    envio_id: int,
    actor: Actor,
    now: datetime,
    version: int | None = None,
    *,
    reabrir: bool = True,
    motivo: str | None = None,
    explicar: Explicacion | None = None,
) -> Actual:
    """programado → cancelado, the one way a send is cancelled (operator, supervisor, a baja, a
    booked turno). Against a racing claim exactly one wins: the loser of the cancel gets
    `EnvioLocked`. With `reabrir` the request goes back to unresolved (the supervisor's cancel;
    the operator's screen reopens it under its own lease check, and a booked turno does not)."""
    actual = mover_verificado(
        session,
        Mov.CANCELAR,
        envio_id,
        actor,
        now,
        explicar=explicar or _por_tabla(envio_id, E.CANCELADO, "cancelar"),
        version=version,
        valores={"proximo_intento": None},
        detalle=_detalle(motivo),
    )
    if reabrir:
        session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == actual.solicitud_id)
            .values(
                resuelto=False,
                fecha_resuelto=None,
                usuario_resuelto=None,
                version=SolicitudAsistencia.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return actual


def reintentar(session: Session, envio_id: int, actor: Actor, now: datetime) -> Actual:
    """fallido/incierto → programado, due now, with a fresh retry budget (a person decided)."""

    def detalle(actual: Actual) -> dict[str, Any]:
        return {**_detalle(None)(actual), "intentos_anteriores": actual.intentos}

    def otro_pendiente(actual: Actual) -> Exception:
        return UserError(
            f"La solicitud {actual.solicitud_id} ya tiene otro envío pendiente: "
            f"cancélelo antes de reintentar el envío {envio_id}."
        )

    return mover_verificado(
        session,
        Mov.REINTENTAR,
        envio_id,
        actor,
        now,
        explicar=_por_tabla(envio_id, E.PROGRAMADO, "reintentar"),
        valores={
            "proximo_intento": None,
            "intentos": 0,
            "ultimo_error": None,
            "tomado_por": None,
            "tomado_hasta": None,
        },
        detalle=detalle,
        al_chocar=otro_pendiente,
    )


def marcar_enviado(session: Session, envio_id: int, actor: Actor, now: datetime) -> Actual:
    """incierto → enviado: a supervisor confirmed (e.g. in Botmaker's console) that it arrived."""
    return mover_verificado(
        session,
        Mov.MARCAR_ENVIADO,
        envio_id,
        actor,
        now,
        explicar=_por_tabla(envio_id, E.ENVIADO, "marcar como enviado"),
        valores={"enviado_en": now, "tomado_por": None, "tomado_hasta": None},
        detalle=_detalle(None),
    )
