"""Alembic, driven from code (no alembic.ini to ship): upgrade, downgrade, current, offline SQL."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, make_url

from dim_revision.db.mssql_script import SCRIPT_HEADER

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(
    engine: Engine | None = None, url: str | None = None, output: io.StringIO | None = None
) -> Config:
    cfg = Config(output_buffer=output) if output is not None else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    if url is not None:
        cfg.attributes["url"] = url
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def upgrade_sql(url: str, revision: str = "head") -> str:
    """The DDL for a DBA to review and run (offline mode needs no server). For SQL Server it
    starts with the session settings the script needs and is split into `GO` batches."""
    buffer = io.StringIO()
    if make_url(url).get_backend_name() == "mssql":
        buffer.write(SCRIPT_HEADER)
    command.upgrade(alembic_config(url=url, output=buffer), revision, sql=True)
    return buffer.getvalue()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
