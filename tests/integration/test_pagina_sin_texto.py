"""The grid's cached page statement (issue 19): the same SQL and the same rows as `page_queue`,
for every state, sort, direction and kind of cursor, on SQLite and PostgreSQL, both layouts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, update

from dim_revision.clock import FakeClock
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import queue_window
from dim_revision.services.queue import QueueFilter, page_queue
from dim_revision.services.queue_pagina import pagina_sin_texto
from tests import factories

# The states in the default order (TODAS below); an expression, NULL values both ways and a
# boolean on the widest states. Few shapes: each distinct statement is parsed as T-SQL.
SHAPES = [
    (EstadoFiltro.PENDIENTES, "fecha_subida", False),
    (EstadoFiltro.PENDIENTES_TODAS, "fecha_subida", False),
    (EstadoFiltro.ATENCION, "fecha_subida", False),
    (EstadoFiltro.RESUELTAS, "fecha_subida", True),
    (EstadoFiltro.TODAS, "nombre", True),
    (EstadoFiltro.TODAS, "email", False),
    (EstadoFiltro.PENDIENTES_TODAS, "email", True),
    (EstadoFiltro.TODAS, "resuelto", False),
]


def _seed(db: Database, clock: FakeClock) -> list[int]:
    """Nine requests over three days: resolved ones (one whose send failed), one leased, one
    deleted, patients without email (NULL sort values), equal names (ties broken by id)."""
    now = clock()
    with db.uow() as uow:
        s = uow.session
        pacientes = [
            factories.paciente(s, apellido="Pérez", nombre="Ana", email=None),
            factories.paciente(s, apellido="Gómez", nombre="José", email="jose@example.com"),
            factories.paciente(s, apellido="Pérez", nombre="Ana", email="ana@example.com"),
        ]
        sols = [
            factories.solicitud(s, pacientes[i % 3], now - timedelta(hours=7 * i + 1))
            for i in range(9)
        ]
        factories.envio(s, sols[1], now - timedelta(hours=1), estado="fallido")
        factories.envio(s, sols[2], now - timedelta(hours=2), estado="enviado")
        for done in (sols[1], sols[4]):
            s.execute(
                update(SolicitudAsistencia)
                .where(SolicitudAsistencia.id == done.id)
                .values(resuelto=True, fecha_resuelto=now, fecha_contacto=now)
            )
        s.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == sols[3].id)
            .values(tomado_por="beto@pc-02", tomado_hasta=now + timedelta(minutes=5))
        )
        s.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == sols[5].id)
            .values(fecha_baja=now)
        )
        uow.commit()
        return [sol.id for sol in sols]


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def grab(_conn: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(re.sub(r"%\([^)]+\)s", "?", statement))  # psycopg names its binds

    event.listen(db._base_engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(db._base_engine, "before_cursor_execute", grab)


def _both(db: Database, fn: Callable[..., Any], *args: Any, **kw: Any) -> tuple[Any, str]:
    with _statements(db) as seen, db.read() as uow:
        result = fn(uow.session, *args, **kw)
    return result, seen[-1]


def test_every_shape_sends_page_queues_sql_and_reads_its_rows(
    database: Database, clock: FakeClock
) -> None:
    _seed(database, clock)
    now = clock()
    base = QueueFilter.today(now)
    for estado, sort, descending in SHAPES:
        filtro = QueueFilter(base.desde - timedelta(days=3), base.hasta, estado)
        kw = {"sort": sort, "descending": descending, "limit": 2}
        full = _both(database, page_queue, filtro, now, **{**kw, "limit": 20})[0].rows
        # Pages of two, after each page's cursor, to the end (NULL sort values included).
        cursor, seen = None, []
        while True:
            page, our_sql = _both(database, pagina_sin_texto, filtro, now, despues=cursor, **kw)
            same, sql = _both(database, page_queue, filtro, now, despues=cursor, **kw)
            assert (page, our_sql) == (same, sql), (estado, sort, descending, cursor)
            seen += [r.id for r in page.rows]
            if page.siguiente is None:
                break
            cursor = page.siguiente
        assert seen == [r.id for r in full], (estado, sort, descending)


def test_the_grid_service_takes_the_cached_statement_only_without_a_text(
    database: Database, clock: FakeClock
) -> None:
    _seed(database, clock)
    now = clock()
    hoy = QueueFilter.today(now)
    plain = queue_window.pagina(database, hoy, now)
    assert plain.rows
    with database.read() as uow:
        assert plain == page_queue(uow.session, hoy, now)
        texto = QueueFilter(hoy.desde, hoy.hasta, EstadoFiltro.TODAS, "perez")
        assert queue_window.pagina(database, texto, now) == page_queue(uow.session, texto, now)
        assert queue_window.pagina(database, hoy, now, offset=1) == page_queue(
            uow.session, hoy, now, offset=1
        )


def test_another_day_or_limit_reuses_nothing_stale(database: Database, clock: FakeClock) -> None:
    """The statement is cached by shape: other days and limits bind other values."""
    _seed(database, clock)
    for days, limit in ((0, 1), (1, 3), (2, 1)):
        now = clock() + timedelta(days=days)
        filtro = QueueFilter.today(now, EstadoFiltro.TODAS)
        with database.read() as uow:
            ours = pagina_sin_texto(uow.session, filtro, now, limit=limit)
            assert ours == page_queue(uow.session, filtro, now, limit=limit)
