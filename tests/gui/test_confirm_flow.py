"""Confirmar envío → next record: prefetched, shown at once; the preview only when configured."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.conftest import type_text
from tests.gui.harness import activate, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.record_state import RecordView
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier


def _pick_and_confirm(qtbot: QtBot, window: object, text: str) -> None:
    picker = window.picker  # type: ignore[attr-defined]
    type_text(qtbot, picker.search_edit, text + "\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)


def test_the_next_record_is_prefetched_and_shown_with_its_data_at_once(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=3)
    first, second, third = seeded.solicitudes
    settings = Settings().replace("envio", confirmar_preview="nunca")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: second in ws.prefetched() and ws.flags.catalog_loaded)
    views: list[RecordView | None] = []
    ws.record_changed.connect(views.append)

    _pick_and_confirm(qtbot, window, "mamografia")
    qtbot.waitUntil(lambda: loaded(ws, second))
    arrivals = [v for v in views if v is not None and v.id == second]
    assert arrivals[0].detalle is not None  # never an empty "loading" screen in between
    assert arrivals[0].detalle.id == second
    assert window.patient_card.detalle() is not None
    assert window.patient_card.detalle().id == second  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: third in ws.prefetched())  # and the one after that, for next time
    assert first not in ws.prefetched()


@pytest.mark.parametrize(("mode", "second_preview"), [("primera", False), ("siempre", True)])
def test_preview_before_the_first_confirm_of_the_session_or_always(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    mode: str,
    second_preview: bool,
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=3)
    settings = Settings().replace("envio", confirmar_preview=mode)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    shown: list[object] = []
    window.record_actions.preview_ready.connect(shown.append)

    _pick_and_confirm(qtbot, window, "mamografia")
    qtbot.waitUntil(lambda: window.preview_dialog is not None)
    dialog = window.preview_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    press(qtbot, dialog, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[1]))
    activate(qtbot, window)

    _pick_and_confirm(qtbot, window, "densitometria")
    if second_preview:
        qtbot.waitUntil(lambda: window.preview_dialog is not None)
        assert window.preview_dialog is not None
        window.preview_dialog.reject()  # «Volver»: nothing is written
        qtbot.waitUntil(lambda: window.preview_dialog is None)
        assert ws.current is not None and ws.current.id == seeded.solicitudes[1]
        assert len(shown) == 2
    else:
        qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[2]))
        assert len(shown) == 1
