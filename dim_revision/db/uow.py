"""Unit of work: one session, one transaction, rolled back unless the service commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dim_revision.config import DimSettings
from dim_revision.db.dim_mapping import DimTables, esquema_propio


class UnitOfWork:
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
        self._factory = sessionmaker(self.engine, expire_on_commit=False, info={"dim": self.dim})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._factory)

    def dispose(self) -> None:
        self._base_engine.dispose()
