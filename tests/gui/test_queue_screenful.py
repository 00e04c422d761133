"""The grid's first screenful, then the rest of its first page (issue 19), and the cells stored
in the model's items: every role as `queue_columns.cell` answers it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from dim_revision.clock import FakeClock
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueCursor, QueueFilter, QueuePage
from tests import factories
from tests.gui.seeding import add_request
from ui.queue_columns import COLUMNS, ID_ROLE, TAKEN_ROLE, cell
from ui.queue_model import FIRST_PAGE, FIRST_SCREEN, QueueModel, ServiceQueueSource
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
