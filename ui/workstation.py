"""The workstation controller: which record is open, its claim, timers, and the database's health.

Widgets only render what this object says and forward the operator's intent to it; every service
call runs on a task runner. Claims, releases, record loads and writes go through a one-thread
"lane" so they happen in the order the operator caused them (a release of the record just left
can never overtake the claim of the record opened next). Queue queries, the catalog, prefetch
and the reconnect probe use the shared runner.

What the operator typed (picked prestaciones, a half-written contact) lives in `drafts` keyed by
solicitud id, so moving between records, a stale write or the database going away loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from dim_revision.bootstrap import AppContext
from dim_revision.db.engine import check_connection
from dim_revision.db.sql_time import DatabaseClock
from dim_revision.domain.lexicon import LexiconError
from dim_revision.domain.search_index import SearchIndex
from dim_revision.errors import ClaimLost, NotFound
from dim_revision.outbox.status import OutboxCounts, outbox_counts
from dim_revision.outbox.worker import OutboxThread
from dim_revision.services import claims
from dim_revision.services.catalogo import indice_de_busqueda
from dim_revision.services.claims import Claim
from dim_revision.services.detalle import SolicitudDetalle, obtener_detalle
from dim_revision.services.guards import lease_owner
from dim_revision.services.latido import check_key_fingerprint
from dim_revision.services.queue import QueueFilter
from dim_revision.services.reloj import aviso_de_reloj
from ui import record_text
from ui.db_errors import OFFLINE_MESSAGE, db_task, is_offline
from ui.queue_model import QueueModel, ServiceQueueSource
from ui.record_state import (
    Chosen,
    Draft,
    Flags,
    Loaded,
    Record,
    RecordView,
    enabled_actions,
    picks_editable,
    send_due,
)
from ui.tasks import TaskFailure, TaskRunner

log = logging.getLogger(__name__)

POLL_MS = 5_000
RECONNECT_MS = 3_000
KEY_CHECK_MS = 300_000  # link-key fingerprint: published and compared every 5 minutes
PREFETCH_KEEP = 3
RELEASE_ON_CLOSE_SECONDS = 3.0


class Workstation(QObject):
    record_changed = Signal(object)  # RecordView | None
    actions_changed = Signal()
    message = Signal(str, str)  # text, kind: info | warning | error
    online_changed = Signal(bool, str)
    outbox_changed = Signal(object, object)  # OutboxCounts | None, WorkerStatus | None
    clock_skew_changed = Signal(object)  # str | None: banner text when this PC's clock is off
    countdown_changed = Signal(object)  # str | None
    select_requested = Signal(int)
    empty_changed = Signal(bool)
    catalog_ready = Signal(object)  # SearchIndex
    prefetch_ready = Signal(object)  # SolicitudDetalle of the probable next record
    focus_picker_requested = Signal()
    key_checked = Signal(bool, str)  # link-key fingerprint matches the others?, text

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
        self.open_url = open_url
        self.me = lease_owner(ctx.actor)
        self.lease = timedelta(minutes=ctx.settings.claims.lease_minutos)
        self.model = QueueModel(
            runner,
            ServiceQueueSource(self.db, self.clock),
            self.clock,
            self.me,
            QueueFilter.today(self.clock()),
            parent=self,
        )
        self.model.failed.connect(self.background_error)
        self.model.first_page_loaded.connect(self._reselect)
        self.model.first_page_loaded.connect(self._prefetch_next)
        self.model.refreshed.connect(self._prefetch_next)
        self.drafts: dict[int, Draft] = {}
        self.consultas: dict[int, dict[int, str]] = {}  # sid → prestación id → query typed
        self.current: Record | None = None
        self.flags = Flags()
        self._wanted: int | None = None  # read by lane tasks to drop claims nobody wants anymore
        self._prefetched: dict[int, SolicitudDetalle] = {}
        self._countdown_live = False
        self._stopped = False

        self._heartbeat = self._timer(
            int(ctx.settings.claims.heartbeat_segundos * 1000), self.heartbeat
        )
        self._poll = self._timer(poll_ms, self.poll)
        self._tick = self._timer(1000, self._update_countdown)
        self._reconnect = self._timer(reconnect_ms, self.retry_now)
        self._key_timer = self._timer(KEY_CHECK_MS, self.check_key)

    def _timer(self, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(max(ms, 1))
        timer.timeout.connect(slot)
        return timer

    # --- life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        self.model.reload()
        self._load_catalog()
        self.claim_next()
        self.refresh_outbox()
        self.check_clock()
        for timer in (self._heartbeat, self._poll, self._tick, self._key_timer):
            timer.start()
        if self.outbox is not None:
            self.outbox.start()
        self.check_key()

    def shutdown(self) -> None:
        """Stop timers, give the record back, stop the lane and the send worker (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        for timer in (self._heartbeat, self._poll, self._tick, self._reconnect, self._key_timer):
            timer.stop()
        rec = self.current
        if rec is not None and rec.claimed:
            self._release_blocking(rec.id)
        self.lane.shutdown(10_000)
        if self.outbox is not None:
            self.outbox.stop(timeout=10)

    def _release_blocking(self, sid: int) -> None:
        """Free the record on close without hanging forever on a dead database."""

        def work() -> None:
            try:
                claims.release(self.db, self.actor, sid)
            except Exception:
                log.warning("No se pudo liberar la solicitud %s al cerrar", sid, exc_info=True)

        thread = threading.Thread(target=work, name="release-on-close", daemon=True)
        thread.start()
        thread.join(RELEASE_ON_CLOSE_SECONDS)

    # --- opening records -------------------------------------------------------------------------

    def open(self, sid: int, *, preclaimed: bool = False, force: bool = False) -> None:
        """Show `sid`: claim it (unless already claimed) and load its detail in the background."""
        previous = self.current
        if previous is not None and previous.id == sid and not force:
            return
        if previous is not None and previous.id != sid:
            self.release(previous.id)
        record = Record(sid, claimed=preclaimed)
        if previous is not None and previous.id == sid:
            record = replace(previous, claimed=previous.claimed or preclaimed)
        else:
            record.detalle = self._prefetched.pop(sid, None)
        self.current = record
        self._wanted = sid
        self._set_empty(False)
        self.emit_record()
        self.lane.submit(
            self._load,
            sid,
            preclaimed,
            on_done=self._on_loaded,
            on_error=lambda failure: self._on_load_failed(sid, failure),
            key="record",
        )

    def release(self, sid: int) -> None:
        """Give the record back (in order with the other lease operations)."""
        self.lane.submit(
            db_task(claims.release),
            self.db,
            self.actor,
            sid,
            on_done=lambda _: self.model.refresh_ids([sid]),
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
        if self._wanted != sid:  # the operator already moved on: do not keep the lease
            if claimed and not preclaimed:
                claims.release(self.db, self.actor, sid)
            return None
        return Loaded(sid, claimed, reason, obtener_detalle(self.db, sid, now))

    def _on_loaded(self, loaded: Loaded | None) -> None:
        rec = self.current
        if loaded is None or rec is None or rec.id != loaded.id:
            return
        rec.detalle, rec.claimed, rec.reason = loaded.detalle, loaded.claimed, loaded.reason
        self.model.refresh_ids([rec.id])  # the grid shows the lease (or who holds it) at once
        self.emit_record()
        self._prefetch_next()

    def _on_load_failed(self, sid: int, failure: TaskFailure) -> None:
        if is_offline(failure):
            self.go_offline(failure.message)
            return
        if self.current is not None and self.current.id == sid:
            self.message.emit(failure.message, "warning" if not failure.unexpected else "error")
            if isinstance(failure.exception, NotFound):
                self.current = None
                self.emit_record()
                self.model.refresh()

    def claim_next(self, *, skip: frozenset[int] = frozenset()) -> None:
        """Claim the oldest free request matching the filter and open it (or show the empty state)."""
        db, actor, now, filtro, lease = (
            self.db,
            self.actor,
            self.clock(),
            self.model.filtro,
            self.lease,
        )

        def work() -> Claim | None:
            return claims.next_free(db, actor, now, filtro, lease, skip=skip)

        self.lane.submit(
            db_task(work),
            on_done=self.advance,
            on_error=self.background_error,
            key="next-free",
        )

    def advance_from(self, left: int, claim: Claim | None) -> None:
        """After an action finished on `left`: move on, unless the operator already did."""
        if self.current is not None and self.current.id != left:
            if claim is not None and claim.solicitud_id != self.current.id:
                self.release(claim.solicitud_id)
            return
        self.advance(claim)

    def advance(self, claim: Claim | None) -> None:
        if claim is not None:
            self.open(claim.solicitud_id, preclaimed=True)
            self.select_requested.emit(claim.solicitud_id)
            if self.model.row_of(claim.solicitud_id) is None:
                self.model.refresh()
            return
        if self.current is not None:
            self.release(self.current.id)
        self.current = None
        self._wanted = None
        self.emit_record()
        self._set_empty(True)

    def _reselect(self) -> None:
        if self.current is not None:
            self.model.refresh_ids([self.current.id])  # the page may predate our claim
            self.select_requested.emit(self.current.id)

    # --- what the window shows ---------------------------------------------------------------------

    def view(self) -> RecordView | None:
        rec = self.current
        if rec is None:
            return None
        d = rec.detalle
        return RecordView(
            id=rec.id,
            detalle=d,
            claimed=rec.claimed,
            chosen=self.chosen(rec),
            picks_editable=picks_editable(rec, self.flags.online),
            state_text="Cargando…"
            if d is None
            else record_text.state_line(d, claimed=rec.claimed, reason=rec.reason),
        )

    def emit_record(self) -> None:
        self.record_changed.emit(self.view())
        self.actions_changed.emit()
        self._update_countdown()

    def chosen(self, rec: Record) -> Chosen:
        draft = self.drafts.get(rec.id)
        if draft is not None and draft.prestaciones is not None:
            return draft.prestaciones
        if rec.detalle is None:
            return ()
        return tuple((p.id, p.nombre) for p in rec.detalle.prestaciones)

    def set_chosen(self, items: list[tuple[int, str]]) -> None:
        """The operator edited the picks of the open record (kept until saved)."""
        if self.current is not None:
            self.drafts.setdefault(self.current.id, Draft()).prestaciones = tuple(items)

    def set_consultas(self, consultas: dict[int, str]) -> None:
        """What the operator typed before adding each prestación of the open record (learning)."""
        if self.current is not None:
            self.consultas.setdefault(self.current.id, {}).update(consultas)

    def consultas_de(self, sid: int, ids: list[int]) -> dict[int, str] | None:
        """The queries to record with a confirmed send, or None when learning is off."""
        if not self.settings.busqueda.aprender:
            return None
        known = self.consultas.get(sid, {})
        return {pid: known[pid] for pid in ids if pid in known}

    def draft(self, sid: int) -> Draft:
        return self.drafts.setdefault(sid, Draft())

    def forget_draft(self, sid: int, *, prestaciones: bool = False, contacto: bool = False) -> None:
        draft = self.drafts.get(sid)
        if draft is None:
            return
        if prestaciones:
            draft.prestaciones = None
        if contacto:
            draft.contacto_resultado, draft.contacto_comentario = None, ""
        if draft.empty:
            del self.drafts[sid]

    def workable(self) -> Record | None:
        """The open record if the operator may write to it right now."""
        rec = self.current
        if rec is None or rec.detalle is None or not rec.claimed:
            return None
        if not self.flags.online or self.flags.busy:
            return None
        return rec

    def enabled(self) -> dict[str, bool]:
        shown = self.current.detalle if self.current is not None else None
        return enabled_actions(self.workable(), shown)

    def set_busy(self, busy: bool) -> None:
        if busy != self.flags.busy:
            self.flags.busy = busy
            self.actions_changed.emit()

    def _set_empty(self, empty: bool) -> None:
        if empty != self.flags.empty:
            self.flags.empty = empty
            self.empty_changed.emit(empty)

    def _update_countdown(self) -> None:
        rec = self.current
        d = rec.detalle if rec is not None else None
        text = record_text.countdown(
            d.envio if d is not None else None, self.clock(), self.settings.outbox.reintentos
        )
        if text is not None or self._countdown_live:
            self.countdown_changed.emit(text)
        self._countdown_live = text is not None

    # --- polling, heartbeat, prefetch ----------------------------------------------------------------

    def poll(self) -> None:
        if not self.flags.online:
            return
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
        """New filter for the grid; the open record stays open (it is still claimed)."""
        self.model.set_filter(filtro)
        if self.current is None and self.flags.online:
            self.claim_next()

    def refresh_all(self) -> None:
        """F5: everything again (or a reconnect attempt while offline)."""
        if not self.flags.online:
            self.retry_now()
            return
        self.model.refresh()
        self.refresh_outbox()
        if self.current is not None:
            self.reload_current()
        else:
            self.claim_next()

    def heartbeat(self) -> None:
        """Renew the lease of the open record (the timer calls this)."""
        rec = self.current
        if rec is None or not rec.claimed or not self.flags.online:
            return
        sid = rec.id
        self.lane.submit(
            db_task(claims.heartbeat),
            self.db,
            self.actor,
            self.clock(),
            sid,
            self.lease,
            on_done=lambda ok: self._on_beat(sid, bool(ok)),
            on_error=self.background_error,
        )

    def _on_beat(self, sid: int, ok: bool) -> None:
        rec = self.current
        if ok or rec is None or rec.id != sid or not rec.claimed:
            return
        self.message.emit(
            "Perdiste la reserva de esta solicitud (venció o la tomó otro puesto). "
            "Se recargó; lo que elegiste sigue acá.",
            "warning",
        )
        rec.claimed = False
        self.reload_current()

    def _prefetch_next(self) -> None:
        rec = self.current
        if rec is None:
            return
        candidate = self._next_candidate(rec.id)
        if candidate is None or candidate in self._prefetched:
            return
        self.runner.submit(
            db_task(obtener_detalle),
            self.db,
            candidate,
            self.clock(),
            on_done=self._store_prefetch,
            on_error=lambda failure: None,  # only an optimisation
            key=f"prefetch-{id(self)}",
        )

    def _next_candidate(self, sid: int) -> int | None:
        rows = self.model.loaded_rows()
        start = self.model.row_of(sid)
        ordered = rows[start + 1 :] + rows[:start] if start is not None else rows
        for row in ordered:
            if row.id != sid and not row.resuelto and not self.model.taken_by_other(row):
                return row.id
        return None

    def prefetched(self) -> tuple[int, ...]:
        """Ids whose detail is already in memory (shown at once when opened)."""
        return tuple(self._prefetched)

    def _store_prefetch(self, detalle: SolicitudDetalle) -> None:
        self._prefetched[detalle.id] = detalle
        while len(self._prefetched) > PREFETCH_KEEP:
            self._prefetched.pop(next(iter(self._prefetched)))
        self.prefetch_ready.emit(detalle)

    # --- catalog and outbox ---------------------------------------------------------------------------

    def _load_catalog(self) -> None:
        self.runner.submit(
            self._build_index,
            on_done=self._on_catalog,
            on_error=self.background_error,
            key="catalog",
        )

    @db_task
    def _build_index(self) -> SearchIndex:
        cfg = self.settings.busqueda
        try:
            return indice_de_busqueda(self.db, self.clock(), cfg)
        except LexiconError as exc:  # DIM's own file is broken: work on with the reviewed one
            if not cfg.lexico:
                raise
            log.warning("Léxico de DIM inutilizable: %s", exc)
            self.message.emit(f"{exc} Se usa solo el léxico revisado.", "warning")
            return indice_de_busqueda(self.db, self.clock(), replace(cfg, lexico=""))

    def _on_catalog(self, index: SearchIndex) -> None:
        self.flags.catalog_loaded = True
        self.catalog_ready.emit(index)

    def refresh_outbox(self) -> None:
        self.runner.submit(
            db_task(outbox_counts),
            self.db,
            self.clock(),
            on_done=self._on_counts,
            on_error=self.background_error,
            key="outbox-counts",
        )

    def check_key(self) -> None:
        """Publish this PC's link-key fingerprint (when it sends) and compare it with the
        service's and other senders' (issue #12), for the status bar."""
        ctx = self.ctx

        def work() -> tuple[bool, str]:
            return check_key_fingerprint(
                ctx.db, ctx.secrets, ctx.settings.outbox.modo, ctx.actor.estacion, self.clock()
            )

        self.runner.submit(
            db_task(work),
            on_done=lambda r: self.key_checked.emit(*r),
            on_error=lambda _f: None,  # the database banner already tells the story
            key="key-check",
        )

    def check_clock(self) -> None:
        """Compare this PC's clock with the database server's, in the background."""
        self.runner.submit(
            aviso_de_reloj,
            self.clock,
            on_done=self.clock_skew_changed.emit,
            on_error=self.background_error,
            key="db-clock",
        )

    def _on_counts(self, counts: OutboxCounts) -> None:
        self.flags.counts = counts
        self.outbox_changed.emit(counts, self.outbox.worker.status if self.outbox else None)

    def wake_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()
        self.refresh_outbox()

    # --- faults -------------------------------------------------------------------------------------

    def background_error(self, failure: TaskFailure) -> None:
        if is_offline(failure):
            self.go_offline(failure.message)
        elif failure.unexpected:
            self.message.emit(failure.message, "error")
        else:
            self.message.emit(failure.message, "warning")

    def go_offline(self, detail: str) -> None:
        self.flags.offline_detail = detail
        if not self.flags.online:
            return
        log.warning("Base de datos inaccesible: %s", detail)
        self.flags.online = False
        self.online_changed.emit(False, detail or OFFLINE_MESSAGE)
        self.emit_record()
        self._reconnect.start()

    def retry_now(self) -> None:
        self.runner.submit(
            db_task(check_connection),
            self.db.engine,
            on_done=lambda _: self._on_reconnected(),
            on_error=lambda failure: setattr(self.flags, "offline_detail", failure.message),
            key="reconnect",
        )

    def _on_reconnected(self) -> None:
        if self.flags.online:
            return
        log.info("Base de datos accesible otra vez")
        self._reconnect.stop()
        self.flags.online = True
        self.online_changed.emit(True, "")
        if self.model.rowCount():
            self.model.refresh()
        else:
            self.model.reload()
        if not self.flags.catalog_loaded:
            self._load_catalog()
        self.refresh_outbox()
        if self.current is not None:
            self.reload_current()
        else:
            self.claim_next()
