"""Issue 19, a record read ahead counts as claimed when its claim commits; its committed detail is
read right after, in its own task. What the operator does meanwhile never writes against what
was read ahead: Confirmar waits for the committed detail and is made on it, or is not made (and
says why) when the record changed; a record changed between the read-ahead and the claim is
shown as it is now — real window, real SQLite file, real task runner (the committed detail's
read held by a gate to see the moment)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.detalle import SolicitudDetalle
from tests import db_reads as reads
from tests.gui.harness import Opened, loaded, make_context, open_window, queued_from_now
from tests.gui.seeding import Seeded, seed_queue
from ui.tasks import TaskRunner
from ui.workstation_ahead import CHANGED

pytestmark = pytest.mark.gui

BETO = Actor("beto", "pc-02")
CLAIMING = "Tomando la solicitud…"
RODILLA = "RESONANCIA MAGNÉTICA DE RODILLA"


def _read_ahead(
    qtbot: QtBot, db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> tuple[Seeded, Opened]:
    """Ana's window on the first of three requests, the second read ahead (data and picture)."""
    seeded = seed_queue(db, clock(), count=3)
    settings = Settings().replace("envio", confirmar_preview="nunca")
    opened = open_window(qtbot, make_context(db, clock, secrets, settings=settings), runner)
    ws, viewer = opened.ws, opened.window.viewer
    second = seeded.solicitudes[1]
    qtbot.waitUntil(lambda: ws.flags.catalog_loaded and loaded(ws, seeded.solicitudes[0]))
    qtbot.waitUntil(lambda: second in ws.prefetched() and runner.is_idle())
    adjunto = ws._prefetched[second].adjuntos[0].id
    qtbot.waitUntil(lambda: viewer._cache.best_image(adjunto, 0) is not None)
    return seeded, opened


def _held_fresh_read(opened: Opened) -> threading.Event:
    """The committed detail's read waits behind a gate (a slow network, say): the claim is
    through, the record counts as claimed, what was read ahead is still on screen."""
    ws = opened.ws
    gate = threading.Event()
    read = ws._read_fresh

    def held(sid: int) -> SolicitudDetalle | None:
        gate.wait(10.0)
        return read(sid)

    ws._read_fresh = held  # type: ignore[method-assign]
    return gate


def _claimed(opened: Opened, sid: int) -> bool:
    rec = opened.ws.current
    return rec is not None and rec.id == sid and rec.claimed and not rec.claiming


def test_confirmar_before_the_committed_detail_is_in_waits_for_it_and_is_made_on_it(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    _first, second, third = seeded.solicitudes
    rodilla = seeded.prestaciones[RODILLA]
    ws, window = opened.ws, opened.window
    gate = _held_fresh_read(opened)

    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: _claimed(opened, second))
    # Claimed: no «Tomando…», the buttons and the picker as for any claimed record.
    assert CLAIMING not in window.action_bar.state_label.text()
    assert window.actions_by_name["confirmar"].isEnabled()
    assert not window.picker.is_read_only()
    assert reads.solicitud(sqlite_db, second).tomado_por == "ana@pc-01"
    rec = ws.current
    assert rec is not None and rec.checking  # its committed detail is still on its way

    ws.set_chosen([(rodilla, RODILLA)])
    queued = queued_from_now(opened)
    window.actions_by_name["confirmar"].trigger()  # Ctrl+Enter, before the committed detail
    assert queued == []  # not even queued on what was read ahead: it waits
    assert reads.envios(sqlite_db, second) == []

    gate.set()
    qtbot.waitUntil(lambda: loaded(ws, third))  # made on the committed detail, then the next
    assert queued[:2] == ["write", "release_then_claim"]
    envios = reads.envios(sqlite_db, second)
    assert [e.estado for e in envios] == ["programado"]
    assert reads.prestaciones_elegidas(sqlite_db, second) == [rodilla]


def test_confirmar_before_the_committed_detail_of_a_changed_record_is_not_made_and_says_why(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    second, rodilla = seeded.solicitudes[1], seeded.prestaciones[RODILLA]
    ws, window = opened.ws, opened.window
    # Beto resolved it after it was read ahead here, and let it go: the copy read ahead is stale.
    version = reads.solicitud(sqlite_db, second).version
    claims.claim(sqlite_db, BETO, clock(), second, timedelta(minutes=15))
    acciones.marcar_resuelto(sqlite_db, BETO, clock(), solicitud_id=second, version=version)
    claims.release(sqlite_db, BETO, second)
    gate = _held_fresh_read(opened)
    messages: list[tuple[str, str]] = []
    ws.message.connect(lambda text, kind: messages.append((text, kind)))

    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: _claimed(opened, second))
    rec = ws.current
    assert rec is not None and rec.detalle is not None and not rec.detalle.resuelto  # stale
    ws.set_chosen([(rodilla, RODILLA)])
    window.actions_by_name["confirmar"].trigger()

    gate.set()
    qtbot.waitUntil(lambda: loaded(ws, second) and not ws.current.checking)  # type: ignore[union-attr]
    # Shown as it is now, and the send was not made on what the operator had seen.
    assert ws.current is not None and ws.current.detalle is not None
    assert ws.current.detalle.resuelto
    assert "Resuelta por beto" in window.action_bar.state_label.text()
    assert not window.actions_by_name["confirmar"].isEnabled()
    assert (CHANGED, "warning") in messages
    assert reads.envios(sqlite_db, second) == []
    assert reads.solicitud(sqlite_db, second).resuelto  # still as beto left it
    assert reads.solicitud(sqlite_db, second).version == version + 1


def test_a_record_changed_between_the_read_ahead_and_the_claim_is_shown_changed(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    second = seeded.solicitudes[1]
    ws, window = opened.ws, opened.window
    version = reads.solicitud(sqlite_db, second).version
    claims.claim(sqlite_db, BETO, clock(), second, timedelta(minutes=15))
    acciones.marcar_resuelto(sqlite_db, BETO, clock(), solicitud_id=second, version=version)
    claims.release(sqlite_db, BETO, second)
    shown: list[bool] = []
    ws.record_changed.connect(
        lambda v: shown.append(v.detalle.resuelto) if v is not None and v.id == second else None
    )

    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: loaded(ws, second) and not ws.current.checking)  # type: ignore[union-attr]
    assert shown[-1] is True  # the committed detail replaced what was read ahead on screen
    assert "Resuelta por beto" in window.action_bar.state_label.text()
    assert window.patient_card.detalle() is not None
    assert window.patient_card.detalle().resuelto  # type: ignore[union-attr]
    rec = ws.current
    assert rec is not None and rec.detalle is not None and rec.detalle.version == version + 1


def test_leaving_the_record_before_its_committed_detail_is_in_drops_the_waiting_write(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    _first, second, third = seeded.solicitudes
    ws, window = opened.ws, opened.window
    gate = _held_fresh_read(opened)
    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: _claimed(opened, second))
    ws.set_chosen([(seeded.prestaciones[RODILLA], RODILLA)])
    window.actions_by_name["confirmar"].trigger()  # waits for the committed detail…

    ws.open(third)  # …but the operator went on to another record
    gate.set()
    qtbot.waitUntil(lambda: loaded(ws, third))
    assert reads.envios(sqlite_db, second) == []  # never made on a record left behind
    assert reads.solicitud(sqlite_db, second).tomado_por is None  # given back


def test_a_write_after_the_committed_detail_failed_to_read_reads_it_again_and_is_made(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    seeded, opened = _read_ahead(qtbot, sqlite_db, clock, secrets, runner)
    _first, second, third = seeded.solicitudes
    rodilla = seeded.prestaciones[RODILLA]
    ws, window = opened.ws, opened.window
    read = ws._read_fresh
    reads_made: list[int] = []

    def fails_once(sid: int) -> SolicitudDetalle | None:
        reads_made.append(sid)
        if len(reads_made) == 1:
            raise RuntimeError("la red se cortó un instante")
        return read(sid)

    ws._read_fresh = fails_once  # type: ignore[method-assign]
    window.actions_by_name["siguiente"].trigger()
    qtbot.waitUntil(lambda: _claimed(opened, second) and reads_made == [second])
    qtbot.waitUntil(lambda: ws._fresh_failed == second)  # its failure is in: nothing on its way
    rec = ws.current
    assert rec is not None and rec.checking  # nothing written against what was read ahead
    assert reads.envios(sqlite_db, second) == []

    ws.set_chosen([(rodilla, RODILLA)])
    window.actions_by_name["confirmar"].trigger()  # not left waiting for a read that failed
    qtbot.waitUntil(lambda: loaded(ws, third))
    assert reads_made == [second, second]  # read again, then made on the committed detail
    assert [e.estado for e in reads.envios(sqlite_db, second)] == ["programado"]
    assert reads.prestaciones_elegidas(sqlite_db, second) == [rodilla]
