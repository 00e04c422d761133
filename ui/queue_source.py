"""Where the grid's rows come from: the queue window service (read-only, one call per query),
and a page loaded with its cells (`load_page`, on the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dim_revision.clock import Clock
from dim_revision.services import queue_window
from dim_revision.services.queue import QueueCounts, QueueCursor, QueueFilter, QueuePage, QueueRow
from dim_revision.services.queue_window import Database, Sello
from ui.db_errors import db_task
from ui.queue_diff import unique
from ui.queue_items import RowCells, row_cells


class QueueSource(Protocol):
    """The queries the model needs; each runs on a worker thread."""

    def page(
        self,
        filtro: QueueFilter,
        despues: QueueCursor | None,
        limit: int,
        sort: str,
        descending: bool,
    ) -> QueuePage: ...

    def stamps(self, filtro: QueueFilter, limit: int, sort: str, descending: bool) -> list[Sello]:
        """Ids first: the window's ids in order with a stamp of what the grid shows."""
        ...

    def stamps_of(self, ids: list[int]) -> list[Sello]: ...

    def rows(self, ids: list[int]) -> list[QueueRow]: ...

    def counts(self, filtro: QueueFilter) -> QueueCounts: ...

    def prepare(self) -> int:
        """Background upkeep after the first page (the text filter's folded copy)."""
        ...


class ServiceQueueSource:
    """`QueueSource` over `services.queue_window` (the GUI never opens a transaction)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @db_task
    def page(
        self,
        filtro: QueueFilter,
        despues: QueueCursor | None,
        limit: int,
        sort: str,
        descending: bool,
    ) -> QueuePage:
        return queue_window.pagina(
            self._db,
            filtro,
            self._clock(),
            despues=despues,
            limit=limit,
            sort=sort,
            descending=descending,
        )

    @db_task
    def stamps(self, filtro: QueueFilter, limit: int, sort: str, descending: bool) -> list[Sello]:
        return queue_window.sellos(
            self._db, filtro, self._clock(), limit=limit, sort=sort, descending=descending
        )

    @db_task
    def stamps_of(self, ids: list[int]) -> list[Sello]:
        return queue_window.sellos_de(self._db, ids, self._clock())

    @db_task
    def rows(self, ids: list[int]) -> list[QueueRow]:
        return queue_window.filas(self._db, ids, self._clock())

    @db_task
    def counts(self, filtro: QueueFilter) -> QueueCounts:
        return queue_window.conteos(self._db, filtro, self._clock())

    @db_task
    def prepare(self) -> int:
        return queue_window.preparar_busqueda(self._db)


@dataclass(frozen=True)
class LoadedPage:
    """A keyset page as the grid shows it: its rows (no repeated id) with their cells."""

    page: QueuePage
    rows: list[QueueRow]
    cells: list[RowCells]
    now: datetime


def load_page(
    source: QueueSource,
    clock: Clock,
    me: str,
    now: datetime | None,
    filtro: QueueFilter,
    despues: QueueCursor | None,
    limit: int,
    sort: str,
    descending: bool,
) -> LoadedPage:
    """On the worker: one page and its cells formatted, so the GUI thread only stores them. `now`: the
    clock the model's rows show (None: this page starts a new list, read the clock)."""
    page = source.page(filtro, despues, limit, sort, descending)
    at = clock() if now is None else now
    rows = unique(page.rows)
    return LoadedPage(page, rows, [row_cells(r, at, me) for r in rows], at)
