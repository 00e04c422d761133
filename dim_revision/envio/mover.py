"""THE one way an Envío changes: a conditional UPDATE whose rowcount decides, checked against the
tables in `estados.py`, writing the move's audit event once, in the caller's transaction.

No row locks (`with_for_update` emits nothing on SQL Server) and never a delete: every move
re-checks in its WHERE clause the state it expects (plus whatever the caller guards: the lease
owner, the version the screen loaded), so two workstations, or a worker and a supervisor, racing
for the same row always produce exactly one winner.

Two shapes, one statement underneath (`mover`):

- `mover` — the move is made if the row is still as expected; False if not (the sender: a lost
  lease is not an error, nothing of ours to record).
- `mover_verificado` — read the row, explain a refusal before trying, check the version, update,
  and if the update lost a race re-read and explain why (a person's move: always an answer).

Functions take the caller's `Session` and never commit: the caller's unit of work decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, CursorResult, Update, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import MOVIMIENTOS, Mov, check_transition, estado_leido
from dim_revision.errors import InvalidTransition, NotFound, StaleWrite
from dim_revision.shared.actor import Actor
from dim_revision.shared.audit import registrar_evento


class EnvioRef(Protocol):
    """What a move needs to know of the row: its id and its solicitud (for the audit event)."""

    @property
    def id(self) -> int: ...

    @property
    def solicitud_id(self) -> int: ...


@dataclass(frozen=True)
class Ref:
    """An `EnvioRef` for callers that hold only the two ids."""

    id: int
    solicitud_id: int


def sentencia(
    mov: Mov,
    envio_id: int,
    *,
    desde: Iterable[E] | None = None,
    donde: Sequence[ColumnElement[bool]] = (),
    valores: Mapping[str, Any] | None = None,
) -> Update:
    """The move's UPDATE ... WHERE, checked against the tables (a plain statement: no row locks,
    the same on SQLite, PostgreSQL and SQL Server)."""
    m = MOVIMIENTOS[mov]
    estados = tuple(desde) if desde is not None else m.desde
    if not estados or any(e not in m.desde for e in estados):
        raise AssertionError(f"{mov}: {estados} is not in the table's {m.desde}")
    for estado in estados:
        if estado is not m.hacia:
            check_transition(estado, m.hacia, m.quien)
    values: dict[str, Any] = {}
    if estados != (m.hacia,):
        values["estado"] = m.hacia.value
    values.update(valores or {})
    if m.versiona:
        values["version"] = Envio.version + 1
    estado_es = (
        Envio.estado == estados[0].value
        if len(estados) == 1
        else Envio.estado.in_([e.value for e in estados])
    )
    return (
        update(Envio)
        .where(Envio.id == envio_id, estado_es, *donde)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def mover(
    session: Session,
    mov: Mov,
    envio: EnvioRef,
    actor: Actor,
    now: datetime,
    *,
    desde: Iterable[E] | None = None,
    donde: Sequence[ColumnElement[bool]] = (),
    valores: Mapping[str, Any] | None = None,
    detalle: dict[str, Any] | None = None,
) -> bool:
    """Make `mov` on `envio` if it is still in one of `desde` (default: every state the move
    starts from) and `donde` holds; True if this call won the row."""
    result = session.execute(sentencia(mov, envio.id, desde=desde, donde=donde, valores=valores))
    won = cast(CursorResult[Any], result).rowcount == 1
    if won:
        auditar(session, actor, now, mov, envio, detalle)
    return won


def auditar(
    session: Session,
    actor: Actor,
    now: datetime,
    mov: Mov,
    envio: EnvioRef,
    detalle: dict[str, Any] | None = None,
) -> None:
    """Write `mov`'s audit event (if it has one) for `envio`: the one place a move is audited."""
    evento = MOVIMIENTOS[mov].evento
    if evento is not None:
        registrar_evento(
            session,
            actor,
            evento,
            now,
            solicitud_id=envio.solicitud_id,
            envio_id=envio.id,
            detalle=detalle,
        )


@dataclass(frozen=True)
class Actual:
    """The row as read before a person's move (and re-read to explain a lost race)."""

    id: int
    solicitud_id: int
    estado: E
    version: int
    intentos: int
    ultimo_error: str | None


def leer_actual(session: Session, envio_id: int) -> Actual:
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
    return Actual(row.id, row.solicitud_id, estado, row.version, row.intentos, row.ultimo_error)


# Why a person's move is refused for a row in this state (None: it may go ahead).
Explicacion = Callable[[Actual], Exception | None]


def mover_verificado(
    session: Session,
    mov: Mov,
    envio_id: int,
    actor: Actor,
    now: datetime,
    *,
    explicar: Explicacion,
    version: int | None = None,
    valores: Mapping[str, Any] | Callable[[Actual], Mapping[str, Any]] | None = None,
    detalle: Callable[[Actual], dict[str, Any] | None] | None = None,
    al_chocar: Callable[[Actual], Exception] | None = None,
) -> Actual:
    """Read, explain a refusal, check the version, update, explain a lost race: the one
    "conditional write with a reason" of every person's move. Returns the row as it was."""
    actual = leer_actual(session, envio_id)
    refusal = explicar(actual)
    if refusal is None and actual.estado not in MOVIMIENTOS[mov].desde:
        refusal = InvalidTransition(
            f"No se puede mover el envío {envio_id} desde «{actual.estado.etiqueta}»."
        )
    if refusal is not None:
        raise refusal
    if version is not None and actual.version != version:
        raise StaleWrite(f"El envío {envio_id} cambió desde que se lo mostró; se recargó.")
    try:
        won = mover(
            session,
            mov,
            actual,
            actor,
            now,
            desde=(actual.estado,),
            donde=(Envio.version == actual.version,),
            valores=valores(actual) if callable(valores) else valores,
            detalle=detalle(actual) if detalle is not None else None,
        )
    except IntegrityError:  # a unique index refused it (e.g. a second live send): say why
        if al_chocar is None:
            raise
        raise al_chocar(actual) from None
    if not won:
        # Lost a race (a worker claimed it, another person acted): say what it is now.
        raise explicar(leer_actual(session, envio_id)) or StaleWrite(
            f"El envío {envio_id} cambió mientras se lo modificaba; intentá de nuevo."
        )
    return actual
