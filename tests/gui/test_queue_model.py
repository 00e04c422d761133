"""The queue grid model: SQL paging, SQL sorting, polling that keeps the selection, age and owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QModelRoleData, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock, to_local
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueFilter
from tests.gui.seeding import add_request, seed_queue
from ui.queue_model import COLUMN_INDEX, ID_ROLE, TAKEN_ROLE, QueueModel, ServiceQueueSource
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ANA = Actor("ana", "pc-01")
BETO = Actor("beto", "pc-02")
LEASE = timedelta(minutes=10)


def _model(db: Database, clock: FakeClock, runner: TaskRunner, batch: int = 200) -> QueueModel:
    return QueueModel(
        runner,
        ServiceQueueSource(db, clock),
        clock,
        lease_owner(ANA),
        QueueFilter.today(clock()),
        batch=batch,
    )


def _ids(model: QueueModel) -> list[int]:
    return [r.id for r in model.loaded_rows()]


def _load(qtbot: QtBot, model: QueueModel) -> None:
    with qtbot.waitSignal(model.first_page_loaded):
        model.reload()
    qtbot.waitUntil(lambda: not model.busy)


def test_model_passes_qtmodeltester_through_paging_sorting_and_polling(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    sqlite_db: Database,
    clock: FakeClock,
    runner: TaskRunner,
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=5)
    model = _model(sqlite_db, clock, runner, batch=2)
    qtmodeltester.check(model)  # the C++ tester stays attached and checks every change below
    _load(qtbot, model)
    assert _ids(model) == seeded.solicitudes[:2]
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.busy)
    assert _ids(model) == seeded.solicitudes  # oldest first, in batches of 2

    with qtbot.waitSignal(model.first_page_loaded):
        model.sort(COLUMN_INDEX["fecha_subida"], Qt.SortOrder.DescendingOrder)
    assert _ids(model) == list(reversed(seeded.solicitudes))[:2]

    with qtbot.waitSignal(model.first_page_loaded):
        model.sort(COLUMN_INDEX["fecha_subida"], Qt.SortOrder.AscendingOrder)
    acciones.marcar_resuelto(
        sqlite_db, BETO, clock(), solicitud_id=seeded.solicitudes[0], version=1
    )
    newest = add_request(sqlite_db, clock() - timedelta(hours=3), apellido="Antiguo")
    with qtbot.waitSignal(model.refreshed):
        model.refresh()
    assert _ids(model) == [newest, seeded.solicitudes[1]]  # removal + insertion at the top
    qtmodeltester.check(model)


def test_refresh_keeps_the_selected_record_and_shows_changes_made_elsewhere(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=5)
    model = _model(sqlite_db, clock, runner)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    _load(qtbot, model)
    target = seeded.solicitudes[3]
    row = model.row_of(target)
    assert row is not None
    view.selectionModel().setCurrentIndex(
        model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )

    acciones.marcar_resuelto(
        sqlite_db, BETO, clock(), solicitud_id=seeded.solicitudes[0], version=1
    )
    acciones.marcar_resuelto(
        sqlite_db, BETO, clock(), solicitud_id=seeded.solicitudes[4], version=1
    )
    arrived = add_request(sqlite_db, clock() - timedelta(minutes=5))
    older = add_request(sqlite_db, clock() - timedelta(hours=1))
    claimed_at = clock()
    claims.claim(sqlite_db, BETO, claimed_at, seeded.solicitudes[2], LEASE)
    with qtbot.waitSignal(model.refreshed):
        model.refresh()

    assert _ids(model) == [older, *seeded.solicitudes[1:4], arrived]
    current = view.selectionModel().currentIndex()
    assert current.data(ID_ROLE) == target
    assert [i.data(ID_ROLE) for i in view.selectionModel().selectedRows()] == [target]
    taken = model.index(model.row_of(seeded.solicitudes[2]) or 0, COLUMN_INDEX["tomado_por"])
    assert taken.data() == "beto"
    assert taken.data(TAKEN_ROLE) is True
    assert f"beto desde las {to_local(claimed_at):%H:%M}" in taken.data(Qt.ItemDataRole.ToolTipRole)
    assert taken.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_own_claim_shows_as_mine_and_is_workable(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    claims.claim(sqlite_db, ANA, clock(), seeded.solicitudes[0], LEASE)
    model = _model(sqlite_db, clock, runner)
    _load(qtbot, model)
    index = model.index(0, COLUMN_INDEX["tomado_por"])
    assert index.data() == "Vos"
    assert index.data(TAKEN_ROLE) is False


def test_age_is_shown_and_coloured_and_ticks_with_the_clock(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)  # uploaded 10 minutes ago
    model = _model(sqlite_db, clock, runner)
    _load(qtbot, model)
    age = model.index(0, COLUMN_INDEX["espera"])
    assert age.data() == "10 min"
    assert age.data(Qt.ItemDataRole.BackgroundRole) is None
    clock.advance(hours=3)
    with qtbot.waitSignal(model.dataChanged):
        model.tick()
    assert age.data() == "3 h 10"
    assert age.data(Qt.ItemDataRole.BackgroundRole) is not None


def test_filter_state_and_text_are_applied_in_sql(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=4)
    acciones.marcar_resuelto(
        sqlite_db, BETO, clock(), solicitud_id=seeded.solicitudes[1], version=1
    )
    model = _model(sqlite_db, clock, runner)
    counts: list[object] = []
    model.counts_changed.connect(counts.append)
    _load(qtbot, model)
    assert _ids(model) == [seeded.solicitudes[0], *seeded.solicitudes[2:]]
    qtbot.waitUntil(lambda: bool(counts))
    assert (counts[-1].pendientes, counts[-1].resueltas) == (3, 1)  # type: ignore[attr-defined]

    base = QueueFilter.today(clock())
    with qtbot.waitSignal(model.first_page_loaded):
        model.set_filter(QueueFilter(base.desde, base.hasta, EstadoFiltro.RESUELTAS))
    assert _ids(model) == [seeded.solicitudes[1]]
    with qtbot.waitSignal(model.first_page_loaded):
        model.set_filter(QueueFilter(base.desde, base.hasta, EstadoFiltro.TODAS, "nunez"))
    assert [r.nombre for r in model.loaded_rows()] == ["Núñez, Señora Inés"]


def test_a_superseded_filter_never_paints(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=3)
    model = _model(sqlite_db, clock, runner)
    base = QueueFilter.today(clock())
    model.set_filter(QueueFilter(base.desde, base.hasta, EstadoFiltro.RESUELTAS))
    model.set_filter(QueueFilter(base.desde, base.hasta, EstadoFiltro.PENDIENTES, "gomez"))
    qtbot.waitUntil(runner.is_idle)
    assert _ids(model) == [seeded.solicitudes[1]]


def test_a_pinned_row_stays_put_through_polling_until_the_filter_changes(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=3)
    model = _model(sqlite_db, clock, runner)
    _load(qtbot, model)
    middle = seeded.solicitudes[1]
    acciones.marcar_resuelto(sqlite_db, BETO, clock(), solicitud_id=middle, version=1)
    model.pin(middle)
    with qtbot.waitSignal(model.refreshed):
        model.refresh()
    assert _ids(model) == seeded.solicitudes  # resolved, no longer "pendiente", still shown
    qtbot.waitUntil(lambda: model.row_at(1) is not None and model.row_at(1).resuelto)  # type: ignore[union-attr]
    assert model.index(1, COLUMN_INDEX["resuelto"]).data() == "Sí"

    with qtbot.waitSignal(model.first_page_loaded):
        model.set_filter(model.filtro)
    assert _ids(model) == [seeded.solicitudes[0], seeded.solicitudes[2]]


def test_a_painted_cell_reads_the_same_in_one_call_and_follows_changes(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """`multiData` (how a Qt 6 delegate paints) answers what `data` does, role by role; the
    per-row cache behind it follows a claim read by a poll."""
    seeded = seed_queue(sqlite_db, clock(), count=2)
    model = _model(sqlite_db, clock, runner)
    _load(qtbot, model)
    roles = [int(r) for r in Qt.ItemDataRole if r < Qt.ItemDataRole.UserRole] + [ID_ROLE]

    def one_call(index: QModelIndex, role: int) -> object:
        data = QModelRoleData(role)
        model.multiData(index, data)
        return data.data()

    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in roles:
                assert one_call(index, role) == index.data(role), (row, column, role)
    owner = model.index(0, COLUMN_INDEX["tomado_por"])
    assert owner.data() == ""
    claims.claim(sqlite_db, BETO, clock(), seeded.solicitudes[0], LEASE)
    with qtbot.waitSignal(model.refreshed):
        model.refresh()
    assert one_call(owner, int(Qt.ItemDataRole.DisplayRole)) == owner.data() == "beto"
    assert owner.data(Qt.ItemDataRole.FontRole).italic()
