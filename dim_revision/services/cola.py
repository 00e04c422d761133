"""The operators' queue, the service way (a `Database` in, plain rows out) for the UI.

The queries themselves are `services/queue.py`'s (they take a `Session` so benchmarks and other
services can compose them); each call here is one short unit of work.
"""

from __future__ import annotations

from datetime import datetime

from dim_revision.db.uow import Database
from dim_revision.services import queue
from dim_revision.services.queue import QueueCounts, QueueFilter, QueueRow


def pagina(
    db: Database,
    filtro: QueueFilter,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> list[QueueRow]:
    with db.uow() as uow:
        return queue.list_queue(
            uow.session, filtro, now, offset=offset, limit=limit, sort=sort, descending=descending
        )


def filas(db: Database, ids: list[int], now: datetime) -> list[QueueRow]:
    with db.uow() as uow:
        return queue.get_rows(uow.session, ids, now)


def conteos(db: Database, filtro: QueueFilter, now: datetime) -> QueueCounts:
    with db.uow() as uow:
        return queue.count_queue(uow.session, filtro, now)
