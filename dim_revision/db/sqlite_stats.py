"""The SQLite planner's statistics kept near the data's size (the embedded database only).

SQLite plans from `sqlite_stat1`, which only `ANALYZE` writes; PostgreSQL and SQL Server gather
their statistics themselves. Without statistics (a database that was never analyzed) or with
statistics taken when the queue was a tenth of its size, SQLite picks worse indexes for the
queue's counts and pages: «Pendientes» at 1M requests took 274 ms unanalyzed against ~2 ms
analyzed (issue 19). `refresh_if_stale` analyzes when statistics are missing or the queue has
grown or shrunk `GROWTH` times since; it is called once per process, in the background, after
the grid's first page (`services.queue_window.preparar_busqueda`). The whole tables are read:
a sample (`PRAGMA analysis_limit=1000`) took 0.1 s instead of 1.1 s at 1M requests, but its
estimates left «Pendientes» «gonz» at 38 ms against 7 with full statistics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

if TYPE_CHECKING:
    from dim_revision.db.uow import Database

GROWTH = 4  # analyzed again once the queue is this many times bigger (or smaller)
QUEUE = "solicitud_asistencia"
MIN_ROWS = 1000  # below this every plan is fast: not worth a write lock


def _analyzed_rows(db: Database) -> int | None:
    """The queue's row count as the statistics have it (None: never analyzed)."""
    with db.read() as uow:
        conn = uow.session.connection()
        if not inspect(conn).has_table("sqlite_stat1"):  # as migration 0112 asks
            return None
        stats = conn.execute(
            text("SELECT stat FROM sqlite_stat1 WHERE tbl = :tbl"), {"tbl": QUEUE}
        ).scalars()
        # Each index's first number is its entries: a partial index holds fewer than the table.
        rows = [int(str(stat).split()[0]) for stat in stats if stat]
    return max(rows) if rows else None


def _rows(db: Database) -> int:
    """About how many requests there are (the highest id: requests are soft-deleted)."""
    with db.read() as uow:
        return int(uow.session.execute(text(f"SELECT max(rowid) FROM {QUEUE}")).scalar() or 0)


def stale(db: Database) -> bool:
    """Whether the queue's statistics are missing or far from its size (SQLite only)."""
    rows = _rows(db)
    if rows < MIN_ROWS:
        return False
    analyzed = _analyzed_rows(db)
    if analyzed is None or analyzed <= 0:
        return True
    return rows >= analyzed * GROWTH or rows * GROWTH <= analyzed


def refresh_if_stale(db: Database) -> bool:
    """`ANALYZE` when the statistics are stale (True: analyzed), in a write unit of work
    (SQLite's write lock: ~0.1 s at 100k requests, ~1 s at 1M, once per `GROWTH`). Other
    engines keep their own statistics: nothing is done there."""
    if db.dialect != "sqlite" or not stale(db):
        return False
    with db.write() as uow:
        uow.session.connection().exec_driver_sql("ANALYZE")
        uow.commit()
    return True
