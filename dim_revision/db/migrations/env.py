"""Alembic environment: the engine (online) or URL (offline --sql) is passed in by `migrate.py`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import make_url

from dim_revision.db.models import Base
from dim_revision.db.mssql_script import install_named_defaults

config = context.config
target_metadata = Base.metadata
install_named_defaults()  # SQL Server: named default constraints, online and offline


def run_offline() -> None:
    url = make_url(config.attributes["url"])
    dialect_opts = {"deprecate_large_types": True} if url.get_backend_name() == "mssql" else {}
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts=dialect_opts,
        render_as_batch=url.get_backend_name() == "sqlite",
        transaction_per_migration=True,
    )
    dialect = context.get_context().dialect
    if dialect.name == "mssql":
        # Offline there is no server to ask its version; target SQL Server 2019 so DATE, DATETIME2
        # and VARBINARY(max) are emitted instead of the pre-2008 fallbacks.
        dialect.server_version_info = (15, 0)
        dialect._setup_version_attributes()  # type: ignore[attr-defined]
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
