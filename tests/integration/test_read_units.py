"""Read units of work never take SQLite's write lock; writes still begin IMMEDIATE."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from dim_revision.db.engine import create_db_engine
from dim_revision.db.models import Operador
from dim_revision.db.uow import Database

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _second(db: Database) -> Database:
    """Another connection pool on the same file, with a short busy timeout: a writer that had
    to wait would fail fast with "database is locked" instead of stalling the test."""
    engine = create_db_engine(db.engine.url.render_as_string(hide_password=False))

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    return Database(engine, db.dim_settings)


def test_an_open_read_does_not_block_a_writer(sqlite_db: Database) -> None:
    other = _second(sqlite_db)
    try:
        with sqlite_db.read() as reader:
            before = reader.session.scalar(select(func.count()).select_from(Operador))
            with other.write() as writer:
                writer.session.add(
                    Operador(usuario="nuevo", nombre="Nuevo", rol="operador", creado=NOW)
                )
                writer.commit()  # would raise "database is locked" if the reader held the lock
            # The reader's snapshot is stable inside its transaction.
            again = reader.session.scalar(select(func.count()).select_from(Operador))
            assert again == before
        with sqlite_db.read() as fresh:
            assert fresh.session.scalar(select(func.count()).select_from(Operador)) == (
                (before or 0) + 1
            )
    finally:
        other.dispose()


def test_a_write_unit_still_locks_out_a_second_writer(sqlite_db: Database) -> None:
    other = _second(sqlite_db)
    try:
        with sqlite_db.write() as first:
            first.session.execute(update(Operador).values(nombre=Operador.nombre))
            with pytest.raises(OperationalError, match="locked"), other.write() as second:
                second.session.connection()
    finally:
        other.dispose()


def test_a_read_unit_refuses_to_commit(database: Database) -> None:
    with database.read() as uow, pytest.raises(RuntimeError, match="write"):
        uow.commit()
