"""Filters and their defaults, shortcuts on buttons and in F1, layout memory, status bar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock, local_today
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.outbox.status import OutboxCounts, WorkerStatus
from dim_revision.secrets import MemoryStore
from dim_revision.services import acciones
from dim_revision.services.actor import Actor
from tests.gui.conftest import type_text
from tests.gui.harness import idle, make_context, open_window, press
from tests.gui.seeding import add_request, seed_queue
from ui.queue_model import COLUMN_INDEX
from ui.shortcuts import SPECS
from ui.status_bar import StatusBar
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

BETO = Actor("beto", "pc-02")


def _names(window: object) -> list[str]:
    model = window.ws.model  # type: ignore[attr-defined]
    return [r.nombre for r in model.loaded_rows()]


def test_filters_open_on_pendientes_and_filter_in_sql(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=4)
    acciones.marcar_resuelto(
        sqlite_db, BETO, clock(), solicitud_id=seeded.solicitudes[3], version=1
    )
    yesterday = add_request(sqlite_db, clock() - timedelta(days=1), apellido="Ayer")
    window = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner).window
    bar = window.filter_bar
    today = local_today(clock())
    assert bar.filtro().desde == bar.filtro().hasta == today
    assert bar.filtro().estado is EstadoFiltro.PENDIENTES_TODAS and bar.filtro().texto == ""
    assert bar.estado.currentText() == "Pendientes (hoy y anteriores)"
    # «Pendientes»: today's unresolved plus every earlier unresolved one (yesterday's first).
    assert [r.id for r in window.ws.model.loaded_rows()] == [yesterday, *seeded.solicitudes[:3]]
    qtbot.waitUntil(lambda: "4</b> sin resolver" in bar.counts_label.text())
    assert "1</b> resueltas" in bar.counts_label.text()

    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.estado.setCurrentIndex(bar.estado.findData(EstadoFiltro.PENDIENTES.value))
    assert [r.id for r in window.ws.model.loaded_rows()] == seeded.solicitudes[:3]
    qtbot.waitUntil(lambda: "3</b> sin resolver" in bar.counts_label.text())

    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.estado.setCurrentIndex(bar.estado.findData(EstadoFiltro.RESUELTAS.value))
    assert [r.id for r in window.ws.model.loaded_rows()] == [seeded.solicitudes[3]]

    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.estado.setCurrentIndex(bar.estado.findData(EstadoFiltro.TODAS.value))
    assert len(window.ws.model.loaded_rows()) == 4

    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.desde.setDate(bar.desde.date().addDays(-1))
    assert yesterday in [r.id for r in window.ws.model.loaded_rows()]

    press(qtbot, window.grid, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert bar.texto.hasFocus()
    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        type_text(qtbot, bar.texto, "nuñez")
    assert _names(window) == ["Núñez, Señora Inés"]
    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.texto.setText("")
        type_text(qtbot, bar.texto, "20000")  # DNI prefix
    assert len(_names(window)) == 5

    with qtbot.waitSignal(window.ws.model.first_page_loaded):
        bar.reset_dates()
    assert bar.filtro().desde == today and yesterday not in [
        r.id for r in window.ws.model.loaded_rows()
    ]


def test_grid_shows_the_required_columns_in_spanish(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    window = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner).window
    model = window.ws.model
    titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    for required in (
        "Fecha de subida",
        "Nombre",
        "DNI",
        "Tel. verif.",
        "Teléfono móvil",
        "Email",
        "Obra social",
        "Plan",
        "Fecha contacto",
        "Usuario contacto",
        "Resuelto",
        "Envío",
        "Tomada por",
        "Turno",
    ):
        assert required in titles
    qtbot.waitUntil(lambda: model.index(0, COLUMN_INDEX["tomado_por"]).data() == "Vos")


def test_every_action_shows_its_shortcut_on_its_button_and_in_f1(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    window = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner).window
    for name, button in window.action_bar.buttons.items():
        spec = next(s for s in SPECS if s.name == name)
        assert button.text().endswith(spec.label)
    assert window.filter_bar.refresh_button.text() == "Actualizar  F5"
    listed = {text for _group, text, _keys in window.help.rows}
    for spec in SPECS:
        assert spec.text in listed
    assert "Girar a la derecha" in listed  # the viewer's own actions are listed too
    press(qtbot, window.grid, Qt.Key.Key_F1)
    assert window.help.isVisible()
    press(qtbot, window.help, Qt.Key.Key_Escape)
    assert not window.help.isVisible()


def test_layout_is_remembered_between_runs(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    ctx = make_context(sqlite_db, clock, secrets)
    first = open_window(qtbot, ctx, runner).window
    first.main_splitter.setSizes([400, 1200])
    first.grid.horizontalHeader().resizeSection(COLUMN_INDEX["nombre"], 321)
    sizes = first.main_splitter.sizes()
    held = first.ws.current.id  # type: ignore[union-attr]
    first.close()
    qtbot.waitUntil(lambda: idle(first.ws))
    with sqlite_db.uow() as uow:  # closing the window frees the record for the others
        assert uow.session.get(SolicitudAsistencia, held).tomado_por is None  # type: ignore[union-attr]

    second = open_window(qtbot, ctx, runner).window
    assert second.main_splitter.sizes() == sizes
    assert second.grid.horizontalHeader().sectionSize(COLUMN_INDEX["nombre"]) == 321


def test_status_bar_shows_user_database_and_outbox(qtbot: QtBot) -> None:
    bar = StatusBar(Actor("ana", "pc-01"))
    qtbot.addWidget(bar)
    assert bar.user_label.text() == "Operador: ana (pc-01)"
    assert "conectada" in bar.db_label.text()
    bar.set_db(False, "sin red")
    assert "Sin conexión" in bar.db_label.text()
    counts = OutboxCounts(programados=2, enviando=1, enviados_hoy=7, fallidos=1, inciertos=2)
    bar.set_outbox(counts, WorkerStatus(pausado=True, motivo="token inválido"))
    assert bar.outbox_label.text() == (
        "Envíos: 3 programados · 7 enviados hoy · 1 fallidos · 2 inciertos"
    )
    assert not bar.worker_label.isHidden()
    assert bar.worker_label.text() == "Envíos en pausa: token inválido"
    bar.set_outbox(counts, WorkerStatus())
    assert bar.worker_label.isHidden()


def test_the_date_filter_opens_on_the_buenos_aires_day(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    clock.now = clock.now.replace(hour=2)  # 02:00 UTC is 23:00 of the day before in Buenos Aires
    late = add_request(sqlite_db, clock() - timedelta(minutes=30))
    window = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner).window
    assert window.filter_bar.filtro().desde == date(2026, 3, 9)
    assert [r.id for r in window.ws.model.loaded_rows()] == [late]


def test_asignar_turno_opens_portal_lite_with_the_patient(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seed_queue(sqlite_db, clock(), count=1)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    detalle = opened.ws.current.detalle  # type: ignore[union-attr]
    assert detalle is not None
    press(qtbot, opened.window.grid, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert opened.urls == [
        f"https://portallite.dim.com.ar/turnos?dni={detalle.dni}&prestaciones="
    ]  # nothing chosen yet (issue 13.10: the chosen ids go there)
    assert "Portal LITE" in opened.window.message_banner.text


def test_changing_the_filter_from_the_empty_state_offers_work_from_the_new_range(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    older = add_request(sqlite_db, clock() - timedelta(days=2), apellido="Antier")
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets), runner, wait_for_record=False
    )
    ws = opened.ws
    bar = opened.window.filter_bar
    qtbot.waitUntil(lambda: ws.current is not None and ws.current.id == older)  # «Pendientes»
    with qtbot.waitSignal(ws.model.first_page_loaded):
        bar.estado.setCurrentIndex(bar.estado.findData(EstadoFiltro.PENDIENTES.value))
    qtbot.waitUntil(lambda: ws.flags.empty)  # nothing unresolved today: the record left
    assert ws.current is None
    assert opened.window.right_stack.currentWidget() is opened.window.empty_state
    text = opened.window.empty_state.text()
    assert "No quedan solicitudes sin resolver de hoy" in text
    assert "elegí «Pendientes» para ver también las de días anteriores" in text
    with qtbot.waitSignal(ws.model.first_page_loaded):
        bar.desde.setDate(bar.desde.date().addDays(-2))
    qtbot.waitUntil(
        lambda: ws.current is not None and ws.current.id == older and ws.current.claimed
    )
    assert opened.window.right_stack.currentWidget() is opened.window.detail_page
