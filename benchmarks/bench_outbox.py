"""1 000 due sends through the outbox worker to the local fake Botmaker: exactly once, how fast."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import Options, Row
from benchmarks.seeding import due_now, seed_sends
from dim_revision.clock import utcnow
from dim_revision.config import BotmakerSettings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.uow import Database
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor

TOKEN = "token-bench"


def _seed(db: Database, n: int) -> list[int]:
    return seed_sends(
        db, n, due_now(lambda i: {"nombre": "Ana", "prestaciones": "RMN", "link": f"t{i}"})
    )


def run(opts: Options) -> list[Row]:
    n = 20 if opts.quick else 1_000
    secrets = MemoryStore()
    secrets.set("botmaker-token", TOKEN)
    with tempfile.TemporaryDirectory(prefix="dimrev-bench-") as tmp, FakeBotmaker(TOKEN) as fake:
        engine = create_db_engine(sqlite_url(Path(tmp) / "outbox.sqlite3"))
        migrate.upgrade(engine)
        db = Database(engine)
        ids = _seed(db, n)
        settings = BotmakerSettings(
            base_url=fake.url,
            canal="canal-bench",
            envios_por_segundo=0,
            lote=50,
            connect_timeout=2.0,
            read_timeout=5.0,
        )
        client = BotmakerClient(settings, secrets, clock=utcnow)
        policy = RetryPolicy(base=60, factor=2, max_attempts=3, jitter="none")
        worker = OutboxWorker(
            db, client, policy, utcnow, Actor(worker_owner("pc-bench"), "pc-bench"), settings
        )
        wall, cpu = time.perf_counter(), time.process_time()
        while worker.run_once().tomados:
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        worker.close()
        db.dispose()
        counts = Counter(r.envio_id for r in fake.received)
    dupes = sum(1 for c in counts.values() if c > 1)
    lost = sum(1 for i in ids if counts.get(str(i), 0) == 0)
    ok = dupes == 0 and lost == 0
    return [
        Row(
            "outbox: per send (wall)",
            "ms",
            wall * 1000 / n,
            None,
            "",
            None,
            "exactly once",
            ok,
            f"{n} sends in {wall:.2f} s ({n / wall:.0f}/s), CPU {cpu * 1000 / n:.2f} ms/send "
            f"(worker + fake server, same process); duplicates {dupes}, lost {lost}",
        ),
    ]
