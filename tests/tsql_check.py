"""What SQL Server 2019 would receive for a statement, and whether it would accept it.

`compile_statement` compiles a SQLAlchemy construct (or takes a driver-level string) for the mssql
dialect configured as a live SQL Server 2019 connection would configure it, renders the bound
parameters as the ODBC driver sends them (`@P1`, `@P2`, …) and runs the checks a grammar cannot
make on the construct itself. `TsqlParser` parses the text with sqlfluff's `tsql` dialect.
Used by the recording plugin (`tests/tsql_recorder.py`) and by the offline-DDL tests.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.sql import operators, sqltypes, visitors
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    ColumnClause,
    Grouping,
    Label,
    UnaryExpression,
    _label_reference,
)
from sqlalchemy.sql.selectable import CompoundSelect, Select
from sqlalchemy.types import TypeDecorator

# SQL Server refuses a request with more parameters than this.
MAX_PARAMETERS = 2100

# What a live connection reports for SQL Server 2019 (RTM); decides OFFSET/FETCH paging,
# DATETIME2/DATE and NVARCHAR(max) rendering.
SQL_SERVER_2019 = (15, 0, 2000, 5)

COMPARISONS = frozenset(
    {
        operators.eq,
        operators.ne,
        operators.lt,
        operators.le,
        operators.gt,
        operators.ge,
        operators.in_op,
        operators.not_in_op,
        operators.between_op,
        operators.not_between_op,
        operators.is_distinct_from,
        operators.is_not_distinct_from,
    }
)


@dataclass(frozen=True)
class Compiled:
    """The text SQL Server would receive and the problems found on the construct."""

    sql: str
    problems: tuple[str, ...] = ()


@cache
def mssql_dialect() -> Dialect:
    """The mssql+pyodbc dialect as `dim_revision/db/engine.py` creates it, after it has connected
    to a SQL Server 2019 (what `initialize()` would learn from the server, set by hand)."""
    from sqlalchemy.dialects.mssql.pyodbc import MSDialect_pyodbc

    dialect = MSDialect_pyodbc(
        paramstyle="qmark", deprecate_large_types=True, fast_executemany=True
    )
    dialect.server_version_info = SQL_SERVER_2019
    dialect._setup_version_attributes()  # type: ignore[attr-defined]
    dialect._supports_nvarchar_max = True  # type: ignore[attr-defined]
    dialect.default_schema_name = "dbo"
    return dialect


@cache
def dim_table_names() -> frozenset[str]:
    """DIM's own tables (lower-case names, with and without schema) in every layout the suite
    runs on: no OUTPUT/RETURNING there, since they may carry triggers. Constructs are also
    recognised by `Table.info["dim"]`, which `dim_mapping` sets on every DIM table."""
    from dim_revision.db.dim_mapping import DimTables
    from tests.layouts import LAYOUTS

    names: set[str] = set()
    for settings in LAYOUTS.values():
        for dim_table in DimTables.build(settings, "mssql").todas.values():
            names.add(dim_table.table.name.lower())
            names.add(dim_table.table.fullname.lower())
    if not names:  # the mapping moved: follow it here, or the OUTPUT check would check nothing
        raise RuntimeError("no DIM tables found in the [dim] layouts")
    return frozenset(names)


# --- compiling -----------------------------------------------------------------------------------

# Quoted strings, quoted identifiers and comments are copied as they are; a `?` outside them is a
# parameter marker, which the ODBC driver sends to SQL Server as @P1, @P2, …
_QMARK_SCAN = re.compile(
    r"'(?:[^']|'')*'|\[(?:[^\]]|\]\])*\]|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.S
)
_PYFORMAT = re.compile(r"%\((\w+)\)s|%s|%%")


def qmark_to_tsql(sql: str) -> str:
    counter = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal counter
        if m.group(0) != "?":
            return m.group(0)
        counter += 1
        return f"@P{counter}"

    return _QMARK_SCAN.sub(repl, sql)


def pyformat_to_tsql(sql: str) -> str:
    """psycopg's `%(name)s` / `%s` markers (driver-level strings on PostgreSQL)."""
    counter = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal counter
        if m.group(0) == "%%":
            return "%"
        counter += 1
        return f"@{m.group(1)}" if m.group(1) else f"@P{counter}"

    return _PYFORMAT.sub(repl, sql)


# Forms sqlfluff's tsql grammar accepts (it inherits them from its ANSI base) although
# SQL Server 2019 rejects them. Searched outside literals, quoted identifiers and comments.
NOT_TSQL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), why)
    for pattern, why in (
        (r"::", "PostgreSQL cast `::` (use CAST)"),
        (r"\bILIKE\b", "ILIKE (SQL Server has only LIKE; collations decide case)"),
        (r"\bRETURNING\b", "RETURNING (SQL Server uses OUTPUT)"),
        (r"\bLIMIT\b", "LIMIT (SQL Server uses TOP or OFFSET/FETCH)"),
        (r"\bNULLS\s+(FIRST|LAST)\b", "NULLS FIRST/LAST (not in SQL Server)"),
        (r"\bIS\s+(NOT\s+)?(TRUE|FALSE|UNKNOWN)\b", "IS TRUE/FALSE (compare with = 1 / = 0)"),
        (r"(?<![\w@#$.])(TRUE|FALSE)\b", "boolean literal TRUE/FALSE (SQL Server has 1/0)"),
        (
            r"(?<![\w@#$.])(now|substr|length|ifnull|instr|strftime|julianday|date_trunc|to_char|"
            r"to_date|to_timestamp|extract|random|group_concat|array_agg|greatest|least|"
            r"char_length|regexp_\w+|json_extract|unixepoch)\s*\(",
            "function SQL Server 2019 does not have (SQLite/PostgreSQL only)",
        ),
    )
)


def lexical_problems(sql: str) -> Iterable[str]:
    code = _QMARK_SCAN.sub(lambda m: m.group(0) if m.group(0) == "?" else " ", sql)
    for pattern, why in NOT_TSQL:
        m = pattern.search(code)
        if m:
            yield f"{why}: «{m.group(0).strip()}»"


def compile_statement(
    statement: Any,
    parameters: Sequence[Mapping[str, Any]] = (),
    schema_translate_map: Mapping[str | None, str | None] | None = None,
    origin_dialect: str = "mssql",
) -> Compiled:
    """`statement` as executed: a construct (compiled for SQL Server here) or a driver-level
    string in `origin_dialect`'s parameter style."""
    if isinstance(statement, str):
        sql = pyformat_to_tsql(statement) if origin_dialect == "postgresql" else statement
        problems = (*_text_problems(sql), *lexical_problems(sql))
        return Compiled(qmark_to_tsql(sql), tuple(dict.fromkeys(problems)))
    dialect = mssql_dialect()
    kw: dict[str, Any] = {}
    if schema_translate_map:
        kw.update(schema_translate_map=dict(schema_translate_map), render_schema_translate=True)
    try:
        if isinstance(statement, ExecutableDDLElement):
            compiled = statement.compile(dialect=dialect, **kw)
            problems = (*ddl_problems(statement), *lexical_problems(str(compiled)))
            return Compiled(str(compiled), tuple(dict.fromkeys(problems)))
        keys = sorted(parameters[0]) if parameters else []
        compiled = statement.compile(
            dialect=dialect, column_keys=keys, for_executemany=len(parameters) > 1, **kw
        )
        sql = _expanded(compiled, parameters[0] if parameters else None)
    except SQLAlchemyError as exc:  # e.g. OFFSET without ORDER BY: SQL Server has no form for it
        return Compiled(f"<does not compile for SQL Server: {statement!s}>", (str(exc),))
    problems = [
        *construct_problems(statement),
        *_returning_problems(statement, compiled),
        *lexical_problems(sql),
    ]
    sql = qmark_to_tsql(sql)
    if sql.count("@P") > MAX_PARAMETERS:
        markers = len(re.findall(r"@P\d+", sql))
        if markers > MAX_PARAMETERS:
            problems.append(f"{markers} parameters: SQL Server accepts at most {MAX_PARAMETERS}")
    return Compiled(sql, tuple(dict.fromkeys(problems)))


def _expanded(compiled: Any, params: Mapping[str, Any] | None) -> str:
    """The statement text after IN-lists and literal-execute values (TOP n) are rendered, as the
    execution context does before handing it to the driver."""
    if not (compiled.literal_execute_params or compiled.post_compile_params):
        return str(compiled)
    values = compiled.construct_params(params, escape_names=False, _check=False)
    return str(compiled._process_parameters_for_postcompile(values).statement)


# --- checks a grammar cannot make ----------------------------------------------------------------


def is_large(expr: Any) -> bool:
    """NVARCHAR(max) / VARBINARY(max) (Text, LargeBinary; unbounded String columns)."""
    if isinstance(expr, BindParameter) or not hasattr(expr, "type"):
        return False
    declared = expr.type
    impl = declared
    with contextlib.suppress(SQLAlchemyError, AttributeError, TypeError):
        impl = declared._unwrapped_dialect_impl(mssql_dialect())
    if isinstance(declared, TypeDecorator):
        declared = declared.impl_instance
    for t in (declared, impl):
        if isinstance(t, sqltypes.Text | sqltypes.LargeBinary):
            return True
        if (
            isinstance(expr, ColumnClause)
            and expr.table is not None
            and isinstance(t, sqltypes.String | sqltypes._Binary)
            and t.length is None
        ):
            return True
    return False


def _unwrap(expr: Any) -> Any:
    """The column under parentheses, labels, ASC/DESC/NULLS FIRST and label references."""
    while True:
        sort = isinstance(expr, UnaryExpression) and expr.modifier in _SORT_MODIFIERS
        if not (sort or isinstance(expr, Grouping | Label | _label_reference)):
            return expr
        expr = expr.element


_SORT_MODIFIERS = (
    operators.asc_op,
    operators.desc_op,
    operators.nulls_first_op,
    operators.nulls_last_op,
)


def _describe(expr: Any) -> str:
    if isinstance(expr, ColumnClause) and expr.table is not None:
        return f"{getattr(expr.table, 'name', '?')}.{expr.name}"
    return str(expr)


def construct_problems(statement: Any) -> Iterable[str]:
    """Sorting, grouping, DISTINCT and comparisons over NVARCHAR(max)/VARBINARY(max), and
    `with_for_update()` (SQL Server has no FOR UPDATE; mssql silently turns it into a lock hint)."""
    for elem in visitors.iterate(statement):
        if isinstance(elem, Select):
            if elem._for_update_arg is not None:
                yield ("with_for_update(): SQL Server has no FOR UPDATE; use a conditional UPDATE")
            for what, clauses in (
                ("GROUP BY", elem._group_by_clauses),
                ("ORDER BY", elem._order_by_clauses),
            ):
                for clause in clauses:
                    target = _unwrap(clause)
                    if is_large(target):
                        yield f"{what} over NVARCHAR(max)/VARBINARY(max): {_describe(target)}"
            if elem._distinct:
                for col in elem.selected_columns:
                    if is_large(_unwrap(col)):
                        yield f"DISTINCT over NVARCHAR(max)/VARBINARY(max): {_describe(_unwrap(col))}"
        elif isinstance(elem, CompoundSelect):
            if elem.keyword.name in ("UNION", "INTERSECT", "EXCEPT"):
                for col in elem.selected_columns:
                    if is_large(_unwrap(col)):
                        yield f"{elem.keyword.value} (distinct) over NVARCHAR(max)/VARBINARY(max): {_describe(col)}"
            for what, clauses in (("ORDER BY", elem._order_by_clauses),):
                for clause in clauses:
                    if is_large(_unwrap(clause)):
                        yield f"{what} over NVARCHAR(max)/VARBINARY(max): {_describe(_unwrap(clause))}"
        elif isinstance(elem, BinaryExpression) and elem.operator in COMPARISONS:
            for side in (elem.left, elem.right):
                if is_large(_unwrap(side)):
                    yield (
                        f"comparison ({elem.operator.__name__}) over "
                        f"NVARCHAR(max)/VARBINARY(max): {_describe(_unwrap(side))}"
                    )
        elif (
            isinstance(elem, UnaryExpression)
            and elem.operator is operators.distinct_op
            and is_large(_unwrap(elem.element))
        ):
            yield f"DISTINCT over NVARCHAR(max)/VARBINARY(max): {_describe(_unwrap(elem.element))}"


def ddl_problems(statement: Any) -> Iterable[str]:
    """SQL Server refuses NVARCHAR(max)/VARBINARY(max) as an index or key column."""
    if isinstance(statement, CreateIndex):
        columns = list(statement.element.expressions)
    elif isinstance(statement, CreateTable):
        columns = [
            c
            for constraint in statement.element.constraints
            if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint)
            for c in constraint.columns
        ]
    else:
        return
    for column in columns:
        if is_large(column):
            yield f"index or key over NVARCHAR(max)/VARBINARY(max): {_describe(column)}"


def _returning_problems(statement: Any, compiled: Any) -> Iterable[str]:
    if not getattr(statement, "is_dml", False):
        return
    table = getattr(statement, "table", None)
    name = getattr(table, "fullname", None) or getattr(table, "name", None)
    is_dim = "dim" in (getattr(table, "info", None) or {})
    if not name or not (is_dim or name.lower() in dim_table_names()):
        return
    if getattr(compiled, "effective_returning", None) or getattr(compiled, "returning", None):
        yield (
            f"OUTPUT/RETURNING on DIM's table {name}: fails when the table has triggers "
            "(implicit_returning=False in dim_mapping.py)"
        )


_OUTPUT_ON = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|DELETE)\s+([\w.\[\]\"]+).*?\b(OUTPUT|RETURNING)\b",
    re.I | re.S,
)


def _text_problems(sql: str) -> Iterable[str]:
    m = _OUTPUT_ON.match(sql)
    if m:
        name = re.sub(r"[\[\]\"]", "", m.group(1)).lower()
        if name in dim_table_names() or name.rsplit(".", 1)[-1] in dim_table_names():
            yield f"{m.group(2).upper()} on DIM's table {name}: fails when the table has triggers"


# --- parsing -------------------------------------------------------------------------------------


_PARSER: TsqlParser | None = None


def parse_errors(sql: str) -> tuple[str, ...]:
    """`TsqlParser().errors` with one parser per process (the recorder's parsing worker)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = TsqlParser()
    return _PARSER.errors(sql)


class TsqlParser:
    """sqlfluff's T-SQL grammar, one parse per distinct text."""

    def __init__(self) -> None:
        from sqlfluff.core import FluffConfig, Linter

        self._linter = Linter(config=FluffConfig(overrides={"dialect": "tsql", "templater": "raw"}))
        self._cache: dict[str, tuple[str, ...]] = {}

    def errors(self, sql: str) -> tuple[str, ...]:
        """Why SQL Server's grammar rejects `sql` (empty when it parses)."""
        cached = self._cache.get(sql)
        if cached is None:
            parsed = self._linter.parse_string(sql)
            found = [v.desc() for v in parsed.violations]
            if not found and parsed.tree is None:
                found = ["no parse tree"]
            cached = self._cache[sql] = tuple(found)
        return cached
