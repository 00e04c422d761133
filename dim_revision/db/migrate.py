"""Alembic, driven from code (no alembic.ini to ship): upgrade, downgrade, current, offline SQL.

The migrations cover only our own tables, in our own schema (`[dim] esquema_propio`), with our
own `alembic_version` there. In `[dim] modo = "standins"` (demo, tests) `upgrade` then creates
stand-ins for DIM's tables from the mapping; in `"existente"` it never touches a DIM table.
"""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, make_url

from dim_revision.config import DimSettings
from dim_revision.db.dim_mapping import esquema_propio
from dim_revision.db.mssql_script import SCRIPT_HEADER
from dim_revision.db.uow import Database
from dim_revision.errors import UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(
    engine: Engine | None = None,
    url: str | None = None,
    output: io.StringIO | None = None,
    schema: str | None = None,
) -> Config:
    cfg = Config(output_buffer=output) if output is not None else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    if url is not None:
        cfg.attributes["url"] = url
    cfg.attributes["schema"] = schema
    return cfg


def _database(target: Database | Engine, dim: DimSettings | None) -> Database:
    if isinstance(target, Database):
        return target
    return Database(target, dim)


def _config(db: Database) -> Config:
    return alembic_config(db._base_engine, schema=db.schema)


def upgrade(
    target: Database | Engine, revision: str = "head", dim: DimSettings | None = None
) -> None:
    db = _database(target, dim)
    command.upgrade(_config(db), revision)
    if db.dim_settings.modo == "standins":
        with db._base_engine.begin() as conn:
            db.dim.create_standins(conn)


def downgrade(target: Database | Engine, revision: str, dim: DimSettings | None = None) -> None:
    """Our tables only; stand-ins for DIM's tables are left as they are."""
    command.downgrade(_config(_database(target, dim)), revision)


def upgrade_sql(url: str, revision: str = "head", dim: DimSettings | None = None) -> str:
    """The DDL for a DBA to review and run (offline mode needs no server); our tables only.
    For SQL Server it starts with the session settings the script needs and is split into `GO`
    batches."""
    buffer = io.StringIO()
    if make_url(url).get_backend_name() == "mssql":
        buffer.write(SCRIPT_HEADER)
    schema = esquema_propio(dim or DimSettings(), make_url(url).get_backend_name())
    command.upgrade(alembic_config(url=url, output=buffer, schema=schema), revision, sql=True)
    return buffer.getvalue()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(target: Database | Engine, dim: DimSettings | None = None) -> str | None:
    db = _database(target, dim)
    with db._base_engine.connect() as conn:
        opts = {"version_table_schema": db.schema} if db.schema else {}
        return MigrationContext.configure(conn, opts=opts).get_current_revision()


def is_up_to_date(target: Database | Engine, dim: DimSettings | None = None) -> bool:
    return current_revision(target, dim) == head_revision()


def esquema_anterior(target: Database | Engine, dim: DimSettings | None = None) -> bool:
    """A database made by the first 0001 (DIM stand-ins mixed with our tables, issue #11)."""
    db = _database(target, dim)
    insp = inspect(db._base_engine)
    if not insp.has_table("solicitud_asistencia", schema=db.schema):
        return False
    columnas = {c["name"] for c in insp.get_columns("solicitud_asistencia", schema=db.schema)}
    return "movil_ingresado" not in columnas


def exigir_esquema_actual(db: Database, *, reset: str) -> None:
    if esquema_anterior(db):
        raise UserError(
            "La base fue creada por una versión anterior que mezclaba las tablas de DIM con las "
            f"nuestras; no se puede actualizar en el lugar. Si es la demostración, ejecutá: {reset}"
        )
