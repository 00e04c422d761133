"""A Botmaker outage of 90 s no longer spends the retries (issue 13.2): the worker's clock is
driven, no sleeps; while down the port refuses connections (provably not sent), then the fake
Botmaker comes up on the same port and the send goes out once."""

from __future__ import annotations

import json
import random
import socket
from datetime import datetime, timedelta

from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import BotmakerSettings, Settings
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from dim_revision.services.detalle import obtener_detalle
from tests import factories

TOKEN = "token-de-prueba"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(db: Database, clock: FakeClock) -> tuple[int, int]:
    with db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), clock() - timedelta(hours=1))
        sol.resuelto = True
        e = factories.envio(s, sol, clock(), parametros=json.dumps({"nombre": "Ana", "link": "t"}))
        ids = (sol.id, e.id)
        uow.commit()
    return ids


def _to(clock: FakeClock, when: datetime) -> None:
    clock.advance(seconds=(when - clock()).total_seconds())


def _envio(db: Database, envio_id: int) -> Envio:
    with db.uow() as uow:
        row = uow.session.scalars(select(Envio).where(Envio.id == envio_id)).one()
        uow.session.expunge_all()
        return row


def test_a_90_second_outage_does_not_exhaust_the_retries(
    database: Database, clock: FakeClock, secrets: MemoryStore
) -> None:
    from dim_revision.bootstrap import retry_policy

    port = _free_port()
    settings = BotmakerSettings(
        base_url=f"http://127.0.0.1:{port}",
        canal="canal",
        envios_por_segundo=0,
        connect_timeout=1.0,
        read_timeout=1.0,
    )
    base = retry_policy(Settings())
    policy = RetryPolicy.escalonada(base.max_attempts, base.base, base.cap, rng=random.Random(7))
    client = BotmakerClient(settings, secrets, clock=clock)
    worker = OutboxWorker(
        database, client, policy, clock, Actor(worker_owner("pc-01"), "pc-01"), settings
    )
    sid, envio_id = _seed(database, clock)
    start = clock()
    try:
        while clock() < start + timedelta(seconds=90):  # Botmaker is down
            worker.run_once()
            row = _envio(database, envio_id)
            assert row.estado == E.PROGRAMADO, row.ultimo_error
            assert row.proximo_intento is not None
            if row.proximo_intento - start > timedelta(seconds=90):
                break
            _to(clock, row.proximo_intento)
        row = _envio(database, envio_id)
        assert row.intentos <= 2 and row.proximo_intento is not None
        detalle = obtener_detalle(database, sid, clock())
        assert not detalle.atencion and detalle.envio is not None
        assert detalle.envio.proximo_intento == row.proximo_intento  # the strip shows it
        with FakeBotmaker(TOKEN, port=port) as fake:  # back up
            _to(clock, row.proximo_intento)
            report = worker.run_once()
            assert report.enviados == 1
            assert len(fake.received_for(envio_id)) == 1
    finally:
        worker.close()
    assert _envio(database, envio_id).estado == E.ENVIADO
    with database.uow() as uow:
        assert uow.session.get(SolicitudAsistencia, sid) is not None
