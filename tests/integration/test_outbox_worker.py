"""The outbox worker on SQLite and PostgreSQL against the fake Botmaker: never twice, never lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock, utcnow
from dim_revision.config import BotmakerSettings, write_config_file
from dim_revision.db.engine import create_db_engine
from dim_revision.db.models import Envio, Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.retry import RetryPolicy
from dim_revision.envio import por_persona, por_worker
from dim_revision.errors import EnvioLocked
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker, Fault
from dim_revision.outbox.status import outbox_counts
from dim_revision.outbox.worker import OutboxThread, OutboxWorker, RateLimiter, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories
from tests.layouts import dim_config_values
from tests.processes import sender_env

TOKEN = "token-de-prueba"  # the `secrets` fixture's
POLICY = RetryPolicy(base=60, factor=2, max_attempts=3, jitter="none")
SUPERVISOR = Actor("supervisora", "pc-sup")

WorkerFactory = Callable[..., OutboxWorker]


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN, slow_seconds=2.0) as server:
        yield server


def bm_settings(url: str, **overrides: Any) -> BotmakerSettings:
    values: dict[str, Any] = {
        "base_url": url,
        "canal": "canal-prueba",
        "envios_por_segundo": 0,
        "lote": 20,
        "connect_timeout": 2.0,
        "read_timeout": 0.3,
    }
    values.update(overrides)
    return BotmakerSettings(**values)


@pytest.fixture
def make_worker(
    fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> Iterator[WorkerFactory]:
    made: list[OutboxWorker] = []

    def build(
        db: Database,
        estacion: str = "pc-01",
        limiter: RateLimiter | None = None,
        url: str | None = None,
        **overrides: Any,
    ) -> OutboxWorker:
        settings = bm_settings(url or fake.url, **overrides)
        client = BotmakerClient(settings, secrets, clock=clock)
        owner = Actor(worker_owner(estacion), estacion)
        worker = OutboxWorker(db, client, POLICY, clock, owner, settings, limiter=limiter)
        made.append(worker)
        return worker

    yield build
    for w in made:
        w.close()


def seed(db: Database, n: int, enviar_desde: datetime, parametros: str | None = None) -> list[int]:
    """n Envios for n solicitudes (one live send per solicitud), in one transaction."""
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        sols = [
            SolicitudAsistencia(
                paciente_id=pac.id,
                fecha_subida=enviar_desde - timedelta(hours=1),
                resuelto=True,
                version=1,
            )
            for _ in range(n)
        ]
        s.add_all(sols)
        s.flush()
        envios = [
            Envio(
                solicitud_id=sol.id,
                telefono=f"54911{i:08d}",
                plantilla="dim_link_turno",
                parametros=parametros
                if parametros is not None
                else json.dumps({"nombre": "Ana", "prestaciones": "RMN", "link": f"tok{i}"}),
                link=f"https://portal.example/t/tok{i}",
                token_id=f"jti-{sol.id}",
                estado=E.PROGRAMADO.value,
                creado=enviar_desde - timedelta(minutes=15),
                creado_por="operador",
                enviar_desde=enviar_desde,
                intentos=0,
                version=1,
            )
            for i, sol in enumerate(sols)
        ]
        s.add_all(envios)
        s.flush()
        ids = [e.id for e in envios]
        uow.commit()
    return ids


def rows(db: Database) -> dict[int, Envio]:
    with db.uow() as uow:
        result = {e.id: e for e in uow.session.scalars(select(Envio))}
        uow.session.expunge_all()  # keep the loaded values after the rollback
        return result


def eventos(db: Database, envio_id: int | None = None) -> list[Evento]:
    with db.uow() as uow:
        stmt = select(Evento).order_by(Evento.id)
        if envio_id is not None:
            stmt = stmt.where(Evento.envio_id == envio_id)
        result = list(uow.session.scalars(stmt))
        uow.session.expunge_all()
        return result


def second_database(db: Database) -> Database:
    """Another engine (own pool, own connections) on the same database: another workstation."""
    return Database(
        create_db_engine(db.engine.url.render_as_string(hide_password=False)), db.dim_settings
    )


# --- the happy path and the 15-minute window ---------------------------------------------------


def test_a_due_send_goes_out_once_and_is_audited(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    [envio_id] = seed(database, 1, clock())
    worker = make_worker(database)
    report = worker.run_once()
    assert (report.tomados, report.enviados) == (1, 1)
    again = worker.run_once()
    assert again.tomados == 0
    [req] = fake.received_for(envio_id)
    row = rows(database)[envio_id]
    assert row.estado == E.ENVIADO and row.enviado_en == clock()
    assert row.proveedor_id and req.answer == "202"
    assert (row.intentos, row.tomado_por, row.tomado_hasta) == (1, None, None)
    evs = eventos(database, envio_id)
    assert [e.accion for e in evs] == ["envio_tomado", "envio_enviado"]
    assert {e.usuario for e in evs} == {worker.owner.usuario} and evs[0].estacion == "pc-01"
    assert worker.status.enviados == 1


def test_the_fifteen_minute_window_is_honoured(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    confirmed_at = clock()
    [envio_id] = seed(database, 1, confirmed_at + timedelta(minutes=15))
    worker = make_worker(database)
    clock.advance(minutes=14, seconds=59)
    assert worker.run_once().tomados == 0
    assert fake.received == []
    clock.advance(seconds=1)
    assert worker.run_once().enviados == 1
    assert len(fake.received_for(envio_id)) == 1


def test_unreadable_parameters_fail_without_calling_botmaker(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    [envio_id] = seed(database, 1, clock(), parametros="[no es json")
    make_worker(database).run_once()
    assert rows(database)[envio_id].estado == E.FALLIDO
    assert fake.received == []


# --- every fault ends in the right state ------------------------------------------------------


FAULTS = [
    # spec, api, final state, error fragment
    ("400", "v2", E.FALLIDO, "400"),
    ("problems", "v1", E.FALLIDO, "problemas"),
    ("500", "v2", E.INCIERTO, "500"),
    ("timeout", "v2", E.INCIERTO, "a tiempo"),
    ("reset", "v2", E.INCIERTO, "cortó la conexión"),
    ("502", "v2", E.INCIERTO, "502"),  # a gateway may answer after the backend processed it
    ("503", "v2", E.PROGRAMADO, "503"),  # with Retry-After: nothing processed
    ("504", "v2", E.INCIERTO, "504"),
    ("429", "v1", E.PROGRAMADO, "429"),
]


@pytest.mark.parametrize(("spec", "api", "estado", "fragment"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_ends_in_the_right_state(
    database: Database,
    clock: FakeClock,
    fake: FakeBotmaker,
    make_worker: WorkerFactory,
    spec: str,
    api: str,
    estado: E,
    fragment: str,
) -> None:
    [envio_id] = seed(database, 1, clock())
    fake.script(spec)
    worker = make_worker(database, api_version=api)
    worker.run_once()
    row = rows(database)[envio_id]
    assert row.estado == estado
    assert fragment in (row.ultimo_error or "")
    assert row.intentos == 1
    assert len(fake.received) == 1
    if estado is E.PROGRAMADO:  # retry scheduled by the policy: 60 s after the first failure
        assert row.proximo_intento == clock() + timedelta(seconds=60)
        assert row.tomado_por is None
    if estado is E.INCIERTO:  # never resent by itself, whatever time passes
        assert row.tomado_por == worker.owner.usuario
        clock.advance(days=2)
        worker.run_once()
        assert rows(database)[envio_id].estado == E.INCIERTO
        assert len(fake.received) == 1
    assert not worker.paused
    # Nothing secret or personal in the audit trail or the error column.
    text = " ".join((e.detalle or "") for e in eventos(database)) + (row.ultimo_error or "")
    assert TOKEN not in text and "5491100000000" not in text


def test_connection_refused_schedules_a_retry(
    database: Database, clock: FakeClock, make_worker: WorkerFactory
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    [envio_id] = seed(database, 1, clock())
    make_worker(database, url=dead).run_once()
    row = rows(database)[envio_id]
    assert row.estado == E.PROGRAMADO and row.proximo_intento == clock() + timedelta(seconds=60)


def test_retry_after_is_honoured(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    [envio_id] = seed(database, 1, clock())
    fake.script(Fault("429", retry_after="300"))  # longer than the policy's 60 s
    worker = make_worker(database)
    worker.run_once()
    assert rows(database)[envio_id].proximo_intento == clock() + timedelta(seconds=300)
    clock.advance(seconds=299)
    assert worker.run_once().tomados == 0
    clock.advance(seconds=1)
    assert worker.run_once().enviados == 1
    assert [r.answer for r in fake.received_for(envio_id)] == ["429", "202"]


def test_the_policy_gives_up_and_the_send_fails(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    [envio_id] = seed(database, 1, clock())
    fake.script("503:3")
    worker = make_worker(database)
    worker.run_once()  # attempt 1 → retry in 60 s
    clock.advance(seconds=60)
    worker.run_once()  # attempt 2 → retry in 120 s
    assert rows(database)[envio_id].proximo_intento == clock() + timedelta(seconds=120)
    clock.advance(seconds=120)
    worker.run_once()  # attempt 3 = max_attempts → fallido
    row = rows(database)[envio_id]
    assert row.estado == E.FALLIDO and "Se agotaron los reintentos (3)" in (row.ultimo_error or "")
    assert len(fake.received_for(envio_id)) == 3


# --- StopWorker: pause, mark nothing failed ---------------------------------------------------


@pytest.mark.parametrize(("spec", "fragment"), [("401", "401"), ("403", "crédito")])
def test_stop_worker_pauses_and_returns_the_batch_unharmed(
    database: Database,
    clock: FakeClock,
    fake: FakeBotmaker,
    make_worker: WorkerFactory,
    spec: str,
    fragment: str,
) -> None:
    ids = seed(database, 5, clock())
    fake.script(spec)
    worker = make_worker(database)
    report = worker.run_once()
    assert report.tomados == 5 and report.liberados == 5 and fragment in (report.pausado or "")
    assert worker.paused and fragment in (worker.status.motivo or "")
    assert worker.status.texto.startswith("Envíos en pausa: ")
    after = rows(database)
    assert {after[i].estado for i in ids} == {E.PROGRAMADO}
    assert {after[i].intentos for i in ids} == {0}  # the refused attempt does not count
    assert {after[i].tomado_por for i in ids} == {None}
    assert not any(e.accion == "envio_fallido" for e in eventos(database))
    assert len(fake.received) == 1
    # Paused: nothing goes out, however often it runs.
    assert worker.run_once().tomados == 0
    assert len(fake.received) == 1
    worker.resume()
    assert worker.run_once().enviados == 5
    assert Counter(r.envio_id for r in fake.delivered()) == {str(i): 1 for i in ids}


# --- crashes and stalls: incierto, never a silent resend --------------------------------------


def test_a_killed_workers_reservations_go_back_to_the_queue_silently(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    """Claimed is not in flight: a worker that died after claiming but before any POST began
    leaves nothing for a person; its reservations return to programado and go out once."""
    ids = seed(database, 3, clock())
    dead = Actor(worker_owner("pc-muerta"), "pc-muerta")
    survivor = make_worker(database, estacion="pc-viva")
    with database.uow() as uow:  # pc-muerta claims, then dies before any POST
        claimed = por_worker.tomar(uow.session, clock(), dead, survivor.claim_lease, 10)
        uow.commit()
    assert [c.id for c in claimed] == ids
    report = survivor.run_once()  # the reservation lease is still valid: hands off
    assert (report.tomados, report.expirados) == (0, 0)
    clock.advance(seconds=survivor.claim_lease.total_seconds() + 1)
    report = survivor.run_once()
    assert (report.expirados, report.tomados, report.enviados) == (0, 3, 3)
    after = rows(database)
    assert {after[i].estado for i in ids} == {E.ENVIADO}
    assert {after[i].intentos for i in ids} == {1}  # the dead reservation did not count
    assert [len(fake.received_for(i)) for i in ids] == [1, 1, 1]
    acciones = [e.accion for e in eventos(database, ids[0])]
    assert acciones == ["envio_tomado", "envio_liberado", "envio_tomado", "envio_enviado"]


def test_a_worker_killed_after_the_post_began_leaves_incierto_only_a_person_resends(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    ids = seed(database, 3, clock())
    dead = Actor(worker_owner("pc-muerta"), "pc-muerta")
    survivor = make_worker(database, estacion="pc-viva")
    with database.uow() as uow:  # pc-muerta claims and begins all three POSTs, then dies
        claimed = por_worker.tomar(uow.session, clock(), dead, survivor.claim_lease, 10)
        for c in claimed:
            assert por_worker.empezar(uow.session, c, dead, clock(), clock() + survivor.lease)
        uow.commit()
    clock.advance(seconds=survivor.lease.total_seconds() + 1)
    report = survivor.run_once()
    assert (report.expirados, report.tomados) == (3, 0)
    after = rows(database)
    assert {after[i].estado for i in ids} == {E.INCIERTO}
    assert "dejó de responder" in (after[ids[0]].ultimo_error or "")
    clock.advance(hours=1)
    assert survivor.run_once().tomados == 0  # still never resent by itself
    with database.uow() as uow:  # a supervisor decides, one by one
        por_persona.reintentar(uow.session, ids[0], SUPERVISOR, clock())
        por_persona.marcar_enviado(uow.session, ids[1], SUPERVISOR, clock())
        uow.commit()
    assert survivor.run_once().enviados == 1
    after = rows(database)
    assert [after[i].estado for i in ids] == [E.ENVIADO, E.ENVIADO, E.INCIERTO]
    assert [len(fake.received_for(i)) for i in ids] == [1, 0, 0]
    acciones = [e.accion for e in eventos(database, ids[0])]
    assert acciones == [
        "envio_tomado",
        "envio_incierto",
        "envio_reintentado",
        "envio_tomado",
        "envio_enviado",
    ]


def test_a_stalled_worker_does_not_send_what_it_no_longer_owns(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    """A PC suspended mid-batch wakes up after another PC took back its expired reservations
    and sent them: it must not send them a second time."""
    ids = seed(database, 3, clock())
    other = make_worker(database, estacion="pc-02")

    def stall(_seconds: float) -> None:  # called by A's rate limiter before its 2nd send
        if stalls:
            return
        stalls.append(1)
        clock.advance(seconds=sleeper.claim_lease.total_seconds() + 1)
        report = other.run_once()  # returns A's two reservations and sends them
        assert (report.expirados, report.enviados) == (0, 2)

    stalls: list[int] = []
    sleeper = make_worker(database, limiter=RateLimiter(1.0, monotonic=lambda: 0.0, sleep=stall))
    report = sleeper.run_once()
    assert (report.enviados, report.perdidos) == (1, 2)
    assert [len(fake.received_for(i)) for i in ids] == [1, 1, 1]
    assert [rows(database)[i].estado for i in ids] == [E.ENVIADO, E.ENVIADO, E.ENVIADO]


def test_a_database_outage_before_the_post_leaves_nothing_incierto(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    """The "begun" write fails (database gone): the request is abandoned before its last byte,
    Botmaker never processes it, and the reservation later returns to the queue."""
    ids = seed(database, 2, clock())
    worker = make_worker(database)
    real_begin = por_worker.empezar
    calls: list[int] = []

    def failing_begin(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        raise ConnectionError("database down")

    por_worker.empezar = failing_begin  # type: ignore[assignment]
    try:
        report = worker.run_once()
    finally:
        por_worker.empezar = real_begin  # type: ignore[assignment]
    assert calls and report.inciertos == 0 and report.enviados == 0
    assert fake.delivered() == [] and fake.received == []
    assert {rows(database)[i].estado for i in ids} == {E.PROGRAMADO}
    assert worker.run_once().enviados == 2
    assert [len(fake.received_for(i)) for i in ids] == [1, 1]


def test_stop_mid_batch_finishes_the_request_in_flight_and_returns_the_rest(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    ids = seed(database, 5, clock())
    holder: list[OutboxWorker] = []
    limiter = RateLimiter(1.0, monotonic=lambda: 0.0, sleep=lambda _s: holder[0].request_stop())
    worker = make_worker(database, limiter=limiter)
    holder.append(worker)
    report = worker.run_once()
    assert (report.enviados, report.liberados) == (1, 4)
    after = rows(database)
    assert after[ids[0]].estado == E.ENVIADO
    assert all(after[i].estado == E.PROGRAMADO and after[i].intentos == 0 for i in ids[1:])
    assert len(fake.received) == 1


# --- races between workstations ---------------------------------------------------------------


def _race_once(
    database: Database, other: Database, clock: FakeClock, worker: Actor
) -> tuple[int, dict[str, Any]]:
    [envio_id] = seed(database, 1, clock())
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def cancel() -> None:
        barrier.wait()
        try:
            with database.uow() as uow:
                por_persona.cancelar(uow.session, envio_id, SUPERVISOR, clock())
                uow.commit()
            outcome["cancel"] = "ok"
        except EnvioLocked:
            outcome["cancel"] = "locked"

    def claim() -> None:
        barrier.wait()
        with other.uow() as uow:
            got = por_worker.tomar(uow.session, clock(), worker, timedelta(minutes=1), 5)
            uow.commit()
        outcome["claim"] = [c.id for c in got]

    threads = [threading.Thread(target=cancel), threading.Thread(target=claim)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return envio_id, outcome


def test_cancel_racing_the_claim_has_exactly_one_winner(
    database: Database, clock: FakeClock
) -> None:
    other = second_database(database)
    worker = Actor(worker_owner("pc-01"), "pc-01")
    winners: Counter[str] = Counter()
    try:
        for attempt in range(30):
            envio_id, outcome = _race_once(database, other, clock, worker)
            estado = rows(database)[envio_id].estado
            if outcome["cancel"] == "ok":
                assert outcome["claim"] == [] and estado == E.CANCELADO, attempt
                winners["cancel"] += 1
            else:
                assert outcome["claim"] == [envio_id] and estado == E.ENVIANDO, attempt
                winners["claim"] += 1
    finally:
        other.dispose()
    assert sum(winners.values()) == 30, winners


def _drain(worker: OutboxWorker, start: threading.Barrier, claimed: list[int]) -> None:
    start.wait()
    while True:
        report = worker.run_once()
        claimed.append(report.tomados)
        if report.tomados == 0:
            return


def test_two_workstations_flush_1000_sends_exactly_once(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    ids = seed(database, 1000, clock())
    other_db = second_database(database)
    try:
        a = make_worker(database, estacion="pc-a", lote=50)
        b = make_worker(other_db, estacion="pc-b", lote=50)
        start = threading.Barrier(2)
        took: dict[str, list[int]] = {"a": [], "b": []}
        threads = [
            threading.Thread(target=_drain, args=(a, start, took["a"])),
            threading.Thread(target=_drain, args=(b, start, took["b"])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
    finally:
        other_db.dispose()
    per_envio = Counter(r.envio_id for r in fake.received)
    assert len(fake.received) == 1000
    assert per_envio == {str(i): 1 for i in ids}
    assert {r.estado for r in rows(database).values()} == {E.ENVIADO}
    assert sum(took["a"]) + sum(took["b"]) == 1000
    assert sum(took["a"]) > 0 and sum(took["b"]) > 0  # both really competed


DRAIN_SCRIPT = """
import os, sys
from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.secrets import MemoryStore
ctx = build_context(secrets=MemoryStore({"botmaker-token": os.environ["TEST_BOTMAKER_TOKEN"]}))
sys.exit(main(["outbox", "run", "--drain"], context=ctx))
"""


def test_two_processes_on_postgresql_flush_1000_sends_exactly_once(
    pg_db: Database, fake: FakeBotmaker, tmp_path: Path
) -> None:
    ids = seed(pg_db, 1000, utcnow() - timedelta(minutes=1))  # the processes use the real clock
    config = tmp_path / "config.toml"  # the layout's [dim] section, as a real install has it
    write_config_file(config, dim_config_values(pg_db.dim_settings))
    db_url = pg_db.engine.url.render_as_string(hide_password=False)
    env = dict(os.environ)
    env.update(
        sender_env(db_url, fake.url, TOKEN, botmaker__envios_por_segundo="0", botmaker__lote="50")
    )
    env["DIM_REVISION_CONFIG"] = str(config)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRAIN_SCRIPT],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, (out, err)
        assert TOKEN not in out + err
    per_envio = Counter(r.envio_id for r in fake.received)
    assert len(fake.received) == 1000
    assert per_envio == {str(i): 1 for i in ids}
    assert {r.estado for r in rows(pg_db).values()} == {E.ENVIADO}
    owners = {e.usuario for e in eventos(pg_db) if e.accion == "envio_enviado"}
    assert len(owners) == 2  # both processes sent some


# --- the background thread and the status bar -------------------------------------------------


def test_thread_wakes_at_once_and_stops_cleanly(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    seed(database, 1, clock())
    worker = make_worker(database)
    ran = threading.Event()
    statuses: list[Any] = []

    def on_status(status: Any) -> None:
        statuses.append(status)
        ran.set()

    thread = OutboxThread(
        worker,
        idle_min=3600,  # only wake() can make it run again within the test
        idle_max=3600,
        counts=lambda now: outbox_counts(database, now),
        on_status=on_status,
    )
    thread.start()
    try:
        assert ran.wait(10)
        assert len(fake.received) == 1
        ran.clear()
        [second] = seed(database, 1, clock())  # a local "Confirmar envío" / "enviar ahora"
        thread.wake()
        assert ran.wait(10)
        assert len(fake.received_for(second)) == 1
    finally:
        thread.stop(timeout=10)
    assert not thread.is_alive()
    last = statuses[-1]
    assert last.conteos is not None and last.conteos.enviados_hoy == 2
    assert "2 enviados hoy" in last.texto


def test_outbox_counts_use_the_buenos_aires_day(database: Database, clock: FakeClock) -> None:
    ids = seed(database, 6, clock())
    # 13:00 UTC = 10:00 in Buenos Aires; 02:00 UTC today is still yesterday there.
    states = [
        (E.ENVIADO, clock()),
        (E.ENVIADO, clock().replace(hour=3, minute=1)),
        (E.ENVIADO, clock().replace(hour=2)),
        (E.FALLIDO, None),
        (E.INCIERTO, None),
        (E.PROGRAMADO, None),
    ]
    with database.uow() as uow:
        for envio_id, (estado, enviado_en) in zip(ids, states, strict=True):
            row = uow.session.get(Envio, envio_id)
            assert row is not None
            row.estado, row.enviado_en = estado.value, enviado_en
        uow.commit()
    counts = outbox_counts(database, clock())
    assert (counts.programados, counts.enviados_hoy, counts.fallidos, counts.inciertos) == (
        1,
        2,
        1,
        1,
    )


# --- a wrong configuration stops the sender, not the queue (issue #17 item 9) -----------------


def test_the_same_permanent_error_three_times_pauses_and_returns_them(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    """An unapproved or misnamed template (v1: 200 with problems) fails every message the same
    way: after 3 the sender pauses with the reason, and the 3 go back to programado."""
    ids = seed(database, 6, clock())
    fake.script("problems:10")
    worker = make_worker(database, api_version="v1")
    report = worker.run_once()
    assert worker.paused and "3 envíos seguidos con el mismo error" in (worker.status.motivo or "")
    assert len(fake.received) == 3  # the other three were never tried
    after = rows(database)
    assert {after[i].estado for i in ids} == {E.PROGRAMADO}
    assert {after[i].intentos for i in ids} == {0}
    assert report.fallidos == 0 and report.pausado
    acciones = [e.accion for e in eventos(database, ids[0])]
    assert acciones[-2:] == ["envio_fallido", "envio_devuelto_por_pausa"]
    fake.clear()  # the template is fixed
    worker.resume()
    assert worker.run_once().enviados == 6


def test_different_permanent_errors_do_not_pause(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    ids = seed(database, 4, clock())
    fake.script("problems", "400", "problems", "400")
    worker = make_worker(database, api_version="v1")
    worker.run_once()
    assert not worker.paused
    assert {rows(database)[i].estado for i in ids} == {E.FALLIDO}


def test_an_outcome_the_database_refused_is_recorded_on_the_next_run(
    database: Database, clock: FakeClock, fake: FakeBotmaker, make_worker: WorkerFactory
) -> None:
    """Botmaker accepted it but the database dropped right then: the worker remembers the
    answer and writes it first thing next time, so it ends enviado, not incierto."""
    from sqlalchemy.exc import OperationalError

    [envio_id] = seed(database, 1, clock())
    worker = make_worker(database)
    real = por_worker.aceptado
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("UPDATE envio", {}, ConnectionError("server closed"))
        return real(*args, **kwargs)

    por_worker.aceptado = flaky  # type: ignore[assignment]
    try:
        with pytest.raises(OperationalError):
            worker.run_once()
        assert rows(database)[envio_id].estado == E.ENVIANDO
        worker.run_once()
    finally:
        por_worker.aceptado = real  # type: ignore[assignment]
    assert rows(database)[envio_id].estado == E.ENVIADO
    assert len(fake.received_for(envio_id)) == 1
