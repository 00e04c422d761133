"""Issue 19, cold start: what can wait (the picker's index, the order reader, the sender) waits
for the first record painted, instead of competing with it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.harness import loaded, make_context, open_window
from tests.gui.seeding import seed_queue
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


def test_the_index_is_loaded_only_after_the_first_record_and_its_picture_are_painted(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded = seed_queue(sqlite_db, clock(), count=2)
    events: list[str] = []
    ctx = make_context(sqlite_db, clock, secrets)
    opened = open_window(qtbot, ctx, runner, wait_for_record=False)
    ws, window = opened.ws, opened.window
    window.viewer.shown.connect(lambda: events.append("picture"))
    ws.catalog_ready.connect(lambda _index: events.append("index"))
    window.first_shown.then(lambda: events.append("painted"))

    qtbot.waitUntil(lambda: loaded(ws, seeded.solicitudes[0]) and ws.flags.catalog_loaded)

    assert window.viewer.displayed_pixmap() is not None
    assert events.index("picture") < events.index("painted") < events.index("index")
    assert window.first_shown.done
    late: list[str] = []
    window.first_shown.then(lambda: late.append("ran"))  # already done: runs at once (queued)
    qtbot.waitUntil(lambda: late == ["ran"])


def test_with_nothing_to_work_the_empty_state_painted_lets_the_index_load(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    opened = open_window(
        qtbot, make_context(sqlite_db, clock, secrets), runner, wait_for_record=False
    )
    qtbot.waitUntil(lambda: opened.ws.flags.empty)
    qtbot.waitUntil(lambda: opened.window.first_shown.done and opened.ws.flags.catalog_loaded)


def test_the_sender_started_after_the_first_paint_shows_its_state(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    from ui.app import build_outbox_thread

    seed_queue(sqlite_db, clock(), count=1)
    ctx = make_context(sqlite_db, clock, secrets)
    opened = open_window(qtbot, ctx, runner)
    ws, window = opened.ws, opened.window
    ws.outbox_later = True
    said: list[object] = []
    ws.outbox_changed.connect(lambda _counts, status: said.append(status))
    ws.refresh_outbox()
    qtbot.waitUntil(lambda: ws.flags.counts is not None and runner.is_idle())
    assert said == []  # not "the worker is not running here": it is about to start
    outbox = build_outbox_thread(ctx)
    window.first_shown.then(lambda: ws.start_outbox(outbox))
    # The worker replaces its status after each pass: wait for the one it holds now to be shown.
    qtbot.waitUntil(lambda: ws.outbox is outbox and bool(said) and said[-1] is outbox.worker.status)
    assert all(status is not None for status in said)  # never "not running here"
    ws.start_outbox(build_outbox_thread(ctx))  # a second one is ignored
    assert ws.outbox is outbox


def test_each_pass_of_the_sender_reaches_the_status_bar_without_a_counts_refresh(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    from ui.app import build_outbox_thread

    seed_queue(sqlite_db, clock(), count=1)
    ctx = make_context(sqlite_db, clock, secrets)
    opened = open_window(qtbot, ctx, runner)
    ws, window = opened.ws, opened.window
    outbox = build_outbox_thread(ctx)
    ws.start_outbox(outbox)
    qtbot.waitUntil(lambda: outbox.runs >= 1 and runner.is_idle())
    shown: list[object] = []
    ws.outbox_changed.connect(lambda _counts, status: shown.append(status))
    outbox.worker.pause("Botmaker rechazó el token")  # as a refused send does, on its thread
    outbox.wake()  # a pass nobody in the window asked about (no refresh_outbox)
    qtbot.waitUntil(lambda: any(getattr(s, "pausado", False) for s in shown))
    assert "Envíos en pausa: Botmaker rechazó el token" in window.status.worker_label.text()
