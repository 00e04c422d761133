"""The ids-first poll (issue 19): nothing changed → no row query; a change → only that row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueFilter, QueueRow
from tests.gui.seeding import add_request, seed_queue
from ui.queue_model import QueueModel, ServiceQueueSource
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ANA = Actor("ana", "pc-01")
BETO = Actor("beto", "pc-02")


class RecordingSource(ServiceQueueSource):
    """The real service source, noting which ids each by-id row query asked for."""

    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__(db, clock)
        self.row_queries: list[list[int]] = []

    def rows(self, ids: list[int]) -> list[QueueRow]:
        self.row_queries.append(list(ids))
        return super().rows(ids)


def _poll(qtbot: QtBot, model: QueueModel) -> None:
    with qtbot.waitSignal(model.refreshed):
        model.refresh()


def test_a_poll_with_nothing_changed_reads_no_row(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=6)
    source = RecordingSource(sqlite_db, clock)
    model = QueueModel(runner, source, clock, lease_owner(ANA), QueueFilter.today(clock()))
    with qtbot.waitSignal(model.first_page_loaded):
        model.reload()
    qtbot.waitUntil(lambda: not model.busy)
    before = model.loaded_rows()

    _poll(qtbot, model)
    _poll(qtbot, model)
    assert source.row_queries == []
    assert model.loaded_rows() == before

    claims.claim(sqlite_db, BETO, clock(), seeded.solicitudes[2], timedelta(minutes=10))
    arrived = add_request(sqlite_db, clock() - timedelta(minutes=1))
    _poll(qtbot, model)
    assert [sorted(q) for q in source.row_queries] == [sorted([seeded.solicitudes[2], arrived])]
    row = model.row_at(model.row_of(seeded.solicitudes[2]) or 0)
    assert row is not None and row.tomado_por == "beto"
    assert [r.id for r in model.loaded_rows()] == [*seeded.solicitudes, arrived]


def test_a_pinned_row_is_reread_only_when_its_stamp_changes(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=3)
    source = RecordingSource(sqlite_db, clock)
    model = QueueModel(runner, source, clock, lease_owner(ANA), QueueFilter.today(clock()))
    with qtbot.waitSignal(model.first_page_loaded):
        model.reload()
    qtbot.waitUntil(lambda: not model.busy)
    done = seeded.solicitudes[1]
    model.pin(done)
    acciones.marcar_resuelto(sqlite_db, ANA, clock(), solicitud_id=done, version=1)
    _poll(qtbot, model)  # resolved: out of the filter, kept on screen, its state re-read once
    assert source.row_queries == [[done]]
    row = model.row_at(model.row_of(done) or 0)
    assert row is not None and row.resuelto
    _poll(qtbot, model)
    assert source.row_queries == [[done]]
