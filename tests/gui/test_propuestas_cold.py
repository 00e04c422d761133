"""The order reader and a record opened cold (issue 19): its photo is read and decoded for the
screen first; the reader reads it (and proposes) once the record is painted, not beside it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

import ui.propuestas as propuestas
from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from dim_revision.services.lecturas import Proponedor, RevisionOrden
from tests.gui.harness import Opened, loaded, open_seeded
from ui.propuestas import LecturaUI, instalar_propuestas
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


@dataclass
class _Watched:
    """A window with the order reader, a record far from the open one (nothing of it read
    ahead), and when each reading started and when that record's picture was painted."""

    opened: Opened
    ui: LecturaUI
    far: int
    reviewed: list[tuple[int, float]]
    painted: list[float]

    def read_after_its_picture(self, qtbot: QtBot, runner: TaskRunner) -> None:
        ws = self.opened.ws
        qtbot.waitUntil(lambda: loaded(ws, self.far) and bool(self.painted))
        qtbot.waitUntil(lambda: any(sid == self.far for sid, _ in self.reviewed))  # still read
        qtbot.waitUntil(lambda: self.ui.runner.is_idle() and runner.is_idle())
        [at] = [at for sid, at in self.reviewed if sid == self.far]
        assert at > self.painted[0]  # after the picture, not while it was decoded


def _watched(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> _Watched:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, count=4)
    ws, window = opened.ws, opened.window
    ui = instalar_propuestas(window, lector=None)
    assert ui is not None
    qtbot.waitUntil(lambda: ui.proponedor is not None and ui.runner.is_idle())
    far = seeded.solicitudes[3]  # not the next one: nothing of it was read ahead
    qtbot.waitUntil(lambda: runner.is_idle() and far not in ws.prefetched())
    watched = _Watched(opened, ui, far, [], [])
    real = propuestas.revisar_solicitud

    def noted(
        db: Database, sid: int, proponedor: Proponedor, hoy: date, validez: int = 30
    ) -> RevisionOrden:
        watched.reviewed.append((sid, time.perf_counter()))
        return real(db, sid, proponedor, hoy, validez)

    monkeypatch.setattr(propuestas, "revisar_solicitud", noted)

    def on_shown() -> None:
        rec = ws.current
        if rec is not None and rec.id == far and window.viewer.displayed_pixmap() is not None:
            watched.painted.append(time.perf_counter())

    window.viewer.shown.connect(on_shown)
    return watched


def test_a_cold_records_reading_waits_until_its_picture_is_painted(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watched = _watched(qtbot, sqlite_db, clock, secrets, runner, monkeypatch)
    watched.opened.window.select_id(watched.far)
    watched.read_after_its_picture(qtbot, runner)


def test_a_reading_left_for_after_the_paint_waits_for_its_own_records_picture(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quick operator: the work left for after the last record's paint runs while the next
    one is still on its way; its reading still waits for that record's picture."""
    watched = _watched(qtbot, sqlite_db, clock, secrets, runner, monkeypatch)
    watched.opened.window.select_id(watched.far)
    watched.opened.ws.later.flush()  # what waited for the last paint runs now, far on its way
    watched.read_after_its_picture(qtbot, runner)
