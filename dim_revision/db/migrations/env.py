"""Alembic environment: the engine (online) or URL (offline --sql) is passed in by `migrate.py`.

Our tables are written without a schema in the revision files; here they are put in our own
schema (`config.attributes["schema"]`, e.g. `revision`) by a `schema_translate_map` on the
migration connection (offline: the same translation in the SQL compiler), and `alembic_version`
lives there too. See README.md in this folder.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import make_url

from dim_revision.db.dim_mapping import crear_esquema
from dim_revision.db.models import Base
from dim_revision.db.mssql_script import install_named_defaults

config = context.config
target_metadata = Base.metadata
schema: str | None = config.attributes.get("schema")

# Alembic operations that name a table by string (add/drop/alter column, rename) render
# `ALTER TABLE <name>` without asking the schema translate map; give them our schema here.
_BY_NAME = ("add_column", "drop_column", "alter_column", "rename_table")


def _default_schema_for_named_ops() -> None:
    if not schema:
        return
    impl = context.get_context().impl
    for name in _BY_NAME:
        original = getattr(impl, name)

        def in_our_schema(*args: Any, _original: Any = original, **kw: Any) -> Any:
            if kw.get("schema") is None:
                kw["schema"] = schema
            return _original(*args, **kw)

        setattr(impl, name, in_our_schema)


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
        version_table_schema=schema,
    )
    dialect = context.get_context().dialect
    if dialect.name == "mssql":
        # Offline there is no server to ask its version; target SQL Server 2019 so DATE, DATETIME2
        # and VARBINARY(max) are emitted instead of the pre-2008 fallbacks.
        dialect.server_version_info = (15, 0)
        dialect._setup_version_attributes()  # type: ignore[attr-defined]
    if schema:
        # The offline twin of schema_translate_map: unqualified tables render in our schema.
        preparer = dialect.identifier_preparer

        def in_our_schema(obj: Any) -> str:
            return str(obj.schema if obj.schema is not None else schema)

        preparer.schema_for_object = in_our_schema
    _default_schema_for_named_ops()
    with context.begin_transaction():
        if schema and dialect.name == "postgresql":
            context.execute(f"CREATE SCHEMA IF NOT EXISTS {preparer.quote_schema(schema)}")
        elif schema and dialect.name == "mssql":
            quoted = preparer.quote_schema(schema)
            context.execute(f"IF SCHEMA_ID(N'{schema}') IS NULL EXEC(N'CREATE SCHEMA {quoted}')")
        context.run_migrations()


def run_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        if schema:
            crear_esquema(connection, schema)
            connection.commit()
            connection.execution_options(schema_translate_map={None: schema})
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            version_table_schema=schema,
        )
        _default_schema_for_named_ops()
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
