"""Models and migrations round-trip on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select

from dim_revision.clock import FakeClock
from dim_revision.db import migrate
from dim_revision.db.models import Base, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from tests import factories


def test_schema_matches_models_after_upgrade(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert migrate.is_up_to_date(database.engine)


def test_downgrade_to_base_then_upgrade_again(database: Database) -> None:
    migrate.downgrade(database.engine, "base")
    remaining = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    migrate.upgrade(database.engine)
    assert migrate.current_revision(database.engine) == migrate.head_revision()


def test_queue_and_outbox_indexes_exist(database: Database) -> None:
    insp = inspect(database.engine)
    sol_ix = {tuple(ix["column_names"]) for ix in insp.get_indexes("solicitud_asistencia")}
    env_ix = {tuple(ix["column_names"]) for ix in insp.get_indexes("envio")}
    assert ("resuelto", "fecha_subida") in sol_ix
    assert ("paciente_id",) in sol_ix
    assert ("estado", "enviar_desde") in env_ix


def test_datetimes_round_trip_as_aware_utc(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        sol = factories.solicitud(uow.session, pac, clock() - timedelta(hours=1))
        uow.commit()
        sol_id = sol.id
    with database.uow() as uow:
        loaded = uow.session.get(SolicitudAsistencia, sol_id)
        assert loaded is not None
        assert loaded.fecha_subida == clock() - timedelta(hours=1)
        assert loaded.fecha_subida.utcoffset() == timedelta(0)


def test_attachment_bytes_are_deferred(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        factories.solicitud(uow.session, pac, clock(), files=2)
        uow.commit()
    with database.uow() as uow:
        adj = uow.session.scalars(select(SolicitudAdjunto)).first()
        assert adj is not None
        assert "contenido" not in adj.__dict__  # not loaded by the list query
        assert adj.contenido[:2] == b"\xff\xd8"  # loaded on access: a JPEG
