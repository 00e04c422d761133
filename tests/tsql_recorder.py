"""T-SQL recording mode: every statement the tests execute must be valid on SQL Server 2019.

A pytest plugin (registered from `tests/conftest.py`, on by default; `DIM_REVISION_TSQL_CHECK=0`
switches it off for a quicker local run). It listens to `before_execute` on every SQLAlchemy
engine (and `before_cursor_execute`, for `exec_driver_sql()` strings), and the first time it sees a statement it compiles it for the mssql dialect as a live
SQL Server 2019 connection would (see `tests/tsql_check.py`) and checks the construct (no
sorting/grouping/DISTINCT/comparison over NVARCHAR(max)/VARBINARY(max), no FOR UPDATE, no
OUTPUT/RETURNING on DIM's tables). At the end of the session each distinct text is parsed with
sqlfluff's T-SQL grammar; any rejected statement fails the run, printed with a test that issued
it. Statements that provably never reach SQL Server are excluded by `ALLOW_LIST` below, and only
on the backend named there.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TableClause

from tests.tsql_check import TsqlParser, compile_statement, parse_errors

SWITCH_ENV = "DIM_REVISION_TSQL_CHECK"
# The floor for a whole-suite run in CI: fewer means the recorder stopped seeing the app.
MIN_STATEMENTS_IN_CI = 150
# Parse results kept in pytest's cache between runs (per sqlfluff version), newest last.
CACHE_ENTRIES = 5000


def _reads_only_catalog(statement: Any, schemas: frozenset[str]) -> bool:
    tables = [e for e in visitors.iterate(statement) if isinstance(e, TableClause)]
    return bool(tables) and all((getattr(t, "schema", None) or "") in schemas for t in tables)


@dataclass(frozen=True)
class Allowed:
    """A statement that never reaches SQL Server: `backend` is the only dialect it runs on;
    `text` matches driver-level strings and text() constructs, `construct` anything else."""

    backend: str
    why: str
    text: re.Pattern[str] | None = None
    construct: Callable[[Any], bool] | None = None

    def matches(self, backend: str, statement: Any, sql: str) -> bool:
        if backend != self.backend:
            return False
        if isinstance(statement, str | TextClause):
            return self.text is not None and bool(self.text.search(sql))
        return self.construct is not None and self.construct(statement)


def _text(backend: str, why: str, pattern: str, flags: int = 0) -> Allowed:
    """A driver-level string or text() that runs on `backend` only, matched by `pattern`."""
    return Allowed(backend, why, re.compile(pattern, flags))


ALLOW_LIST: tuple[Allowed, ...] = (
    # dim_revision/db/engine.py: the SQLite engine's "begin" listener (write lock up front for
    # writes, DEFERRED for `Database.read()`); the SQL Server engine never installs it.
    _text("sqlite", "SQLite write lock / deferred read", r"^BEGIN (IMMEDIATE|DEFERRED)$"),
    # SQLAlchemy's SQLite dialect reflects (inspect(), Alembic's has_table) with PRAGMA and
    # sqlite_master; on SQL Server the mssql dialect issues its own INFORMATION_SCHEMA queries.
    # PRAGMAs are SQLite's settings too (engine.py's connect listener, tests that read them).
    _text("sqlite", "SQLite PRAGMA", r"^\s*PRAGMA\b", re.I),
    # dim_revision/db/sqlite_stats.py: SQLite's planner statistics (SQL Server and PostgreSQL
    # gather their own; the function returns before any statement on them).
    _text("sqlite", "SQLite planner statistics", r"^ANALYZE$"),
    _text("sqlite", "SQLite reflection", r"\bsqlite_(temp_)?(master|schema)\b"),
    # Same for PostgreSQL: the dialect's reflection queries read only pg_catalog.
    Allowed(
        "postgresql",
        "PostgreSQL reflection",
        construct=lambda s: _reads_only_catalog(s, frozenset({"pg_catalog", "information_schema"})),
    ),
    # tests/conftest.py: one PostgreSQL database per test session, emptied between tests.
    _text("postgresql", "test fixture", r'^CREATE DATABASE "dimrev_[0-9a-f]{12}"$'),
    _text(
        "postgresql",
        "test fixture",
        r'^DROP DATABASE IF EXISTS "dimrev_[0-9a-f]{12}" WITH \(FORCE\)$',
    ),
    _text(
        "postgresql",
        "test fixture",
        r'^TRUNCATE ((("\w+"|\w+)\.)?("\w+"|\w+)(, )?)+ RESTART IDENTITY CASCADE$',
    ),
    # dim_revision/db/dim_mapping.py `crear_esquema`: its PostgreSQL branch; on SQL Server it
    # sends `IF SCHEMA_ID(N'…') IS NULL EXEC(N'CREATE SCHEMA …')` instead.
    _text("postgresql", "PostgreSQL schema", r'^CREATE SCHEMA IF NOT EXISTS ("\w+"|\w+)$'),
    # tests/integration/test_check_dim.py: takes a grant away from the test login and gives it
    # back, to prove check-dim reports missing permissions (PostgreSQL's CURRENT_USER syntax).
    _text("postgresql", "test fixture", r"^(REVOKE|GRANT) \w+ ON [\w.\"]+ (FROM|TO) CURRENT_USER$"),
    # tests/integration/test_dim_writes.py: a raw no-op DELETE on the stand-in, named in
    # PostgreSQL's `public` schema (a reserved word in T-SQL), to prove the DIM-write recorder
    # sees raw SQL too.
    _text("postgresql", "test fixture", r"^DELETE FROM public\.\w+ WHERE 1 = 0$"),
)


@dataclass
class Seen:
    sql: str
    nodeid: str
    backend: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    sql: str
    nodeid: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    checked: int
    rejected: tuple[Rejected, ...]
    excluded: Mapping[str, str]
    compiled: int  # statements compiled for SQL Server (once per cache key; DDL every time)
    cached: int  # parse results reused from pytest's cache
    record_seconds: float
    parse_seconds: float

    def summary(self) -> str:
        return (
            f"T-SQL: {self.checked} distinct statements parsed, {len(self.rejected)} rejected "
            f"({self.compiled} compiled, {self.cached} parses from the cache, "
            f"{len(self.excluded)} excluded by the allow-list; "
            f"{self.record_seconds:.1f}s recording, "
            f"{self.parse_seconds:.1f}s waiting for the parser at the end)"
        )


class Recorder:
    """Collects distinct statements (keyed by SQLAlchemy's own cache key, then by the T-SQL
    text) with the test that first issued each."""

    def __init__(
        self,
        allow_list: Sequence[Allowed] = ALLOW_LIST,
        background: bool = False,
        known: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`background`: parse each new text in a worker process while the tests run (on the
        other core), instead of all at the end. `known`: parse results of an earlier run
        (digest of the text → errors, from pytest's cache), not parsed again."""
        self.allow_list = allow_list
        self._known = {digest: tuple(errors) for digest, errors in (known or {}).items()}
        self.results: dict[str, tuple[str, ...]] = {}  # this run's, for the next one
        self._pool: ProcessPoolExecutor | None = None
        if background:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._parsed: dict[str, Future[tuple[str, ...]]] = {}
        self.current = "<no test>"
        self._keys: set[Any] = set()
        self._seen: dict[str, Seen] = {}
        self._excluded: dict[str, str] = {}  # text → why it never reaches SQL Server
        self._lock = threading.Lock()
        self._record_seconds = 0.0
        self._compiles = 0

    # --- hooks into SQLAlchemy -------------------------------------------------------------

    def install(self) -> None:
        event.listen(Engine, "before_execute", self.before_execute)
        event.listen(Engine, "before_cursor_execute", self.before_cursor_execute)

    def uninstall(self) -> None:
        event.remove(Engine, "before_execute", self.before_execute)
        event.remove(Engine, "before_cursor_execute", self.before_cursor_execute)

    def before_execute(
        self,
        conn: Connection,
        clauseelement: Any,
        multiparams: Sequence[Mapping[str, Any]],
        params: Mapping[str, Any],
        execution_options: Mapping[str, Any],
    ) -> None:
        parameters = list(multiparams) if multiparams else ([params] if params else [])
        self.record(
            clauseelement,
            parameters,
            backend=conn.dialect.name,
            schema_translate_map=execution_options.get("schema_translate_map"),
        )

    def before_cursor_execute(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        """`exec_driver_sql()` strings skip before_execute: they are caught here (statements
        compiled from a construct were already recorded from the construct)."""
        if context is None or context.compiled is None:
            self.record(statement, backend=conn.dialect.name)

    # --- recording -------------------------------------------------------------------------

    def record(
        self,
        statement: Any,
        parameters: Sequence[Mapping[str, Any]] = (),
        backend: str = "mssql",
        schema_translate_map: Mapping[str | None, str | None] | None = None,
        nodeid: str | None = None,
    ) -> None:
        started = time.perf_counter()
        try:
            key = self._key(statement, parameters, backend, schema_translate_map)
            if key is not None:
                with self._lock:
                    if key in self._keys:
                        return
                    self._keys.add(key)
            self._first_sight(statement, parameters, backend, schema_translate_map, nodeid)
        except Exception as exc:  # a recorder bug must show in the verdict, never break the test
            text = f"<{type(statement).__name__}: {statement!s}>"
            with self._lock:
                seen = self._seen.setdefault(text, Seen(text, nodeid or self.current, backend))
                seen.problems.append(f"recorder: {exc!r}")
        finally:
            self._record_seconds += time.perf_counter() - started

    @staticmethod
    def _key(
        statement: Any,
        parameters: Sequence[Mapping[str, Any]],
        backend: str,
        schema_translate_map: Mapping[str | None, str | None] | None,
    ) -> Any:
        if isinstance(statement, str):
            return ("text", backend, statement)
        try:
            cache_key = statement._generate_cache_key()
        except Exception:  # not cacheable: compile it every time
            return None
        if cache_key is None:
            return None
        keys = tuple(sorted(parameters[0])) if parameters else ()
        stm = tuple(sorted(schema_translate_map.items(), key=repr)) if schema_translate_map else ()
        return ("construct", backend, cache_key.key, keys, len(parameters) > 1, stm)

    def _first_sight(
        self,
        statement: Any,
        parameters: Sequence[Mapping[str, Any]],
        backend: str,
        schema_translate_map: Mapping[str | None, str | None] | None,
        nodeid: str | None,
    ) -> None:
        compiled = compile_statement(statement, parameters, schema_translate_map, backend)
        with self._lock:
            self._compiles += 1
        for allowed in self.allow_list:
            if allowed.matches(backend, statement, compiled.sql):
                with self._lock:
                    self._excluded.setdefault(compiled.sql, f"{backend}: {allowed.why}")
                return
        with self._lock:
            seen = self._seen.get(compiled.sql)
            if seen is None:
                seen = self._seen[compiled.sql] = Seen(
                    compiled.sql, nodeid or self.current, backend
                )
                if self._pool is not None and digest(compiled.sql) not in self._known:
                    try:
                        self._parsed[compiled.sql] = self._pool.submit(parse_errors, compiled.sql)
                    except (BrokenProcessPool, RuntimeError):  # no worker: parse at the end
                        self._pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = None
            seen.problems.extend(p for p in compiled.problems if p not in seen.problems)

    # --- the verdict -----------------------------------------------------------------------

    def finish(self, parser: TsqlParser | None = None) -> Report:
        parser = parser or LazyParser()
        started = time.perf_counter()
        rejected = []
        with self._lock:
            seen = list(self._seen.values())
        for item in seen:
            reasons = (*item.problems, *self._parse(item.sql, parser))
            if reasons:
                rejected.append(Rejected(item.sql, item.nodeid, reasons))
        self.close()
        return Report(
            checked=len(seen),
            rejected=tuple(rejected),
            excluded=dict(self._excluded),
            compiled=self._compiles,
            cached=sum(1 for item in seen if digest(item.sql) in self._known),
            record_seconds=self._record_seconds,
            parse_seconds=time.perf_counter() - started,
        )

    def _parse(self, sql: str, parser: TsqlParser) -> tuple[str, ...]:
        key = digest(sql)
        errors = self._known.get(key)
        future = self._parsed.get(sql)
        if errors is None and future is not None:
            with contextlib.suppress(BrokenProcessPool):  # the worker died: parse here instead
                errors = future.result()
        if errors is None:
            errors = parser.errors(sql)
        self.results[key] = errors
        return errors

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class LazyParser(TsqlParser):
    """Builds sqlfluff's linter only if something is left to parse here."""

    def __init__(self) -> None:
        self._parser: TsqlParser | None = None

    def errors(self, sql: str) -> tuple[str, ...]:
        if self._parser is None:
            self._parser = TsqlParser()
        return self._parser.errors(sql)


def digest(sql: str) -> str:
    return hashlib.sha1(sql.encode("utf-8")).hexdigest()


# --- the pytest plugin ---------------------------------------------------------------------------

_RECORDER = pytest.StashKey[Recorder]()
_REPORT = pytest.StashKey[Report]()


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def _cache_key() -> str:
    return f"dim-revision/tsql-parses-sqlfluff-{importlib.metadata.version('sqlfluff')}"


def pytest_configure(config: pytest.Config) -> None:
    if not enabled():
        return
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    recorder = Recorder(background=True, known=cache.get(_cache_key(), {}) if cache else {})
    recorder.install()
    config.stash[_RECORDER] = recorder


def pytest_unconfigure(config: pytest.Config) -> None:
    recorder = config.stash.get(_RECORDER, None)
    if recorder is not None:
        recorder.uninstall()
        recorder.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    recorder = item.config.stash.get(_RECORDER, None)
    if recorder is not None:
        recorder.current = item.nodeid
    return (yield)


def _whole_suite(session: pytest.Session) -> bool:
    config = session.config
    return (
        config.args_source is pytest.Config.ArgsSource.TESTPATHS
        and not config.option.keyword
        and not config.option.markexpr
        and not config.getoption("deselect", None)
        and session.testsfailed == 0
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorder = session.config.stash.get(_RECORDER, None)
    if recorder is None or exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.USAGE_ERROR):
        return
    report = recorder.finish()
    session.config.stash[_REPORT] = report
    cache = getattr(session.config, "cache", None)
    if cache is not None:  # earlier entries kept (a partial run must not forget the rest)
        merged = {**cache.get(_cache_key(), {}), **recorder.results}
        kept = dict(list(merged.items())[-CACHE_ENTRIES:])
        cache.set(_cache_key(), {key: list(errors) for key, errors in kept.items()})
    too_few = (
        os.environ.get("CI", "").lower() in {"1", "true", "yes"}
        and _whole_suite(session)
        and report.checked < MIN_STATEMENTS_IN_CI
    )
    if report.rejected or too_few:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    tr = terminalreporter
    if report.rejected:
        tr.section("statements SQL Server would reject", sep="=", red=True)
        for r in report.rejected:
            sql = r.sql if len(r.sql) <= 1200 else r.sql[:1200] + " …"
            tr.write_line(f"issued by {r.nodeid}:", red=True)
            tr.write_line(f"    {sql}")
            for reason in r.reasons:
                tr.write_line(f"    → {reason}")
    if config.option.verbose > 0 and report.excluded:
        tr.section("statements excluded from the T-SQL check (never sent to SQL Server)", sep="-")
        for sql, why in sorted(report.excluded.items(), key=lambda item: item[1]):
            tr.write_line(f"{why}: {' '.join(sql.split())[:160]}")
    tr.write_line(report.summary(), red=bool(report.rejected), green=not report.rejected)
    if (
        os.environ.get("CI", "").lower() in {"1", "true", "yes"}
        and report.checked < MIN_STATEMENTS_IN_CI
    ):
        tr.write_line(
            f"T-SQL: fewer than {MIN_STATEMENTS_IN_CI} distinct statements recorded "
            "(fails a whole-suite CI run)",
            yellow=True,
        )
