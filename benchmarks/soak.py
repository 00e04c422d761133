"""`make soak`: the never-twice promise under fire, on SQLite and PostgreSQL.

Each scenario seeds N due sends, flushes them through the real outbox worker against the
fault-injection Botmaker (`dim_revision.outbox.fault_botmaker`, which fsyncs every complete
request it receives before answering), and compares the database with that journal:

- duplicates: requests received beyond the first for the same Envio (target 0);
- lost: sends Botmaker never received that the outbox nevertheless calls *enviado*, or that are
  still stuck (*programado* due / *enviando*) after the final pass (target 0);
- incierto-never-sent: *incierto* sends Botmaker never received — a person would be asked about
  a message that never left (target 0).

Scenarios: failures after the request was processed (TLS alert on a TLS listener with a
self-signed certificate made at run time, TCP reset / silent close, 500/502/504, answers slower
than the read timeout), and `kill -9` of `dim-revision outbox run` at random moments, restarted
each time, then a last pass an hour later (the database's leases expired).

    python -m benchmarks.soak [--quick] [--n N] [--backends sqlite,postgres] [--pg-url URL]

PostgreSQL: `--pg-url` or DIM_REVISION_TEST_PG_URL (an admin URL; a scratch database is created
and dropped). Prints one table; exit 1 if any target is missed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from benchmarks.seeding import due_now, seed_sends
from benchmarks.tcp_proxy import CuttableProxy
from dim_revision.clock import FakeClock, utcnow
from dim_revision.config import BotmakerSettings, ServicioSettings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fault_botmaker import (
    FaultBotmaker,
    TlsFiles,
    make_tls_files,
    random_modes,
    read_journal,
)
from dim_revision.outbox.reconcile import Reconciler
from dim_revision.outbox.results import Consulta, Encontrado, NoExiste
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor

TOKEN = "token-soak"
PG_ENV = "DIM_REVISION_TEST_PG_URL"
READ_TIMEOUT = 0.5
CONNECT_TIMEOUT = 1.0

DRAIN_SCRIPT = """
import os, sys
from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.secrets import MemoryStore
ctx = build_context(secrets=MemoryStore({"botmaker-token": os.environ["SOAK_BOTMAKER_TOKEN"]}))
sys.exit(main(["outbox", "run", "--drain"], context=ctx))
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    weights: dict[str, float] = field(default_factory=dict)
    tls: bool = False
    crash: bool = False
    delay_ms: float = 0.0  # a random answer delay up to this (so kills land mid-request)
    db_outage: bool = False  # PostgreSQL only: connections cut for 1–3 s every few seconds


SCENARIOS = (
    Scenario("tls-alert", {"tls_alert": 0.15}, tls=True),
    Scenario("reset-close", {"reset": 0.10, "close": 0.05}),
    Scenario("5xx-after-processing", {"500": 0.05, "502": 0.10, "504": 0.10}),
    Scenario("slow-answers", {"slow": 0.03}),
    Scenario("kill-9", crash=True, delay_ms=15.0),
    Scenario(
        "kill-9+tls-faults", {"tls_alert": 0.05, "reset": 0.05}, tls=True, crash=True, delay_ms=10.0
    ),
    Scenario("db-outage", delay_ms=5.0, db_outage=True),
)


@dataclass
class Result:
    scenario: str
    backend: str
    sends: int
    requests: int
    duplicates: int
    lost: int
    incierto: int
    incierto_never_sent: int
    enviados: int
    kills: int
    seconds: float
    # After asking Botmaker's record (issue #17 item 2, the service's Reconciler): what a
    # supervisor would still see, and how many of those never reached Botmaker.
    incierto_after: int = 0
    never_sent_after: int = 0

    @property
    def ok(self) -> bool:
        return self.duplicates == 0 and self.lost == 0 and self.never_sent_after == 0


# --- databases -------------------------------------------------------------------------------


@contextmanager
def sqlite_database(tmp: Path) -> Iterator[str]:
    url = sqlite_url(tmp / f"soak-{uuid.uuid4().hex[:8]}.sqlite3")
    yield url


@contextmanager
def pg_database(admin: str) -> Iterator[str]:
    name = f"dimsoak_{uuid.uuid4().hex[:10]}"
    admin_engine = create_db_engine(admin).execution_options(isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def seed(db: Database, n: int) -> None:
    seed_sends(db, n, due_now(lambda i: {"nombre": "Ana", "link": f"t{i}"}))


# --- running ---------------------------------------------------------------------------------


def _settings(url: str, tls: TlsFiles | None) -> BotmakerSettings:
    return BotmakerSettings(
        base_url=url,
        canal="canal-soak",
        envios_por_segundo=0,
        lote=20,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        ca_file=str(tls.cert) if tls else "",
    )


def _worker(db: Database, url: str, tls: TlsFiles | None, clock: Any, name: str) -> OutboxWorker:
    settings = _settings(url, tls)
    client = BotmakerClient(settings, MemoryStore({"botmaker-token": TOKEN}), clock=clock)
    policy = RetryPolicy(base=0.05, factor=1, max_attempts=50, jitter="none")
    return OutboxWorker(db, client, policy, clock, Actor(worker_owner(name), name), settings)


def drain_in_process(
    db: Database, url: str, tls: TlsFiles | None, clock: Any, tolerate_db_errors: bool = False
) -> None:
    worker = _worker(db, url, tls, clock, "pc-soak")
    try:
        idle = 0
        while idle < 3:
            try:
                report = worker.run_once()
            except DBAPIError:
                if not tolerate_db_errors:
                    raise
                time.sleep(0.1)  # what OutboxThread does: try again a moment later
                continue
            idle = 0 if (report.tomados or report.expirados) else idle + 1
            if report.tomados == 0:
                time.sleep(0.06)  # a scheduled retry may be due in a moment
    finally:
        worker.close()


def crash_loop(db_url: str, url: str, tls: TlsFiles | None, rng: random.Random, home: Path) -> int:
    env = dict(os.environ)
    env.update(
        {
            "DIM_REVISION_HOME": str(home),
            "DIM_REVISION_DB_URL": db_url,
            "DIM_REVISION__BOTMAKER__BASE_URL": url,
            "DIM_REVISION__BOTMAKER__CANAL": "canal-soak",
            "DIM_REVISION__BOTMAKER__ENVIOS_POR_SEGUNDO": "0",
            "DIM_REVISION__BOTMAKER__LOTE": "20",
            "DIM_REVISION__BOTMAKER__CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "DIM_REVISION__BOTMAKER__READ_TIMEOUT": str(READ_TIMEOUT),
            "DIM_REVISION__BOTMAKER__CA_FILE": str(tls.cert) if tls else "",
            "SOAK_BOTMAKER_TOKEN": TOKEN,
        }
    )
    kills = 0
    while True:
        proc = subprocess.Popen(
            [sys.executable, "-c", DRAIN_SCRIPT],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _out, err = proc.communicate(timeout=rng.uniform(1.0, 3.0))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            kills += 1
            continue
        if proc.returncode != 0:
            raise RuntimeError(f"outbox run failed: {err.decode(errors='replace')[-2000:]}")
        return kills


def outage_run(db_url: str, url: str, rng: random.Random) -> int:
    """The worker talks to PostgreSQL through a proxy that drops every connection for 1–3 s,
    over and over, until the queue is flushed. Returns the number of outages."""
    target = make_url(db_url)
    proxy = CuttableProxy((target.host or "127.0.0.1", target.port or 5432)).start()
    via = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db = Database(create_db_engine(via))
    import threading

    done = threading.Event()

    def cutter() -> None:
        while not done.wait(rng.uniform(0.5, 2.0)):
            proxy.cut(rng.uniform(1.0, 3.0))

    thread = threading.Thread(target=cutter, daemon=True)
    thread.start()
    try:
        drain_in_process(db, url, None, utcnow, tolerate_db_errors=True)
    finally:
        done.set()
        thread.join()
        db.dispose()
        proxy.stop()
    return proxy.cuts


class JournalResults:
    """Botmaker's own record of what it received, as the Reconciler's results source: the fault
    Botmaker's fsync'ed journal (a request it recorded is one it may have processed; one it never
    recorded provably never arrived whole). The HTTP form of this query is tested against the
    fake Botmaker in tests/integration/test_conciliacion.py."""

    def __init__(self, journal: Path) -> None:
        self._journal = journal

    def _received(self) -> set[str]:
        return {str(r.get("envio")) for r in read_journal(self._journal)}

    def by_notification(self, notification_id: str) -> Consulta:
        return NoExiste()  # an incierto never got Botmaker's id; the payload query decides

    def by_payload(self, envio_id: int, since: Any) -> Consulta:
        if str(envio_id) in self._received():
            return Encontrado(None, None, None, None)
        return NoExiste()

    def close(self) -> None:
        return None


def ask_botmaker(db: Database, journal: Path, url: str, tls: TlsFiles | None) -> None:
    """What the service does before a person sees an incierto: ask Botmaker's record, confirm
    what it has, re-queue what it provably lacks, and send those (once)."""
    settings = ServicioSettings(
        incierto_espera_minutos=0.0, conciliar_por_segundo=0.0, conciliar_lote=100_000
    )
    for _ in range(10):  # a re-queued send can meet another fault and turn incierto again
        later = FakeClock(utcnow() + timedelta(hours=2))
        reconciler = Reconciler(db, JournalResults(journal), later, settings)
        report = reconciler.run_once()
        if not report.reencolados and not report.confirmados:
            return
        if report.reencolados:
            drain_in_process(db, url, tls, later)


def account(db: Database, journal: Path, n: int) -> dict[str, int]:
    with db.engine.connect() as conn:
        estados = dict(conn.execute(select(Envio.id, Envio.estado)).all())
    got = Counter(str(r.get("envio")) for r in read_journal(journal))
    received = {int(k) for k in got if k.isdigit()}
    dupes = sum(c - 1 for c in got.values() if c > 1)
    lost = sum(
        1
        for i, e in estados.items()
        if (e == "enviado" and i not in received) or e in ("programado", "enviando")
    )
    inciertos = [i for i, e in estados.items() if e == "incierto"]
    return {
        "requests": sum(got.values()),
        "duplicates": dupes,
        "lost": lost,
        "incierto": len(inciertos),
        "incierto_never_sent": sum(1 for i in inciertos if i not in received),
        "enviados": sum(1 for e in estados.values() if e == "enviado"),
    }


def run_scenario(
    sc: Scenario, backend: str, db_url: str, n: int, tmp: Path, tls: TlsFiles, seed_: int
) -> Result:
    engine = create_db_engine(db_url)
    migrate.upgrade(engine)
    db = Database(engine)
    seed(db, n)
    journal = tmp / f"journal-{sc.name}-{backend}.jsonl"
    rng = random.Random(seed_)
    delay = (lambda: rng.uniform(0, sc.delay_ms) / 1000.0) if sc.delay_ms else None
    kills = 0
    started = time.perf_counter()
    with FaultBotmaker(
        journal,
        TOKEN,
        mode_for=random_modes(sc.weights, seed_),
        tls=tls if sc.tls else None,
        slow_seconds=READ_TIMEOUT + 0.4,
        delay=delay,
    ) as server:
        if sc.db_outage:
            kills = outage_run(db_url, server.url, rng)
            later = FakeClock(utcnow() + timedelta(hours=1))
            drain_in_process(db, server.url, None, later)
        elif sc.crash:
            kills = crash_loop(db_url, server.url, tls if sc.tls else None, rng, tmp / "home")
            # An hour later: every lease of the killed processes has expired.
            later = FakeClock(utcnow() + timedelta(hours=1))
            drain_in_process(db, server.url, tls if sc.tls else None, later)
        else:
            drain_in_process(db, server.url, tls if sc.tls else None, utcnow)
        figures = account(db, journal, n)
        ask_botmaker(db, journal, server.url, tls if sc.tls else None)
    seconds = time.perf_counter() - started
    after = account(db, journal, n)
    db.dispose()
    if after["duplicates"] != figures["duplicates"] or after["lost"]:
        figures.update(duplicates=after["duplicates"], lost=after["lost"])
    return Result(
        sc.name,
        backend,
        n,
        kills=kills,
        seconds=seconds,
        incierto_after=after["incierto"],
        never_sent_after=after["incierto_never_sent"],
        **figures,
    )


def table(results: list[Result]) -> str:
    head = (
        "| scenario | backend | sends | requests received | duplicates | lost | incierto "
        "| incierto-never-sent | after asking Botmaker: incierto / never-sent "
        "| kill -9 / outages | s |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.backend} | {r.sends} | {r.requests} | {r.duplicates} | "
            f"{r.lost} | {r.incierto} | {r.incierto_never_sent} | "
            f"{r.incierto_after} / {r.never_sent_after} | {r.kills} | {r.seconds:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="60 sends per scenario (smoke test)")
    ap.add_argument("--n", type=int, default=None, help="sends per scenario (default 1000)")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--scenarios", default=",".join(s.name for s in SCENARIOS))
    ap.add_argument("--pg-url", default=os.environ.get(PG_ENV, ""))
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)
    logging.getLogger("dim_revision").setLevel(logging.CRITICAL)  # the outcomes are counted
    n = args.n or (60 if args.quick else 1000)
    wanted = set(args.scenarios.split(","))
    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends and not args.pg_url:
        print(f"PostgreSQL: falta --pg-url o {PG_ENV}; se omite.", file=sys.stderr)
        backends.remove("postgres")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="dimrev-soak-") as tmp_text:
        tmp = Path(tmp_text)
        tls = make_tls_files(tmp / "tls")
        for sc in SCENARIOS:
            if sc.name not in wanted:
                continue
            for backend in backends:
                if sc.db_outage and backend != "postgres":
                    continue  # the outage is a cut TCP connection: PostgreSQL only
                maker = sqlite_database(tmp) if backend == "sqlite" else pg_database(args.pg_url)
                with maker as db_url:
                    r = run_scenario(sc, backend, db_url, n, tmp, tls, args.seed)
                results.append(r)
                print(
                    f"{r.scenario:>22} {r.backend:<8} sends {r.sends} requests {r.requests} "
                    f"dup {r.duplicates} lost {r.lost} incierto {r.incierto} "
                    f"never-sent {r.incierto_never_sent} (after asking Botmaker: {r.incierto_after} incierto, {r.never_sent_after} never-sent) kills {r.kills} ({r.seconds:.0f} s)",
                    flush=True,
                )
    print()
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
