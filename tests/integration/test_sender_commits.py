"""The sender's commit budget (issue #19): one claim transaction per batch, at most two commits
per message. Counted with SQLAlchemy's engine events on the real database: counts are behaviour,
not timings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from dim_revision.clock import FakeClock
from dim_revision.config import BotmakerSettings
from dim_revision.db.uow import Database
from dim_revision.domain.retry import RetryPolicy
from dim_revision.outbox.botmaker import BotmakerClient
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.worker import OutboxWorker, worker_owner
from dim_revision.secrets import MemoryStore
from dim_revision.shared.actor import Actor
from tests import factories

TOKEN = "token-de-prueba"  # the `secrets` fixture's
CLAIM = re.compile(r"UPDATE \S*envio SET .*intentos\s*=\s*\(\S*envio\.intentos \+", re.I | re.S)


class Transactions:
    """The statements of every committed transaction, per connection, in commit order."""

    def __init__(self, db: Database) -> None:
        self.committed: list[list[str]] = []
        self._open: dict[int, list[str]] = {}
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        event.listen(db.engine, "rollback", self._rollback)
        self._db = db

    def _statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._open.setdefault(id(conn), []).append(statement)

    def _commit(self, conn: Any) -> None:
        self.committed.append(self._open.pop(id(conn), []))

    def _rollback(self, conn: Any) -> None:
        self._open.pop(id(conn), None)

    def remove(self) -> None:
        event.remove(self._db.engine, "before_cursor_execute", self._statement)
        event.remove(self._db.engine, "commit", self._commit)
        event.remove(self._db.engine, "rollback", self._rollback)

    @property
    def claims(self) -> int:
        return sum(1 for tx in self.committed if any(CLAIM.search(s) for s in tx))


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN) as server:
        yield server


def _seed(db: Database, clock: FakeClock, n: int) -> None:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        for i in range(n):
            sol = factories.solicitud(s, pac, clock() - timedelta(hours=1), files=0)
            factories.envio(s, sol, clock() - timedelta(minutes=1), telefono=f"54911{i:08d}")
        uow.commit()


@pytest.mark.parametrize("n", [1, 7])
def test_one_claim_per_batch_and_two_commits_per_message(
    database: Database, clock: FakeClock, fake: FakeBotmaker, secrets: MemoryStore, n: int
) -> None:
    _seed(database, clock, n)
    settings = BotmakerSettings(
        base_url=fake.url, canal="canal-prueba", envios_por_segundo=0, lote=20
    )
    worker = OutboxWorker(
        database,
        BotmakerClient(settings, secrets, clock=clock),
        RetryPolicy(jitter="none"),
        clock,
        Actor(worker_owner("pc-01"), "pc-01"),
        settings,
    )
    tx = Transactions(database)
    try:
        report = worker.run_once()
    finally:
        tx.remove()
        worker.close()
    assert report.tomados == n and report.enviados == n
    assert tx.claims == 1
    assert len(tx.committed) - 1 <= 2 * n  # everything but the batch's claim: ≤ 2 a message
    assert len(tx.committed) == 1 + 2 * n  # exactly: "POST begun" and the result
