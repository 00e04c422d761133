"""Where the grid's rows come from: the three queries of the core's queue service."""

from __future__ import annotations

from typing import Protocol

from dim_revision.clock import Clock
from dim_revision.services import cola
from dim_revision.services.base import Database
from dim_revision.services.queue import QueueCounts, QueueFilter, QueueRow
from ui.db_errors import db_task


class QueueSource(Protocol):
    """The three queries the model needs; each runs on a worker thread."""

    def page(
        self, filtro: QueueFilter, offset: int, limit: int, sort: str, descending: bool
    ) -> list[QueueRow]: ...

    def rows(self, ids: list[int]) -> list[QueueRow]: ...

    def counts(self, filtro: QueueFilter) -> QueueCounts: ...


class ServiceQueueSource:
    """`QueueSource` over the core's queue service (one short unit of work per query)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @db_task
    def page(
        self, filtro: QueueFilter, offset: int, limit: int, sort: str, descending: bool
    ) -> list[QueueRow]:
        return cola.pagina(
            self._db,
            filtro,
            self._clock(),
            offset=offset,
            limit=limit,
            sort=sort,
            descending=descending,
        )

    @db_task
    def rows(self, ids: list[int]) -> list[QueueRow]:
        return cola.filas(self._db, ids, self._clock())

    @db_task
    def counts(self, filtro: QueueFilter) -> QueueCounts:
        return cola.conteos(self._db, filtro, self._clock())
