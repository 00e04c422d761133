"""Confirmar without the link key (issue #12): refused with a clear message in estaciones mode,
accepted in servicio mode (the service signs the link when it sends)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.conftest import type_text
from tests.gui.harness import loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier


def _envios(db: Database) -> list[tuple[str, str]]:
    with db.uow() as uow:
        return [tuple(r) for r in uow.session.execute(select(Envio.estado, Envio.link))]  # type: ignore[misc]


def _confirm(qtbot: QtBot, window: object) -> None:
    picker = window.picker  # type: ignore[attr-defined]
    type_text(qtbot, picker.search_edit, "mamografia\n")
    press(qtbot, picker.search_edit, Qt.Key.Key_Return, CTRL)


def test_estaciones_without_link_key_refuses_confirm(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    settings = Settings().replace("envio", confirmar_preview="nunca")
    secrets = MemoryStore({"botmaker-token": "t"})
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets, settings=settings), runner)
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    messages: list[tuple[str, str]] = []
    ws.message.connect(lambda text, level: messages.append((text, level)))
    _confirm(qtbot, window)
    qtbot.waitUntil(lambda: any("link-key" in m for m, _ in messages))
    assert ws.current is not None and ws.current.id == seeded.solicitudes[0]
    assert _envios(sqlite_db) == []
    assert secrets.get("link-key") is None  # never generated


def test_servicio_mode_confirms_without_any_secret(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    settings = (
        Settings().replace("envio", confirmar_preview="nunca").replace("outbox", modo="servicio")
    )
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, MemoryStore(), settings=settings), runner
    )
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    _confirm(qtbot, window)
    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[1]))
    with sqlite_db.uow() as uow:
        count = uow.session.scalar(select(func.count()).select_from(Envio))
    assert count == 1
    assert _envios(sqlite_db) == [("programado", "")]  # the service signs it when it sends


def test_status_bar_shows_a_fingerprint_mismatch(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, runner: TaskRunner
) -> None:
    from dim_revision.services import latido

    seed_queue(sqlite_db, clock(), count=1)
    latido.registrar(
        sqlite_db,
        nombre="servicio@srv",
        rol="servicio",
        modo="estaciones",
        huella="deadbeef",
        now=clock(),
    )
    secrets = MemoryStore({"botmaker-token": "t", "link-key": "otra-clave-" + "q" * 40})
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    label = opened.window.status.key_label
    qtbot.waitUntil(lambda: "no coincide" in label.text())
    assert "deadbeef" in label.text() and "otra-clave" not in label.text()
