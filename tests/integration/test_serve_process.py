"""`dim-revision serve` as a real process: SIGTERM finishes the send in flight, returns the rest of
the batch to the queue and exits 0 — no Envio left enviando or incierto (issue #12, item 6)."""

from __future__ import annotations

import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from dim_revision.clock import utcnow
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.outbox.fake_server import FakeBotmaker
from tests import factories
from tests.processes import python_process, sender_env, served_url

TOKEN = "token-de-prueba"
SCRIPT = """
import os, sys
from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.secrets import MemoryStore
ctx = build_context(secrets=MemoryStore({
    "botmaker-token": os.environ["TEST_BOTMAKER_TOKEN"],
    "link-key": "clave-de-prueba-" + "x" * 32,
}))
sys.exit(main(["serve", "--port", "0"], context=ctx))
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_sigterm_finishes_the_send_in_flight_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "serve.sqlite3"
    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    db = Database(engine)
    with db.uow() as uow:
        pac = factories.paciente(uow.session)
        ids = []
        for _ in range(4):
            sol = factories.solicitud(uow.session, pac, utcnow() - timedelta(hours=1), files=0)
            ids.append(factories.envio(uow.session, sol, utcnow() - timedelta(minutes=1)).id)
        uow.commit()
    with FakeBotmaker(TOKEN, slow_seconds=2.0) as fake:
        fake.script("timeout")  # the first answer takes 2 s: SIGTERM arrives mid-request
        env = sender_env(
            sqlite_url(path),
            fake.url,
            TOKEN,
            botmaker__envios_por_segundo="0",
            botmaker__read_timeout="10",
            servicio__conciliar_cada_segundos="0",
        )
        with python_process(["-c", SCRIPT], env) as proc:
            with httpx.Client(base_url=served_url(proc)) as c:
                assert c.get("/healthz").json()["enviador_vivo"] is True
            wait_for(lambda: len(fake.received) == 1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (out, err)
        assert "detenido" in err
        assert len(fake.received) == 1
    with db.uow() as uow:
        estados = dict(uow.session.execute(select(Envio.id, Envio.estado)).all())
        intentos = dict(uow.session.execute(select(Envio.id, Envio.intentos)).all())
    db.dispose()
    sent = [i for i in ids if estados[i] == "enviado"]
    assert len(sent) == 1  # the one in flight finished and was recorded
    assert sorted(estados[i] for i in ids if i not in sent) == ["programado"] * 3
    assert all(intentos[i] == 0 for i in ids if i not in sent)  # released, not attempted
