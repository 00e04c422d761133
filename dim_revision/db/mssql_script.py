"""SQL Server DDL the way a DBA runs it: session settings, named default constraints.

`db upgrade --sql` for SQL Server starts with `SCRIPT_HEADER` (run it with
`sqlcmd -b -I -i script.sql`; see docs/database.md) and Alembic separates the batches with `GO`.
`install_named_defaults()` makes every server default a named constraint (`df_<table>_<column>`)
in CREATE TABLE, ADD column and ALTER ... ADD DEFAULT, so a later migration can drop it by name
instead of looking up the random `DF__tabla__col__1A2B3C4D` name SQL Server would invent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column

# XACT_ABORT: any error rolls the whole migration's transaction back (no half-applied step).
# The other settings are the ones SQL Server requires to create (and later write through) the
# filtered unique index on `envio`; sqlcmd's own defaults differ (QUOTED_IDENTIFIER needs -I).
SCRIPT_HEADER = """\
-- DIM Revisión: esquema para SQL Server. Ejecutar con: sqlcmd -b -I -S SERVIDOR -d BASE -i script.sql
SET XACT_ABORT ON;
SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET ANSI_PADDING ON;
SET ANSI_WARNINGS ON;
SET ARITHABORT ON;
SET CONCAT_NULL_YIELDS_NULL ON;
SET NUMERIC_ROUNDABORT OFF;

GO

"""

MAX_IDENTIFIER = 128
_installed = False


def default_constraint_name(table: str, column: str) -> str:
    return f"df_{table}_{column}"[:MAX_IDENTIFIER]


def _named(compiler: Any, column: Column[Any], spec: str) -> str:
    """`spec` (a column specification) with its trailing `DEFAULT x` named."""
    if column.server_default is None or column.table is None:
        return spec
    default = compiler.get_column_default_string(column)
    tail = f" DEFAULT {default}"
    if default is None or not spec.endswith(tail):
        return spec
    name = compiler.preparer.quote(default_constraint_name(column.table.name, column.name))
    return f"{spec[: -len(tail)]} CONSTRAINT {name}{tail}"


def install_named_defaults() -> None:
    """Register the mssql DDL overrides (once per process; Alembic's own are replaced)."""
    global _installed
    if _installed:
        return
    import alembic.ddl.mssql  # noqa: F401  (its @compiles first, so ours win)
    from alembic.ddl.base import (
        AddColumn,
        ColumnDefault,
        alter_table,
        format_column_name,
        format_server_default,
    )
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.schema import CreateColumn

    @compiles(CreateColumn, "mssql")
    def _create_column(element: CreateColumn, compiler: Any, **kw: Any) -> str | None:
        column = element.element
        full = compiler.visit_create_column(element, **kw)
        if full is None:
            return None
        spec = compiler.get_column_specification(column, first_pk=kw.get("first_pk", False))
        if not full.startswith(spec):
            return str(full)
        return _named(compiler, column, spec) + full[len(spec) :]

    @compiles(AddColumn, "mssql")
    def _add_column(element: AddColumn, compiler: Any, **kw: Any) -> str:
        spec = compiler.get_column_specification(element.column, **kw)
        return (
            f"{alter_table(compiler, element.table_name, element.schema)} "
            f"ADD {_named(compiler, element.column, spec)}"
        )

    @compiles(ColumnDefault, "mssql")
    def _column_default(element: ColumnDefault, compiler: Any, **kw: Any) -> str:
        name = compiler.preparer.quote(
            default_constraint_name(element.table_name, element.column_name)
        )
        return (
            f"{alter_table(compiler, element.table_name, element.schema)} "
            f"ADD CONSTRAINT {name} DEFAULT {format_server_default(compiler, element.default)} "
            f"FOR {format_column_name(compiler, element.column_name)}"
        )

    _installed = True
