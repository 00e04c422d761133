"""The workstation's background checks and faults: catalog, send counts, link key, clock, and
going offline / reconnecting (on the shared runner).

A mixin of `ui.workstation.Workstation`: it uses the controller's runner, context, timers and
signals, and keeps those periodic, independent reads out of the record life cycle.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from dim_revision.db.engine import check_connection
from dim_revision.domain.lexicon import LexiconError
from dim_revision.domain.search_index import SearchIndex
from dim_revision.outbox.status import OutboxCounts, outbox_counts
from dim_revision.services import claims
from dim_revision.services.catalogo import indice_de_busqueda
from dim_revision.services.detalle import (
    AdjuntoInfo,
    SolicitudDetalle,
    obtener_detalle,
    primer_adjunto,
)
from dim_revision.services.latido import check_key_fingerprint
from dim_revision.services.reloj import aviso_de_reloj
from ui import record_text
from ui.db_errors import OFFLINE_MESSAGE, db_task, is_offline
from ui.tasks import TaskFailure

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import timedelta

    from PySide6.QtCore import QTimer, SignalInstance

    from dim_revision.bootstrap import AppContext
    from dim_revision.clock import Clock
    from dim_revision.config import Settings
    from dim_revision.outbox.status import WorkerStatus
    from dim_revision.outbox.worker import OutboxThread
    from dim_revision.services.actor import Actor
    from dim_revision.services.base import Database
    from dim_revision.workstation.pase import Fila
    from dim_revision.workstation.session import WorkstationSession
    from dim_revision.workstation.state import Flags, Record
    from ui.queue_model import QueueModel
    from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

RELEASE_ON_CLOSE_SECONDS = 3.0
PREFETCH_KEEP = 3
# What can wait for the first record on screen (the picker's index, the send counts, the clock
# and link-key checks) runs at the latest this long after start.
FIRST_PAINT_LATEST_MS = 10_000


class BackgroundChecks:
    """What the mixin uses of its host (`ui.workstation.Workstation`)."""

    outbox_later = False  # `start_outbox` will come (after the first record is painted)

    if TYPE_CHECKING:
        ctx: AppContext
        db: Database
        actor: Actor
        clock: Clock
        settings: Settings
        runner: TaskRunner
        lane: TaskRunner
        lease: timedelta
        outbox: OutboxThread | None
        model: QueueModel
        session: WorkstationSession
        current: Record | None
        message: SignalInstance
        catalog_ready: SignalInstance
        outbox_changed: SignalInstance
        outbox_status: SignalInstance
        key_checked: SignalInstance
        clock_skew_changed: SignalInstance
        online_changed: SignalInstance
        prefetch_ready: SignalInstance
        first_file_known: SignalInstance
        countdown_changed: SignalInstance
        _countdown_live: bool
        _prefetched: dict[int, SolicitudDetalle]
        _stopped: bool
        _heartbeat: QTimer
        _poll: QTimer
        _tick: QTimer
        _reconnect: QTimer
        _key_timer: QTimer
        claim_next: Callable[[], None]
        emit_record: Callable[[], None]
        reload_current: Callable[[], None]
        filas: Callable[[], list[Fila]]

        @property
        def flags(self) -> Flags: ...

    # --- closing ---------------------------------------------------------------------------------

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

    # --- the lease of the open record ------------------------------------------------------------

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
        if ok or not self.session.lost_claim(sid):
            return
        self.message.emit(
            "Perdiste la reserva de esta solicitud (venció o la tomó otro puesto). "
            "Se recargó; lo que elegiste sigue acá.",
            "warning",
        )
        self.reload_current()

    # --- prefetch of the probable next record -----------------------------------------------------

    def _prefetch_next(self) -> None:
        rec = self.current
        if rec is None or rec.detalle is None:  # the open record first (its load prefetches)
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
        following = self.session.next_candidates(self.filas(), sid)
        return following[0] if following else None

    def prefetched(self) -> tuple[int, ...]:
        """Ids whose detail is already in memory (shown at once when opened)."""
        return tuple(self._prefetched)

    def _fetch_first_file(self, sid: int) -> None:
        """Learn the first file of `sid` now, so the window fetches and decodes it while the lane
        claims and reads the record (issue 19: in parallel, not one after the other)."""

        def known(first: AdjuntoInfo | None) -> None:
            rec = self.current
            if first is not None and rec is not None and rec.id == sid and rec.detalle is None:
                self.first_file_known.emit(first)

        self.runner.submit(
            db_task(primer_adjunto),
            self.db,
            sid,
            on_done=known,
            on_error=lambda _failure: None,  # only a head start: the detail's load says why
            key=f"primer-archivo-{id(self)}",
        )

    def _store_prefetch(self, detalle: SolicitudDetalle) -> None:
        self._prefetched[detalle.id] = detalle
        while len(self._prefetched) > PREFETCH_KEEP:
            self._prefetched.pop(next(iter(self._prefetched)))
        rec = self.current
        if rec is None or self._next_candidate(rec.id) == detalle.id:
            self.prefetch_ready.emit(detalle)  # its picture too, unless the operator moved on

    # --- catalog, outbox, link key, clock -------------------------------------------------------

    def _after_first_paint(self) -> None:
        """Start waiting for the first record painted; `FIRST_PAINT_LATEST_MS` at most."""
        from PySide6.QtCore import QTimer

        self._catalog_waits = {"page", "shown"}
        self._first_shown = False
        QTimer.singleShot(FIRST_PAINT_LATEST_MS, self, self._first_paint_late)  # type: ignore[call-overload]

    def _first_paint_late(self) -> None:
        self.first_record_shown()
        self._catalog_gate("page")

    def _catalog_gate(self, *done: str) -> None:
        """The index loads once the grid's first page is in and the first record painted."""
        waits: set[str] | None = getattr(self, "_catalog_waits", None)
        if not waits:
            return
        waits.difference_update(done)
        if not waits:
            self._load_catalog()

    def first_record_shown(self) -> None:
        """The window painted its first record (or why there is none): what waited for it."""
        if getattr(self, "_first_shown", True):
            return
        self._first_shown = True
        self._catalog_gate("shown")
        self.refresh_outbox()
        self.check_clock()
        self.check_key()
        self.runner.submit(_warm_send_path, on_error=lambda _failure: None)

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
        if self.outbox is None and self.outbox_later:
            return  # the sender starts in a moment: do not say it is not running here
        self.outbox_changed.emit(counts, self.outbox.worker.status if self.outbox else None)

    def _update_countdown(self) -> None:
        """The open record's send countdown (every second, and when the record changes)."""
        rec = self.current
        d = rec.detalle if rec is not None else None
        text = record_text.countdown(
            d.envio if d is not None else None, self.clock(), self.settings.outbox.reintentos
        )
        if text is not None or self._countdown_live:
            self.countdown_changed.emit(text)
        self._countdown_live = text is not None

    def start_outbox(self, outbox: OutboxThread) -> None:
        """The send worker, started after the first record was painted (`ui.app.run_gui`)."""
        if self._stopped or self.outbox is not None:
            return
        self.outbox = outbox
        self.run_outbox(outbox)
        self.refresh_outbox()

    def run_outbox(self, outbox: OutboxThread) -> None:
        """Start the sender, heard after each of its passes: its status (paused, failing, sent)
        reaches the status bar when it changes, not at the next counts refresh."""
        outbox.listen(self.outbox_status.emit)  # emitted on the sender's thread: queued here
        outbox.start()

    def _on_outbox_status(self, status: WorkerStatus) -> None:
        if self.outbox is not None and not self._stopped:
            self.outbox_changed.emit(status.conteos or self.flags.counts, status)

    def wake_outbox(self, *, refresh: bool = True) -> None:
        if self.outbox is not None:
            self.outbox.wake()
        if refresh:
            self.refresh_outbox()

    # --- faults -------------------------------------------------------------------------------------

    def background_error(self, failure: TaskFailure) -> None:
        if is_offline(failure):
            self.go_offline(failure.message)
        elif failure.unexpected:
            self.message.emit(failure.message, "error")
        else:
            self.message.emit(failure.message, "warning")

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


def _warm_send_path() -> None:
    """Load now what the first Confirmar of the day would otherwise load while the operator
    waits for the next record: PyJWT and cryptography, ~0.15 s (`domain.link_tokens` imports
    them on first use, to keep them out of the start)."""
    import jwt  # noqa: F401
