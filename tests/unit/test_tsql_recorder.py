"""The T-SQL recorder's verdicts, on constructs recorded directly (no database involved)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from dim_revision.db.dim_mapping import DimTables
from dim_revision.db.models import Envio, SolicitudAsistencia
from tests.layouts import LEGACY, STANDINS
from tests.tsql_check import TsqlParser, compile_statement, qmark_to_tsql
from tests.tsql_recorder import Recorder, Rejected

meta = sa.MetaData()
t = sa.Table(
    "t",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("flag", sa.Boolean),
    sa.Column("nombre", sa.Unicode(60)),
    sa.Column("nota", sa.UnicodeText),
    sa.Column("archivo", sa.LargeBinary),
)


@pytest.fixture(scope="module")
def parser() -> TsqlParser:
    return TsqlParser()


def verdict(parser: TsqlParser, *statements: object, backend: str = "sqlite") -> list[Rejected]:
    recorder = Recorder()
    for i, statement in enumerate(statements):
        recorder.record(statement, backend=backend, nodeid=f"test_{i}")
    return list(recorder.finish(parser).rejected)


def reasons(parser: TsqlParser, statement: object, backend: str = "sqlite") -> str:
    found = verdict(parser, statement, backend=backend)
    assert len(found) == 1, f"expected a rejection for {statement}"
    return " | ".join(found[0].reasons)


# --- rejected ------------------------------------------------------------------------------------


def test_is_false_is_rejected_by_the_grammar(parser: TsqlParser) -> None:
    stmt = sa.select(t.c.id).where(t.c.flag.is_(False))
    assert "IS 0" in compile_statement(stmt).sql
    assert "IS 0" in reasons(parser, stmt)
    assert "IS 1" in reasons(parser, sa.select(sa.func.count()).where(t.c.flag.is_(True)))
    assert "unparsable" in reasons(parser, "SELECT a FROM t WHERE x IS 0")


def test_group_by_order_by_distinct_over_max_columns(parser: TsqlParser) -> None:
    group = sa.select(t.c.nota, sa.func.count()).group_by(t.c.nota)
    assert "GROUP BY over NVARCHAR(max)/VARBINARY(max): t.nota" in reasons(parser, group)
    order = sa.select(t.c.id).order_by(t.c.nota.desc())
    assert "ORDER BY over NVARCHAR(max)/VARBINARY(max): t.nota" in reasons(parser, order)
    distinct = sa.select(t.c.nota).distinct()
    assert "DISTINCT over" in reasons(parser, distinct)
    counted = sa.select(sa.func.count(sa.distinct(t.c.archivo)))
    assert "DISTINCT over NVARCHAR(max)/VARBINARY(max): t.archivo" in reasons(parser, counted)
    union = sa.union(sa.select(t.c.nota), sa.select(t.c.nota))
    assert "UNION (distinct) over" in reasons(parser, union)


def test_comparisons_over_max_columns(parser: TsqlParser) -> None:
    assert "comparison (eq)" in reasons(parser, sa.select(t.c.id).where(t.c.nota == "x"))
    assert "comparison (in_op)" in reasons(parser, sa.select(t.c.id).where(t.c.nota.in_(["a"])))
    joined = sa.select(t.c.id).where(t.c.archivo != b"\x00")
    assert "comparison (ne) over NVARCHAR(max)/VARBINARY(max): t.archivo" in reasons(parser, joined)
    # Real columns of the app: the contact comment and the outbox's last error are NVARCHAR(max).
    ordered = sa.select(Envio.id).order_by(Envio.ultimo_error)
    assert "envio.ultimo_error" in reasons(parser, ordered)


def test_output_or_returning_on_dim_tables(parser: TsqlParser) -> None:
    dim = DimTables.build(LEGACY, "mssql")
    pac, obra = dim.paciente.table, dim.obra_social.table
    explicit = sa.insert(pac).values(dni=1).returning(pac.c.id)
    assert f"OUTPUT/RETURNING on DIM's table {pac.fullname}" in reasons(parser, explicit)
    updated = sa.update(obra).values(nombre="x").returning(obra.c.id)
    assert f"DIM's table {obra.fullname}" in reasons(parser, updated)
    standins = DimTables.build(STANDINS, "mssql")
    name = standins.adjunto.table.name
    raw = f"INSERT INTO {name} (turno_id) OUTPUT inserted.id VALUES (?)"
    assert f"OUTPUT on DIM's table {name}" in reasons(parser, raw)


def test_indexes_and_keys_over_max_columns(parser: TsqlParser) -> None:
    index = sa.Index("ix_t_nota", t.c.nota)
    assert "index or key over NVARCHAR(max)/VARBINARY(max): t.nota" in reasons(
        parser, CreateIndex(index)
    )
    keyed = sa.Table("k", sa.MetaData(), sa.Column("archivo", sa.LargeBinary, unique=True))
    assert "k.archivo" in reasons(parser, CreateTable(keyed))
    assert verdict(parser, CreateTable(t), CreateIndex(sa.Index("ix_t_nombre", t.c.nombre))) == []


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("SELECT id::text FROM t", "cast `::`"),
        ("SELECT id FROM t WHERE nombre ILIKE ?", "ILIKE"),
        ("INSERT INTO t (flag) VALUES (?) RETURNING id", "RETURNING"),
        ("SELECT id FROM t WHERE id = ? LIMIT 1", "LIMIT"),
        ("SELECT id FROM t ORDER BY nombre NULLS LAST", "NULLS FIRST/LAST"),
        ("SELECT id FROM t WHERE flag IS TRUE", "IS TRUE/FALSE"),
        ("SELECT id FROM t WHERE flag = false", "boolean literal"),
        ("SELECT substr(nombre, 1, 2) FROM t", "function SQL Server 2019 does not have"),
        ("SELECT greatest(id, 3) FROM t", "function SQL Server 2019 does not have"),
    ],
)
def test_forms_the_grammar_lets_through_are_rejected(
    parser: TsqlParser, sql: str, why: str
) -> None:
    """sqlfluff's tsql dialect inherits these from its ANSI base; SQL Server refuses them."""
    assert why in reasons(parser, sql)


def test_words_inside_literals_identifiers_and_comments_are_not_code(parser: TsqlParser) -> None:
    sql = "SELECT [limit], \"true\", 'a::b ILIKE' AS x FROM t -- LIMIT 1\nWHERE id = ?"
    assert verdict(parser, sql) == []


def test_for_update_is_rejected(parser: TsqlParser) -> None:
    stmt = sa.select(SolicitudAsistencia.id).with_for_update()
    assert "no FOR UPDATE" in reasons(parser, stmt)


def test_offset_without_order_by_has_no_sql_server_form(parser: TsqlParser) -> None:
    assert "requires an order_by" in reasons(parser, sa.select(t.c.id).offset(10))


def test_the_allow_list_only_applies_on_its_backend(parser: TsqlParser) -> None:
    assert verdict(parser, "BEGIN IMMEDIATE", backend="sqlite") == []
    assert verdict(parser, "PRAGMA foreign_keys=ON", backend="sqlite") == []
    # The same text from any other backend is checked: it is not T-SQL.
    assert len(verdict(parser, "BEGIN IMMEDIATE", backend="postgresql")) == 1
    assert len(verdict(parser, "PRAGMA foreign_keys=ON", backend="postgresql")) == 1
    fixture = 'TRUNCATE "envio", "evento" RESTART IDENTITY CASCADE'
    assert verdict(parser, sa.text(fixture), backend="postgresql") == []
    assert len(verdict(parser, sa.text(fixture), backend="sqlite")) == 1


# --- accepted ------------------------------------------------------------------------------------


def test_normal_forms_are_accepted(parser: TsqlParser) -> None:
    accepted = [
        sa.select(t.c.id).where(t.c.flag == sa.false()),
        sa.select(sa.func.sum(sa.case((t.c.flag == sa.true(), 1), else_=0))),
        sa.select(t).where(t.c.nota.is_(None), t.c.nota.like("%x%")),  # IS NULL and LIKE are fine
        sa.select(t.c.id).order_by(t.c.nombre, t.c.id).limit(50).offset(100),
        sa.select(t.c.id).where(t.c.id.in_([1, 2, 3])).limit(5),
        sa.select(t.c.nombre, sa.func.count()).group_by(t.c.nombre).distinct(),
        sa.update(t).where(t.c.id == 1, t.c.flag == sa.false()).values(flag=True),
        sa.delete(t).where(t.c.id == 1),
        sa.insert(Envio).returning(Envio.id),  # our table: OUTPUT is fine
        sa.insert(DimTables.build(STANDINS, "mssql").adjunto.table)
        .values(turno_id=1)
        .return_defaults(),  # implicit_returning off
        sa.text("SELECT 1"),
        sa.text("SELECT id FROM t WHERE nombre = :n"),
    ]
    assert verdict(parser, *accepted) == []


def test_paging_renders_offset_fetch_and_odbc_markers() -> None:
    sql = compile_statement(sa.select(t.c.id).order_by(t.c.id).limit(10).offset(20)).sql
    assert "OFFSET @P1 ROWS" in sql and "FETCH FIRST @P2 ROWS ONLY" in sql
    assert "TOP 7 " in compile_statement(sa.select(t.c.id).limit(7)).sql


def test_markers_inside_literals_and_identifiers_stay() -> None:
    assert qmark_to_tsql("SELECT '?', [a?], ? -- ?\n, ?") == "SELECT '?', [a?], @P1 -- ?\n, @P2"


def test_each_statement_once_with_the_first_test_that_issued_it(parser: TsqlParser) -> None:
    recorder = Recorder()
    bad = sa.select(t.c.id).where(t.c.flag.is_(False))
    recorder.record(bad, nodeid="tests/a.py::test_first")
    recorder.record(sa.select(t.c.id).where(t.c.flag.is_(False)), nodeid="tests/b.py::test_later")
    recorder.record(sa.select(t.c.id).where(t.c.flag == sa.false()), nodeid="tests/c.py::test_ok")
    report = recorder.finish(parser)
    assert report.checked == 2
    assert [r.nodeid for r in report.rejected] == ["tests/a.py::test_first"]
    assert "2 distinct statements parsed, 1 rejected" in report.summary()


def test_a_recorder_failure_is_a_rejection_not_an_exception(parser: TsqlParser) -> None:
    """Raising inside SQLAlchemy's before_execute would break the test (and leak its connection)."""
    assert "recorder: AttributeError" in reasons(parser, object())


class _NoParsing(TsqlParser):
    def __init__(self) -> None:
        pass

    def errors(self, sql: str) -> tuple[str, ...]:
        raise AssertionError(f"parsed again: {sql}")


def test_parses_from_an_earlier_run_are_reused() -> None:
    good = sa.select(t.c.id).where(t.c.flag == sa.false())
    bad = sa.select(t.c.id).where(t.c.flag.is_(False))
    first = Recorder()
    first.record(good, nodeid="a")
    first.record(bad, nodeid="b")
    assert len(first.finish(TsqlParser()).rejected) == 1
    again = Recorder(known=first.results)
    again.record(good, nodeid="a")
    again.record(bad, nodeid="b")
    report = again.finish(_NoParsing())
    assert report.cached == 2 and [r.nodeid for r in report.rejected] == ["b"]
    assert again.results == first.results
