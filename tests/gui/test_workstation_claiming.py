"""Issue 19, «siguiente» onto a record read ahead: painted once, claimed, when its claim commits
within the grace; a later claim shows its data and picture meanwhile («Tomando la solicitud…»,
nothing writable). The claim goes first on the lane, its committed detail right behind it, and
the record left behind is given back after them; a claim lost meanwhile says who has it —
real window, real SQLite file, real task runner (the lane held by a gate to see the moment)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.workstation.state import Loaded
from tests import db_reads as reads
from tests.gui.harness import Opened, loaded, open_seeded, queued_from_now
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

BETO = Actor("beto", "pc-02")
CLAIMING = "Tomando la solicitud…"


def _held_lane(opened: Opened) -> tuple[threading.Event, list[str]]:
    """The lane busy behind a gate (a claim of another PC's on a slow network, say), and the
    names of what is queued on it from now on, in order."""
    ws = opened.ws
    gate = threading.Event()
    ws.lane.submit(gate.wait, 10.0)
    return gate, queued_from_now(opened)


def _read_ahead(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> tuple[list[int], Opened]:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, count=3)
    second = seeded.solicitudes[1]
    viewer = opened.window.viewer
    qtbot.waitUntil(lambda: second in opened.ws.prefetched() and runner.is_idle())
    adjunto = opened.ws._prefetched[second].adjuntos[0].id
    qtbot.waitUntil(lambda: viewer._cache.best_image(adjunto, 0) is not None)
    return list(seeded.solicitudes), opened


def test_next_onto_a_record_read_ahead_paints_it_while_the_claim_runs_then_claims_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    (first, second, _third), opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    ws, window = opened.ws, opened.window
    gate, queued = _held_lane(opened)

    window.actions_by_name["siguiente"].trigger()

    # Its claim goes first; the record stays off screen for the claim's grace (a claim back by
    # then paints it once, claimed: no «Tomando…» that goes away a few ms later).
    rec = ws.current
    assert rec is not None and rec.id == second and rec.claiming
    assert window.action_bar.state_label.text() != CLAIMING
    # The claim is late (the lane is held): on screen from what was read ahead, with what it is
    # waiting for.
    qtbot.waitUntil(lambda: window.action_bar.state_label.text() == CLAIMING)
    assert rec.detalle is not None
    assert window.patient_card.isVisible()
    assert window.viewer._shown == (rec.detalle.adjuntos[0].id, 0)
    assert window.action_bar.state_label.text() == CLAIMING
    assert not window.actions_by_name["confirmar"].isEnabled()
    assert window.picker.is_read_only()
    QApplication.processEvents()  # laid out and painted as it is while the claim runs
    picture_box = window.viewer.canvas.viewport().size()
    chosen_box = window.picker.chosen_view.size()
    # The claim first, then its committed detail (its own task, right behind it); the record
    # left behind is given back after them, not before.
    assert queued == ["_claim_only", "_read_fresh", "release"]
    assert reads.solicitud(sqlite_db, second).tomado_por is None
    assert reads.solicitud(sqlite_db, first).tomado_por == "ana@pc-01"

    gate.set()
    qtbot.waitUntil(lambda: loaded(ws, second))
    assert CLAIMING not in window.action_bar.state_label.text()
    assert window.actions_by_name["confirmar"].isEnabled()
    assert not window.picker.is_read_only()
    assert reads.solicitud(sqlite_db, second).tomado_por == "ana@pc-01"
    assert reads.solicitud(sqlite_db, first).tomado_por is None
    # The state line and the picker's hint keep their room: the picture was not re-laid out
    # (and re-fitted) when the state line changed, nor the chosen list when the hint came back.
    assert window.viewer.canvas.viewport().size() == picture_box
    assert window.picker.chosen_view.size() == chosen_box


def test_a_record_read_ahead_and_taken_by_another_pc_meanwhile_says_who_has_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    (first, second, _third), opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    ws, window = opened.ws, opened.window
    gate, _queued = _held_lane(opened)
    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: window.action_bar.state_label.text() == CLAIMING)
    claims.claim(sqlite_db, BETO, clock(), second, timedelta(minutes=15))  # beto was quicker

    gate.set()
    qtbot.waitUntil(lambda: loaded(ws, second))
    text = window.action_bar.state_label.text()
    assert "beto" in text and CLAIMING not in text
    rec = ws.current
    assert rec is not None and not rec.claimed
    assert not window.actions_by_name["confirmar"].isEnabled()
    assert window.picker.is_read_only()
    assert reads.solicitud(sqlite_db, second).tomado_por == "beto@pc-02"  # still his
    assert reads.solicitud(sqlite_db, first).tomado_por is None  # ours went back


def test_a_poll_that_lands_before_the_record_that_came_is_painted_waits_for_that_paint(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    (_first, second, _third), opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    ws, window = opened.ws, opened.window
    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: loaded(ws, second) and not ws.later.pending())
    events: list[str] = []
    refresh = ws.model.refresh
    ws.model.refresh = lambda: (events.append("poll"), refresh())  # type: ignore[method-assign]
    real_on_loaded = ws._on_loaded

    def loaded_then_the_timer_fires(done: Loaded | None) -> None:
        real_on_loaded(done)  # the record came (the lane is idle): on screen at the next paint
        events.append("came")
        ws.poll()
        events.append("polled")

    ws._on_loaded = loaded_then_the_timer_fires  # type: ignore[method-assign]
    ws.reload_current()
    qtbot.waitUntil(lambda: "poll" in events)
    # Its reads and the grid's upkeep waited for the paint instead of running before it.
    assert events == ["came", "polled", "poll"]
    qtbot.waitUntil(lambda: loaded(ws, second))
