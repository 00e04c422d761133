"""The workstation controller: timers, signals and the task runner around the operator's session.

The decisions (which record is open, what comes next, the drafts, what is enabled, what the state
line says, what this pass already did) live in the Qt-free `WorkstationSession`
(`dim_revision/workstation/`); this QObject runs what it decides. Every service call runs on a
task runner. Claims, releases, record loads and writes go through a one-thread "lane", in the
order the operator caused them (a release of the record just left never overtakes the claim of
the next). Queue queries, the catalog, prefetch and the reconnect probe use the shared runner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from dim_revision.bootstrap import AppContext
from dim_revision.clock import local_today
from dim_revision.db.sql_time import DatabaseClock
from dim_revision.errors import ClaimLost, NotFound
from dim_revision.services import claims
from dim_revision.services.detalle import (
    SolicitudDetalle,
    obtener_detalle,
)
from dim_revision.services.guards import lease_owner
from dim_revision.services.queue import QueueFilter
from dim_revision.workstation.session import WorkstationSession, empty_text
from dim_revision.workstation.state import Draft, Flags, Loaded, Record, RecordView, send_due
from ui import record_text
from ui.db_errors import db_task, is_offline
from ui.first_paint import AfterShown
from ui.queue_model import QueueModel, ServiceQueueSource
from ui.tasks import TaskFailure, TaskRunner
from ui.workstation_ahead import CHANGED, ReadAhead
from ui.workstation_checks import BackgroundChecks
from ui.workstation_next import NextRecord

if TYPE_CHECKING:
    from dim_revision.outbox.worker import OutboxThread  # imported by whoever builds one

log = logging.getLogger(__name__)

POLL_MS = 5_000
RECONNECT_MS = 3_000
KEY_CHECK_MS = 300_000  # link-key fingerprint: published and compared every 5 minutes
BUSY_SHOWN_MS = 300  # a write that lasts longer greys the record's buttons


def _describe(d: SolicitudDetalle, claimed: bool, reason: str | None) -> str:
    return record_text.state_line(d, claimed=claimed, reason=reason)


class Workstation(QObject, NextRecord, ReadAhead, BackgroundChecks):
    record_changed = Signal(object)  # RecordView | None
    actions_changed = Signal()
    message = Signal(str, str)  # text, kind: info | warning | error
    online_changed = Signal(bool, str)
    outbox_changed = Signal(object, object)  # OutboxCounts | None, WorkerStatus | None
    outbox_status = Signal(object)  # WorkerStatus after each pass, from the sender's thread
    clock_skew_changed = Signal(object)  # str | None: banner text when this PC's clock is off
    countdown_changed = Signal(object)  # str | None
    select_requested = Signal(int)
    empty_changed = Signal(bool)
    catalog_ready = Signal(object)  # SearchIndex
    prefetch_ready = Signal(object)  # SolicitudDetalle of the probable next record
    first_file_known = Signal(object)  # AdjuntoInfo of the record being opened, before its detail
    focus_picker_requested = Signal()
    key_checked = Signal(bool, str)  # link-key fingerprint matches the others?, text
    unsaved_changed = Signal(bool)  # the picks on screen differ from the scheduled send
    undo_changed = Signal(object)  # Deshacer | None
    focus_grid_requested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner,
        *,
        outbox: OutboxThread | None = None,
        open_url: Callable[[str], object] | None = None,
        poll_ms: int = POLL_MS,
        reconnect_ms: int = RECONNECT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db = ctx.db
        self.actor = ctx.actor
        self.clock = ctx.clock
        if isinstance(self.clock, DatabaseClock):
            self.clock.blocking = False  # never a database read on the GUI thread
        self.settings = ctx.settings
        self.runner = runner
        self.lane = TaskRunner(self, max_threads=1)
        self.outbox = outbox
        self.outbox_status.connect(self._on_outbox_status, Qt.ConnectionType.QueuedConnection)
        self.open_url = open_url
        self.me = lease_owner(ctx.actor)
        self.lease = timedelta(minutes=ctx.settings.claims.lease_minutos)
        self.model = QueueModel(
            runner,
            ServiceQueueSource(self.db, self.clock),
            self.clock,
            self.me,
            QueueFilter.pendientes(self.clock()),
            parent=self,
        )
        self.model.failed.connect(self.background_error)
        self.model.first_page_loaded.connect(self._reselect)
        self.model.first_page_loaded.connect(self._after_new_list)
        self.model.first_page_loaded.connect(self._prefetch_next)
        self.model.refreshed.connect(self._prefetch_next)
        self.session = WorkstationSession(
            aprender=ctx.settings.busqueda.aprender, describe=_describe
        )
        self._open_first: bool | None = None  # Enter/↓ in the search: open row 0 when it is in
        self._new_filter = False  # the next first page is a new filter's (see _after_new_list)
        self._prefetched: dict[int, SolicitudDetalle] = {}
        # What can wait until the open record is painted (the window arms it: `later.arm`).
        self.later = AfterShown(self)
        self._rows_later: set[int] = set()
        self._poll_waited = False
        self._countdown_live = False
        self._stopped = False

        self._heartbeat = self._timer(
            int(ctx.settings.claims.heartbeat_segundos * 1000), self.heartbeat
        )
        self._poll = self._timer(poll_ms, self.poll)
        self._tick = self._timer(1000, self._update_countdown)
        self._reconnect = self._timer(reconnect_ms, self.retry_now)
        self._key_timer = self._timer(KEY_CHECK_MS, self.check_key)
        self._busy_shown = self._timer(BUSY_SHOWN_MS, self.actions_changed.emit)
        self._busy_shown.setSingleShot(True)

    # The session's state, under the names the window and the tests read.
    @property
    def current(self) -> Record | None:
        return self.session.current

    @current.setter
    def current(self, value: Record | None) -> None:
        self.session.current = value

    @property
    def flags(self) -> Flags:
        return self.session.flags

    def _timer(self, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(max(ms, 1))
        timer.timeout.connect(slot)
        return timer

    # --- life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """The grid's first page and the first record now; the rest once that record is
        painted (`first_record_shown`, issue 19)."""
        self.model.reload()
        self.claim_next()
        self._after_first_paint()
        self.model.first_page_loaded.connect(
            lambda: self._catalog_gate("page"), Qt.ConnectionType.SingleShotConnection
        )
        for timer in (self._heartbeat, self._poll, self._tick, self._key_timer):
            timer.start()
        if self.outbox is not None:
            self.run_outbox(self.outbox)

    # --- opening records -------------------------------------------------------------------------

    def open(
        self,
        sid: int,
        *,
        preclaimed: bool = False,
        force: bool = False,
        fresh: SolicitudDetalle | None = None,
        released: int | None = None,
    ) -> None:
        """Show `sid`: claim it (unless already claimed) and load its detail in the background
        (read ahead: `ui.workstation_ahead`; `fresh`: already read after our claim, nothing left
        to load; `released`: the record left behind, given back by the task that claimed `sid`)."""
        ahead = self._prefetched.pop(sid, None)
        opening = self.session.open(
            sid, preclaimed=preclaimed, force=force, prefetched=fresh or ahead
        )
        if opening is None:
            return
        self.leave_waiting(sid)  # a write waiting on the record left behind is not made
        if fresh is not None and preclaimed:  # claimed and read by the task that found it
            self._give_back(opening.release, released)
            self._set_empty(False)
            self._on_loaded(Loaded(sid, True, None, fresh))
            return
        if ahead is not None and self.current.claiming:  # type: ignore[union-attr]
            self._claim_read_ahead(sid)  # painted claimed (or «Tomando…»), then read again
            self._give_back(opening.release, released)
            return
        cold = fresh is None and ahead is None and self.current.detalle is None  # type: ignore[union-attr]
        if cold:  # its first file is fetched first: the picture comes while it is claimed
            self._fetch_first_file(sid)
            self._set_empty(False)
            self.emit_record()
        # The claim first: the record left behind is given back right after it, not before.
        self.lane.submit(
            self._load,
            sid,
            preclaimed,
            on_done=self._on_loaded,
            on_error=lambda failure: self._on_load_failed(sid, failure),
            key="record",
        )
        self._give_back(opening.release, released)
        if not cold:  # on screen already (a reload, or read ahead and ours): its detail comes
            self._set_empty(False)
            self.emit_record()

    def _give_back(self, left: int | None, released: int | None) -> None:
        """The record left behind: given back (unless the task that claimed the new one did)."""
        if left is not None and left == released:
            self.refresh_row_later(left)
        elif left is not None:
            self.release(left)

    def release(self, sid: int) -> None:
        """Give the record back (in order with the other lease operations)."""
        self.lane.submit(
            db_task(claims.release),
            self.db,
            self.actor,
            sid,
            on_done=lambda _: self.refresh_row_later(sid),  # once the open record is painted
            on_error=self.background_error,
        )

    def reload_current(self) -> None:
        if self.current is not None:
            self.open(self.current.id, force=True)

    @db_task
    def _load(self, sid: int, preclaimed: bool) -> Loaded | None:
        now = self.clock()
        claimed, reason = preclaimed, None
        if not preclaimed:
            try:
                claims.claim(self.db, self.actor, now, sid, self.lease)
                claimed = True
            except ClaimLost as exc:
                reason = str(exc)
        if self.session.wanted != sid:  # the operator already moved on: do not keep the lease
            if claimed and not preclaimed:
                claims.release(self.db, self.actor, sid)
            return None
        return Loaded(sid, claimed, reason, obtener_detalle(self.db, sid, now))

    def _on_loaded(self, loaded: Loaded | None) -> None:
        if loaded is None or not self.session.loaded(loaded):
            return
        if self._take_waiting(loaded.id):  # a write asked for on what was read ahead: not made
            self.say(CHANGED, "warning")
        self.refresh_row_later(loaded.id)  # the grid shows the lease (or who holds it)
        self.later.add("prefetch", self._prefetch_next)  # once this one is on screen
        self.emit_record()

    def _on_load_failed(self, sid: int, failure: TaskFailure) -> None:
        if self.session.claim_failed(sid):  # as a failed claim: no «Tomando…» left on screen
            self.emit_record()
        if is_offline(failure):
            self.go_offline(failure.message)
            return
        if self.current is not None and self.current.id == sid:
            self.message.emit(failure.message, "warning" if not failure.unexpected else "error")
            if isinstance(failure.exception, NotFound):
                self.session.close()
                self.emit_record()
                self.model.refresh()

    def close_record(self, *, released: int | None = None) -> None:
        """Nothing open (the record left the list, or nothing is left to work)."""
        left = self.session.close()
        if left is not None and left != released:
            self.release(left)
        self.emit_record()

    def empty_text(self) -> str:
        """What the right-hand side says with no record open (and what the filter hides)."""
        return empty_text(
            self.model.filtro,
            local_today(self.clock()),
            libres=len(self.session.next_candidates(self.filas(), -1)),
            salteadas=self.session.pase.salteadas,
        )

    def open_first(self, work_it: bool) -> None:
        """Enter (work it: focus the picker) or ↓ (walk the list) in the search: open row 0
        once the list for the typed text is in."""
        self._open_first = work_it
        if not self.model.busy:
            self._open_first_row()

    def _open_first_row(self) -> None:
        work_it, self._open_first = self._open_first, None
        row = self.model.row_at(0)
        if work_it is None or row is None:
            return
        self.open(row.id)
        self.select_requested.emit(row.id)
        (self.focus_picker_requested if work_it else self.focus_grid_requested).emit()

    def _after_new_list(self) -> None:
        """A new filter's first page: the detail never shows a record the list does not have;
        with nothing open, a view without search text offers its oldest free record."""
        if self._open_first is not None and self.model.row_at(0) is not None:
            self._new_filter = False
            self._open_first_row()
            return
        self._open_first = None
        if not self._new_filter:
            return
        self._new_filter = False
        rec = self.current
        if rec is not None and self.model.row_of(rec.id) is not None:
            return
        if rec is not None:
            self.close_record()
        if self.model.filtro.texto.strip() or not self.flags.online:
            self._set_empty(True)
        else:
            self.claim_next()

    def _reselect(self) -> None:
        if self.current is not None:
            self.model.refresh_ids([self.current.id])  # the page may predate our claim
            self.select_requested.emit(self.current.id)

    # --- what the window shows ---------------------------------------------------------------------

    def view(self) -> RecordView | None:
        return self.session.view()

    def emit_record(self) -> None:
        self.record_changed.emit(self.view())
        self.actions_changed.emit()
        self._emit_unsaved()
        self._update_countdown()

    def _emit_unsaved(self) -> None:
        rec = self.current
        self.unsaved_changed.emit(rec is not None and self.session.unsaved(rec))

    # Drafts and what is enabled: the session decides (kept here under the old names).
    def set_chosen(self, items: list[tuple[int, str]]) -> None:
        """The operator edited the picks of the open record (kept until saved)."""
        self.session.set_chosen(items)
        self._emit_unsaved()

    def set_consultas(self, consultas: dict[int, str]) -> None:
        self.session.set_consultas(consultas)

    def draft(self, sid: int) -> Draft:
        return self.session.draft(sid)

    def workable(self) -> Record | None:
        return self.session.workable()

    def enabled(self) -> dict[str, bool]:
        return self.session.enabled(self.clock())

    def set_busy(self, busy: bool) -> None:
        """While a write runs nothing can be done to the record (`session.workable`); the
        buttons only turn grey if it takes longer than `BUSY_SHOWN_MS`: a usual write is over
        before that, and greying and repainting them twice raced the next record (issue 19)."""
        if busy == self.flags.busy:
            return
        self.flags.busy = busy
        if busy:
            self._busy_shown.start()
        else:
            self._busy_shown.stop()
            self.actions_changed.emit()

    def _set_empty(self, empty: bool) -> None:
        if empty != self.flags.empty:
            self.flags.empty = empty
            self.empty_changed.emit(empty)

    # --- polling, heartbeat, prefetch ----------------------------------------------------------------

    def poll(self) -> None:
        if not self.flags.online:
            return
        on_its_way = not self.lane.is_idle() or self.later.pending()
        if on_its_way and not self._poll_waited:
            # A claim or a write is on its way to the screen, or a record that came is not
            # painted yet: the poll's reads and its grid upkeep wait for it (`later`).
            self._poll_waited = True
            self.later.add("poll", self.poll)
            return
        self._poll_waited = False
        self.model.tick()
        self.model.refresh()
        self.refresh_outbox()
        self.check_clock()
        rec = self.current
        if rec is None and not self.flags.busy:
            self.claim_next()
        elif rec is not None and rec.detalle is not None and send_due(rec.detalle, self.clock()):
            self.reload_current()  # the send left its window: show what the worker did

    def set_filter(self, filtro: QueueFilter) -> None:
        """New filter for the grid and a new pass; once its list is in, a record that is not in
        it is closed (`_after_new_list`)."""
        if filtro == self.model.filtro:
            return
        self.session.filter_changed()
        self._new_filter = True
        self.model.set_filter(filtro)

    # --- what RecordActions asks of the controller ---------------------------------------------

    def run_write(
        self,
        fn: Callable[[], Any],
        *,
        on_done: Callable[[Any], None],
        reload_on: tuple[type, ...],
        then_next: int | None = None,
    ) -> None:
        """A write of the operator's, on the lane, with the actions disabled until it ends. A
        refusal is said in Spanish; one of `reload_on` (the record changed underneath) reloads.
        `then_next`: the write finishes that record; what comes next is claimed right behind it
        (`_next_after_write`), and `on_done` runs before it is shown."""
        self.set_busy(True)
        went_through = [False]

        def write() -> Any:
            result = fn()
            went_through[0] = True
            return result

        def done(result: Any) -> None:
            self.set_busy(False)
            on_done(result)

        def failed(failure: TaskFailure) -> None:
            self.set_busy(False)
            if is_offline(failure):
                self.go_offline(failure.message)
                return
            self.say(failure.message, "error" if failure.unexpected else "warning")
            if isinstance(failure.exception, reload_on):
                self.reload_current()
                self.model.refresh()

        self.lane.submit(db_task(write), on_done=done, on_error=failed)
        if then_next is not None:
            self._next_after_write(then_next, lambda: went_through[0])

    def say(self, text: str, kind: str = "info") -> None:
        self.message.emit(text, kind)

    def ask_picks(self) -> None:
        self.focus_picker_requested.emit()

    def keep_in_list(self, sid: int) -> None:
        """Just confirmed here: the row stays on screen so the operator can come back to it."""
        self.model.pin(sid)

    def offer_changed(self) -> None:
        """The session's undo offer appeared or went."""
        self.undo_changed.emit(self.session.deshacer)
        self.actions_changed.emit()

    def reopen(self, sid: int) -> None:
        """Back to `sid` after an undo (its row may have left the list: it is read again)."""
        self.open(sid, force=True)
        self.select_requested.emit(sid)
        self.model.refresh()

    def after_write(self, sid: int) -> None:
        """This workstation changed `sid`: its row, the counters and the send counts again,
        once the record on screen is painted (`later`)."""
        self.refresh_row_later(sid)
        self.later.add("counts", self.model.refresh_counts)
        self.later.add("outbox", self.refresh_outbox)

    def refresh_row_later(self, sid: int) -> None:
        """Read `sid`'s grid row again once the open record is painted (rows coalesced)."""
        self._rows_later.add(sid)
        self.later.add("rows", self._refresh_rows)

    def _refresh_rows(self) -> None:
        ids, self._rows_later = sorted(self._rows_later), set()
        if ids:
            self.model.refresh_ids(ids)
