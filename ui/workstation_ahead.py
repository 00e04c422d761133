"""Opening a record that was read ahead (issue 19: «siguiente» onto a prefetched record ≤ 50 ms).

A mixin of `ui.workstation.Workstation`, like `ui.workstation_next.NextRecord`. The record is
painted at once from what was read ahead («Tomando la solicitud…»); two tasks go on the lane
back to back: the claim, which counts as done as soon as it commits (the screen leaves
«Tomando…» then), and the committed detail read right after it. Until that detail is in, the
record is `checking`: a write the operator asks for waits for it (`after_fresh`) and runs on
the committed detail; if the record changed meanwhile, the screen shows the change and the
write is not made (the operator looks again before acting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from dim_revision.errors import ClaimLost
from dim_revision.services import claims
from dim_revision.services.detalle import SolicitudDetalle, obtener_detalle
from dim_revision.workstation.state import Loaded, same_detail
from ui.db_errors import db_task

if TYPE_CHECKING:
    from datetime import timedelta

    from dim_revision.clock import Clock
    from dim_revision.services.actor import Actor
    from dim_revision.services.base import Database
    from dim_revision.workstation.session import WorkstationSession
    from dim_revision.workstation.state import Record
    from ui.first_paint import AfterShown
    from ui.tasks import TaskFailure, TaskRunner

CLAIM_GRACE_MS = 15  # a claim back by then: painted once, claimed (a frame at 60 Hz is 16.7 ms)
CHANGED = (
    "La solicitud cambió mientras se abría: quedó en pantalla como está ahora. "
    "Revisala y volvé a intentarlo."
)


@dataclass(frozen=True)
class ClaimCame:
    """What the claim of a record read ahead came back with."""

    id: int
    claimed: bool
    reason: str | None  # who holds it, when someone else does


class ReadAhead:
    """What the mixin uses of its host (`ui.workstation.Workstation`)."""

    if TYPE_CHECKING:
        db: Database
        actor: Actor
        clock: Clock
        lane: TaskRunner
        lease: timedelta
        me: str
        session: WorkstationSession
        current: Record | None
        later: AfterShown

        def emit_record(self) -> None: ...
        def say(self, text: str, kind: str = "info") -> None: ...
        def refresh_row_later(self, sid: int) -> None: ...
        def _prefetch_next(self) -> None: ...
        def _on_load_failed(self, sid: int, failure: TaskFailure) -> None: ...
        def _set_empty(self, empty: bool) -> None: ...

    _waiting_fresh: tuple[int, list[Callable[[], None]]] | None = None
    _grace_sid: int | None = None
    _fresh_failed: int | None = None  # the record whose committed detail could not be read

    def _claim_read_ahead(self, sid: int) -> None:
        """`sid` was read ahead: its claim, then its committed detail, both queued on the lane
        now (no trip through the GUI thread between them). It is painted once, claimed, when
        the claim commits within `CLAIM_GRACE_MS`; else then, «Tomando la solicitud…»."""
        self._grace_sid = sid
        QTimer.singleShot(CLAIM_GRACE_MS, self, lambda: self._grace_over(sid))  # type: ignore[call-overload]
        self.lane.submit(
            db_task(self._claim_only),
            sid,
            on_done=self._on_claim_came,
            on_error=lambda failure: self._on_load_failed(sid, failure),
            key="record",
        )
        self._submit_fresh(sid)

    def _submit_fresh(self, sid: int) -> None:
        self._fresh_failed = None
        self.lane.submit(
            db_task(self._read_fresh),
            sid,
            on_done=self._on_fresh,
            on_error=lambda failure: self._on_fresh_failed(sid, failure),
            key="record-fresh",
        )

    def _grace_over(self, sid: int) -> None:
        if self._grace_sid != sid:
            return
        self._grace_sid = None
        rec = self.current
        if rec is not None and rec.id == sid:
            self._set_empty(False)
            self.emit_record()

    def _claim_only(self, sid: int) -> ClaimCame | None:
        """On the lane: the claim alone (BEGIN, the conditional UPDATE, COMMIT)."""
        claimed, reason = False, None
        try:
            claims.claim(self.db, self.actor, self.clock(), sid, self.lease)
            claimed = True
        except ClaimLost as exc:
            reason = str(exc)
        if self.session.wanted != sid:  # the operator already moved on: do not keep the lease
            if claimed:
                claims.release(self.db, self.actor, sid)
            return None
        return ClaimCame(sid, claimed, reason)

    def _read_fresh(self, sid: int) -> SolicitudDetalle | None:
        """On the lane, right behind the claim: the committed detail (None: moved on)."""
        if self.session.wanted != sid:
            return None
        return obtener_detalle(self.db, sid, self.clock())

    def _on_claim_came(self, came: ClaimCame | None) -> None:
        if came is None or not self.session.claim_came(came.id, came.claimed, came.reason):
            return
        self._grace_sid = None
        self._set_empty(False)
        self.refresh_row_later(came.id)  # the grid shows the lease (or who holds it)
        self.later.add("prefetch", self._prefetch_next)  # once this one is on screen
        self.emit_record()

    def _on_fresh(self, fresh: SolicitudDetalle | None) -> None:
        rec = self.current
        if fresh is None or rec is None or rec.id != fresh.id or not rec.checking:
            return
        same = same_detail(rec.detalle, fresh, self.me)
        self.session.loaded(Loaded(rec.id, rec.claimed, rec.reason, fresh))
        waiting = self._take_waiting(rec.id)
        if same:  # what is on screen is what was committed: nothing to paint again
            for action in waiting:
                action()
            return
        self.emit_record()  # the record changed since it was read ahead: shown as it is now
        if waiting:
            self.say(CHANGED, "warning")

    def _on_fresh_failed(self, sid: int, failure: TaskFailure) -> None:
        """The committed detail could not be read: the waiting writes are dropped (the record
        stays `checking`, so nothing is written against what was read ahead). The next write
        asked for reads it again first (`after_fresh`), as a reload — the reconnection's, or
        «Actualizar» — does."""
        self._take_waiting(sid)
        rec = self.current
        if rec is not None and rec.id == sid and rec.checking:
            self._fresh_failed = sid
            self._on_load_failed(sid, failure)

    def _take_waiting(self, sid: int) -> list[Callable[[], None]]:
        waiting, self._waiting_fresh = self._waiting_fresh, None
        return waiting[1] if waiting is not None and waiting[0] == sid else []

    def leave_waiting(self, sid: int) -> None:
        """`sid` is being opened: a write waiting on another record is not made."""
        if self._waiting_fresh is not None and self._waiting_fresh[0] != sid:
            self._waiting_fresh = None

    def after_fresh(self, action: Callable[[], None]) -> bool:
        """A write on the open record was asked for: if its committed detail is still on its
        way (`checking`), `action` runs once it is in (or not at all, if the record changed
        or was left meanwhile) and True is returned; False: go ahead now."""
        rec = self.current
        if rec is None or not rec.checking:
            return False
        if self._waiting_fresh is None or self._waiting_fresh[0] != rec.id:
            self._waiting_fresh = (rec.id, [])
        self._waiting_fresh[1].append(action)
        if self._fresh_failed == rec.id:  # its read failed: nothing is on its way, read again
            self._submit_fresh(rec.id)
        return True
