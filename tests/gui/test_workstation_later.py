"""Issue 19, the window's own floor: what comes after a write and what a cold open needs start at
once, and the rest (grid rows, counters, send counts, the next prefetch) waits for the record on
screen — real window, real SQLite file, real task runner."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.detalle import AdjuntoInfo
from tests import db_reads as reads
from tests.gui.conftest import type_text
from tests.gui.harness import HOUR_MS, loaded, open_seeded, press
from ui.app import freeze_long_lived
from ui.first_paint import AfterShown
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SUPER = Actor("sofia", "pc-09")
NO_PREVIEW_SETTINGS = Settings().replace("envio", confirmar_preview="nunca")


class _Paints(QObject):
    """Calls `noted()` at every paint of the widget it filters."""

    def __init__(self, widget: QWidget, noted: Callable[[], None]) -> None:
        super().__init__(widget)
        self._noted = noted
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._noted()
        return False


def test_work_added_waits_for_the_paint_after_arm_and_runs_once_per_key(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    window.show()
    qtbot.waitExposed(window)
    later = AfterShown(window, latest_ms=HOUR_MS)
    later.watch(window)
    ran: list[str] = []
    later.add("filas", lambda: ran.append("filas (vieja)"))
    later.add("filas", lambda: ran.append("filas"))  # the same key: only the newest runs
    later.add("conteos", lambda: ran.append("conteos"))
    for _ in range(5):
        QApplication.processEvents()
    assert ran == [] and later.pending()  # nothing armed it: it waits

    _Paints(window, lambda: ran.append("pintada"))
    later.arm()
    window.update()
    qtbot.waitUntil(lambda: not later.pending())
    assert ran[0] == "pintada" and ran[1:] == ["filas", "conteos"]


def test_work_never_armed_still_runs_after_latest_ms(qtbot: QtBot) -> None:
    parent = QObject()
    later = AfterShown(parent, latest_ms=20)
    ran: list[str] = []
    later.add("conteos", lambda: ran.append("conteos"))
    qtbot.waitUntil(lambda: ran == ["conteos"])


def test_confirm_claims_the_next_record_behind_the_write_and_counts_after_it_is_painted(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(
        qtbot, sqlite_db, clock, secrets, runner, count=3, settings=NO_PREVIEW_SETTINGS
    )
    first, second, _third = seeded.solicitudes
    ws, window = opened.ws, opened.window
    qtbot.waitUntil(lambda: second in ws.prefetched())
    seen: list[str] = []

    def second_painted() -> None:
        rec = ws.current
        if rec is not None and rec.id == second and rec.detalle is not None:
            seen.append("siguiente pintada")

    _Paints(window.viewer.canvas.viewport(), second_painted)
    counts = ws.model.refresh_counts
    ws.model.refresh_counts = lambda: (seen.append("conteos"), counts())  # type: ignore[method-assign]
    lane_tasks: list[str] = []
    submit = ws.lane.submit

    def counted_submit(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        lane_tasks.append(getattr(fn, "__name__", repr(fn)))
        return submit(fn, *args, **kwargs)  # type: ignore[arg-type]

    ws.lane.submit = counted_submit  # type: ignore[method-assign]

    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: loaded(ws, second) and "conteos" in seen)

    # The write and, queued right behind it at the same keystroke, give back + claim + read.
    assert lane_tasks[:2] == ["write", "release_then_claim"]
    assert "release" not in lane_tasks  # the one left behind was given back in that task
    assert reads.solicitud(sqlite_db, first).tomado_por is None
    assert reads.solicitud(sqlite_db, second).tomado_por == "ana@pc-01"
    # The counters are read again once the next record is on screen, not before it.
    assert seen.index("siguiente pintada") < seen.index("conteos")


def test_a_refused_confirm_claims_nothing_after_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(
        qtbot, sqlite_db, clock, secrets, runner, count=3, settings=NO_PREVIEW_SETTINGS
    )
    first, second, _third = seeded.solicitudes
    ws, window = opened.ws, opened.window
    type_text(qtbot, window.picker.search_edit, "mamografia\n")
    claims.override(sqlite_db, SUPER, clock(), first, es_supervisor=True)  # version moves on

    press(qtbot, window.picker.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Otro operador modificó esta solicitud" in window.message_banner.text)
    qtbot.waitUntil(lambda: loaded(ws, first))
    assert reads.solicitud(sqlite_db, second).tomado_por is None  # nothing claimed behind it
    assert reads.envios(sqlite_db, first) == []


def test_a_record_opened_cold_fetches_its_first_file_while_it_is_claimed_and_decodes_once(
    qtbot: QtBot,
    sqlite_db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.main_window as main_window

    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, count=4)
    ws, window = opened.ws, opened.window
    far = seeded.solicitudes[3]  # not the next one: nothing of it was read ahead
    qtbot.waitUntil(lambda: runner.is_idle() and far not in ws.prefetched())
    loads: list[int] = []
    real_load = main_window.cargar_adjunto

    def counted_load(db: Database, adjunto_id: int) -> bytes:
        loads.append(adjunto_id)
        return real_load(db, adjunto_id)

    monkeypatch.setattr(main_window, "cargar_adjunto", counted_load)
    early: list[tuple[AdjuntoInfo, bool]] = []
    ws.first_file_known.connect(
        lambda a: early.append((a, ws.current is not None and ws.current.detalle is None))
    )

    window.select_id(far)
    qtbot.waitUntil(lambda: loaded(ws, far) and window.viewer.displayed_pixmap() is not None)
    qtbot.waitUntil(runner.is_idle)

    detalle = ws.current.detalle  # type: ignore[union-attr]
    assert detalle is not None
    [(first_file, before_detail)] = early
    assert first_file == detalle.adjuntos[0]
    assert before_detail  # known before the claim and the detail were in
    assert loads.count(first_file.id) == 1  # fetched (and decoded) once, not again on arrival


def test_the_buttons_grey_only_for_a_write_that_lasts(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    _seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner)
    ws, window = opened.ws, opened.window
    resolve = window.actions_by_name["resuelto"]
    assert resolve.isEnabled()
    ws.set_busy(True)
    assert resolve.isEnabled()  # a usual write is over before anyone sees it
    qtbot.waitUntil(lambda: not resolve.isEnabled())  # this one lasts: greyed
    ws.set_busy(False)
    assert resolve.isEnabled()


def test_a_poll_that_lands_while_a_record_is_on_its_way_waits_for_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    _seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner)
    ws = opened.ws
    refreshes: list[bool] = []
    refresh = ws.model.refresh
    ws.model.refresh = lambda: (refreshes.append(True), refresh())  # type: ignore[method-assign]
    gate = threading.Event()
    ws.lane.submit(gate.wait, 10.0)  # a claim on its way (held)

    ws.poll()
    assert refreshes == []  # the poll's reads do not compete with it
    gate.set()
    qtbot.waitUntil(lambda: refreshes == [True])


def test_a_prefetch_the_operator_moved_away_from_decodes_no_picture(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = open_seeded(qtbot, sqlite_db, clock, secrets, runner, count=4)
    ws = opened.ws
    _first, second, _third, fourth = seeded.solicitudes
    qtbot.waitUntil(lambda: second in ws.prefetched() and runner.is_idle())
    pictures: list[int] = []
    ws.prefetch_ready.connect(lambda d: pictures.append(d.id))
    read_ahead = {sid: ws._prefetched[sid] for sid in ws.prefetched()}

    ws._store_prefetch(read_ahead[second])  # still the one after the open record
    assert pictures == [second]
    opened.window.select_id(fourth)  # the operator jumped elsewhere meanwhile
    qtbot.waitUntil(lambda: loaded(ws, fourth))
    pictures.clear()
    ws._store_prefetch(read_ahead[second])  # the answer for the record left behind
    assert pictures == [] and second in ws.prefetched()  # its data kept, no picture decoded


class _Signals(QObject):
    catalog_ready = Signal(object)


class _Shown:
    """`FirstShown` already fired: `then` runs at once."""

    def then(self, callback: Callable[[], None]) -> None:
        callback()


def test_what_lives_until_exit_is_frozen_after_the_first_paint_and_after_the_catalog() -> None:
    freezes: list[str] = []
    guard = SimpleNamespace(freeze_startup=lambda: freezes.append("freeze"))
    window = SimpleNamespace(first_shown=_Shown(), ws=_Signals())
    freeze_long_lived(window, guard)  # type: ignore[arg-type]
    assert freezes == ["freeze"]  # what start-up built

    window.ws.catalog_ready.emit(object())  # the picker's index is in: frozen with the rest
    window.ws.catalog_ready.emit(object())  # (once)
    assert freezes == ["freeze", "freeze"]
