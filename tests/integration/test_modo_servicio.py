"""`[outbox] modo = "servicio"`: workstations confirm without secrets; the service signs the link
when it sends (issue #12). SQLite and PostgreSQL, real fake Botmaker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import BotmakerSettings, Settings
from dim_revision.db.models import Envio, Evento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.signing import LinkSigner
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.services import envios
from dim_revision.services.actor import Actor
from dim_revision.services.links import verificar_link
from tests import factories

ANA = Actor("ana", "pc-01")
KEY = "clave-del-servicio-" + "s" * 32
TOKEN = "token-de-prueba"


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN) as server:
        yield server


def confirmed_without_key(db: Database, clock: FakeClock) -> tuple[int, int]:
    cfg = envios.EnvioConfig.from_settings(Settings())
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, nombre="Ana María")
        sol = factories.solicitud(s, pac, clock() - timedelta(hours=1))
        p = factories.prestacion(s, "RESONANCIA MAGNÉTICA DE RODILLA")
        uow.commit()
        sol_id, p_id = sol.id, p.id
    preview = envios.preparar_envio(db, cfg, None, clock(), sol_id, [p_id])
    assert envios.LINK_PLACEHOLDER in preview.texto and preview.token == ""
    result = envios.confirmar_envio(
        db, ANA, clock(), cfg, None, solicitud_id=sol_id, version=1, prestacion_ids=[p_id]
    )
    return sol_id, result.envio_id


def worker(db: Database, url: str, clock: FakeClock, secrets: MemoryStore) -> OutboxWorker:
    settings = Settings().replace("botmaker", base_url=url, canal="c", envios_por_segundo=0)
    bm: BotmakerSettings = settings.botmaker
    return OutboxWorker(
        db,
        BotmakerClient(bm, secrets, clock=clock),
        RetryPolicy(),
        clock,
        Actor(worker_owner("srv"), "srv"),
        bm,
        signer=LinkSigner(settings, secrets),
    )


def test_confirm_without_secrets_then_the_service_signs_and_sends(
    database: Database, fake: FakeBotmaker, clock: FakeClock
) -> None:
    sol_id, envio_id = confirmed_without_key(database, clock)
    with database.uow() as uow:
        e = uow.session.get(Envio, envio_id)
        assert e is not None and (e.link, e.token_id) == ("", "")
    clock.advance(minutes=16)
    w = worker(database, fake.url, clock, MemoryStore({"botmaker-token": TOKEN, "link-key": KEY}))
    try:
        assert w.run_once().enviados == 1
    finally:
        w.close()
    [sent] = fake.received_for(envio_id)
    token = sent.body["variables"]["link"]
    assert token.count(".") == 2
    with database.uow() as uow:
        e = uow.session.get(Envio, envio_id)
        assert e is not None and e.estado == E.ENVIADO.value and e.link.endswith(token)
        jti = e.token_id
        acciones = uow.session.scalars(
            select(Evento.accion).where(Evento.envio_id == envio_id)
        ).all()
    assert "link_firmado" in acciones
    claims = verificar_link(database, KEY, token, now=clock(), issuer="dim-revision")
    assert claims.solicitud_id == sol_id and claims.jti == jti


def test_sender_without_the_link_key_pauses_and_sends_nothing(
    database: Database, fake: FakeBotmaker, clock: FakeClock
) -> None:
    _sol, envio_id = confirmed_without_key(database, clock)
    clock.advance(minutes=16)
    w = worker(database, fake.url, clock, MemoryStore({"botmaker-token": TOKEN}))
    try:
        report = w.run_once()
        assert report.enviados == 0 and w.paused
        assert "link-key" in (w.status.motivo or "")
    finally:
        w.close()
    assert fake.received == []
    with database.uow() as uow:
        e = uow.session.get(Envio, envio_id)
        assert e is not None and e.estado == E.PROGRAMADO.value and e.intentos == 0


def test_outbox_run_refuses_in_servicio_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from dim_revision.bootstrap import build_context
    from dim_revision.cli import main

    ctx = build_context(
        {"outbox": {"modo": "servicio"}}, secrets=MemoryStore({"botmaker-token": TOKEN})
    )
    try:
        assert main(["outbox", "run", "--once"], context=ctx) == 2
    finally:
        ctx.close()
    assert "dim-revision serve" in capsys.readouterr().err
