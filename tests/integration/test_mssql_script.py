"""The DBA's script: `db upgrade --sql` for SQL Server parses as T-SQL, starts with the session
settings, runs in GO batches and names every default constraint; schema-qualified tables stay
qualified."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.ddl.base import AddColumn, ColumnDefault
from sqlalchemy.schema import CreateTable

from dim_revision.cli import main
from dim_revision.db.models import Base
from dim_revision.db.mssql_script import SCRIPT_HEADER, install_named_defaults
from tests.tsql_check import TsqlParser, is_large, lexical_problems, mssql_dialect

MSSQL_URL = "mssql+pyodbc://SQLDIM01/DIM?driver=ODBC+Driver+18+for+SQL+Server"


@pytest.fixture(scope="module")
def parser() -> TsqlParser:
    return TsqlParser()


def _script(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["--db", MSSQL_URL, "db", "upgrade", "--sql", *extra]) == 0
    return capsys.readouterr().out


def test_the_script_parses_as_tsql(capsys: pytest.CaptureFixture[str], parser: TsqlParser) -> None:
    script = _script(capsys)
    assert parser.errors(script) == ()
    assert list(lexical_problems(script)) == []  # what the grammar lets through
    # Each step on its own too (what a DBA gets for a later release).
    assert parser.errors(_script(capsys, "--revision", "0001:head")) == ()


def test_session_settings_first_then_go_batches(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys)
    assert script.startswith(SCRIPT_HEADER)
    head = script[: script.index("GO")]
    for setting in (
        "SET XACT_ABORT ON;",
        "SET QUOTED_IDENTIFIER ON;",
        "SET ANSI_NULLS ON;",
        "SET ANSI_PADDING ON;",
        "SET ANSI_WARNINGS ON;",
        "SET ARITHABORT ON;",
        "SET CONCAT_NULL_YIELDS_NULL ON;",
        "SET NUMERIC_ROUNDABORT OFF;",
    ):
        assert setting in head
    batches = [b.strip() for b in re.split(r"^GO$", script, flags=re.M)]
    assert batches[-1] == ""  # the script ends with GO
    creates = [b for b in batches if "CREATE TABLE" in b]
    assert all(b.count("CREATE TABLE") == 1 for b in creates)  # one statement per batch
    assert len(creates) == len(Base.metadata.tables) + 1  # + alembic_version
    assert script.count("BEGIN TRANSACTION;") == script.count("COMMIT;") >= 1


def test_every_default_constraint_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys)
    expected = {
        f"CONSTRAINT df_{t.name}_{c.name} DEFAULT"
        for t in Base.metadata.tables.values()
        for c in t.columns
        if c.server_default is not None
    }
    assert expected  # `version` columns
    assert all(e in script for e in expected)
    named = re.findall(r"CONSTRAINT df_\w+ DEFAULT\b", script)
    assert len(re.findall(r"\bDEFAULT\b", script)) == len(named) == len(expected)


def test_no_index_or_key_over_max_columns() -> None:
    """SQL Server refuses NVARCHAR(max)/VARBINARY(max) as an index or key column."""
    bad = [
        f"{t.name}.{c.name}"
        for t in Base.metadata.tables.values()
        for keyed in [*t.indexes, *t.constraints]
        if not isinstance(keyed, sa.CheckConstraint)
        for c in getattr(keyed, "columns", ())
        if is_large(c)
    ]
    assert bad == []


def test_schema_qualified_tables_stay_qualified(parser: TsqlParser) -> None:
    install_named_defaults()
    meta = sa.MetaData()
    table = sa.Table(
        "envio",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        schema="revision",
    )
    create = str(CreateTable(table).compile(dialect=mssql_dialect()))
    assert "CREATE TABLE revision.envio" in create
    assert "CONSTRAINT df_envio_version DEFAULT 1" in create
    added = sa.Column("intentos", sa.Integer, nullable=False, server_default=sa.text("0"))
    table.append_column(added)
    add = str(AddColumn("envio", added, schema="revision").compile(dialect=mssql_dialect()))
    assert add == (
        "ALTER TABLE revision.envio ADD intentos INTEGER NOT NULL "
        "CONSTRAINT df_envio_intentos DEFAULT 0"
    )
    default = str(
        ColumnDefault("envio", "intentos", sa.text("1"), schema="revision").compile(
            dialect=mssql_dialect()
        )
    )
    assert default == (
        "ALTER TABLE revision.envio ADD CONSTRAINT df_envio_intentos DEFAULT 1 FOR intentos"
    )
    for sql in (create, add, default):
        assert parser.errors(sql) == (), sql


def test_the_least_privilege_script_in_the_docs_parses(parser: TsqlParser) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "database.md").read_text("utf-8")
    section = doc[doc.index("<!-- issue 11 item 6: least-privilege login") :]
    section = section[: section.index("<!-- end: least-privilege login -->")]
    script = section[section.index("```sql\n") + len("```sql\n") :]
    script = script[: script.index("```")]
    script = script.replace("$(ESQUEMA)", "revision").replace("$(LOGIN)", r"DOMINIO\CallCenter")
    assert parser.errors(script) == ()
    # The optional writes, once uncommented, are valid too.
    optional = re.sub(r"^-- (GRANT (INSERT|UPDATE) )", r"\1", script, flags=re.M)
    assert optional.count("\nGRANT INSERT") == 1 and "\nGRANT UPDATE ([telefono_movil])" in optional
    assert parser.errors(optional) == ()
    statements = [line for line in script.splitlines() if line and not line.startswith("--")]
    assert not [s for s in statements if "EXECUTE" in s or "db_owner" in s or "CONTROL" in s]
    writes = [s for s in statements if s.startswith("GRANT") and "INSERT" in s]
    assert writes == [
        "GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::[revision] TO dim_revision_app;"
    ]
