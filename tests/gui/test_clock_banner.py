"""A workstation whose clock is 11 minutes off the database server's shows a warning banner;
one in step shows none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from dim_revision.clock import utcnow
from dim_revision.db.sql_time import DatabaseClock
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.harness import make_context, open_window
from ui.tasks import TaskRunner


@pytest.mark.parametrize("minutes", [11, 0])
def test_clock_banner(
    qtbot: QtBot, sqlite_db: Database, secrets: MemoryStore, runner: TaskRunner, minutes: int
) -> None:
    clock = DatabaseClock.for_engine(
        lambda: sqlite_db.engine, wall=lambda: utcnow() + timedelta(minutes=minutes)
    )
    ctx = make_context(sqlite_db, clock, secrets)  # type: ignore[arg-type]
    opened = open_window(qtbot, ctx, runner, wait_for_record=False)
    banner = opened.window.clock_banner
    qtbot.waitUntil(lambda: clock.offset_seconds is not None and runner.is_idle())
    if minutes:
        qtbot.waitUntil(banner.isVisible)
        assert "adelantada 11 min" in banner.text and banner.kind == "warning"
    else:
        assert not banner.isVisible()
    assert clock.blocking is False  # the GUI thread never reads the database for the time
