"""What the grid's window needs from the queue (issue 19): the ids-first poll and the read-only
service calls the GUI makes (each one short `Database.read()`; never SQLite's write lock)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dim_revision.db import sqlite_stats
from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.db.uow import Database as Database
from dim_revision.services.guards import lease_live
from dim_revision.services.queue import (
    _OWN_SORTS,
    SORT_KEYS,
    QueueCursor,
    QueueFilter,
    QueuePage,
    QueueRow,
    _order,
    _state_condition,
    _with_dim_joins,
    by_ids,
    get_rows,
    page_queue,
    queue_conditions,
    run,
    search_mode,
    sort_columns,
    stamp_columns,
)
from dim_revision.services.queue_conteo import contar
from dim_revision.services.queue_pagina import pagina_sin_texto, sin_texto
from dim_revision.services.queue_texto import completar_busqueda

P = ParamSpec("P")
R = TypeVar("R")

# What the poll compares to decide a row changed: our columns the grid shows (the patient's
# data lives in DIM and is re-read only with the row). `row_stamp` gives the same from a row.
Stamp = tuple[Any, ...]


@dataclass(frozen=True)
class Sello:
    """One row of the ids-first poll: its id, its stamp and its sort value (the next cursor)."""

    id: int
    sello: Stamp
    orden: Any = None


def row_stamp(row: QueueRow) -> Stamp:
    return (
        row.version,
        row.resuelto,
        row.tomado_clave,
        row.fecha_contacto,
        row.id_turno_destino,
        row.estado_envio,
        row.estado_entrega,
        row.respondio,
    )


def _stamp_select(column: Any) -> Select[Any]:
    return select(*stamp_columns(), column.label("orden"))


def _sello(r: Any, now: datetime) -> Sello:
    live = lease_live(r.tomado_por, r.tomado_hasta, now)
    stamp = (
        r.version,
        bool(r.resuelto),
        r.tomado_por if live else None,
        r.fecha_contacto,
        r.id_turno_destino,
        r.estado_envio,
        r.estado_entrega,
        r.respuesta_en is not None,
    )
    return Sello(r.id, stamp, r.orden)


def window_stamps(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    limit: int,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> list[Sello]:
    """Ids first (as Anki's browser does): the first `limit` ids in the grid's order, each with
    a stamp of what the grid shows; only rows whose stamp changed are then read by id."""
    dim = dim_de(session)
    sort = sort if sort in SORT_KEYS else "fecha_subida"
    column = sort_columns(dim)[sort]
    stmt = _stamp_select(column).where(
        *queue_conditions(
            filtro, now, dim=dim, paciente_joined=True, **search_mode(session, filtro)
        ),
        *_state_condition(filtro.estado),
    )
    if sort not in _OWN_SORTS:
        stmt = _with_dim_joins(stmt, dim)  # the sort column lives on DIM's tables
    stmt = stmt.order_by(*_order(column, sort, descending)).limit(limit)
    return [_sello(r, now) for r in run(session, stmt)]


def stamps_by_id(session: Session, ids: list[int], now: datetime) -> list[Sello]:
    """Stamps of specific rows, whatever the filter (rows pinned on screen)."""
    return [_sello(r, now) for r in by_ids(session, _stamp_select(S.id), ids)]


def window_page(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    despues: QueueCursor | None = None,
    offset: int = 0,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> QueuePage:
    """`page_queue` as the grid asks for it: without a text, from the statement built once for
    its shape (`queue_pagina`, same SQL); with a text or an OFFSET, built per call."""
    if sin_texto(filtro, offset):
        return pagina_sin_texto(
            session, filtro, now, despues=despues, limit=limit, sort=sort, descending=descending
        )
    return page_queue(
        session,
        filtro,
        now,
        despues=despues,
        offset=offset,
        limit=limit,
        sort=sort,
        descending=descending,
    )


# --- the service the grid calls (one short read unit of work each; never the write lock) -----


def _leido(fn: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Database, P], R]:
    """`fn` as the grid calls it: in its own short `Database.read()` (never SQLite's write
    lock), with the same arguments after the database."""

    def run(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with db.read() as uow:
            return fn(uow.session, *args, **kwargs)

    run.__doc__ = fn.__doc__
    return run


pagina = _leido(window_page)
filas = _leido(get_rows)
conteos = _leido(contar)  # count_queue's counts from statements built once (queue_conteo)
sellos = _leido(window_stamps)
sellos_de = _leido(stamps_by_id)


_PREPARED: weakref.WeakSet[Database] = weakref.WeakSet()


def preparar_busqueda(db: Database) -> int:
    """Copy the patients the text filter does not know yet, and bring SQLite's planner
    statistics up to the queue's size (`db.sqlite_stats`): once per `Database` (process), in
    the background; intake keeps the copy current afterwards."""
    if db in _PREPARED:
        return 0
    copied = completar_busqueda(db)
    sqlite_stats.refresh_if_stale(db)
    _PREPARED.add(db)
    db.flags["busqueda_completa"] = True  # the text filter stops folding DIM's names
    return copied
