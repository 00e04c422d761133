"""Demo mode's in-process service: the fake Botmaker's webhooks (delivered, read, a reply) reach
it, so the workstation shows the ticks (issue #12)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext, build_outbox_worker
from dim_revision.clock import utcnow
from dim_revision.commands.demo import (
    DEMO_API_KEY,
    DEMO_BOTMAKER_TOKEN,
    DEMO_LINK_KEY,
    DEMO_WEBHOOK_TOKEN,
    start_demo_service,
)
from dim_revision.config import Settings
from dim_revision.db.models import Envio, RespuestaPaciente
from dim_revision.db.uow import Database
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories


def test_demo_service_receives_the_fake_webhooks(sqlite_db: Database) -> None:
    with FakeBotmaker(DEMO_BOTMAKER_TOKEN) as fake:
        settings = Settings().replace(
            "botmaker", base_url=fake.url, canal="demo", envios_por_segundo=0
        )
        secrets = MemoryStore(
            {
                "botmaker-token": DEMO_BOTMAKER_TOKEN,
                "link-key": DEMO_LINK_KEY,
                "webhook-token": DEMO_WEBHOOK_TOKEN,
                "api-key-portal": DEMO_API_KEY,
            }
        )
        ctx = AppContext(settings, AppPaths.for_user(), secrets, Actor("demo", "pc"), _db=sqlite_db)
        service = start_demo_service(ctx, fake)
        assert service is not None
        try:
            d = fake.delivery
            d.delivered_after, d.read_after, d.reply_after, d.reply_every = 0.1, 0.2, 0.3, 1
            with sqlite_db.uow() as uow:
                pac = factories.paciente(uow.session)
                sol = factories.solicitud(uow.session, pac, utcnow() - timedelta(hours=1))
                envio_id = factories.envio(uow.session, sol, utcnow() - timedelta(minutes=1)).id
                uow.commit()
            worker = build_outbox_worker(ctx)
            try:
                assert worker.run_once().enviados == 1
            finally:
                worker.close()

            def done() -> bool:
                with sqlite_db.uow() as uow:
                    e = uow.session.get(Envio, envio_id)
                    replies = uow.session.scalar(
                        select(func.count()).select_from(RespuestaPaciente)
                    )
                    return e is not None and e.estado_entrega == "leido" and replies == 1

            deadline = time.monotonic() + 20
            while not done():
                assert time.monotonic() < deadline, fake.delivery.sent_webhooks
                time.sleep(0.05)
        finally:
            service.stop()
