"""The queue at DIM's scale (issue 19): 10k / 100k / 1M history-shaped requests on SQLite.

Service cases time `services.queue_window` as the grid calls it (one read unit of work each):
counts (today and the window's default «Pendientes», each also with a text), first page, text
filters (a common surname and a text that matches nothing), a deep page by keyset against the
same page by OFFSET. Paint cases time input → paint: our `QueueModel` in a
`QTableView` against the stock lazy `QSqlQueryModel` + `QTableView` running the very SQL our page
query sends (captured from the engine), first rows and a filter change.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from benchmarks import datasets
from benchmarks.common import Options, Row, median, percentile, qt_app, repeat_ms
from benchmarks.paint import painted_table_view, wait_painted
from dim_revision.clock import local_today
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import queue_window
from dim_revision.services.queue import QueueCursor, QueueFilter, page_queue

PG_ENV = "DIM_REVISION_TEST_PG_URL"
NOW = datasets.NOW
COMMON = "gonz"
NO_MATCH = "zzxqw"


def sizes(opts: Options) -> tuple[int, ...]:
    if opts.quick:
        return (2_000,)
    return (10_000, 100_000, 1_000_000) if opts.full else (10_000, 100_000)


@contextmanager
def _postgres(admin_url: str) -> Iterator[Database]:
    """A throwaway PostgreSQL database, migrated (the webhook benchmark's too)."""
    name = f"dimrev_bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        db = Database(engine)
        try:
            yield db
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _row(case: str, samples: list[float], budget: str, ok: bool | None, **kw: Any) -> Row:
    return Row(
        case,
        "ms",
        median(samples),
        percentile(samples, 95),
        "p95",
        kw.pop("peer", None),
        budget,
        ok,
        kw.pop("note", ""),
    )


def _captured_sql(db: Database, run: Callable[[], object]) -> tuple[str, list[Any]]:
    """The last SELECT `run` sent to SQLite, with its parameters as the driver got them."""
    return _captured_page(db, run)[-1]


def _captured_page(db: Database, run: Callable[[], object]) -> list[tuple[str, list[Any]]]:
    """The SELECTs the peer must run for the page `run` reads: the last one and, when the page
    read its ids first (a text walked along a big range: `queue._ids_first`), that ids query
    before it — the rows by id alone would spare the peer the search."""
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    engine = db._base_engine  # the listener must sit on the engine the sessions use
    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    page = [(statement, list(params or ())) for statement, params in seen[-2:]]
    ids_first = len(page) == 2 and page[0][0].lstrip().startswith(_IDS_QUERY)
    return page if ids_first else page[-1:]


_IDS_QUERY = "SELECT solicitud_asistencia.id \nFROM solicitud_asistencia"


class _PeerTable:
    """The stock lazy model over the same SQL: QSqlQueryModel + QTableView (QSQLITE)."""

    def __init__(self, path: str) -> None:
        from PySide6.QtSql import QSqlDatabase, QSqlQueryModel

        self.name = f"peer-{id(self)}"
        self.conn = QSqlDatabase.addDatabase("QSQLITE", self.name)
        self.conn.setDatabaseName(path)
        if not self.conn.open():
            raise RuntimeError("QSQLITE could not open the bench database")
        self.model = QSqlQueryModel()
        self.view = painted_table_view()
        self.view.setModel(self.model)

    def show(
        self, sql: str, params: list[Any], before: list[tuple[str, list[Any]]] | None = None
    ) -> float:
        """setQuery → painted with rows, in ms (`before`: queries run first, every row read)."""
        from PySide6.QtSql import QSqlQuery

        start = time.perf_counter()
        for pre_sql, pre_params in before or []:
            pre = QSqlQuery(self.conn)
            pre.prepare(pre_sql)
            for value in pre_params:
                pre.addBindValue(value)
            pre.exec()
            while pre.next():
                pre.value(0)
        query = QSqlQuery(self.conn)
        query.prepare(sql)
        for value in params:
            query.addBindValue(value)
        query.exec()
        done = [False]
        self.model.setQuery(query)  # synchronous: the first 256 rows are fetched here
        done[0] = True
        end = wait_painted(self.view, start, lambda: done[0])
        return (end - start) * 1000

    def close(self) -> None:
        from PySide6.QtSql import QSqlDatabase

        self.view.setModel(None)
        self.model.clear()
        del self.model
        self.view.close()
        self.view.deleteLater()
        self.conn.close()
        del self.conn
        QSqlDatabase.removeDatabase(self.name)


def _settle(model: Any, runner: Any) -> None:
    """Until what follows a shown page (the counts, the upkeep) is back: the next input comes
    from an operator who looked at the screen, not from a burst with work still running."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + 30
    while not (model.settled and runner.is_idle()) and time.perf_counter() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def _ours_painted(db: Database, filtros: list[QueueFilter], reps: int) -> list[list[float]]:
    """Per filter: ms from `set_filter` (the first: model created + reload) to painted rows.
    One view, already shown and painted (as the peer's): each repetition sets a new model."""
    from ui.queue_model import QueueModel, ServiceQueueSource
    from ui.tasks import TaskRunner

    runner = TaskRunner(max_threads=3)
    out: list[list[float]] = [[] for _ in filtros]
    view = painted_table_view()
    wait_painted(view, 0.0, lambda: True)
    try:
        for _ in range(reps):
            start = time.perf_counter()
            model = QueueModel(
                runner, ServiceQueueSource(db, lambda: NOW), lambda: NOW, "bench@pc", filtros[0]
            )
            view.setModel(model)
            loaded = [False]
            model.first_page_loaded.connect(lambda flag=loaded: flag.__setitem__(0, True))
            model.reload()
            end = wait_painted(
                view, start, lambda m=model, flag=loaded: flag[0] and m.rowCount() > 0
            )
            out[0].append((end - start) * 1000)
            _settle(model, runner)
            for i, filtro in enumerate(filtros[1:], start=1):
                loaded[0] = False
                start = time.perf_counter()
                model.set_filter(filtro)
                end = wait_painted(view, start, lambda flag=loaded: flag[0])
                out[i].append((end - start) * 1000)
                _settle(model, runner)
            view.setModel(None)
            model.deleteLater()
            wait_painted(view, time.perf_counter(), lambda: True)
    finally:
        view.close()
        view.deleteLater()
        runner.shutdown()
    return out


def _measure(n: int, opts: Options) -> list[Row]:
    path = datasets.queue_db(n)
    db = datasets.open_db(path)
    reps = 3 if opts.quick else 15
    today = local_today(NOW)
    hoy = QueueFilter.today(NOW)
    texto = replace(hoy, texto=COMMON)
    nada = replace(hoy, texto=NO_MATCH)
    year = QueueFilter(today - timedelta(days=400), today, EstadoFiltro.TODAS)
    label = f"queue {n // 1000}k"
    rows: list[Row] = []
    try:
        queue_window.preparar_busqueda(db)  # no-op on a generated file (already complete)

        def timed(fn: Callable[[], object]) -> list[float]:
            return repeat_ms(fn, reps)

        count_budget = 10.0
        pendientes = QueueFilter.pendientes(NOW)  # the window's default: every earlier day too
        for name, filtro in (
            ("counts today", hoy),
            (f"counts «{COMMON}»", texto),
            ("counts Pendientes", pendientes),
            (f"counts Pendientes «{COMMON}»", replace(pendientes, texto=COMMON)),
        ):
            s = timed(lambda f=filtro: queue_window.conteos(db, f, NOW))  # type: ignore[misc]
            rows.append(
                _row(f"{label}: {name}", s, "≤10", median(s) <= count_budget, note="read unit")
            )
        for name, filtro in (
            ("first page", hoy),
            (f"page «{COMMON}»", texto),
            ("page no match", nada),
        ):
            s = timed(lambda f=filtro: queue_window.pagina(db, f, NOW))  # type: ignore[misc]
            rows.append(_row(f"{label}: {name}", s, "—", None))
        rows.append(_depth_row(db, label, n, year, timed))
        rows += _paint_rows(db, str(path), label, [hoy, texto, nada], n, 3 if opts.quick else 7)
    finally:
        db.dispose()
    return rows


def _depth_row(
    db: Database, label: str, n: int, year: QueueFilter, timed: Callable[..., list[float]]
) -> Row:
    """A page half-way down the whole history: keyset (ours) against OFFSET (the peer)."""
    depth = n // 2
    with db.read() as uow:
        anchor = page_queue(uow.session, year, NOW, offset=depth - 1, limit=1)
    last = anchor.rows[0]
    cursor = QueueCursor(last.fecha_subida, last.id)
    keyset = timed(lambda: queue_window.pagina(db, year, NOW, despues=cursor))

    def by_offset() -> object:
        with db.read() as uow:
            return page_queue(uow.session, year, NOW, offset=depth)

    offset = timed(by_offset)
    return _row(
        f"{label}: page at depth {depth}",
        keyset,
        "constant",
        None,
        peer=median(offset),
        note="keyset cursor; peer = the same page by OFFSET",
    )


def _copy_rows(src: Database, dst: Database) -> None:
    """The bench file's rows into an empty migrated database: DIM's stand-ins, then ours."""
    from sqlalchemy import insert, select

    from dim_revision.db.models import (
        BusquedaPaciente,
        BusquedaPalabra,
        Envio,
        SolicitudAsistencia,
    )

    ours = [SolicitudAsistencia.__table__, Envio.__table__, BusquedaPaciente.__table__]
    ours.append(BusquedaPalabra.__table__)  # the copy's words: without them no name matches
    pairs = [(getattr(src.dim, e).table, getattr(dst.dim, e).table) for e in DIM_COPIED]
    pairs += [(t, t) for t in ours]
    with src.engine.connect() as read, dst.engine.begin() as write:
        for source, target in pairs:
            keys = [c.key for c in target.c]
            result = read.execute(select(*(source.c[k] for k in keys)))
            while chunk := result.fetchmany(10_000):
                write.execute(insert(target), [dict(zip(keys, r, strict=True)) for r in chunk])
    with dst.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


DIM_COPIED = ("obra_social", "plan", "paciente")


def _pg_rows(path: Any, n: int, reps: int) -> list[Row]:
    """Counts and a deep page on PostgreSQL (DIM_REVISION_TEST_PG_URL), same data as SQLite."""
    url = os.environ.get(PG_ENV)
    if not url:
        return []
    hoy = QueueFilter.today(NOW)
    today = local_today(NOW)
    year = QueueFilter(today - timedelta(days=400), today, EstadoFiltro.TODAS)
    label = f"queue {n // 1000}k PostgreSQL"
    src = datasets.open_db(path)
    try:
        with _postgres(url) as db:
            _copy_rows(src, db)
            queue_window.preparar_busqueda(db)
            rows = []
            for name, filtro in (
                ("counts today", hoy),
                (f"counts «{COMMON}»", replace(hoy, texto=COMMON)),
            ):
                s = repeat_ms(lambda f=filtro: queue_window.conteos(db, f, NOW), reps)  # type: ignore[misc]
                rows.append(_row(f"{label}: {name}", s, "≤10", median(s) <= 10, note="read unit"))
            rows.append(_depth_row(db, label, n, year, lambda fn: repeat_ms(fn, reps)))
            return rows
    finally:
        src.dispose()


def _paint_rows(
    db: Database, path: str, label: str, filtros: list[QueueFilter], n: int, reps: int
) -> list[Row]:
    from ui.queue_model import FIRST_SCREEN

    qt_app()
    ours = _ours_painted(db, filtros, reps)
    pages = [
        _captured_page(db, lambda f=f: queue_window.pagina(db, f, NOW))  # type: ignore[misc]
        for f in filtros
    ]
    # Our first query reads a screenful (the rest of the page follows the paint): the same SQL
    # with that limit, for a peer that reads no more than we do before painting.
    screen_sql = _captured_sql(
        db, lambda: queue_window.pagina(db, filtros[0], NOW, limit=FIRST_SCREEN)
    )
    peer = _PeerTable(path)
    try:
        peer_samples = [
            [peer.show(*pages[i][-1], before=pages[i][:-1]) for _ in range(reps)]
            for i in range(len(filtros))
        ]
        peer_screen = [peer.show(*screen_sql) for _ in range(reps)]
    finally:
        peer.close()
    filter_budget = 60.0 if n <= 100_000 else 100.0
    out = [
        _row(
            f"{label}: first rows painted",
            ours[0],
            "≤1× peer",
            median(ours[0]) <= median(peer_samples[0]),
            peer=median(peer_samples[0]),
            note="QueueModel+QTableView (counts, colours, leases) vs QSqlQueryModel+QTableView, same SQL"
            f" (the page's, LIMIT 200; ours reads {FIRST_SCREEN} rows first, the rest after the paint)",
        ),
        _row(
            f"{label}: first rows painted, peer reading a screenful",
            ours[0],
            "—",
            None,
            peer=median(peer_screen),
            note=f"the same, the peer's SQL with LIMIT {FIRST_SCREEN} (what ours reads before its paint)",
        ),
    ]
    for i, name in ((1, f"filter «{COMMON}» painted"), (2, "filter no match painted")):
        out.append(
            _row(
                f"{label}: {name}",
                ours[i],
                f"≤{filter_budget:.0f}",
                percentile(ours[i], 95) <= filter_budget,
                peer=median(peer_samples[i]),
                note="set_filter → painted; peer: setQuery with the same SQL → painted",
            )
        )
    return out


def _today_heavy(n: int, opts: Options) -> list[Row]:
    """A backlog day: a tenth of all requests uploaded today (the service calls, then the
    filter changes painted as in `_measure`)."""
    path = datasets.queue_db(n, today_heavy=True)
    db = datasets.open_db(path)
    hoy = QueueFilter.today(NOW)
    label = f"queue {n // 1000}k today-heavy"
    rows = []
    filtros = [hoy, replace(hoy, texto=COMMON), replace(hoy, texto=NO_MATCH)]
    try:
        queue_window.preparar_busqueda(db)  # as the grid does once per process
        pendientes = QueueFilter.pendientes(NOW)
        for name, filtro, fn in (
            ("counts today", hoy, queue_window.conteos),
            (f"counts «{COMMON}»", replace(hoy, texto=COMMON), queue_window.conteos),
            ("counts Pendientes", pendientes, queue_window.conteos),
            (
                f"counts Pendientes «{COMMON}»",
                replace(pendientes, texto=COMMON),
                queue_window.conteos,
            ),
            ("first page", hoy, queue_window.pagina),
            (f"page «{COMMON}»", replace(hoy, texto=COMMON), queue_window.pagina),
            ("page no match", replace(hoy, texto=NO_MATCH), queue_window.pagina),
        ):
            s = repeat_ms(lambda f=filtro, g=fn: g(db, f, NOW), 15)  # type: ignore[misc]
            budget = "≤10" if name.startswith("counts") else "—"
            ok = median(s) <= 10 if name.startswith("counts") else None
            rows.append(_row(f"{label}: {name}", s, budget, ok, note=f"{n // 10} uploaded today"))
        painted = _paint_rows(db, str(path), label, filtros, n, 3 if opts.quick else 7)
        rows += [r for r in painted if "filter" in r.case]  # first rows: the history rows' case
    finally:
        db.dispose()
    return rows


def run(opts: Options) -> list[Row]:
    rows: list[Row] = []
    for n in sizes(opts):
        rows += _measure(n, opts)
        if n == 100_000:
            rows += _pg_rows(datasets.queue_db(n), n, 15)
    for n in sizes(opts):
        if n >= 100_000:
            rows += _today_heavy(n, opts)
    return rows
