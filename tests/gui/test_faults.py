"""Faults (DESIGN §6): the database goes away, a stale write, a lost claim, fast moves, bad files."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import Contacto, Envio, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from tests import factories
from tests.gui.conftest import type_text
from tests.gui.harness import idle, loaded, make_context, open_seeded, open_window, press
from tests.gui.seeding import add_request, seed_queue
from ui.db_errors import OFFLINE_MESSAGE
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
NO_PREVIEW = Settings().replace("envio", confirmar_preview="nunca")
BETO = Actor("beto", "pc-02")
SUPER = Actor("sara", "pc-sup")
LEASE = timedelta(minutes=10)
RODILLA = "RESONANCIA MAGNÉTICA DE RODILLA"


@pytest.fixture
def movable_db(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    """A SQLite file inside a folder the test can take away (and bring back)."""
    folder = tmp_path / "datos"
    folder.mkdir()
    shutil.copyfile(sqlite_template, folder / "dim.sqlite3")
    db = Database(create_db_engine(sqlite_url(folder / "dim.sqlite3")))
    yield db, folder
    db.dispose()


def _holders(db: Database) -> dict[int, str | None]:
    with db.uow() as uow:
        rows = uow.session.execute(select(SolicitudAsistencia.id, SolicitudAsistencia.tomado_por))
        return {r.id: r.tomado_por for r in rows}


def test_database_down_shows_a_banner_keeps_what_was_typed_and_recovers(
    qtbot: QtBot,
    movable_db: tuple[Database, Path],
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
) -> None:
    db, folder = movable_db
    seeded, opened = open_seeded(
        qtbot, db, clock, secrets, runner, settings=NO_PREVIEW, reconnect_ms=50
    )
    first = seeded.solicitudes[0]
    ws, window = opened.ws, opened.window
    type_text(qtbot, window.picker.search_edit, "rmn rodilla\n")
    assert [n for _, n in window.picker.chosen()] == [RODILLA]

    # Half-way through a contact, the database disappears.
    press(qtbot, window.picker.search_edit, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.contact_dialog is not None)
    contact = window.contact_dialog
    assert contact is not None
    qtbot.waitUntil(contact.isActiveWindow)
    type_text(qtbot, contact.comment, "Pidió que la llamen después de las 18")
    qtbot.waitUntil(lambda: idle(ws))
    db.dispose()
    gone = folder.rename(folder.with_name("datos-fuera-de-linea"))
    press(qtbot, contact.comment, Qt.Key.Key_Return, CTRL)

    qtbot.waitUntil(lambda: not window.offline_banner.isHidden())
    assert window.offline_banner.text == OFFLINE_MESSAGE
    assert window.offline_banner.action_button.text() == "Reintentar"
    assert "Sin conexión" in window.status.db_label.text()
    for name in ("confirmar", "resuelto", "contacto", "editar"):
        assert not window.actions_by_name[name].isEnabled(), name
    assert window.picker.is_read_only()
    assert [n for _, n in window.picker.chosen()] == [RODILLA]  # still on screen
    assert ws.draft(first).contacto_comentario == "Pidió que la llamen después de las 18"
    qtbot.wait(200)  # reconnect attempts keep failing while it is away
    assert not ws.flags.online

    gone.rename(folder)
    qtbot.waitUntil(lambda: ws.flags.online and loaded(ws, first))
    assert window.offline_banner.isHidden()
    assert "conectada" in window.status.db_label.text()
    assert ws.current is not None and ws.current.claimed
    assert [n for _, n in window.picker.chosen()] == [RODILLA]
    assert window.actions_by_name["confirmar"].isEnabled()

    # The contact is offered again exactly as it was typed.
    press(qtbot, window.picker.search_edit, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: window.contact_dialog is not None)
    again = window.contact_dialog
    assert again is not None
    assert again.comment_text() == "Pidió que la llamen después de las 18"
    assert again.outcome() is ResultadoContacto.CONTACTADO
    qtbot.waitUntil(again.isActiveWindow)
    press(qtbot, again.comment, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: idle(ws) and "Contacto registrado" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[1]))
    with db.uow() as uow:
        assert uow.session.scalars(select(Contacto.comentario)).all() == [
            "Pidió que la llamen después de las 18"
        ]
        assert uow.session.scalars(select(Envio.solicitud_id)).all() == [first]


def test_a_stale_write_says_so_reloads_and_keeps_the_picks(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, settings=NO_PREVIEW)
    first = seeded.solicitudes[0]
    ws, window = opened.ws, opened.window
    type_text(qtbot, window.picker.search_edit, "rmn rodilla\n")
    # A supervisor frees the record meanwhile: its version moves on.
    claims.override(sqlite_db, SUPER, clock(), first, es_supervisor=True)

    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Otro operador modificó esta solicitud" in window.message_banner.text)
    assert window.message_banner.kind == "warning"
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert ws.current is not None and ws.current.claimed and ws.current.detalle is not None
    assert ws.current.detalle.version == 2
    assert [n for _, n in window.picker.chosen()] == [RODILLA]
    with sqlite_db.uow() as uow:
        assert uow.session.scalars(select(Envio)).all() == []

    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)  # now it goes through
    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[1]))
    with sqlite_db.uow() as uow:
        assert uow.session.scalars(select(Envio.solicitud_id)).all() == [first]


def test_a_lost_claim_says_so_and_the_record_becomes_read_only(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner)
    first = seeded.solicitudes[0]
    ws, window = opened.ws, opened.window
    type_text(qtbot, window.picker.search_edit, "rmn rodilla\n")
    clock.advance(minutes=11)  # no heartbeat for longer than the lease: Beto takes it
    claims.claim(sqlite_db, BETO, clock(), first, LEASE)

    ws.heartbeat()
    qtbot.waitUntil(lambda: "Perdiste la reserva" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert ws.current is not None and not ws.current.claimed
    assert "beto" in window.action_bar.state_label.text()
    assert not window.actions_by_name["confirmar"].isEnabled()
    assert window.picker.is_read_only()
    assert [n for _, n in window.picker.chosen()] == [RODILLA]  # kept, shown read-only
    assert _holders(sqlite_db)[first] == "beto@pc-02"


def test_moving_fast_never_shows_the_wrong_record_nor_leaves_claims_behind(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=6)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    shown: list[int] = []
    ws.record_changed.connect(
        lambda view: shown.append(view.detalle.id) if view and view.detalle else None
    )
    for _ in range(5):
        press(qtbot, window.grid, Qt.Key.Key_Down, CTRL)
    last = seeded.solicitudes[5]
    qtbot.waitUntil(lambda: loaded(ws, last) and idle(ws))
    assert window.patient_card.detalle() is not None
    assert window.patient_card.detalle().id == last  # type: ignore[union-attr]
    assert shown[-1] == last
    holders = _holders(sqlite_db)
    assert [sid for sid, who in holders.items() if who] == [last]


def test_empty_queue_says_so_and_offers_the_next_arrival_at_once(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=1)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    ws, window = opened.ws, opened.window
    press(qtbot, window.grid, Qt.Key.Key_R, CTRL)  # resolve the only one
    qtbot.waitUntil(lambda: ws.flags.empty)
    assert window.right_stack.currentWidget() is window.empty_state
    assert "No quedan solicitudes" in window.empty_state.text()
    assert ws.current is None

    arrived = add_request(sqlite_db, clock() - timedelta(minutes=1), apellido="Recién")
    ws.poll()
    qtbot.waitUntil(lambda: loaded(ws, arrived))
    assert window.right_stack.currentWidget() is window.detail_page
    assert ws.current is not None and ws.current.claimed
    qtbot.waitUntil(lambda: window.grid.currentIndex().row() == ws.model.row_of(arrived))
    assert seeded.solicitudes[0] not in [r.id for r in ws.model.loaded_rows()]


def test_a_corrupt_order_file_shows_a_clear_message_in_the_viewer(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    broken = factories.jpeg_bytes(800, 600)[:400]  # cut short, as after a failed upload
    with sqlite_db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), clock() - timedelta(minutes=5), files=0)
        s.add(
            SolicitudAdjunto(
                solicitud_id=sol.id,
                orden=0,
                nombre_archivo="orden.jpg",
                mime="image/jpeg",
                tamano=len(broken),
                sha256=hashlib.sha256(broken).hexdigest(),
                contenido=broken,
            )
        )
        uow.commit()
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    viewer = opened.window.viewer
    qtbot.waitUntil(lambda: "orden.jpg" in viewer.message())
    assert "dañada" in viewer.message()
    assert opened.window.actions_by_name[
        "contacto"
    ].isEnabled()  # the operator can still ask for it
