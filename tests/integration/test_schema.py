"""Models and migrations round-trip on SQLite and PostgreSQL, on both DIM layouts: our tables in
our own schema with our own alembic_version, DIM's tables never touched by our migrations."""

from __future__ import annotations

import dataclasses
import io
import shutil
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import func, inspect, select

from dim_revision.clock import FakeClock
from dim_revision.config import DimSettings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Base, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from tests import factories
from tests.layouts import LEGACY

OURS = {t.name for t in Base.metadata.sorted_tables}


def _dim_counts(db: Database) -> dict[str, int]:
    with db.uow() as uow:
        return {
            e: int(uow.session.scalar(select(func.count()).select_from(t.table)) or 0)
            for e, t in db.dim.todas.items()
        }


def test_schema_matches_models_after_upgrade(database: Database) -> None:
    insp = inspect(database.engine)
    tables = set(insp.get_table_names(schema=database.schema))
    assert OURS | {"alembic_version"} <= tables
    assert migrate.is_up_to_date(database)
    if database.dialect == "postgresql":
        assert database.schema == "revision"
        dim_schemas = {t.table.schema for t in database.dim.todas.values()}
        assert dim_schemas == ({"public"} if database.dim_settings.modo == "standins" else {"dbo"})
        # Nothing of ours in DIM's schemas.
        for schema in dim_schemas:
            assert not OURS & set(insp.get_table_names(schema=schema))
            assert "alembic_version" not in insp.get_table_names(schema=schema)


def test_no_foreign_key_of_ours_points_into_dim(database: Database) -> None:
    insp = inspect(database.engine)
    for table in OURS:
        for fk in insp.get_foreign_keys(table, schema=database.schema):
            assert fk["referred_table"] in OURS, (table, fk)


def test_downgrade_to_base_then_upgrade_again(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        factories.turno(uow.session, factories.paciente(uow.session), clock())
        uow.commit()
    dim_before = _dim_counts(database)
    migrate.downgrade(database, "base")
    remaining = set(inspect(database.engine).get_table_names(schema=database.schema))
    assert not remaining & OURS
    assert _dim_counts(database) == dim_before  # DIM's tables and rows untouched
    migrate.upgrade(database)
    assert migrate.current_revision(database) == migrate.head_revision()
    assert _dim_counts(database) == dim_before


def test_existing_mode_never_creates_dim_tables(tmp_path: Path) -> None:
    """`modo = "existente"` on a database without DIM's tables: only ours appear."""
    engine = create_db_engine(sqlite_url(tmp_path / "existente.sqlite3"))
    db = Database(engine, LEGACY)
    migrate.upgrade(db)
    assert set(inspect(engine).get_table_names()) == OURS | {"alembic_version"}
    db.dispose()


def test_standins_follow_the_mapping(tmp_path: Path) -> None:
    """In stand-ins mode the DIM tables are created from the mapping, whatever its names."""
    engine = create_db_engine(sqlite_url(tmp_path / "legacy-standins.sqlite3"))
    db = Database(engine, dataclasses.replace(LEGACY, modo="standins"))
    migrate.upgrade(db)
    tables = set(inspect(engine).get_table_names())
    assert {"Pacientes", "ObrasSociales", "Planes", "Prestaciones", "Turnos"} <= tables
    assert "paciente" not in tables
    columns = {c["name"] for c in inspect(engine).get_columns("Pacientes")}
    assert {"IdPaciente", "NroDocumento", "ApellidoNombre", "CelularNro"} <= columns
    db.dispose()


LATER = """
import sqlalchemy as sa
from alembic import op

revision = "0999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("envio", sa.Column("nota_prueba", sa.Unicode(20), nullable=True))
    op.create_table("tabla_prueba", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index("ix_envio_nota_prueba", "envio", ["nota_prueba"])


def downgrade() -> None:
    op.drop_index("ix_envio_nota_prueba", table_name="envio")
    op.drop_table("tabla_prueba")
    op.drop_column("envio", "nota_prueba")
"""


def test_a_later_plain_migration_lands_in_our_schema(database: Database, tmp_path: Path) -> None:
    """Later revisions write `op.add_column("envio", ...)` with no schema: env.py puts them in
    ours (see migrations/README.md), online and in the offline script."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0999_prueba.py").write_text(
        LATER.format(head=migrate.head_revision()), encoding="utf-8"
    )
    cfg = migrate.alembic_config(database._base_engine, schema=database.schema)
    cfg.set_main_option("script_location", str(folder))
    command.upgrade(cfg, "head")
    insp = inspect(database.engine)
    columns = {c["name"] for c in insp.get_columns("envio", database.schema)}
    assert "nota_prueba" in columns
    assert "tabla_prueba" in insp.get_table_names(schema=database.schema)
    command.downgrade(cfg, "-1")
    columns = {c["name"] for c in inspect(database.engine).get_columns("envio", database.schema)}
    assert "nota_prueba" not in columns
    if database.dialect == "postgresql":
        out = io.StringIO()
        offline = migrate.alembic_config(url="mssql+pyodbc://h/db", output=out, schema="revision")
        offline.set_main_option("script_location", str(folder))
        command.upgrade(offline, "head", sql=True)
        assert "ALTER TABLE revision.envio ADD nota_prueba NVARCHAR(20)" in out.getvalue()
        assert "CREATE INDEX ix_envio_nota_prueba ON revision.envio" in out.getvalue()


def test_upgrade_sql_for_postgresql_is_schema_qualified() -> None:
    sql = migrate.upgrade_sql("postgresql://u@h/db", dim=DimSettings(modo="existente"))
    assert "CREATE SCHEMA IF NOT EXISTS revision" in sql
    assert "CREATE TABLE revision.solicitud_asistencia" in sql
    assert "CREATE TABLE revision.alembic_version" in sql
    for dim_table in ("paciente", "obra_social", "plan_cobertura", "prestacion_definicion"):
        assert f"CREATE TABLE {dim_table}" not in sql and f"revision.{dim_table} " not in sql
    assert "REFERENCES paciente" not in sql and "REFERENCES turno" not in sql


def test_queue_and_outbox_indexes_exist(database: Database) -> None:
    insp = inspect(database.engine)
    sol_ix = {
        tuple(ix["column_names"])
        for ix in insp.get_indexes("solicitud_asistencia", schema=database.schema)
    }
    env_ix = {tuple(ix["column_names"]) for ix in insp.get_indexes("envio", schema=database.schema)}
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
