"""Issue 13 on the workstation, driven by keys: Corregir celular (13.8), Vincular turno and the
Portal LITE link (13.10), Requiere atención and the retry strip (13.2), roles (13.9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock, to_local
from dim_revision.config import Settings
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.secrets import MemoryStore
from tests import db_reads as reads
from tests import factories
from tests.gui.conftest import type_text
from tests.gui.harness import activate, idle, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.queue_columns import COLUMN_INDEX
from ui.roles import start_problem
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def _one_request(db: Database, clock: FakeClock, movil: str | None) -> int:
    with db.uow() as uow:
        s = uow.session
        for name in ("MAMOGRAFÍA BILATERAL", "ECOGRAFÍA ABDOMINAL COMPLETA"):
            factories.prestacion(s, name)
        pac = factories.paciente(s, movil=movil)
        sid = factories.solicitud(s, pac, clock() - timedelta(minutes=20)).id
        uow.commit()
    return sid


def test_corregir_celular_by_keys_refuses_a_bad_number_then_saves_and_the_preview_warns(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    sid = _one_request(sqlite_db, clock, movil="2345-6789")  # no area code: cannot be sent
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    assert not window.actions_by_name["confirmar"].isEnabled()
    extras = window.extras
    assert extras.buttons["celular"].isVisible() and extras.actions["celular"].isEnabled()
    press(qtbot, window.picker.search_edit, Qt.Key.Key_M, CTRL)  # from the picker's field
    qtbot.waitUntil(lambda: extras.celular_dialog is not None)
    dialog = extras.celular_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    before = reads.snapshot(sqlite_db, sid)

    type_text(qtbot, dialog.movil, "15-2345-6789")
    assert "No sirve para WhatsApp" in dialog.resultado.text()
    press(qtbot, dialog.movil, Qt.Key.Key_Return, CTRL)
    assert dialog.isVisible() and "característica" in dialog.resultado.text()
    assert reads.snapshot(sqlite_db, sid) == before  # nothing changed

    dialog.movil.clear()
    type_text(qtbot, dialog.movil, "351 15 555-1234")
    assert dialog.resultado.text() == "WhatsApp: +54 9 351 555-1234"
    press(qtbot, dialog.movil, Qt.Key.Key_Return, CTRL)
    assert dialog.isVisible() and "confirmó el número" in dialog.resultado.text()
    press(qtbot, dialog.movil, Qt.Key.Key_C, ALT)  # «El paciente confirmó…»
    qtbot.waitUntil(dialog.confirmado.isChecked)  # a mnemonic animates a click
    assert reads.snapshot(sqlite_db, sid) == before
    press(qtbot, dialog.movil, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: extras.celular_dialog is None)
    qtbot.waitUntil(lambda: "Celular corregido" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, sid) and ws.current.detalle.whatsapp == "5493515551234")  # type: ignore[union-attr]
    assert "corregido por ana" in window.patient_card.movil.text()
    after = reads.snapshot(sqlite_db, sid)
    assert (after.movil_ingresado, after.telefono_verificado, after.contactos) == (
        "351 15 555-1234",
        False,
        1,
    )

    activate(qtbot, window)
    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)  # first confirm: preview
    qtbot.waitUntil(lambda: window.preview_dialog is not None)
    preview = window.preview_dialog
    assert preview is not None and preview.aviso.isVisible()
    assert "sin verificar" in preview.aviso.text() and "corrigió ana" in preview.aviso.text()
    preview.reject()


def test_vincular_turno_by_keys_uses_the_portals_association(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    sid = _one_request(sqlite_db, clock, movil="11 15-2345-6789")
    with sqlite_db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        turno = factories.turno(
            uow.session, factories.Fila(id=sol.paciente_id), clock() + timedelta(days=2)
        ).id
        uow.commit()
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window, extras = opened.ws, opened.window, opened.window.extras
    press(qtbot, window.grid, Qt.Key.Key_T, CTRL_SHIFT)
    qtbot.waitUntil(lambda: extras.turno_dialog is not None)
    dialog = extras.turno_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    before = reads.snapshot(sqlite_db, sid)
    type_text(qtbot, dialog.turno, "doce")
    press(qtbot, dialog.turno, Qt.Key.Key_Return, CTRL)
    assert dialog.isVisible() and "sólo dígitos" in dialog.mensaje.text()
    assert reads.snapshot(sqlite_db, sid) == before
    dialog.turno.clear()
    type_text(qtbot, dialog.turno, str(turno))
    press(qtbot, dialog.turno, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: f"Turno #{turno} vinculado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, sid) and ws.current.detalle.id_turno_destino == turno)  # type: ignore[union-attr]
    assert "(1 archivo)" in window.message_banner.text
    with sqlite_db.uow() as uow:
        assert len(factories.adjuntos_del_turno(uow.session, turno)) == 1
    assert not extras.actions["vincular_turno"].isEnabled()  # already linked


def test_portal_lite_link_carries_the_chosen_prestaciones_and_is_copied_without_a_browser(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    _one_request(sqlite_db, clock, movil="11 15-2345-6789")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window, extras = opened.ws, opened.window, opened.window.extras
    copied: list[str] = []
    extras.copy = copied.append
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    ids = [pid for pid, _ in ws.session.chosen(ws.current)]  # type: ignore[arg-type]
    dni = ws.current.detalle.dni  # type: ignore[union-attr]
    expected = f"https://portallite.dim.com.ar/turnos?dni={dni}&prestaciones={ids[0]}"
    press(qtbot, window.picker.search_edit, Qt.Key.Key_C, CTRL_SHIFT)  # always offered
    assert copied == [expected] and "copiado" in window.message_banner.text

    ws.open_url = lambda _url: False  # QDesktopServices.openUrl said no: no browser
    QGuiApplication.clipboard().clear()
    press(qtbot, window.picker.search_edit, Qt.Key.Key_T, CTRL)
    assert QGuiApplication.clipboard().text() == expected  # the real clipboard
    assert "No se pudo abrir el navegador" in window.message_banner.text
    assert expected in window.message_banner.text


def _resolved_with_send(db: Database, clock: FakeClock, estado: str, movil: str) -> int:
    with db.uow() as uow:
        s = uow.session
        factories.prestacion(s, "MAMOGRAFÍA BILATERAL")
        sol = factories.solicitud(
            s, factories.paciente(s, movil=movil), clock() - timedelta(hours=2)
        )
        sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = True, clock(), "luis"
        e = factories.envio(s, sol, clock() - timedelta(hours=1), estado=estado, intentos=8)
        e.ultimo_error = "Botmaker no respondió: conexión rechazada."
        sid = sol.id
        uow.commit()
    return sid


def test_a_failed_send_requires_attention_and_resuelto_resolves_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    sid = _resolved_with_send(sqlite_db, clock, "fallido", "11 15-2345-6789")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    assert ws.current is not None and ws.current.id == sid  # served again: nothing vanishes
    bar = window.filter_bar
    qtbot.waitUntil(lambda: "requieren atención" in bar.counts_label.text())
    assert bar.estado.findData(EstadoFiltro.ATENCION.value) >= 0
    assert "Requiere atención" in window.action_bar.state_label.text()
    assert "conexión rechazada" in window.patient_card.atencion.text()
    assert window.patient_card.atencion.isVisible()
    assert window.actions_by_name["confirmar"].isEnabled()  # a new send, same confirm path
    assert window.actions_by_name["resuelto"].isEnabled()
    row = ws.model.row_of(sid)
    assert row is not None
    index = ws.model.index(row, COLUMN_INDEX["estado_envio"])
    assert "requiere atención" in index.data()
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    press(qtbot, window.grid, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: "resuelta" in window.message_banner.text.lower())
    qtbot.waitUntil(lambda: idle(ws) and ws.current is None)  # nothing else to work
    press(qtbot, window.grid, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: idle(ws) and "requieren atención" not in bar.counts_label.text())
    with sqlite_db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        envio = uow.session.scalars(select(Envio.id).where(Envio.solicitud_id == sid)).one()
        assert sol is not None and sol.atencion_envio_id == envio


def test_a_failed_send_is_confirmed_again_by_keys(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    sid = _resolved_with_send(sqlite_db, clock, "fallido", "11 15-2345-6789")
    settings = Settings().replace("envio", confirmar_preview="nunca")
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    assert ws.current is not None and ws.current.id == sid
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    assert not window.picker.search_edit.isReadOnly()
    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Envío programado" in window.message_banner.text)
    with sqlite_db.uow() as uow:
        estados = list(
            uow.session.scalars(
                select(Envio.estado).where(Envio.solicitud_id == sid).order_by(Envio.id)
            )
        )
    assert estados == ["fallido", "programado"]


def test_the_send_strip_shows_the_retry_count_and_next_attempt(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    with sqlite_db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), clock() - timedelta(hours=1))
        sol.resuelto = True
        e = factories.envio(s, sol, clock() - timedelta(minutes=20), intentos=3)
        e.proximo_intento = clock() + timedelta(minutes=12)
        e.ultimo_error = "No se pudo conectar con Botmaker."
        sid = sol.id
        uow.commit()
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets), runner, wait_for_record=False
    )
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.empty and idle(ws))  # nothing to work: open it by hand
    ws.open(sid)
    qtbot.waitUntil(lambda: loaded(ws, sid))
    at = f"{to_local(clock() + timedelta(minutes=12)):%H:%M}"
    text = window.action_bar.envio_label.text()
    assert f"reintentando (3/8), próximo intento {at}" in text
    assert "sale en cualquier momento" not in text


def test_export_and_configuration_follow_the_role(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    with sqlite_db.uow() as uow:
        factories.operador(uow.session, "sofia", supervisor=True)
        uow.commit()
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    window = opened.window
    qtbot.waitUntil(lambda: window.roles.permisos is not None)
    assert not window.supervisor.exportar_action.isEnabled()
    assert not window.setup_action.isEnabled()
    assert window.setup_action.toolTip() == "Sólo para supervisores"
    sup = open_window(
        qtbot,
        make_context(sqlite_db, clock, secrets, usuario="sofia", estacion="pc-9"),
        runner,
        wait_for_record=False,
    ).window
    qtbot.waitUntil(lambda: sup.roles.permisos is not None)
    assert sup.supervisor.exportar_action.isEnabled() and sup.setup_action.isEnabled()


def test_start_refuses_an_unregistered_user_and_frees_this_pcs_old_leases(
    sqlite_db: Database, clock: FakeClock, secrets: MemoryStore
) -> None:
    from dim_revision.services import claims
    from dim_revision.services.actor import Actor

    seeded = seed_queue(sqlite_db, clock(), count=2)
    claims.claim(
        sqlite_db, Actor("ana", "pc-01"), clock(), seeded.solicitudes[0], timedelta(minutes=10)
    )
    ctx = make_context(sqlite_db, clock, secrets, settings=Settings())
    assert start_problem(ctx) is None  # no registry yet: works, and the old lease is gone
    with sqlite_db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, seeded.solicitudes[0])
        assert sol is not None and sol.tomado_por is None
    with sqlite_db.uow() as uow:
        factories.operador(uow.session, "luis")
        uow.commit()
    problem = start_problem(ctx)
    assert problem is not None and "«ana» no está registrado como operador" in problem
