"""SQLite's planner statistics kept near the queue's size (`db.sqlite_stats`): a database never
analyzed, or analyzed when the queue was a fraction of its size, is analyzed once in the
background; fresh statistics are left alone; PostgreSQL keeps its own (real files, real
server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from dim_revision.db import sqlite_stats
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.services import queue_window
from tests import factories as f

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _requests(db: Database, n: int) -> None:
    """`n` plain requests of one patient, inserted in one statement."""
    with db.write() as uow:
        pac = f.paciente(uow.session)
        rows = [
            {
                "paciente_id": pac.id,
                "fecha_subida": START + timedelta(minutes=i),
                "telefono_verificado": True,
                "email_verificado": True,
                "resuelto": i % 3 == 0,
                "version": 1,
            }
            for i in range(n)
        ]
        uow.session.execute(insert(SolicitudAsistencia), rows)
        uow.commit()


def _analyzed_rows(db: Database) -> int | None:
    return sqlite_stats._analyzed_rows(db)


@pytest.fixture
def small_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_stats, "MIN_ROWS", 20)


@pytest.mark.usefixtures("small_minimum")
def test_a_queue_never_analyzed_is_analyzed_once_and_fresh_statistics_are_left_alone(
    sqlite_db: Database,
) -> None:
    _requests(sqlite_db, 30)
    assert _analyzed_rows(sqlite_db) is None
    assert sqlite_stats.stale(sqlite_db)

    assert sqlite_stats.refresh_if_stale(sqlite_db) is True
    assert _analyzed_rows(sqlite_db) == 30
    assert not sqlite_stats.stale(sqlite_db)
    assert sqlite_stats.refresh_if_stale(sqlite_db) is False  # nothing to do: no write lock taken


@pytest.mark.usefixtures("small_minimum")
def test_statistics_taken_when_the_queue_was_a_fraction_of_its_size_are_taken_again(
    sqlite_db: Database,
) -> None:
    _requests(sqlite_db, 30)
    assert sqlite_stats.refresh_if_stale(sqlite_db)
    _requests(sqlite_db, 30 * (sqlite_stats.GROWTH - 1) - 1)  # not yet GROWTH times bigger
    assert not sqlite_stats.stale(sqlite_db)
    _requests(sqlite_db, 1)
    assert sqlite_stats.stale(sqlite_db)
    assert sqlite_stats.refresh_if_stale(sqlite_db)
    assert _analyzed_rows(sqlite_db) == 30 * sqlite_stats.GROWTH


def test_a_small_queue_is_not_analyzed(sqlite_db: Database) -> None:
    _requests(sqlite_db, 30)  # under MIN_ROWS: every plan is fast, no write lock for it
    assert not sqlite_stats.stale(sqlite_db)
    assert sqlite_stats.refresh_if_stale(sqlite_db) is False
    assert _analyzed_rows(sqlite_db) is None


@pytest.mark.usefixtures("small_minimum")
def test_the_grids_background_upkeep_analyzes_a_stale_queue(sqlite_db: Database) -> None:
    _requests(sqlite_db, 30)
    queue_window.preparar_busqueda(sqlite_db)
    assert _analyzed_rows(sqlite_db) == 30


@pytest.mark.usefixtures("small_minimum")
def test_postgresql_keeps_its_own_statistics(pg_db: Database) -> None:
    _requests(pg_db, 30)
    sent: list[str] = []
    event.listen(pg_db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    assert sqlite_stats.refresh_if_stale(pg_db) is False
    assert sent == []  # not even a look at SQLite's tables
