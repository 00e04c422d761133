"""Engines for the three databases we run on: SQLite (embedded/demo), PostgreSQL (tests), SQL Server (production)."""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from pathlib import Path, PureWindowsPath
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from dim_revision.errors import DatabaseUnavailable
from dim_revision.secrets import SecretStore

MSSQL_DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
# Execution option set by `Database.read()`: on SQLite such a transaction begins DEFERRED.
READ_ONLY_OPTION = "dim_revision_read_only"


def parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
        _ = url.port  # a non-numeric port ("servidor:abc") fails only here or later
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUnavailable(
            f"La URL de base de datos «{mask_url(raw)}» no es válida. Ejemplos: "
            "sqlite:///C:/datos/dim.sqlite3, postgresql://usuario@servidor/base, "
            "mssql+pyodbc://servidor/base?driver=ODBC+Driver+18+for+SQL+Server&trusted_connection=yes"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if backend == "mssql" and url.get_driver_name() != "pyodbc":
        url = url.set(drivername="mssql+pyodbc")
    if backend not in ("sqlite", "postgresql", "mssql"):
        raise DatabaseUnavailable(
            f"Base de datos «{backend}» no soportada: usá SQL Server (mssql+pyodbc), PostgreSQL o SQLite."
        )
    return url


def mask_url(raw: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        url = make_url(raw) if isinstance(raw, str) else raw
    except (ArgumentError, ValueError):
        # Unparseable, but still worth showing: only what sits between "user:" and "@" is hidden.
        return _PASSWORD_IN_URL.sub(r"\1***@", raw) if isinstance(raw, str) else "<URL ilegible>"
    return url.render_as_string(hide_password=True)


_PASSWORD_IN_URL = re.compile(r"^([^:/]+://[^:/@]*:)[^@]*@")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)|\\")


def url_or_path(raw: str) -> str:
    """A database URL as given, or a plain file path (`C:\\datos\\dim.sqlite3`, `./demo.db`,
    `demo.db`) as the URL of that SQLite file."""
    text = raw.strip()
    if _URL_SCHEME.match(text):
        return text
    if os.name != "nt" and _WINDOWS_PATH.search(text):
        # A Windows path given on another system (scripts, docs): kept as SQLite spells it there.
        return "sqlite:///" + PureWindowsPath(text).as_posix()
    return sqlite_url(Path(text).expanduser().resolve())


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def create_db_engine(
    raw_url: str, secrets: SecretStore | None = None, echo: bool = False
) -> Engine:
    """Build (not connect) an engine; configuration problems become one Spanish message."""
    url = parse_url(raw_url)
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(url, echo)
        if backend == "postgresql":
            return create_engine(url, echo=echo, pool_pre_ping=True)
        return _mssql_engine(url, secrets, echo)
    except NoSuchModuleError as exc:
        raise DatabaseUnavailable(
            f"Falta el controlador de base de datos para {backend}: {exc}"
        ) from None
    except ImportError as exc:
        raise DatabaseUnavailable(
            f"Falta el controlador de base de datos para {backend} ({exc.name})."
        ) from None


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"No se puede crear la carpeta de datos {folder}: {exc.strerror}."
            ) from None
        if not _writable(folder):
            raise DatabaseUnavailable(f"La carpeta de datos {folder} no admite escritura.")
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # We issue BEGIN ourselves (below) so write transactions take the lock up front instead
        # of failing with "database is locked" when a reader tries to upgrade; read units of
        # work begin DEFERRED and, in WAL mode, never touch the write lock.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        # 16 MB of page cache per connection (default 2 MB): the queue's range scans at
        # 100k–1M requests stay in memory between polls (a count: 4 → 2 ms at 1M).
        cur.execute("PRAGMA cache_size=-16000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine


def _writable(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _mssql_engine(url: URL, secrets: SecretStore | None, echo: bool) -> Engine:
    import pyodbc

    query = dict(url.query)
    driver = str(query.get("driver", MSSQL_DEFAULT_DRIVER))
    if "driver" not in query and "odbc_connect" not in query:
        url = url.update_query_dict({"driver": driver})
    if "odbc_connect" not in query and driver not in pyodbc.drivers():
        raise DatabaseUnavailable(
            f"Falta el driver ODBC «{driver}». Instalá «Microsoft ODBC Driver 18 for SQL Server» "
            f"(drivers presentes: {', '.join(pyodbc.drivers()) or 'ninguno'})."
        )
    trusted = (
        str(query.get("trusted_connection", query.get("Trusted_Connection", ""))).lower() == "yes"
    )
    if url.username and url.password is None and not trusted and secrets is not None:
        password = secrets.get("db-password")
        if password:
            url = url.set(password=password)
    return create_engine(
        url, echo=echo, deprecate_large_types=True, fast_executemany=True, pool_pre_ping=True
    )


def check_connection(engine: Engine) -> None:
    """One round-trip; turns driver errors into a message an operator can act on."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise DatabaseUnavailable(describe_db_error(engine, exc)) from None


def describe_db_error(engine: Engine, exc: BaseException) -> str:
    detail = (
        str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    )
    return f"No se pudo conectar a la base de datos {mask_url(engine.url)}: {detail}"
