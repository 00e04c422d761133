"""The operator's whole loop with the keyboard only, on a real database (DESIGN §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.db.models import Contacto
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, ResultadoContacto
from dim_revision.secrets import MemoryStore
from tests import db_reads as reads
from tests.gui.conftest import type_text
from tests.gui.harness import idle, loaded, make_context, open_seeded, open_window, press
from tests.gui.seeding import seed_queue
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
RODILLA = "RESONANCIA MAGNÉTICA DE RODILLA"
TORAX = "RADIOGRAFÍA DE TÓRAX FRENTE Y PERFIL"
ECO = "ECOGRAFÍA ABDOMINAL COMPLETA"


def test_keyboard_only_loop(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, count=3)
    first, second, _third = seeded.solicitudes
    ws, window = opened.ws, opened.window
    picker = window.picker
    assert ws.current is not None and ws.current.id == first and ws.current.claimed
    assert reads.solicitud(sqlite_db, first).tomado_por == "ana@pc-01"

    # Ctrl+P, then two prestaciones typed with accents and typos, each added with Enter.
    press(qtbot, window.grid, Qt.Key.Key_P, CTRL)
    assert picker.search_edit.hasFocus()
    type_text(qtbot, picker.search_edit, "rmn rodila")
    assert picker.current_suggestion() is not None
    assert picker.current_suggestion().nombre == RODILLA  # type: ignore[union-attr]
    press(qtbot, picker.search_edit, Qt.Key.Key_Return)
    type_text(qtbot, picker.search_edit, "radiografía torax")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return)
    assert [n for _, n in picker.chosen()] == [RODILLA, TORAX]

    # Ctrl+Enter: the first confirm of the session shows exactly what goes out.
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.preview_dialog is not None)
    dialog = window.preview_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.borrador().telefono == "5491123456789"
    assert dialog.link.text().startswith(ws.settings.link.base_url)
    shown = dialog.texto.toPlainText()
    assert "Ana" in shown and RODILLA in shown and dialog.link.text() in shown
    press(qtbot, dialog, Qt.Key.Key_Return, CTRL)

    # …and the window lands on the next free record, already claimed.
    qtbot.waitUntil(lambda: loaded(ws, second))
    assert ws.current is not None and ws.current.claimed
    assert window.grid.currentIndex().row() == ws.model.row_of(second)
    sol = reads.solicitud(sqlite_db, first)
    assert sol.resuelto and sol.usuario_resuelto == "ana" and sol.tomado_por is None
    assert reads.prestaciones_elegidas(sqlite_db, first) == [
        seeded.prestaciones[RODILLA],
        seeded.prestaciones[TORAX],
    ]
    [envio] = reads.envios(sqlite_db, first)
    assert envio.estado == EstadoEnvio.PROGRAMADO and envio.enviar_desde == clock() + timedelta(
        minutes=15
    )
    assert reads.solicitud(sqlite_db, second).tomado_por == "ana@pc-01"
    assert "Envío programado" in window.message_banner.text

    # Back to the confirmed record (Ctrl+↑), even after a poll: the confirmed row stays in the
    # "sin resolver" grid for that. The send is still in its window, with a countdown.
    clock.advance(minutes=3)
    with qtbot.waitSignal(ws.model.refreshed):
        ws.poll()
    assert ws.model.row_of(first) == 0
    press(qtbot, picker.search_edit, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert (
        reads.solicitud(sqlite_db, second).tomado_por is None
    )  # the record left behind is free again
    assert not window.action_bar.envio_frame.isHidden()
    assert "sale a las 10:15, faltan 12 min 00 s" in window.action_bar.envio_label.text()
    assert [n for _, n in picker.chosen()] == [RODILLA, TORAX]
    assert not picker.is_read_only()

    # Edit: drop the last prestación (Backspace on the empty search), add another, Ctrl+E.
    press(qtbot, window.grid, Qt.Key.Key_P, CTRL)
    press(qtbot, picker.search_edit, Qt.Key.Key_Backspace)
    type_text(qtbot, picker.search_edit, "ecografia abdominal")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return)
    press(qtbot, picker.search_edit, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "actualizado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert reads.prestaciones_elegidas(sqlite_db, first) == [
        seeded.prestaciones[RODILLA],
        seeded.prestaciones[ECO],
    ]
    [edited] = reads.envios(sqlite_db, first)
    assert edited.id == envio.id and edited.link != envio.link
    assert edited.estado == EstadoEnvio.PROGRAMADO and edited.enviar_desde == clock() + timedelta(
        minutes=15
    )

    # Cancel (Ctrl+Shift+X): the request is unresolved again and the window stays on it.
    press(qtbot, picker.search_edit, Qt.Key.Key_X, CTRL_SHIFT)
    qtbot.waitUntil(lambda: idle(ws) and "cancelado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    [cancelled] = reads.envios(sqlite_db, first)
    assert cancelled.estado == EstadoEnvio.CANCELADO
    assert not reads.solicitud(sqlite_db, first).resuelto
    assert window.action_bar.envio_frame.isHidden()

    # Indicar contacto (Ctrl+K): outcome + comment typed; date and user are automatic.
    press(qtbot, picker.search_edit, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.contact_dialog is not None)
    contact = window.contact_dialog
    assert contact is not None
    qtbot.waitUntil(contact.isActiveWindow)
    press(qtbot, contact.comment, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # «No atiende»
    qtbot.waitUntil(contact.radios[ResultadoContacto.NO_ATIENDE].isChecked)
    type_text(qtbot, contact.comment, "Llamé dos veces; atendió la señora, vuelve a llamar mañana")
    press(qtbot, contact.comment, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "Contacto registrado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    with sqlite_db.uow() as uow:
        [row] = uow.session.scalars(select(Contacto).where(Contacto.solicitud_id == first)).all()
        assert (row.usuario, row.resultado, row.fecha) == ("ana", "no_atiende", clock())
        assert row.comentario == "Llamé dos veces; atendió la señora, vuelve a llamar mañana"
    sol = reads.solicitud(sqlite_db, first)
    assert sol.usuario_contacto == "ana" and sol.fecha_contacto == clock()

    # Resuelto (Ctrl+R): closed without a send, and on to the next free record.
    press(qtbot, picker.search_edit, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, second))
    sol = reads.solicitud(sqlite_db, first)
    assert sol.resuelto and sol.usuario_resuelto == "ana"
    assert [e.estado for e in reads.envios(sqlite_db, first)] == [EstadoEnvio.CANCELADO]
    assert reads.solicitud(sqlite_db, second).tomado_por == "ana@pc-01"


def test_confirm_without_prestaciones_is_refused_and_writes_nothing(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    window = opened.window
    press(qtbot, window.grid, Qt.Key.Key_Return, CTRL)
    assert "Elegí al menos una prestación" in window.message_banner.text
    assert window.picker.search_edit.hasFocus()
    assert window.preview_dialog is None
    assert reads.envios(sqlite_db, seeded.solicitudes[0]) == []
    assert not reads.solicitud(sqlite_db, seeded.solicitudes[0]).resuelto
