"""Issue 13's «Done means»: the keyboard-only loop over 20 records of the demo confirms or skips
each exactly once, in table order, with no record served twice (real window, real SQLite file)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Envio, Evento
from dim_revision.db.uow import Database
from dim_revision.demo.seed import seed_demo
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.secrets import MemoryStore
from dim_revision.services import acciones, queue
from dim_revision.services.actor import Actor
from dim_revision.services.queue import QueueFilter
from tests.gui.conftest import type_text
from tests.gui.harness import loaded, make_context, open_window, press
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
RECORDS = 20
OTRA = Actor("otra", "pc-09")


@pytest.fixture(scope="session")
def layout() -> str:
    """The demo seeds stand-ins only."""
    return "standins"


def _exactly_twenty_pending(db: Database, clock: FakeClock) -> list[int]:
    """Seed the demo; another operator resolves what is beyond the first 20 of the queue."""
    seed_demo(db, seed=2026, solicitudes=80, prestaciones=300, now=clock(), workers=2)
    with db.uow() as uow:
        rows = queue.list_queue(uow.session, QueueFilter.pendientes(clock()), clock())
    assert len(rows) >= RECORDS and not any(r.tomado_por for r in rows)
    for row in rows[RECORDS:]:
        acciones.marcar_resuelto(db, OTRA, clock(), solicitud_id=row.id, version=row.version)
    return [r.id for r in rows[:RECORDS]]


def test_the_keyboard_only_loop_over_twenty_demo_records(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    order = _exactly_twenty_pending(sqlite_db, clock)
    settings = Settings().replace("envio", confirmar_preview="nunca")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    picker, acts = window.picker, window.actions_by_name
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    assert [r.id for r in ws.model.loaded_rows()] == order  # the table's order

    served: list[int] = []
    confirmed: list[int] = []
    skipped: list[int] = []
    for _ in range(RECORDS):
        qtbot.waitUntil(lambda: loaded(ws) and ws.current is not None and ws.current.claimed)
        assert ws.current is not None
        sid = ws.current.id
        assert sid not in served, f"{sid} served twice"
        served.append(sid)
        if acts["confirmar"].isEnabled():
            press(qtbot, window.grid, Qt.Key.Key_P, CTRL)
            type_text(qtbot, picker.search_edit, "ecografia\n")
            assert picker.chosen(), "Enter added the first suggestion"
            press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)
            confirmed.append(sid)
        else:  # no valid mobile: Saltear with a reason picked with ↓
            press(qtbot, picker.search_edit, Qt.Key.Key_S, CTRL)
            qtbot.waitUntil(lambda: window.loop.skip_dialog is not None)
            dialog = window.loop.skip_dialog
            qtbot.waitUntil(dialog.isActiveWindow)
            press(qtbot, dialog.text, Qt.Key.Key_Down)
            press(qtbot, dialog.text, Qt.Key.Key_Return)
            skipped.append(sid)
        qtbot.waitUntil(
            lambda sid=sid: ws.flags.empty or (ws.current is not None and ws.current.id != sid),
            timeout=10_000,
        )

    assert served == order  # each once, in table order
    qtbot.waitUntil(lambda: ws.flags.empty and ws.lane.is_idle())  # nothing served again
    assert ws.current is None and "No quedan solicitudes" in window.empty_state.text()
    assert confirmed and skipped  # the demo has both kinds
    with sqlite_db.uow() as uow:
        sends = list(uow.session.execute(select(Envio.solicitud_id, Envio.estado)))
        skips = list(
            uow.session.scalars(
                select(Evento.solicitud_id).where(Evento.accion == "solicitud_salteada")
            )
        )
    programados = [s for s, estado in sends if estado == EstadoEnvio.PROGRAMADO.value]
    assert sorted(s for s in programados if s in order) == sorted(confirmed)
    assert sorted(skips) == sorted(skipped)
