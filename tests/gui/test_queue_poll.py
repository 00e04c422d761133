"""The ids-first poll (issue 19): nothing changed → no row query; a change → only that row."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueCounts, QueueFilter, QueueRow
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
        self.counted: list[QueueFilter] = []

    def rows(self, ids: list[int]) -> list[QueueRow]:
        self.row_queries.append(list(ids))
        return super().rows(ids)

    def counts(self, filtro: QueueFilter) -> QueueCounts:
        self.counted.append(filtro)
        return super().counts(filtro)


def _loaded(
    qtbot: QtBot, db: Database, clock: FakeClock, runner: TaskRunner
) -> tuple[QueueModel, RecordingSource]:
    source = RecordingSource(db, clock)
    model = QueueModel(runner, source, clock, lease_owner(ANA), QueueFilter.today(clock()))
    with qtbot.waitSignal(model.first_page_loaded):
        model.reload()
    qtbot.waitUntil(lambda: not model.busy)
    return model, source


def _poll(qtbot: QtBot, model: QueueModel) -> None:
    with qtbot.waitSignal(model.refreshed):
        model.refresh()


def test_a_poll_with_nothing_changed_reads_no_row(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=6)
    model, source = _loaded(qtbot, sqlite_db, clock, runner)
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
    model, source = _loaded(qtbot, sqlite_db, clock, runner)
    done = seeded.solicitudes[1]
    model.pin(done)
    acciones.marcar_resuelto(sqlite_db, ANA, clock(), solicitud_id=done, version=1)
    _poll(qtbot, model)  # resolved: out of the filter, kept on screen, its state re-read once
    assert source.row_queries == [[done]]
    row = model.row_at(model.row_of(done) or 0)
    assert row is not None and row.resuelto
    _poll(qtbot, model)
    assert source.row_queries == [[done]]


def test_counts_follow_the_shown_page_and_skip_a_filter_left_at_once(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """The counts start once a first page is shown (not with its query); a filter replaced as
    soon as its page showed never gets its counts."""
    seed_queue(sqlite_db, clock(), count=3)
    source = RecordingSource(sqlite_db, clock)
    hoy = QueueFilter.today(clock())
    gomez = replace(hoy, texto="gomez")
    model = QueueModel(runner, source, clock, lease_owner(ANA), hoy)
    shown: list[tuple[QueueFilter, int]] = []  # each page's filter, and counts asked by then

    def on_page() -> None:
        shown.append((model.filtro, len(source.counted)))
        if len(shown) == 1:
            model.set_filter(gomez)

    model.first_page_loaded.connect(on_page)
    counts: list[QueueCounts] = []
    model.counts_changed.connect(counts.append)
    model.reload()
    qtbot.waitUntil(lambda: bool(counts) and model.settled and runner.is_idle())
    assert shown == [(hoy, 0), (gomez, 0)]
    assert source.counted == [gomez]
    assert (counts[-1].pendientes, counts[-1].resueltas) == (1, 0)
