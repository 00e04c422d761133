"""Two workstations (two operators, two engines) on one PostgreSQL database never work the same record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.engine import create_db_engine
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.harness import activate, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.queue_model import COLUMN_INDEX, TAKEN_ROLE
from ui.tasks import TaskRunner

pytestmark = [pytest.mark.gui, pytest.mark.postgres]

CTRL = Qt.KeyboardModifier.ControlModifier
NO_PREVIEW = Settings().replace("envio", confirmar_preview="nunca")


@pytest.fixture
def second_db(pg_db: Database, pg_session_url: str) -> Iterator[Database]:
    """The other PC: its own engine and connection pool on the same server database."""
    db = Database(create_db_engine(pg_session_url))
    yield db
    db.dispose()


def _holders(db: Database) -> dict[int, str | None]:
    with db.uow() as uow:
        rows = uow.session.execute(select(SolicitudAsistencia.id, SolicitudAsistencia.tomado_por))
        return {r.id: r.tomado_por for r in rows}


def test_two_windows_never_work_the_same_record(
    qtbot: QtBot,
    pg_db: Database,
    second_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
) -> None:
    seeded = seed_queue(pg_db, clock(), count=3)
    s0, s1, _s2 = seeded.solicitudes
    ana = open_window(
        qtbot,
        make_context(pg_db, clock, secrets, settings=NO_PREVIEW),
        runner,
        wait_for_record=False,
    )
    beto = open_window(
        qtbot,
        make_context(
            second_db, clock, secrets, usuario="beto", estacion="pc-02", settings=NO_PREVIEW
        ),
        runner,
        wait_for_record=False,
    )
    # Both started at once and raced for the oldest record: the database gave it to one of them.
    qtbot.waitUntil(lambda: loaded(ana.ws) and loaded(beto.ws))
    assert ana.ws.current is not None and beto.ws.current is not None
    assert ana.ws.current.claimed and beto.ws.current.claimed
    assert {ana.ws.current.id, beto.ws.current.id} == {s0, s1}
    holders = _holders(pg_db)
    assert holders[ana.ws.current.id] == "ana@pc-01"
    assert holders[beto.ws.current.id] == "beto@pc-02"

    # The other's record shows who has it, greyed, in each grid.
    for mine, other, name in ((ana, beto, "beto"), (beto, ana, "ana")):
        assert other.ws.current is not None
        with qtbot.waitSignal(mine.ws.model.refreshed):
            mine.ws.model.refresh()
        row = mine.ws.model.row_of(other.ws.current.id)
        assert row is not None
        index = mine.ws.model.index(row, COLUMN_INDEX["tomado_por"])
        assert index.data() == name and index.data(TAKEN_ROLE) is True

    # Beto moves onto Ana's record: he sees it, read-only, and cannot take it.
    taken = ana.ws.current.id
    beto.window.select_id(taken)
    qtbot.waitUntil(lambda: loaded(beto.ws, taken))
    assert beto.ws.current is not None and not beto.ws.current.claimed
    assert "ana" in beto.window.action_bar.state_label.text()
    assert not beto.window.actions_by_name["confirmar"].isEnabled()
    assert not beto.window.actions_by_name["resuelto"].isEnabled()
    assert beto.window.picker.is_read_only()
    activate(qtbot, beto.window)
    press(qtbot, beto.window.grid, Qt.Key.Key_R, CTRL)  # refused by the disabled action
    assert _holders(pg_db)[taken] == "ana@pc-01"

    # Ana confirms her record and is moved on; it is never one that Beto holds.
    ana.window.picker.set_chosen(
        [(seeded.prestaciones["MAMOGRAFÍA BILATERAL"], "MAMOGRAFÍA BILATERAL")]
    )
    ana.ws.set_chosen(ana.window.picker.chosen())
    activate(qtbot, ana.window)
    press(qtbot, ana.window.grid, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(
        lambda: loaded(ana.ws) and ana.ws.current is not None and ana.ws.current.id != taken
    )
    holders = _holders(pg_db)
    assert holders[ana.ws.current.id] == "ana@pc-01"
    assert [v for v in holders.values() if v] == ["ana@pc-01"]  # Beto let his go when he moved
    with pg_db.uow() as uow:
        assert uow.session.scalars(select(Envio.solicitud_id)).all() == [taken]

    # Beto's screen learns that the record he was looking at is resolved now; its row leaves his
    # "sin resolver" grid but he stays on it (the selection does not jump to a neighbour).
    beto.ws.refresh_all()
    qtbot.waitUntil(
        lambda: (
            loaded(beto.ws, taken)
            and beto.ws.current is not None
            and beto.ws.current.detalle is not None
            and beto.ws.current.detalle.resuelto
        )
    )
    assert beto.ws.current.claimed  # free again after Ana's confirm, but nothing left to do on it
    assert not beto.window.actions_by_name["confirmar"].isEnabled()
    qtbot.waitUntil(lambda: beto.ws.model.row_of(taken) is None)  # the grid's own refresh
    assert not beto.window.grid.selectionModel().hasSelection()
