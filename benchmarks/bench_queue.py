"""The queue grid's query on 100 000 solicitudes vs a QTableWidget filled with the full result.

Data is bulk-inserted with Core `executemany` (the demo seeder writes real JPEGs: far too slow
here). Runs on a SQLite file always and on PostgreSQL when DIM_REVISION_TEST_PG_URL is set (in a
throwaway database, like tests/conftest.py).
"""

from __future__ import annotations

import os
import random
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from benchmarks.common import (
    Options,
    Row,
    median,
    percentile,
    prepay_none,
    qt_app,
    repeat_ms,
    time_ms,
)
from dim_revision.clock import local_day_bounds, local_today, utcnow
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue import QueueFilter, QueueRow, list_queue

PG_ENV = "DIM_REVISION_TEST_PG_URL"
APELLIDOS = [
    "GONZÁLEZ",
    "RODRÍGUEZ",
    "GÓMEZ",
    "FERNÁNDEZ",
    "LÓPEZ",
    "DÍAZ",
    "MARTÍNEZ",
    "PÉREZ",
    "GARCÍA",
    "SÁNCHEZ",
    "ROMERO",
    "SOSA",
    "ÁLVAREZ",
    "TORRES",
    "RUIZ",
    "RAMÍREZ",
    "FLORES",
    "BENÍTEZ",
    "ACOSTA",
    "MEDINA",
    "HERRERA",
    "SUÁREZ",
    "AGUIRRE",
    "PEREYRA",
    "GUTIÉRREZ",
    "GIMÉNEZ",
    "MOLINA",
    "SILVA",
    "CASTRO",
    "ROJAS",
    "ORTIZ",
    "NÚÑEZ",
    "LUNA",
    "JUÁREZ",
    "CABRERA",
    "RÍOS",
    "MORALES",
]
NOMBRES = [
    "MARÍA",
    "JUAN",
    "ANA",
    "CARLOS",
    "LUCÍA",
    "JORGE",
    "SOFÍA",
    "MARTÍN",
    "VALENTINA",
    "DIEGO",
    "CAMILA",
    "PABLO",
    "JULIETA",
    "GUSTAVO",
    "FLORENCIA",
    "SERGIO",
    "AGUSTINA",
    "RAÚL",
    "NOELIA",
    "HÉCTOR",
]
OBRAS = ("OSDE", "SWISS MEDICAL", "GALENO", "MEDIFÉ", "OMINT", "IOMA", "PAMI", "OSECAC", "OSPRERA")


def _insert_all(db: Database, n: int, now: datetime, rng: random.Random) -> None:
    """n solicitudes over 10 local days (30 % today), n/3 patients, a send for every 5th one."""
    pacientes = max(10, n // 3)
    today = local_today(now)
    dim = db.dim
    with db.engine.begin() as conn:
        conn.execute(
            insert(dim.obra_social.table),
            [{"id": i, "nombre": nombre, "activa": True} for i, nombre in enumerate(OBRAS, 1)],
        )
        conn.execute(
            insert(dim.plan.table),
            [
                {
                    "id": (o - 1) * 3 + p,
                    "obra_social_id": o,
                    "nombre": f"PLAN {p}10",
                    "activo": True,
                }
                for o in range(1, len(OBRAS) + 1)
                for p in range(1, 4)
            ],
        )
        conn.execute(
            insert(dim.paciente.table),
            [
                {
                    "id": i,
                    "dni": str(20_000_000 + i * 7),
                    "apellido": rng.choice(APELLIDOS),
                    "nombre": rng.choice(NOMBRES),
                    "telefono_movil": f"11 {rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                    "email": f"paciente{i}@example.com" if i % 3 else None,
                    "obra_social_id": (o := rng.randrange(1, len(OBRAS) + 1)),
                    "plan_id": (o - 1) * 3 + rng.randrange(1, 4),
                }
                for i in range(1, pacientes + 1)
            ],
        )
        sols = []
        for i in range(1, n + 1):
            days_ago = 0 if rng.random() < 0.3 else rng.randrange(1, 10)
            day = today - timedelta(days=days_ago)
            start, end = local_day_bounds(day, day)
            end = min(end, now)
            when = start + (end - start) * rng.random()
            resuelto = rng.random() < (0.2 if days_ago == 0 else 0.7)
            sols.append(
                {
                    "id": i,
                    "paciente_id": rng.randrange(1, pacientes + 1),
                    "fecha_subida": when,
                    "telefono_verificado": rng.random() < 0.8,
                    "email_verificado": rng.random() < 0.3,
                    "resuelto": resuelto,
                    "fecha_contacto": when + timedelta(minutes=30) if resuelto else None,
                    "usuario_contacto": "operador1" if resuelto else None,
                    "version": 1,
                }
            )
        conn.execute(insert(SolicitudAsistencia), sols)
        conn.execute(
            insert(Envio),
            [
                {
                    "solicitud_id": s["id"],
                    "telefono": "5491100000000",
                    "plantilla": "dim_link_turno",
                    "parametros": "{}",
                    "link": "https://portal.example/t/x",
                    "token_id": f"jti-{s['id']}",
                    "estado": "enviado",
                    "creado": s["fecha_subida"],
                    "creado_por": "operador1",
                    "enviar_desde": s["fecha_subida"],
                    "intentos": 1,
                    "version": 1,
                }
                for s in sols[::5]
            ],
        )
    # A production database has planner statistics; a freshly bulk-loaded one does not yet
    # (PostgreSQL's autovacuum would get there a minute later). Give both backends theirs.
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


@contextmanager
def _sqlite(workdir: Path) -> Iterator[Database]:
    engine = create_db_engine(sqlite_url(workdir / "queue.sqlite3"))
    migrate.upgrade(engine)
    db = Database(engine)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def _postgres(admin_url: str) -> Iterator[Database]:
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


def _page(
    db: Database, filtro: QueueFilter, now: datetime, offset: int = 0, limit: int = 200
) -> list[QueueRow]:
    with db.uow() as uow:
        return list_queue(uow.session, filtro, now, offset=offset, limit=limit)


def _fill_table(rows: list[QueueRow]) -> Any:
    """The peer: every row of the result into a QTableWidget, one item per cell."""
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    prepay_none(len(rows) * 10)  # see common.prepay_none: PySide6's setItem leaks None refs
    table = QTableWidget(len(rows), 10)
    for r, row in enumerate(rows):
        cells = (
            row.fecha_subida.strftime("%d/%m %H:%M"),
            row.nombre,
            row.dni,
            "sí" if row.telefono_verificado else "no",
            row.telefono_movil or "",
            row.email or "",
            row.obra_social or "",
            row.plan or "",
            row.usuario_contacto or "",
            row.estado_envio or "",
        )
        for c, value in enumerate(cells):
            table.setItem(r, c, QTableWidgetItem(value))
    return table


def _model_first_rows(db: Database, filtro: QueueFilter, now: datetime) -> float | None:
    """`ui/queue_model.QueueModel` created → first page delivered on the GUI thread, in ms."""
    try:
        from PySide6.QtCore import QEventLoop, QTimer

        from ui.queue_model import QueueModel, ServiceQueueSource
        from ui.tasks import TaskRunner
    except ImportError:
        return None
    import time

    qt_app()
    runner = TaskRunner()
    try:
        loop = QEventLoop()
        start = time.perf_counter()
        model = QueueModel(
            runner, ServiceQueueSource(db, lambda: now), lambda: now, "bench@pc", filtro
        )
        model.first_page_loaded.connect(loop.quit)
        model.reload()
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed if model.rowCount() > 0 else None
    finally:
        runner.shutdown()


def _measure(db: Database, backend: str, n: int, opts: Options) -> list[Row]:
    now = utcnow()
    rng = random.Random(opts.seed)
    _insert_all(db, n, now, rng)
    today = local_today(now)
    reps = 3 if opts.quick else 15
    first = QueueFilter.today(now)
    texto = QueueFilter(today, today, EstadoFiltro.PENDIENTES, "gonz")
    todas = QueueFilter(today, today, EstadoFiltro.TODAS)
    ten_days = QueueFilter(today - timedelta(days=9), today, EstadoFiltro.TODAS)
    deep = min(50_000, n // 2)

    def timed(fn: Callable[[], object]) -> list[float]:
        return repeat_ms(fn, reps)

    full = _page(db, first, now, limit=10**9)
    qt_app()
    peer_fill = [time_ms(lambda: _fill_table(full)) for _ in range(2 if opts.quick else 3)]
    peer_total = [
        time_ms(lambda: _fill_table(_page(db, first, now, limit=10**9)))
        for _ in range(2 if opts.quick else 3)
    ]
    peer = median(peer_total)
    label = f"queue[{backend}]"
    note_peer = (
        f"peer = full query ({len(full)} rows) + fill; fill alone {median(peer_fill):.0f} ms"
    )

    rows = []
    samples = timed(lambda: _page(db, first, now))
    rows.append(
        Row(
            f"{label}: first page",
            "ms",
            median(samples),
            percentile(samples, 95),
            "p95",
            peer,
            "≤150",
            median(samples) <= 150,
            f"{n} solicitudes; {note_peer}",
        )
    )
    for name, filtro in (("filter text", texto), ("filter state", todas)):
        samples = timed(lambda f=filtro: _page(db, f, now))  # type: ignore[misc]
        rows.append(
            Row(
                f"{label}: {name}",
                "ms",
                median(samples),
                percentile(samples, 95),
                "p95",
                peer,
                "≤100",
                median(samples) <= 100,
                "",
            )
        )
    samples = timed(lambda: _page(db, ten_days, now, offset=deep))
    rows.append(
        Row(
            f"{label}: offset {deep}",
            "ms",
            median(samples),
            percentile(samples, 95),
            "p95",
            None,
            "—",
            None,
            "10 days, all states, page at the offset",
        )
    )
    model_samples = [_model_first_rows(db, first, now) for _ in range(reps)]
    if all(s is not None for s in model_samples):
        got = [s for s in model_samples if s is not None]
        rows.append(
            Row(
                f"{label}: QueueModel first rows",
                "ms",
                median(got),
                percentile(got, 95),
                "p95",
                peer,
                "≤150",
                median(got) <= 150,
                "model created → first page on the GUI thread (not painted)",
            )
        )
    else:
        rows.append(
            Row(
                f"{label}: QueueModel first rows",
                "ms",
                float("nan"),
                None,
                "",
                None,
                "≤150",
                None,
                "skipped: ui/queue_model unusable",
            )
        )
    return rows


def run(opts: Options) -> list[Row]:
    n = 2_000 if opts.quick else 100_000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dimrev-bench-") as tmp, _sqlite(Path(tmp)) as db:
        rows += _measure(db, "sqlite", n, opts)
    pg = os.environ.get(PG_ENV)
    if pg:
        with _postgres(pg) as db:
            rows += _measure(db, "postgres", n, opts)
    return rows
