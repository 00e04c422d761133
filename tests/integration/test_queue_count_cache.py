"""The grid's counts from statements built once per shape (`queue_conteo.contar`, issue 19):
the same SQL, the same parameters and the same counts as `count_queue` builds afresh, for every
state, cap, text and plan, one shape after another (a stale value or a shape that forgets
something would show), on SQLite and PostgreSQL; and the plan's cached statement (`search_mode`)
gives the counts its fresh build gives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.dialects import mssql, sqlite

from dim_revision.clock import FakeClock, local_today
from dim_revision.db.models import BusquedaPaciente, BusquedaPalabra
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, EstadoFiltro
from dim_revision.services import queue, queue_conteo, queue_plan
from dim_revision.services import queue_window as window
from dim_revision.services.queue import QueueFilter, count_queue
from dim_revision.services.queue_texto import (
    FILA,
    NADA,
    PACIENTES,
    RANGO,
    RECORRIDO,
    UNIDA,
    completar_busqueda,
    name_words,
)
from tests import factories
from tests.sent_sql import sent_statements

TEXTS = [
    "gonz",
    "ruiz",  # the same shape as «gonz»: its own values
    "gonz mar",
    "mar gonz",
    "gonzalez m",
    "ana ruiz ana",  # a repeated word
    "perez 3122",
    "30111",
    "30.111.222 gonz",
    "1123456789",
    "o'brien",
    "zzxqw",
    "gonz zzxqw",
    "100%_!",  # LIKE's specials, escaped
    "\x00",  # nothing left once cleaned: no word
]
ESTADOS = list(EstadoFiltro)
MODES = (FILA, RANGO, PACIENTES, UNIDA, RECORRIDO, NADA)
# The counts' SQL tells only "Pendientes" (which reaches back) from every other state.
_REACHES = (EstadoFiltro.TODAS, EstadoFiltro.PENDIENTES_TODAS)


def _seed(db: Database, clock: FakeClock) -> None:
    now = clock()
    people = [
        ("González Pérez", "María", "30111222", "11 15-2345-6789", 0),
        ("Pérez-García", "José", "31222333", "(0351) 15 555-1234", 1),
        ("Gonzalo", "Eva", "32333444", "11 4444-5555", 3),
        ("Ruiz", "Ana Gonzaga", "33444555", "11 6666-7777", 10),
        ("O'Brien", "Ana", "34555666", "11 3122-0000", 40),
        ("González", "Marta", "35666777", None, 0),
    ]
    with db.write() as uow:
        s = uow.session
        for k, (apellido, nombre, dni, movil, days) in enumerate(people):
            pac = factories.paciente(s, apellido=apellido, nombre=nombre, dni=dni, movil=movil)
            for n in range(3):
                sol = factories.solicitud(s, pac, now - timedelta(days=days, hours=n + 1), files=0)
                if (k + n) % 2:
                    sol.resuelto, sol.fecha_resuelto = True, now
                    estado = EstadoEnvio.FALLIDO if n == 1 else EstadoEnvio.ENVIADO
                    factories.envio(s, sol, now - timedelta(minutes=30), estado=estado.value)
        uow.commit()


def _sql(stmt: Any, dialect: Any) -> str:
    """The statement's SQL with its parameters as `?` (names apart)."""
    return re.sub(r":\w+", "?", str(stmt.compile(dialect=dialect)))


def _filters(clock: FakeClock) -> Iterator[QueueFilter]:
    today = local_today(clock())
    for desde in (today, today - timedelta(days=6), today - timedelta(days=60)):
        for estado in ESTADOS:
            yield QueueFilter(desde, today, estado)


def _compare(db: Database, filtro: QueueFilter, now: Any, tope: int | None) -> queue.QueueCounts:
    with db.read() as uow, sent_statements(db) as fresh:
        expected = count_queue(uow.session, filtro, now, tope=tope)
    with db.read() as uow, sent_statements(db) as cached:
        got = queue_conteo.contar(uow.session, filtro, now, tope=tope)
    assert got == expected, (filtro, tope)
    assert cached == fresh, (filtro, tope)
    return got


def _forget_one_copy(db: Database) -> None:
    """«Gonzalo Eva» loses its folded copy: the text falls back to DIM's own columns for it."""
    with db.write() as uow:
        [pid] = [
            r.paciente_id
            for r in uow.session.query(BusquedaPaciente)
            if r.nombre.startswith("gonzalo")
        ]
        uow.session.execute(delete(BusquedaPalabra).where(BusquedaPalabra.paciente_id == pid))
        uow.session.execute(delete(BusquedaPaciente).where(BusquedaPaciente.paciente_id == pid))
        uow.commit()


def test_cached_counts_send_count_queues_sql_for_every_state_text_and_cap(
    database: Database, clock: FakeClock
) -> None:
    _seed(database, clock)
    completar_busqueda(database)
    _forget_one_copy(database)
    now = clock()
    today = local_today(now)
    seen: set[tuple[int, int, int]] = set()
    for completa in (False, True):
        if completa:
            window.preparar_busqueda(database)
        for filtro in _filters(clock):  # every state and range; a text on each reach
            texts = ("", "gonz mar") if filtro.estado in _REACHES else ("",)
            for texto in texts:
                for tope in (queue.TOPE_CONTEO, None, 2) if texto else (queue.TOPE_CONTEO,):
                    got = _compare(database, replace(filtro, texto=texto), now, tope)
                    seen.add((got.pendientes, got.resueltas, got.atencion))
        for desde in (today, today - timedelta(days=60)):  # every kind of text
            for texto in TEXTS:
                filtro = QueueFilter(desde, today, EstadoFiltro.TODAS, texto)
                got = _compare(database, filtro, now, queue.TOPE_CONTEO)
                seen.add((got.pendientes, got.resueltas, got.atencion))
    # The comparison saw real counts: several sizes, attention included.
    assert len(seen) > 6 and any(a for _, _, a in seen)
    year = QueueFilter(today - timedelta(days=60), today, EstadoFiltro.TODAS, "gonz")
    with database.read() as uow:
        capped = queue_conteo.contar(uow.session, year, now, tope=2)
        exact = queue_conteo.contar(uow.session, year, now, tope=None)
    assert (capped.tope, capped.total) == (2, 3)
    assert (exact.tope, exact.total) == (None, 12)


def test_every_plan_mode_counts_as_count_queue(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each plan forced (and each guide word), with and without a complete copy."""
    _seed(database, clock)
    completar_busqueda(database)
    _forget_one_copy(database)
    now = clock()
    today = local_today(now)
    backlog = QueueFilter(today - timedelta(days=60), today, EstadoFiltro.PENDIENTES_TODAS)
    for completa in (False, True):
        if completa:
            window.preparar_busqueda(database)
        for modo in MODES:
            for texto in ("gonz", "gonz mar", "perez 3122"):
                for guia in [None, *name_words(texto)]:
                    if guia is None and (modo == UNIDA or texto == "gonz"):
                        continue  # search_mode joins on a guide word only
                    forced = {"modo": modo, "completa": completa, "guia": guia}

                    def plan(*_a: Any, forced: dict[str, Any] = forced, **_k: Any) -> Any:
                        return dict(forced)

                    monkeypatch.setattr(queue, "search_mode", plan)
                    monkeypatch.setattr(queue_conteo, "search_mode", plan)
                    filtro = replace(backlog, texto=texto)  # "Pendientes" reaching back
                    _compare(database, filtro, now, queue.TOPE_CONTEO)
    monkeypatch.undo()


def test_the_plans_cached_statement_counts_as_a_fresh_one(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(database, clock)
    window.preparar_busqueda(database)
    today = local_today(clock())
    filters = [
        QueueFilter(today, today, EstadoFiltro.TODAS),  # a short range: its requests counted
        QueueFilter(today, today, EstadoFiltro.PENDIENTES_TODAS),  # reaches back: not counted
        QueueFilter(today - timedelta(days=60), today, EstadoFiltro.TODAS),
    ]
    texts = ["gonz", "ruiz", "gonz mar", "ana ruiz ana", "30111", "30.111.222 gonz", "100%_!"]
    for cap in (queue_plan.PLAN_CAP, 2):  # the cap is part of the shape (tests shrink it)
        monkeypatch.setattr(queue_plan, "PLAN_CAP", cap)
        for filtro in filters:
            for texto in texts:
                f = replace(filtro, texto=texto)
                v = queue_plan.valores(f)
                for edges in (False, True):
                    short = queue_plan._short(f)
                    fresh = queue_plan.plan_statement(v, short, edges)
                    cached = queue_plan._cached((short, v.forma()[1], edges, cap), v)
                    if fresh is None:
                        assert cached is None
                        continue
                    assert cached is not None
                    if cap == 2:
                        for dialect in (sqlite.dialect(), mssql.dialect()):
                            assert _sql(cached, dialect) == _sql(fresh, dialect)
                    with database.read() as uow:
                        conn = uow.session.connection()
                        expected = tuple(conn.execute(fresh).one())
                        got = tuple(conn.execute(cached, v.valores).one())
                    assert got == expected, (f, edges)


def _listed(db: Database, filtro: QueueFilter, now: Any) -> list[queue.QueueRow]:
    """The requests the filter's counts are about, from the grid's own page query: the range
    in every state and, for "Pendientes", what is still to work from every earlier day."""
    rows = queue.list_queue
    with db.read() as uow:
        s = uow.session
        got = rows(s, replace(filtro, estado=EstadoFiltro.TODAS), now, limit=10_000)
        if filtro.estado is EstadoFiltro.PENDIENTES_TODAS:
            before = filtro.desde - timedelta(days=1)
            earlier = QueueFilter(before - timedelta(days=400), before, EstadoFiltro.PENDIENTES)
            got += rows(s, replace(earlier, texto=filtro.texto), now, limit=10_000)
    return got


def test_count_queue_counts_the_rows_the_grid_lists(database: Database, clock: FakeClock) -> None:
    """Independent of how the counts are written (the reach back of "Pendientes" split into
    index ranges included): the counts are those of the listed rows."""
    _seed(database, clock)
    window.preparar_busqueda(database)
    now = clock()
    today = local_today(now)
    filters = [
        QueueFilter(today, today, EstadoFiltro.TODAS),
        QueueFilter(today, today, EstadoFiltro.PENDIENTES_TODAS),
        QueueFilter(today - timedelta(days=6), today, EstadoFiltro.PENDIENTES_TODAS),
        QueueFilter(today - timedelta(days=60), today, EstadoFiltro.RESUELTAS),
    ]
    for filtro in filters:
        for texto in ("", "gonz", "zzxqw"):
            f = replace(filtro, texto=texto)
            rows = _listed(database, f, now)
            with database.read() as uow:
                counts = count_queue(uow.session, f, now, tope=None)
            resolved = [r for r in rows if r.resuelto]
            expected = (len(rows) - len(resolved), len(resolved), sum(r.atencion for r in rows))
            assert (counts.pendientes, counts.resueltas, counts.atencion) == expected, f
    with database.read() as uow:
        counts = count_queue(uow.session, filters[1], now)
    assert counts.pendientes > 3 and counts.atencion > 0  # earlier days reached
