"""Issue 13.3 and 13.7 by the keyboard: shortcuts from any focus, the «cambios sin guardar»
marker, Deshacer for Resuelto and Cancelar envío, «Enviar ahora» asked once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.secrets import MemoryStore
from tests import db_reads as reads
from tests.gui.conftest import type_text
from tests.gui.harness import activate, idle, loaded, make_context, open_seeded, open_window, press
from tests.gui.seeding import seed_queue
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
NO_PREVIEW = Settings().replace("envio", confirmar_preview="nunca")


class X11LineEditKeys(QObject):
    """What a QLineEdit does under X11 (Ctrl+E end of line, Ctrl+Z undo, seen with xdotool):
    it accepts ShortcutOverride, which keeps the window's shortcut from firing. The offscreen
    platform uses other key bindings, so the test installs this to reproduce it."""

    KEYS = (Qt.Key.Key_E, Qt.Key.Key_K, Qt.Key.Key_Z, Qt.Key.Key_R, Qt.Key.Key_S)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            and event.key() in self.KEYS
        ):
            event.accept()
            return True
        return False


def test_ctrl_e_works_from_the_picker_search_and_the_marker_shows_unsaved_picks(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, settings=NO_PREVIEW)
    first = seeded.solicitudes[0]
    ws, window = opened.ws, opened.window
    picker, bar = window.picker, window.action_bar
    x11 = X11LineEditKeys(picker.search_edit)
    picker.search_edit.installEventFilter(x11)

    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws) and ws.current is not None and ws.current.id != first)
    press(qtbot, picker.search_edit, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, first) and window.actions_by_name["editar"].isEnabled())
    assert bar.unsaved_label.isHidden()

    # Add one more prestación: the screen no longer matches the scheduled send.
    type_text(qtbot, picker.search_edit, "ecografia abdominal\n")
    assert picker.search_edit.hasFocus()
    assert not bar.unsaved_label.isHidden()
    assert bar.unsaved_label.text() == "Cambios sin guardar: Ctrl+E para actualizar el envío."

    # Ctrl+E with the cursor still in the search field (which claims Ctrl+E, as on X11).
    press(qtbot, picker.search_edit, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "actualizado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert bar.unsaved_label.isHidden()
    assert reads.acciones(sqlite_db, first)[-1] == "envio_editado"

    # Without the guard the field would have kept the key: the bug the issue reported.
    window.loop.guard.uninstall()
    type_text(qtbot, picker.search_edit, "radiografia torax\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: idle(ws))
    assert reads.acciones(sqlite_db, first).count("envio_editado") == 1
    assert not bar.unsaved_label.isHidden()


def test_resuelto_and_cancelar_envio_can_be_undone_for_ten_seconds(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(
        qtbot, sqlite_db, clock, secrets, runner, count=3, settings=NO_PREVIEW
    )
    s0, s1, _s2 = seeded.solicitudes
    ws, window = opened.ws, opened.window
    picker, bar = window.picker, window.action_bar
    picker.search_edit.installEventFilter(X11LineEditKeys(picker.search_edit))

    # Ctrl+R: resolved, on to s1, and the bar offers Deshacer; Ctrl+Z from the picker brings
    # s0 back, unresolved, audited.
    press(qtbot, picker.search_edit, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s1))
    assert reads.solicitud(sqlite_db, s0).resuelto
    assert not bar.undo_frame.isHidden() and "Deshacer (Ctrl+Z), 10 s" in bar.undo_label.text()
    # The counters are read again once the next record is painted (issue 19), not before.
    qtbot.waitUntil(
        lambda: (
            "<b>2</b> sin resolver · <b>1</b> resueltas" in window.filter_bar.counts_label.text()
        )
    )
    activate(qtbot, window)
    press(qtbot, picker.search_edit, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s0) and "Se deshizo" in window.message_banner.text)
    assert not reads.solicitud(sqlite_db, s0).resuelto
    assert reads.acciones(sqlite_db, s0)[-2:] == ["marcado_resuelto", "resuelto_deshecho"]
    assert bar.undo_frame.isHidden()
    qtbot.waitUntil(lambda: "<b>3</b> sin resolver" in window.filter_bar.counts_label.text())

    # Confirm s0, come back, Cancelar envío (Ctrl+Mayús+X), then Deshacer: programado again.
    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s1))
    press(qtbot, picker.search_edit, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, s0) and window.actions_by_name["cancelar"].isEnabled())
    press(qtbot, picker.search_edit, Qt.Key.Key_X, CTRL_SHIFT)
    qtbot.waitUntil(lambda: idle(ws) and "cancelado" in window.message_banner.text)
    assert reads.estados_envio(sqlite_db, s0) == [EstadoEnvio.CANCELADO]
    assert not bar.undo_frame.isHidden()
    press(qtbot, picker.search_edit, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "programado de nuevo" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, s0))
    assert reads.estados_envio(sqlite_db, s0) == [EstadoEnvio.CANCELADO, EstadoEnvio.PROGRAMADO]
    assert reads.acciones(sqlite_db, s0)[-1] == "cancelacion_deshecha"

    # After 10 s the offer is gone: Ctrl+Z does nothing (the field may use it again).
    press(qtbot, picker.search_edit, Qt.Key.Key_X, CTRL_SHIFT)
    qtbot.waitUntil(lambda: idle(ws) and not bar.undo_frame.isHidden())
    clock.advance(seconds=11)
    window.loop._tick_undo()
    assert bar.undo_frame.isHidden() and not window.actions_by_name["deshacer"].isEnabled()
    press(qtbot, picker.search_edit, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: idle(ws))
    assert reads.estados_envio(sqlite_db, s0)[-1] == EstadoEnvio.CANCELADO


def test_enviar_ahora_asks_once_and_esc_sends_nothing(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, settings=NO_PREVIEW)
    first = seeded.solicitudes[0]
    ws, window = opened.ws, opened.window
    picker = window.picker
    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws) and ws.current is not None and ws.current.id != first)
    press(qtbot, picker.search_edit, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(
        lambda: loaded(ws, first) and window.actions_by_name["enviar_ahora"].isEnabled()
    )
    with sqlite_db.uow() as uow:
        due = uow.session.scalars(select(Envio.enviar_desde)).one()

    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.loop.ask_dialog is not None)
    ask = window.loop.ask_dialog
    qtbot.waitUntil(ask.isActiveWindow)
    press(qtbot, ask.yes_button, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.loop.ask_dialog is None)
    with sqlite_db.uow() as uow:
        assert uow.session.scalars(select(Envio.enviar_desde)).one() == due  # nothing moved

    activate(qtbot, window)
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.loop.ask_dialog is not None)
    ask = window.loop.ask_dialog
    qtbot.waitUntil(ask.isActiveWindow)
    press(qtbot, ask.yes_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: idle(ws) and "sale ahora" in window.message_banner.text)
    with sqlite_db.uow() as uow:
        assert uow.session.scalars(select(Envio.enviar_desde)).one() == clock()
    assert due == clock() + timedelta(minutes=15)


def test_undo_of_the_last_record_is_offered_on_the_empty_page(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    [only] = seed_queue(sqlite_db, clock(), count=1).solicitudes
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    press(qtbot, window.grid, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: ws.flags.empty and idle(ws))
    assert window.right_stack.currentWidget() is window.empty_state
    assert "marcada como resuelta. · Deshacer (Ctrl+Z)" in window.empty_state.text()
    press(qtbot, window.grid, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, only))
    assert window.right_stack.currentWidget() is window.detail_page
    assert not reads.solicitud(sqlite_db, only).resuelto
