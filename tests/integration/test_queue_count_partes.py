"""The counts of a guided text in parts (`queue_conteo.por_partes`, issue 19), on SQLite and
PostgreSQL: the unresolved first, from the partial index of the unresolved (migration 0112),
then the resolved ones only when the cap was not reached. Every plan and every way of matching
the resolved ones counts the rows the grid lists (soft-deleted requests, earlier unresolved and
earlier «requiere atención» included); the cap stops at `tope + 1` whichever part reaches it;
the cached statements are `count_queue`'s; and a SQLite database analyzed before the migration
gets statistics for the new index (without them the planner passes it over)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, inspect, text

from dim_revision.clock import FakeClock, local_today
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, EstadoFiltro
from dim_revision.services import queue, queue_conteo
from dim_revision.services import queue_window as window
from dim_revision.services.queue import QueueCounts, QueueFilter, count_queue
from dim_revision.services.queue_plan import PAGE_PATIENTS
from dim_revision.services.queue_texto import FILA, PACIENTES, RANGO, RECORRIDO, UNIDA
from tests import factories
from tests.sent_sql import sent_statements

INDEX = "ix_solicitud_asistencia_sin_resolver"


def _seed(db: Database, clock: FakeClock) -> None:
    """Requests today, 3 and 40 days ago, in every state: unresolved, resolved, resolved with a
    failed send («requiere atención»), resolved with that attention already resolved, and
    soft-deleted ones (never counted)."""
    now = clock()
    people = [
        ("González", "María"),
        ("Gonzaga", "Marta"),  # «gonz» starts two words: the plan lists patients (PACIENTES)
        ("Pérez", "Ana"),
        ("Zapata", "Ana"),
        ("Zabala", "Luis"),
    ]
    with db.write() as uow:
        s = uow.session
        for k, (apellido, nombre) in enumerate(people):
            pac = factories.paciente(s, apellido=apellido, nombre=nombre, dni=f"3{k}111222")
            for days in (0, 3, 40):
                for n, kind in enumerate(("open", "done", "failed", "handled", "gone", "gone")):
                    when = now - timedelta(days=days, hours=n + 1)
                    sol = factories.solicitud(s, pac, when, files=0)
                    if kind != "open" and not (kind == "gone" and n == 4):
                        sol.resuelto, sol.fecha_resuelto = True, now
                    if kind in ("failed", "handled"):
                        e = factories.envio(s, sol, when, estado=EstadoEnvio.FALLIDO.value)
                        s.flush()
                        if kind == "handled":
                            sol.atencion_envio_id = e.id
                    if kind == "gone":
                        sol.fecha_baja = now
        uow.commit()
    window.preparar_busqueda(db)  # every patient copied: the parts apply


def _listed(db: Database, filtro: QueueFilter, now: datetime) -> QueueCounts:
    """The filter's counts from the rows the grid lists (its own page query and plan)."""
    rows = queue.list_queue
    with db.read() as uow:
        s = uow.session
        got = rows(s, replace(filtro, estado=EstadoFiltro.TODAS), now, limit=10_000)
        if filtro.estado is EstadoFiltro.PENDIENTES_TODAS:
            before = filtro.desde - timedelta(days=1)
            earlier = QueueFilter(before - timedelta(days=400), before, EstadoFiltro.PENDIENTES)
            got += rows(s, replace(earlier, texto=filtro.texto), now, limit=10_000)
    resolved = sum(r.resuelto for r in got)
    return QueueCounts(len(got) - resolved, resolved, sum(r.atencion for r in got))


def _both(db: Database, filtro: QueueFilter, now: datetime, tope: int | None) -> QueueCounts:
    """`count_queue` (built afresh) and the grid's cached statements: the same SQL, the same
    parameters, the same counts."""
    with db.read() as uow, sent_statements(db) as fresh:
        expected = count_queue(uow.session, filtro, now, tope=tope)
    with db.read() as uow, sent_statements(db) as cached:
        got = queue_conteo.contar(uow.session, filtro, now, tope=tope)
    assert got == expected, (filtro, tope)
    assert cached == fresh, (filtro, tope)
    return got


def _filters(now: datetime) -> list[QueueFilter]:
    today = local_today(now)
    return [
        QueueFilter.pendientes(now),
        QueueFilter(today - timedelta(days=5), today, EstadoFiltro.PENDIENTES_TODAS),
        QueueFilter(today, today, EstadoFiltro.PENDIENTES),
        QueueFilter(today - timedelta(days=60), today, EstadoFiltro.TODAS),
    ]


def test_every_plan_and_way_of_matching_the_resolved_counts_the_listed_rows(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(database, clock)
    now = clock()
    # Part 2 matches the resolved ones by probing each (FILA: few in the range), from the guide's
    # patients (its plan: few patients) or walking the range through their list (RANGO).
    ways: dict[str, Any] = {
        FILA: lambda mode, _n: mode | {"modo": FILA},
        "plan": lambda mode, _n: mode,
        RANGO: lambda mode, _n: mode | {"modo": RANGO},
    }
    many = PAGE_PATIENTS + 1
    counted = set()
    for filtro in _filters(now):
        for texto, guia, modos in (
            ("gonz", "gonz", (PACIENTES, RECORRIDO)),
            ("zapata", "zapata", (UNIDA, PACIENTES, RECORRIDO)),
            ("luis zab", "zab", (UNIDA, PACIENTES, RECORRIDO)),
            ("gonz 30111", "gonz", (PACIENTES, RECORRIDO)),
        ):
            f = replace(filtro, texto=texto)
            expected = _listed(database, f, now)
            for modo in modos:
                for way, resolved_mode in ways.items():
                    forced = {"modo": modo, "completa": True, "guia": guia, "pacientes": many}

                    def plan(*_a: Any, forced: dict[str, Any] = forced, **_k: Any) -> Any:
                        return dict(forced)

                    monkeypatch.setattr(queue_conteo, "search_mode", plan)
                    monkeypatch.setattr(queue_conteo, "_resolved_mode", resolved_mode)
                    assert queue_conteo.por_partes(forced)
                    got = _both(database, f, now, None)
                    assert got == expected, (f, modo, way)
                    counted.add((got.pendientes, got.resueltas, got.atencion))
            monkeypatch.undo()
            # And as the plan itself picks it, in parts (as if every word were frequent) or not.
            assert _both(database, f, now, None) == expected, f
            monkeypatch.setattr(queue_conteo, "PAGE_PATIENTS", 0)
            assert _both(database, f, now, None) == expected, f
            monkeypatch.undo()
    # Real counts were compared: several sizes, attention and earlier days included.
    assert len(counted) > 6 and any(a for _, _, a in counted)
    assert max(p for p, _, _ in counted) >= 3  # "Pendientes" reached back (3 days open)


def test_the_cap_stops_at_tope_plus_one_whichever_part_reaches_it(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(database, clock)
    monkeypatch.setattr(queue_conteo, "PAGE_PATIENTS", 0)  # every word counted in parts
    now = clock()
    pendientes = QueueFilter.pendientes(now)
    zabala = replace(pendientes, texto="zabala")  # 3 open (today, 3 and 40 days ago)
    exact = _both(database, zabala, now, None)
    assert (exact.pendientes, exact.tope) == (3, None)
    # Part 1 reaches the cap: part 2 is not sent.
    with database.read() as uow, sent_statements(database) as sent:
        capped = queue_conteo.contar(uow.session, zabala, now, tope=2)
    assert (capped.pendientes, capped.resueltas, capped.tope, capped.total) == (3, 0, 2, 3)
    assert len(sent) == 2  # the plan and part 1
    assert _both(database, zabala, now, 2) == capped
    # Part 1 under the cap, the resolved ones over it: pendientes exact, total tope + 1.
    resolved = exact.resueltas
    assert resolved >= 3
    for tope in (3, exact.total - 1):
        got = _both(database, zabala, now, tope)
        assert (got.pendientes, got.resueltas, got.tope) == (3, tope + 1 - 3, tope)
    # Under the cap: exact.
    assert _both(database, zabala, now, exact.total) == exact
    # A word nobody has: nothing (the plan's NADA, no parts).
    assert _both(database, replace(pendientes, texto="zzxqw"), now, 2).total == 0


def test_only_a_frequent_guide_word_is_counted_in_parts() -> None:
    frequent = {"modo": UNIDA, "completa": True, "guia": "gonz", "pacientes": PAGE_PATIENTS + 1}
    rare = frequent | {"pacientes": PAGE_PATIENTS}
    assert queue_conteo.por_partes(frequent)  # "Pendientes"' reach back, a backlog day
    assert queue_conteo.por_partes(frequent | {"modo": PACIENTES})
    assert queue_conteo.por_partes(frequent | {"modo": RECORRIDO})  # a walk: capped
    assert not queue_conteo.por_partes(rare)  # one seek per patient either way
    assert not queue_conteo.por_partes(frequent | {"completa": False})  # DIM's names
    assert not queue_conteo.por_partes(frequent | {"guia": None})
    assert not queue_conteo.por_partes(frequent | {"modo": FILA})  # a normal day
    assert not queue_conteo.por_partes(None)


def test_the_resolved_ones_are_matched_by_the_sizes() -> None:
    few, many = queue_conteo.NARROW_ROWS, queue_conteo.NARROW_ROWS + 1
    rare = {"modo": UNIDA, "completa": True, "guia": "zapata", "pacientes": PAGE_PATIENTS}
    frequent = rare | {"pacientes": PAGE_PATIENTS + 1}
    resolved = queue_conteo._resolved_mode
    assert resolved(frequent, PAGE_PATIENTS)["modo"] == FILA  # a normal day: probe each
    assert resolved(rare, PAGE_PATIENTS + 1) == rare  # fewer patients than requests
    assert resolved(rare, many) == rare  # a backlog day: from the patients
    assert resolved(frequent, many)["modo"] == RANGO  # walk, each looked up in the list
    unknown = {k: v for k, v in rare.items() if k != "pacientes"}
    assert resolved(unknown, few)["modo"] == FILA
    assert resolved(unknown, many)["modo"] == RANGO


def test_the_parts_are_counted_on_the_partial_index_of_the_unresolved(
    database: Database,
) -> None:
    insp = inspect(database.engine)
    [ix] = [
        ix
        for ix in insp.get_indexes("solicitud_asistencia", schema=database.schema)
        if ix["name"] == INDEX
    ]
    assert ix["column_names"] == ["paciente_id", "fecha_subida", "resuelto", "fecha_baja"]
    where = str(ix.get("dialect_options", {}).get(f"{database.dialect}_where", "")).lower()
    assert "resuelto" in where and "fecha_baja is null" in where


def _requests(engine: Any, n: int) -> None:
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    rows = [
        {
            "paciente_id": i % 7,
            "fecha_subida": start + timedelta(minutes=i),
            "resuelto": i % 3 == 0,
            "version": 1,
        }
        for i in range(n)
    ]
    with engine.begin() as conn:
        conn.execute(insert(SolicitudAsistencia), rows)


def test_an_analyzed_sqlite_database_gets_the_new_index_statistics(tmp_path: Path) -> None:
    """Without statistics of its own, beside those of every other index, SQLite's planner takes
    the full (paciente_id, fecha_subida, …) index for the count (4.6 → 30 ms at 1M)."""
    analyzed = create_db_engine(sqlite_url(tmp_path / "analyzed.sqlite3"))
    never = create_db_engine(sqlite_url(tmp_path / "never.sqlite3"))
    try:
        for engine in (analyzed, never):
            migrate.upgrade(engine, "0111")
            _requests(engine, 300)
        with analyzed.begin() as conn:
            conn.execute(text("ANALYZE"))
        for engine in (analyzed, never):
            migrate.upgrade(engine)
        with analyzed.connect() as conn:
            stat = conn.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE idx = :ix"), {"ix": INDEX}
            ).scalar()
        assert stat is not None and int(stat.split()[0]) == 200  # the unresolved ones
        # A database never analyzed is left so (no statistics for one index only).
        assert not inspect(never).has_table("sqlite_stat1")
    finally:
        analyzed.dispose()
        never.dispose()
