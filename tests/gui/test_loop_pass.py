"""Issue 13.1 by the keyboard: next is the next row, Saltear with a reason, nothing served twice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.secrets import MemoryStore
from tests.gui.conftest import type_text
from tests.gui.harness import activate, idle, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.loop_wiring import SKIP_MARK
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
NO_PREVIEW = Settings().replace("envio", confirmar_preview="nunca")


def _confirm(qtbot: QtBot, window: object, ws: object) -> None:
    picker = window.picker  # type: ignore[attr-defined]
    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)


def _skip(qtbot: QtBot, window: object, reason: str | None = None, *, pick: int = 0) -> None:
    """Ctrl+S, then a typed reason (one key event per character) or ↓ to pick a common one."""
    press(qtbot, window.picker.search_edit, Qt.Key.Key_S, CTRL)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.loop.skip_dialog is not None)  # type: ignore[attr-defined]
    dialog = window.loop.skip_dialog  # type: ignore[attr-defined]
    qtbot.waitUntil(dialog.isActiveWindow)
    if reason is None:
        for _ in range(pick + 1):
            press(qtbot, dialog.text, Qt.Key.Key_Down)
    else:
        type_text(qtbot, dialog.text, reason)
    press(qtbot, dialog.text, Qt.Key.Key_Return)


def test_next_is_the_next_row_and_a_skipped_record_is_not_served_again(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=4)
    s0, s1, s2, s3 = seeded.solicitudes
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets, settings=NO_PREVIEW), runner
    )
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    assert loaded(ws, s0)
    assert window.grid.itemDelegate() is window.loop.plain  # nothing skipped: Qt's own paint

    # Move down two rows by hand and confirm there: next is the row below (s3), not the
    # oldest free one (s0), and the hint says Ctrl+↑ goes back to the confirmed one.
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Down, CTRL)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Down, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s2))
    _confirm(qtbot, window, ws)
    qtbot.waitUntil(lambda: loaded(ws, s3))
    assert "volvé a ella con Ctrl+↑" in window.message_banner.text

    # Saltear s3 with a typed, accented reason: it wraps to the top (s0), and s3 shows why.
    _skip(qtbot, window, "Orden ilegible, pedí otra foto (señal débil)")
    qtbot.waitUntil(lambda: loaded(ws, s0))
    assert "Salteada: Orden ilegible" in window.message_banner.text
    with sqlite_db.uow() as uow:
        [event] = uow.session.scalars(
            select(Evento).where(Evento.accion == "solicitud_salteada")
        ).all()
        assert event.solicitud_id == s3 and "señal débil" in (event.detalle or "")
    assert window.grid.itemDelegate() is window.loop.delegate  # a skipped row to mark
    row = ws.model.row_of(s3)
    assert row is not None
    index = ws.model.index(row, window.loop.delegate._column)
    option = QStyleOptionViewItem()
    window.loop.delegate.initStyleOption(option, index)
    assert option.text.startswith(SKIP_MARK) and option.font.italic()  # type: ignore[attr-defined]
    assert window.loop.delegate.tooltip(index) == (
        "Salteada en esta pasada: Orden ilegible, pedí otra foto (señal débil)"
    )

    # Saltear s0 picking a common reason with ↓, then s1 the same way: s2 is confirmed and s3
    # skipped, so nothing is left in this pass and the empty state says so.
    _skip(qtbot, window, pick=0)
    qtbot.waitUntil(lambda: loaded(ws, s1))
    _skip(qtbot, window, pick=1)
    qtbot.waitUntil(lambda: ws.flags.empty and idle(ws))
    assert ws.current is None
    text = window.empty_state.text()
    assert "No quedan solicitudes pendientes de hoy" in text and "Salteaste 3" in text

    # A skipped record can still be opened by hand, and its state line says why.
    window.select_id(s3)
    qtbot.waitUntil(lambda: loaded(ws, s3))
    assert window.action_bar.state_label.text().startswith(
        "Salteada en esta pasada: Orden ilegible"
    )


def test_a_registered_contact_is_not_served_again_in_the_pass(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    s0, s1 = seeded.solicitudes
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets, settings=NO_PREVIEW), runner
    )
    ws, window = opened.ws, opened.window
    press(qtbot, window.grid, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.contact_dialog is not None)
    contact = window.contact_dialog
    assert contact is not None
    qtbot.waitUntil(contact.isActiveWindow)
    press(qtbot, contact.comment, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # No atiende
    qtbot.waitUntil(contact.radios[ResultadoContacto.NO_ATIENDE].isChecked)
    assert contact.can_accept()  # no comment needed for «No atiende»
    assert "(opcional)" in contact.comment_label.text()
    press(qtbot, contact.comment, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "Contacto registrado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, s0))  # stays on it (to resolve it, for instance)
    activate(qtbot, window)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Down, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s1))
    _skip(qtbot, window, pick=2)
    # s0 is still unresolved, but it had its contact in this pass: it is not served again.
    qtbot.waitUntil(lambda: ws.flags.empty and idle(ws))
    assert ws.current is None
