"""Botmaker webhook under load (issue #12): 200 events/s for 30 s against `dim-revision serve`.

The service runs in its own process (real uvicorn on 127.0.0.1, `serve --sin-envios`); this
process offers events open-loop at a fixed rate from a few client threads (a slow answer does
not lower the offered rate), then checks the database: every event applied exactly once (the
replays answered «repetido»), none lost. SQLite always; PostgreSQL when DIM_REVISION_TEST_PG_URL
is set (a throwaway database).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from benchmarks.bench_queue import PG_ENV, _postgres
from benchmarks.common import Options, Row, median, percentile
from benchmarks.seeding import seed_sends
from dim_revision.clock import utcnow
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import (
    Evento,
    RespuestaPaciente,
    WebhookEvento,
)
from dim_revision.db.uow import Database

TOKEN = "bench-webhook-token"
THREADS = 24  # open loop: enough in flight to keep the offered rate when answers slow down
SCRIPT = """
import os, sys
from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.secrets import MemoryStore
ctx = build_context(secrets=MemoryStore({"webhook-token": os.environ["BENCH_WEBHOOK_TOKEN"]}))
sys.exit(main(["serve", "--sin-envios", "--port", "0"], context=ctx))
"""


def _seed(db: Database, n: int) -> None:
    def enviado(i: int, now: datetime) -> dict[str, object]:
        return {
            "parametros": "{}",
            "link": f"l{i}",
            "estado": "enviado",
            "creado": now - timedelta(hours=1),
            "creado_por": "bench",
            "enviar_desde": now - timedelta(hours=1),
            "enviado_en": now - timedelta(hours=1),
            "proveedor_id": f"tx-{i}",
            "intentos": 1,
            "version": 2,
        }

    seed_sends(db, n, enviado)


def _events(n_envios: int, total: int) -> tuple[list[dict[str, Any]], int]:
    """`total` events: delivered + read per envio, a reply for every other one, and replays
    (10 %) of events already offered. Returns (events in order, number of unique events)."""
    unique: list[dict[str, Any]] = []
    date = utcnow().isoformat().replace("+00:00", "Z")
    for i in range(1, n_envios + 1):
        for status in ("delivered", "read"):
            unique.append(
                {
                    "v": "1.1",
                    "type": "status",
                    "chatPlatform": "whatsapp",
                    "contactId": f"+54911{i:08d}",
                    "txId": f"tx-{i}",
                    "webhookPayload": str(i),
                    "status": status,
                    "date": date,
                }
            )
        if i % 2 == 0:
            unique.append(
                {
                    "v": "1.1",
                    "type": "message",
                    "chatPlatform": "whatsapp",
                    "contactId": f"+54911{i:08d}",
                    "messages": [
                        {
                            "_id": f"MSG{i:010d}",
                            "date": date,
                            "from": "user",
                            "message": "Gracias, ya saqué turno",
                        }
                    ],
                }
            )
    n_unique = min(len(unique), total - total // 10)
    events = unique[:n_unique]
    replays = total - n_unique
    for k in range(replays):  # replay an event offered earlier
        events.insert(min(len(events), 50 + k * 10), unique[(k * 7) % max(1, n_unique // 2)])
    return events, n_unique


def _start_service(db_url: str) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ)
    env.update(
        {
            "DIM_REVISION_DB_URL": db_url,
            "DIM_REVISION__SERVICIO__CONCILIAR_CADA_SEGUNDOS": "0",
            "BENCH_WEBHOOK_TOKEN": TOKEN,
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not found:
        proc.kill()
        raise RuntimeError(
            f"serve did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc, f"http://127.0.0.1:{found.group(1)}"


def _offer(
    url: str, events: list[dict[str, Any]], rate: float
) -> tuple[list[float], Counter[str], Counter[int], float]:
    bodies = [json.dumps(e).encode() for e in events]
    latencies: list[float] = []
    outcome: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    nxt = [0]
    start = time.perf_counter() + 0.2

    def work() -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(bodies):
                    return
                due = start + i / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                t = time.perf_counter()
                r = client.post(
                    "/v1/botmaker/webhook",
                    content=bodies[i],
                    headers={"content-type": "application/json", "auth-bm-token": TOKEN},
                )
                ms = (time.perf_counter() - t) * 1000
                data = r.json()
                with lock:
                    latencies.append(ms)
                    statuses[r.status_code] += 1
                    for key in ("aplicados", "repetidos", "desconocidos"):
                        outcome[key] += int(data.get(key, 0))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    return latencies, outcome, statuses, elapsed


def _measure(db: Database, url_db: str, backend: str, opts: Options) -> Row:
    rate, seconds = (50.0, 2.0) if opts.quick else (200.0, 30.0)
    total = int(rate * seconds)
    n_envios = max(1, int(total * 0.9 / 2.5)) + 1
    _seed(db, n_envios)
    events, n_unique = _events(n_envios, total)
    proc, url = _start_service(url_db)
    try:
        latencies, outcome, statuses, elapsed = _offer(url, events, rate)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    with db.uow() as uow:
        s = uow.session
        stored = s.scalar(select(func.count()).select_from(WebhookEvento)) or 0
        replies = s.scalar(select(func.count()).select_from(RespuestaPaciente)) or 0
        per_envio = Counter(
            e for (e,) in s.execute(select(Evento.envio_id).where(Evento.accion.like("entrega_%")))
        )
    applied_twice = sum(1 for c in per_envio.values() if c > 2)  # entregado + leído at most
    lost = n_unique - stored
    ok = (
        statuses.get(200, 0) == total
        and outcome["aplicados"] == n_unique
        and outcome["repetidos"] == total - n_unique
        and lost == 0
        and applied_twice == 0
    )
    return Row(
        f"webhook[{backend}]: {rate:.0f} events/s × {seconds:.0f} s",
        "ms",
        median(latencies),
        percentile(latencies, 99),
        "p99",
        None,
        "none lost/twice",
        ok,
        f"{total} events ({n_unique} unique, {total - n_unique} replays) offered in "
        f"{elapsed:.1f} s ({total / elapsed:.0f}/s achieved); HTTP {dict(statuses)}; "
        f"stored {stored}, replies {replies}, lost {lost}, applied twice {applied_twice}; "
        f"max {max(latencies):.1f} ms",
    )


def run(opts: Options) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dimrev-bench-") as tmp:
        path = Path(tmp) / "webhook.sqlite3"
        engine = create_db_engine(sqlite_url(path))
        migrate.upgrade(engine)
        db = Database(engine)
        try:
            rows.append(_measure(db, sqlite_url(path), "sqlite", opts))
        finally:
            db.dispose()
    pg = os.environ.get(PG_ENV)
    if pg:
        with _postgres(pg) as db:
            rows.append(
                _measure(db, db.engine.url.render_as_string(hide_password=False), "postgres", opts)
            )
    return rows
