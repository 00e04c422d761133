"""Reconciliation against the fake Botmaker's results query, SQLite and PostgreSQL (issues #12, #17).

Missed webhooks are filled in (entregado / leído / error de entrega), and an *incierto* is resolved
by asking: Botmaker has it → enviado; Botmaker provably has no such message → re-queued and sent
once; Botmaker does not answer → it stays incierto for a supervisor.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import BotmakerSettings, ServicioSettings
from dim_revision.db.models import Envio, Evento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.reconcile import Reconciler
from dim_revision.outbox.results import Desconocido, Encontrado, NoExiste, ResultsClient, interpret
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories

TOKEN = "token-de-prueba"
SERVICIO = ServicioSettings(
    conciliar_espera_minutos=0, incierto_espera_minutos=0, conciliar_por_segundo=0
)


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN, slow_seconds=1.0) as server:
        server.delivery.delivered_after = 0.0
        server.delivery.read_after = 0.0
        yield server


def settings(url: str) -> BotmakerSettings:
    return BotmakerSettings(
        base_url=url, canal="canal-prueba", envios_por_segundo=0, read_timeout=0.3
    )


def worker(db: Database, url: str, clock: FakeClock, secrets: MemoryStore) -> OutboxWorker:
    s = settings(url)
    owner = Actor(worker_owner("srv"), "srv")
    policy = RetryPolicy(base=60, factor=2, max_attempts=3, jitter="none")
    return OutboxWorker(db, BotmakerClient(s, secrets, clock=clock), policy, clock, owner, s)


def reconciler(db: Database, url: str, clock: FakeClock, secrets: MemoryStore) -> Reconciler:
    client = ResultsClient(settings(url), secrets, requests.Session())
    return Reconciler(db, client, clock, SERVICIO)


def seed(db: Database, clock: FakeClock, phones: list[str]) -> list[int]:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        ids = []
        for phone in phones:
            sol = factories.solicitud(s, pac, clock() - timedelta(hours=1), files=0)
            ids.append(factories.envio(s, sol, clock() - timedelta(minutes=1), telefono=phone).id)
        uow.commit()
        return ids


def rows(db: Database, ids: list[int]) -> dict[int, Any]:
    with db.uow() as uow:
        return {
            r.id: r
            for r in uow.session.execute(
                select(
                    Envio.id,
                    Envio.estado,
                    Envio.estado_entrega,
                    Envio.error_entrega,
                    Envio.entregado_en,
                    Envio.leido_en,
                ).where(Envio.id.in_(ids))
            )
        }


def test_missed_webhooks_are_filled_in(
    database: Database, fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> None:
    ids = seed(database, clock, ["5491100000001", "5491100000002"])
    fake.delivery.undeliverable = frozenset({"5491100000002"})
    w = worker(database, fake.url, clock, secrets)
    try:
        assert w.run_once().enviados == 2
    finally:
        w.close()
    r = reconciler(database, fake.url, clock, secrets)
    try:
        report = r.run_once()
        assert (report.consultados, report.actualizados) == (2, 2)
        got = rows(database, ids)
        assert got[ids[0]].estado_entrega == "leido" and got[ids[0]].leido_en is not None
        assert got[ids[1]].estado_entrega == "error_entrega"
        assert "131026" in (got[ids[1]].error_entrega or "")
        # Final states are not asked about again.
        clock.advance(hours=1)
        assert r.run_once().consultados == 0
    finally:
        r.close()


def test_incierto_que_botmaker_recibio_pasa_a_enviado(
    database: Database, fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> None:
    [envio_id] = seed(database, clock, ["5491100000003"])
    fake.script("reset")  # processed, answer lost
    w = worker(database, fake.url, clock, secrets)
    try:
        assert w.run_once().inciertos == 1
    finally:
        w.close()
    r = reconciler(database, fake.url, clock, secrets)
    try:
        report = r.run_once()
    finally:
        r.close()
    assert report.confirmados == 1 and report.reencolados == 0
    got = rows(database, [envio_id])[envio_id]
    assert (got.estado, got.estado_entrega) == (E.ENVIADO.value, "leido")
    assert len(fake.delivered()) == 1  # nothing was sent again


def test_incierto_que_botmaker_no_tiene_se_reencola_y_sale_una_vez(
    database: Database, fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> None:
    [envio_id] = seed(database, clock, ["5491100000004"])
    fake.script("500")  # failed before processing: Botmaker has no such message
    w = worker(database, fake.url, clock, secrets)
    try:
        assert w.run_once().inciertos == 1
        r = reconciler(database, fake.url, clock, secrets)
        try:
            assert r.run_once().reencolados == 1
        finally:
            r.close()
        with database.uow() as uow:
            e = uow.session.get(Envio, envio_id)
            assert e is not None and e.estado == E.PROGRAMADO.value
            acciones = uow.session.scalars(
                select(Evento.accion).where(Evento.envio_id == envio_id)
            ).all()
        assert "envio_reencolado_botmaker" in acciones
        assert w.run_once().enviados == 1
    finally:
        w.close()
    assert len(fake.received_for(envio_id)) == 2
    assert len([x for x in fake.received_for(envio_id) if x.delivered]) == 1


def test_incierto_sin_respuesta_de_botmaker_queda_para_un_supervisor(
    database: Database, fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> None:
    [envio_id] = seed(database, clock, ["5491100000005"])
    fake.script("500")
    w = worker(database, fake.url, clock, secrets)
    try:
        assert w.run_once().inciertos == 1
    finally:
        w.close()
    wrong = MemoryStore({"botmaker-token": "otro-token"})  # the results query answers 401
    r = reconciler(database, fake.url, clock, wrong)
    try:
        report = r.run_once()
    finally:
        r.close()
    assert (report.sin_respuesta, report.reencolados, report.confirmados) == (1, 0, 0)
    assert rows(database, [envio_id])[envio_id].estado == E.INCIERTO.value


def test_incierto_espera_antes_de_preguntar(
    database: Database, fake: FakeBotmaker, clock: FakeClock, secrets: MemoryStore
) -> None:
    [envio_id] = seed(database, clock, ["5491100000006"])
    fake.script("500")
    w = worker(database, fake.url, clock, secrets)
    try:
        w.run_once()
    finally:
        w.close()
    client = ResultsClient(settings(fake.url), secrets, requests.Session())
    r = Reconciler(
        database,
        client,
        clock,
        ServicioSettings(incierto_espera_minutos=2, conciliar_por_segundo=0),
    )
    try:
        assert r.run_once().consultados == 0  # first sight starts the settle time
        clock.advance(minutes=3)
        assert r.run_once().reencolados == 1
    finally:
        r.close()
    assert rows(database, [envio_id])[envio_id].estado == E.PROGRAMADO.value


@pytest.mark.parametrize(
    "data, single, expected",
    [
        ({"items": []}, False, NoExiste),
        ({"items": [{"id": "t", "clients": [{"status": "delivered"}]}]}, False, Encontrado),
        ({"id": "t", "clients": [{"status": "sent"}]}, True, Encontrado),
        ({"nada": 1}, False, Desconocido),
        ([1, 2], True, Desconocido),
    ],
)
def test_interpret(data: Any, single: bool, expected: type) -> None:
    assert isinstance(interpret(data, single=single), expected)
