"""The grid's first screenful, then the rest of its first page (issue 19), and the cells stored
in the model's items: every role as `queue_columns.cell` answers it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from dim_revision.clock import FakeClock
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueCounts, QueueCursor, QueueFilter, QueuePage
from tests import factories
from tests.gui.seeding import add_request
from ui.queue_columns import COLUMNS, ID_ROLE, TAKEN_ROLE, cell
from ui.queue_model import FIRST_PAGE, FIRST_SCREEN, QueueModel, ServiceQueueSource
from ui.queue_source import load_page
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ANA = Actor("ana", "pc-01")
BETO = Actor("beto", "pc-02")
ROLES = [
    int(Qt.ItemDataRole.DisplayRole),
    int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.ForegroundRole),
    int(Qt.ItemDataRole.BackgroundRole),
    int(Qt.ItemDataRole.FontRole),
    int(Qt.ItemDataRole.TextAlignmentRole),
    ID_ROLE,
    TAKEN_ROLE,
]


class PagingSource(ServiceQueueSource):
    """The real source, noting each page query's cursor and limit."""

    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__(db, clock)
        self.pages: list[tuple[QueueCursor | None, int]] = []

    def page(
        self,
        filtro: QueueFilter,
        despues: QueueCursor | None,
        limit: int,
        sort: str,
        descending: bool,
    ) -> QueuePage:
        self.pages.append((despues, limit))
        return super().page(filtro, despues, limit, sort, descending)


def _requests(db: Database, clock: FakeClock, count: int) -> list[int]:
    """`count` requests uploaded today, a minute apart, oldest first."""
    start = clock() - timedelta(minutes=count + 1)
    return [
        add_request(db, start + timedelta(minutes=i), apellido=f"P{i:03d}") for i in range(count)
    ]


def _model(db: Database, clock: FakeClock, runner: TaskRunner) -> tuple[QueueModel, PagingSource]:
    source = PagingSource(db, clock)
    return QueueModel(runner, source, clock, lease_owner(ANA), QueueFilter.today(clock())), source


def _ids(model: QueueModel) -> list[int]:
    return [r.id for r in model.loaded_rows()]


def test_a_screenful_is_shown_first_and_the_rest_of_the_page_follows(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    ids = _requests(sqlite_db, clock, FIRST_SCREEN + 8)
    model, source = _model(sqlite_db, clock, runner)
    shown: list[int] = []
    model.first_page_loaded.connect(lambda: shown.append(model.rowCount()))
    model.reload()
    qtbot.waitUntil(lambda: model.settled and runner.is_idle())
    assert shown == [FIRST_SCREEN]  # painted with a screenful; no second reset
    assert _ids(model) == ids
    assert [limit for _cursor, limit in source.pages] == [FIRST_SCREEN, FIRST_PAGE - FIRST_SCREEN]
    assert source.pages[1][0] == QueueCursor(model.row_at(FIRST_SCREEN - 1).fecha_subida, ids[31])  # type: ignore[union-attr]
    assert [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())] == ids


def test_a_poll_landing_between_the_screenful_and_the_rest_loses_nothing(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    ids = _requests(sqlite_db, clock, FIRST_SCREEN + 8)
    model, source = _model(sqlite_db, clock, runner)

    def poll_at_once() -> None:
        arrived.append(add_request(sqlite_db, clock() - timedelta(seconds=30), apellido="Nueva"))
        model.refresh()  # before the rest of the page is asked for

    arrived: list[int] = []
    model.first_page_loaded.connect(poll_at_once)
    model.reload()
    qtbot.waitUntil(lambda: model.settled and runner.is_idle())
    assert _ids(model) == [*ids, *arrived]
    assert [model.index(r, 0).data(ID_ROLE) for r in range(model.rowCount())] == _ids(model)
    assert len(source.pages) == 1  # the poll brought the rest; nothing read twice

    model.fetchMore()  # and the keyset cursor still starts after the last row
    qtbot.waitUntil(lambda: not model.busy)
    assert _ids(model) == [*ids, *arrived]


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, QBrush):
        return isinstance(got, QBrush) and got.color() == want.color()
    if isinstance(want, QFont):
        return isinstance(got, QFont) and (got.bold(), got.italic()) == (want.bold(), want.italic())
    return bool(got == want)


def test_every_stored_role_is_what_cell_answers_and_follows_changes(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """Rows leased by someone else and by me, one the patient answered, one whose send failed
    after it was resolved (requires attention), and ages of every colour."""
    now = clock()
    ids = [add_request(sqlite_db, now - timedelta(hours=h), apellido=f"P{h}") for h in (9, 3, 1, 0)]
    claims.claim(sqlite_db, BETO, now, ids[0], timedelta(minutes=10))
    claims.claim(sqlite_db, ANA, now, ids[1], timedelta(minutes=10))
    with sqlite_db.uow() as uow:
        s = uow.session
        sols = {i: s.get(SolicitudAsistencia, i) for i in ids}
        answered = factories.envio(s, sols[ids[2]], now - timedelta(minutes=20), estado="enviado")
        factories.envio(s, sols[ids[3]], now - timedelta(minutes=5), estado="fallido")
        s.execute(update(Envio).where(Envio.id == answered.id).values(respuesta_en=now))
        s.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == ids[3])
            .values(resuelto=True)
        )
        uow.commit()
    model, _source = _model(sqlite_db, clock, runner)
    model.set_filter(QueueFilter.today(now, EstadoFiltro.TODAS))
    qtbot.waitUntil(lambda: model.settled and runner.is_idle())
    assert _ids(model) == ids

    def check() -> None:
        for r in range(model.rowCount()):
            row = model.row_at(r)
            assert row is not None
            for c, column in enumerate(COLUMNS):
                for role in ROLES:
                    want = cell(row, column.key, role, clock(), lease_owner(ANA))
                    got = model.index(r, c).data(role)
                    assert _same(got, want), (row.id, column.key, role, got, want)

    check()
    clock.advance(hours=6)  # every age changes colour
    model.tick()
    check()
    with sqlite_db.uow() as uow:  # Beto's lease ends
        uow.session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id == ids[0])
            .values(tomado_por=None, tomado_hasta=None, version=SolicitudAsistencia.version + 1)
        )
        uow.commit()
    with qtbot.waitSignal(model.refreshed):
        model.refresh()
    qtbot.waitUntil(lambda: runner.is_idle())
    assert model.index(0, 0).data(TAKEN_ROLE) is False
    check()  # the row's italics, grey and tooltip are gone with the lease


def test_the_screenful_and_the_rest_make_the_same_items_as_one_read_of_the_page(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """Rows leased by someone else and answered on both sides of the screenful's edge."""
    ids = _requests(sqlite_db, clock, FIRST_PAGE + 5)
    now = clock()
    for i in (3, FIRST_SCREEN - 1, FIRST_SCREEN, FIRST_SCREEN + 2):
        claims.claim(sqlite_db, BETO, now, ids[i], timedelta(minutes=10))
    with sqlite_db.uow() as uow:
        s = uow.session
        for i in (FIRST_SCREEN - 2, FIRST_SCREEN + 1):
            sent = factories.envio(s, s.get(SolicitudAsistencia, ids[i]), now, estado="enviado")
            s.execute(update(Envio).where(Envio.id == sent.id).values(respuesta_en=now))
        uow.commit()
    model, source = _model(sqlite_db, clock, runner)
    model.reload()
    qtbot.waitUntil(lambda: model.settled and runner.is_idle())
    assert len(source.pages) == 2  # a screenful, then the rest
    me = lease_owner(ANA)
    whole = load_page(source, clock, me, None, model.filtro, None, FIRST_PAGE, *model.sort_key)
    assert _ids(model) == [r.id for r in whole.rows] == ids[:FIRST_PAGE]
    assert model.loaded_rows() == whole.rows
    for r, cells in enumerate(whole.cells):
        for c in range(len(COLUMNS)):
            text, extras = cells.cells[c]
            want = {int(Qt.ItemDataRole.DisplayRole): text, ID_ROLE: cells.id, **dict(extras)}
            want.setdefault(TAKEN_ROLE, False)
            for role in ROLES:
                got = model.index(r, c).data(role)
                assert _same(got, want.get(role)), (r, COLUMNS[c].key, role, got, want.get(role))


class CountingSource(PagingSource):
    def __init__(self, db: Database, clock: FakeClock) -> None:
        super().__init__(db, clock)
        self.prepared = 0
        self.counted: list[QueueFilter] = []

    def prepare(self) -> int:
        self.prepared += 1
        return super().prepare()

    def counts(self, filtro: QueueFilter) -> QueueCounts:
        self.counted.append(filtro)
        return super().counts(filtro)


def test_what_follows_the_first_paint_is_not_lost_when_the_filter_changes_before_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """The counts, the rest of the page and the upkeep wait for the paint; a filter changed in
    between gets its own (the old filter's are never run), and the upkeep still runs once."""
    ids = _requests(sqlite_db, clock, FIRST_SCREEN + 8)
    with sqlite_db.uow() as uow:
        uow.session.execute(
            update(SolicitudAsistencia)
            .where(SolicitudAsistencia.id.in_(ids[:10]))
            .values(resuelto=True)
        )
        uow.commit()
    source = CountingSource(sqlite_db, clock)
    hoy = QueueFilter.today(clock())
    todas = QueueFilter.today(clock(), EstadoFiltro.TODAS)
    model = QueueModel(runner, source, clock, lease_owner(ANA), hoy)
    counts: list[QueueCounts] = []
    model.counts_changed.connect(counts.append)
    first = [True]

    def change_filter_at_once() -> None:
        if first[0]:
            first[0] = False
            model.set_filter(todas)

    model.first_page_loaded.connect(change_filter_at_once)
    model.reload()
    qtbot.waitUntil(lambda: not first[0] and model.settled and runner.is_idle())
    assert source.counted == [todas]
    assert counts and (counts[-1].pendientes, counts[-1].resueltas) == (30, 10)
    assert _ids(model) == ids  # the rest of the page is the new filter's
    assert source.prepared == 1
    model.refresh_counts()  # and later counts still arrive
    qtbot.waitUntil(lambda: runner.is_idle())
    assert source.counted == [todas, todas]


def test_a_view_showing_the_whole_screenful_still_gets_only_the_rest_of_the_page_next(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    """A grid taller than a screenful asks for more as soon as it paints (its last row is on
    screen): what follows is still the first page's rest (not a full batch at once, which
    would keep a worker busy right after the paint), then batches as the view scrolls."""
    ids = _requests(sqlite_db, clock, FIRST_PAGE + 30)
    model, source = _model(sqlite_db, clock, runner)
    view = QTableView()
    qtbot.addWidget(view)
    view.verticalHeader().setDefaultSectionSize(16)
    view.resize(1400, 16 * (FIRST_SCREEN + 20))
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    model.reload()
    qtbot.waitUntil(lambda: model.settled and runner.is_idle())
    assert view.rowHeight(0) * FIRST_SCREEN < view.viewport().height()  # all of it shown
    assert [limit for _cursor, limit in source.pages[:2]] == [
        FIRST_SCREEN,
        FIRST_PAGE - FIRST_SCREEN,
    ]
    view.scrollToBottom()  # and the view asks for the next batch as it scrolls
    qtbot.waitUntil(lambda: model.rowCount() == len(ids))
    assert _ids(model) == ids
    assert [limit for _cursor, limit in source.pages] == [
        FIRST_SCREEN,
        FIRST_PAGE - FIRST_SCREEN,
        200,
    ]
