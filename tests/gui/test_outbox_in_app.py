"""The send worker runs inside the workstation: woken by «Enviar ahora», its state on the status bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.outbox.worker import OutboxThread
from dim_revision.secrets import MemoryStore
from tests import db_reads as reads
from tests.gui.conftest import type_text
from tests.gui.harness import Opened, activate, idle, loaded, make_context, open_window, press
from tests.gui.seeding import seed_queue
from ui.app import build_outbox_thread
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def fake(secrets: MemoryStore) -> Iterator[FakeBotmaker]:
    with FakeBotmaker(secrets.values["botmaker-token"], slow_seconds=2.0) as server:
        yield server


def _settings(url: str) -> Settings:
    return (
        Settings()
        .replace("envio", confirmar_preview="nunca")
        .replace(
            "botmaker", base_url=url, canal="canal-prueba", envios_por_segundo=0, read_timeout=2.0
        )
    )


OpenWithWorker = Callable[[], tuple[Opened, OutboxThread]]


@pytest.fixture
def open_with_worker(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    fake: FakeBotmaker,
) -> OpenWithWorker:
    """Two requests, and (when called) the window with its own send worker talking to `fake`."""
    seed_queue(sqlite_db, clock(), count=2)

    def open_it() -> tuple[Opened, OutboxThread]:
        ctx = make_context(sqlite_db, clock, secrets, settings=_settings(fake.url))
        outbox = build_outbox_thread(ctx)
        return open_window(qtbot, ctx, runner, outbox=outbox), outbox

    return open_it


def _confirm_and_send_now(qtbot: QtBot, opened: Opened) -> int:
    ws, window = opened.ws, opened.window
    first = ws.current.id
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded)
    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws) and ws.current.id != first)
    window.select_id(first)
    qtbot.waitUntil(
        lambda: loaded(ws, first) and window.actions_by_name["enviar_ahora"].isEnabled()
    )
    activate(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_Return, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.loop.ask_dialog is not None)  # asked once
    ask = window.loop.ask_dialog
    qtbot.waitUntil(ask.isActiveWindow)
    press(qtbot, ask.yes_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: idle(ws) and "sale ahora" in window.message_banner.text)
    return int(first)


def test_send_now_wakes_the_worker_and_the_status_bar_counts_it(
    qtbot: QtBot, sqlite_db: Database, fake: FakeBotmaker, open_with_worker: OpenWithWorker
) -> None:
    opened, outbox = open_with_worker()
    assert outbox.is_alive()
    first = _confirm_and_send_now(qtbot, opened)

    qtbot.waitUntil(lambda: len(fake.received) == 1, timeout=10_000)
    # Each read is a fresh transaction: it sees the worker's commit.
    sent = [EstadoEnvio.ENVIADO]
    qtbot.waitUntil(lambda: reads.estados_envio(sqlite_db, first) == sent, timeout=10_000)
    opened.ws.refresh_outbox()
    label = opened.window.status.outbox_label
    qtbot.waitUntil(lambda: "1 enviados hoy" in label.text())
    assert "0 programados" in label.text()
    assert opened.window.status.worker_label.isHidden()

    opened.window.close()
    assert not outbox.is_alive()  # stopped with the window


def test_a_paused_worker_says_why_on_the_status_bar(
    qtbot: QtBot, secrets: MemoryStore, fake: FakeBotmaker, open_with_worker: OpenWithWorker
) -> None:
    secrets.set("botmaker-token", "token-vencido")  # Botmaker answers 401
    opened, _outbox = open_with_worker()
    _confirm_and_send_now(qtbot, opened)
    qtbot.waitUntil(lambda: len(fake.received) == 1, timeout=10_000)
    worker_label = opened.window.status.worker_label

    def paused_shown() -> bool:
        opened.ws.refresh_outbox()
        return not worker_label.isHidden() and worker_label.text().startswith("Envíos en pausa")

    qtbot.waitUntil(paused_shown, timeout=10_000)
    assert "token" in worker_label.text().lower()
