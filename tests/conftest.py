"""Shared fixtures: real SQLite files and a real PostgreSQL server, an in-memory keyring, a fake clock.

PostgreSQL comes from DIM_REVISION_TEST_PG_URL (`.ci/run` exports it). Without it the PostgreSQL
variants are skipped locally; with CI=true a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dim_revision.clock import FakeClock
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Base
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore

# Every statement the tests execute is also checked as T-SQL (see tests/tsql_recorder.py).
pytest_plugins = ["tests.tsql_recorder"]

PG_ENV = "DIM_REVISION_TEST_PG_URL"
# A weekday morning in Buenos Aires (13:00 UTC = 10:00 local).
FIXED_NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if in_ci():
            pytest.fail(f"CI=true but {PG_ENV} is not set: PostgreSQL tests must run in CI")
        return None
    return url


# --- keyring -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[None]:
    """keyring has no backend on headless Linux: tests use an in-memory one."""
    import keyring
    from keyring.backend import KeyringBackend

    class InMemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(InMemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def secrets() -> MemoryStore:
    return MemoryStore(
        {"botmaker-token": "token-de-prueba", "link-key": "clave-de-prueba-" + "x" * 32}
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data and logs of every test live in its own folder, never in the real user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("DIM_REVISION_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("DIM_REVISION__") or name in {
            "DIM_REVISION_DB_URL",
            "DIM_REVISION_CONFIG",
        }:
            monkeypatch.delenv(name)
    return home


# --- databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database(create_db_engine(sqlite_url(path)))
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """A database of our own on the server (so parallel runs never collide), migrated once."""
    admin = pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL not available ({PG_ENV} unset)")
    name = f"dimrev_{uuid.uuid4().hex[:12]}"
    admin_engine = create_db_engine(admin).execution_options(isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_db(pg_session_url: str) -> Iterator[Database]:
    db = Database(create_db_engine(pg_session_url))
    truncate_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> Database:
    """Every storage test runs against both backends."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    db: Database = request.getfixturevalue(fixture)
    return db
