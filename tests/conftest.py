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
from dim_revision.config import DimSettings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Base
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.dim_writes import DimWriteRecorder
from tests.layouts import LAYOUTS, as_dba

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


@pytest.fixture(autouse=True)
def _close_cli_contexts() -> Iterator[None]:
    """Close the engines of the contexts a test built with `tests.contexts.new_context`."""
    yield
    from tests.contexts import close_all

    close_all()


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
    # The machine-wide file (/etc/dim-revision, %ProgramData%) of the test machine is never read.
    monkeypatch.setenv("DIM_REVISION_MACHINE_CONFIG", str(home / "machine" / "config.toml"))
    return home


@pytest.fixture(autouse=True)
def fresh_factory_numbers() -> None:
    """Each test numbers its rows (DNIs 20000001, …) from 1, whatever ran before it: tests
    that filter by a DNI prefix must not depend on how many tests the session ran."""
    import itertools

    from tests import factories

    factories._seq = itertools.count(1)


# --- DIM's tables are read-only except where documented --------------------------------------


@pytest.fixture(scope="session")
def dim_write_recorder() -> Iterator[DimWriteRecorder]:
    recorder = DimWriteRecorder()
    with recorder.installed():
        yield recorder


@pytest.fixture(autouse=True)
def no_unlisted_dim_writes(dim_write_recorder: DimWriteRecorder) -> Iterator[DimWriteRecorder]:
    """Fails the test if any statement it caused wrote to a DIM table outside ESCRITURAS_DIM."""
    dim_write_recorder.take()
    yield dim_write_recorder
    violations = dim_write_recorder.take()
    if violations:
        pytest.fail("Escritura no documentada en una tabla de DIM:\n" + "\n".join(violations))


# --- databases ---------------------------------------------------------------------------------
#
# Every test that uses `sqlite_db`, `pg_db` or `database` runs on both DIM layouts
# (tests/layouts.py): our stand-ins, and a "legacy" DIM schema with other names and shapes.
# GUI tests stay on the stand-ins (their screens do not depend on DIM's layout).


@pytest.fixture(scope="session", params=sorted(LAYOUTS))
def layout(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def dim_settings(layout: str) -> DimSettings:
    """The `[dim]` section of the layout under test (pass it to any extra `Database`)."""
    return LAYOUTS[layout]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    gui = Path(__file__).parent / "gui"
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        legacy = callspec is not None and callspec.params.get("layout") == "legacy"
        (drop if legacy and gui in Path(str(item.path)).parents else keep).append(item)
    if drop:
        items[:] = keep
        item_config = drop[0].config
        item_config.hook.pytest_deselected(items=drop)


def prepare_database(engine: Engine, settings: DimSettings) -> None:
    """What installing gives: DIM's tables (created by DIM's DBA for an existing layout, by
    `db upgrade` for the stand-ins), then our migrations."""
    if settings.modo == "existente":
        dba = Database(engine, as_dba(settings))
        with engine.begin() as conn:
            dba.dim.create_standins(conn.execution_options(dim_seed=True))
    migrate.upgrade(Database(engine, settings))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, dim_settings: DimSettings) -> Path:
    """Migrate once per layout; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = create_db_engine(sqlite_url(path))
    prepare_database(engine, dim_settings)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_db(
    sqlite_template: Path, tmp_path: Path, dim_settings: DimSettings
) -> Iterator[Database]:
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database(create_db_engine(sqlite_url(path)), dim_settings)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def pg_session_url(dim_settings: DimSettings) -> Iterator[str]:
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
    prepare_database(engine, dim_settings)
    engine.dispose()
    yield url
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def truncate_all(db: Database) -> None:
    """Empty our tables and DIM's (PostgreSQL), whatever schemas they live in."""
    prep = db.engine.dialect.identifier_preparer
    ours = [
        f"{prep.quote_schema(db.schema)}.{prep.quote(t.name)}" if db.schema else prep.quote(t.name)
        for t in Base.metadata.sorted_tables
    ]
    dims = [prep.format_table(t.table) for t in db.dim.todas.values()]
    with db._base_engine.begin() as conn:
        conn.execution_options(dim_seed=True).execute(
            text(f"TRUNCATE {', '.join(ours + dims)} RESTART IDENTITY CASCADE")
        )


@pytest.fixture
def pg_db(pg_session_url: str, dim_settings: DimSettings) -> Iterator[Database]:
    db = Database(create_db_engine(pg_session_url), dim_settings)
    truncate_all(db)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, layout: str) -> Database:
    """Every storage test runs against both backends."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    db: Database = request.getfixturevalue(fixture)
    return db
