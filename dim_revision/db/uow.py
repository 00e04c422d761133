"""Unit of work: one session, one transaction, rolled back unless the service commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dim_revision.config import DimSettings
from dim_revision.db.dim_mapping import DimTables, esquema_propio
from dim_revision.db.engine import READ_ONLY_OPTION


class UnitOfWork:
    """A write unit of work (on SQLite it begins with `BEGIN IMMEDIATE`)."""

    read_only = False

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its with-block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()


class ReadUnitOfWork(UnitOfWork):
    """A read-only unit of work: a deferred transaction on SQLite (a WAL reader never takes
    the write lock, so it never waits for a writer nor makes one wait); always rolled back."""

    read_only = True

    def commit(self) -> None:
        raise RuntimeError("a read unit of work cannot commit (Database.write() can)")


class Database:
    """The engine plus a session factory; services receive this and open units of work.

    Our tables are declared without a schema; `schema_translate_map` puts them in our own schema
    (`revision` on SQL Server and PostgreSQL). DIM's tables are built here from `[dim]`
    (`self.dim`) and reached by services through `dim_de(session)`."""

    def __init__(self, engine: Engine, dim: DimSettings | None = None) -> None:
        self.dim_settings = dim or DimSettings()
        self.schema = esquema_propio(self.dim_settings, engine.dialect.name)
        self.dim = DimTables.build(self.dim_settings, engine.dialect.name)
        self._base_engine = engine
        self.engine: Engine = (
            engine.execution_options(schema_translate_map={None: self.schema})
            if self.schema
            else engine
        )
        # Facts this process learned about our data, shared by its sessions (`session.info`):
        # e.g. "busqueda_completa" once every request's patient has its folded search copy.
        self.flags: dict[str, bool] = {}
        info = {"dim": self.dim, "db_flags": self.flags}
        self._factory = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._read_factory = sessionmaker(
            self.engine.execution_options(**{READ_ONLY_OPTION: True}),
            expire_on_commit=False,
            autoflush=False,
            info=info,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        """A write unit of work (kept for existing callers; same as `write()`)."""
        return UnitOfWork(self._factory)

    def write(self) -> UnitOfWork:
        return UnitOfWork(self._factory)

    def read(self) -> ReadUnitOfWork:
        """For queries only (the grid, counts, catalog, detail): never takes SQLite's write lock."""
        return ReadUnitOfWork(self._read_factory)

    def dispose(self) -> None:
        self._base_engine.dispose()
