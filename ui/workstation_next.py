"""What comes next after the operator finishes a record, or when nothing is open: the pass's
candidates in table order, else the oldest free request (issue 13.1), claimed on the lane.

A mixin of `ui.workstation.Workstation`, like `ui.workstation_checks.BackgroundChecks`: it uses
the controller's lane, session, model and signals. After a write (Confirmar, Resuelto, Saltear)
the next record is claimed in the task queued right behind that write (`_next_after_write`,
issue 19), so it is on screen without a trip through the GUI thread in between.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services import claims
from dim_revision.services.claims import Claim
from dim_revision.services.detalle import SolicitudDetalle
from dim_revision.workstation.claiming import claim_first, claim_then_read, release_then_claim
from dim_revision.workstation.pase import Fila
from ui.db_errors import db_task

if TYPE_CHECKING:
    from datetime import timedelta

    from PySide6.QtCore import SignalInstance

    from dim_revision.clock import Clock
    from dim_revision.services.actor import Actor
    from dim_revision.services.base import Database
    from dim_revision.workstation.session import WorkstationSession
    from dim_revision.workstation.state import Record
    from ui.first_paint import AfterShown
    from ui.queue_model import QueueModel
    from ui.tasks import TaskFailure, TaskRunner


class NextRecord:
    """What the mixin uses of its host (`ui.workstation.Workstation`)."""

    if TYPE_CHECKING:
        db: Database
        actor: Actor
        clock: Clock
        lane: TaskRunner
        lease: timedelta
        model: QueueModel
        session: WorkstationSession
        current: Record | None
        later: AfterShown
        select_requested: SignalInstance

        def open(
            self,
            sid: int,
            *,
            preclaimed: bool = False,
            force: bool = False,
            fresh: SolicitudDetalle | None = None,
            released: int | None = None,
        ) -> None: ...
        def release(self, sid: int) -> None: ...
        def close_record(self, *, released: int | None = None) -> None: ...
        def _set_empty(self, empty: bool) -> None: ...
        def refresh_row_later(self, sid: int) -> None: ...
        def background_error(self, failure: TaskFailure) -> None: ...

    def claim_next(self) -> None:
        """Claim the oldest free request of the filter not done in this pass (or show empty).
        A view of resolved requests has nothing to claim; if the operator opens a record
        before the answer comes, the answer is dropped (`advance_from`)."""
        if self.model.filtro.estado is EstadoFiltro.RESUELTAS:
            if self.current is None:
                self.advance(None)
            return
        pick = partial(claims.next_free, skip=self.session.skip_for_next_free())
        self._claim(pick, self.session.wanted, self.model.filtro, self.lease)

    def next_after(self, left: int) -> None:
        """`left` is finished: open the next row in the table's order (wrapping), skipping rows
        held by others and rows already done in this pass (issue 13.1)."""
        candidates = self.session.next_candidates(self.filas(), left)
        skip = self.session.skip_for_next_free(left)
        self._claim(claim_first, left, candidates, self.model.filtro, self.lease, skip)

    def _next_after_write(self, left: int, went_through: Callable[[], bool]) -> None:
        """`next_after(left)`, queued on the lane right behind the write that finishes `left`:
        it runs as soon as that write went through (`release_then_claim`), not after a trip of
        the write's result through the GUI thread; a failed write claims nothing."""
        candidates = self.session.next_candidates(self.filas(), left)
        skip = self.session.skip_for_next_free(left)
        self.lane.submit(
            db_task(release_then_claim),
            went_through,
            left,
            claim_first,
            self.db,
            self.actor,
            self.clock(),
            candidates,
            self.model.filtro,
            self.lease,
            skip,
            on_done=lambda claimed: (
                None if claimed is None else self.advance_from(left, *claimed, released=left)
            ),
            on_error=self.background_error,
            key="next-free",
        )

    def _claim(self, pick: Callable[..., Claim | None], left: int | None, *args: Any) -> None:
        """Run `pick(db, actor, now, *args)` on the lane (and read it), then move on from `left`."""
        self.lane.submit(
            db_task(claim_then_read),
            pick,
            self.db,
            self.actor,
            self.clock(),
            *args,
            on_done=lambda claimed: self.advance_from(left, *claimed),
            on_error=self.background_error,
            key="next-free",
        )

    def filas(self) -> list[Fila]:
        """The loaded rows as the pass sees them (free: unresolved, nobody else holds it)."""
        return [
            Fila(r.id, not r.resuelto and not self.model.taken_by_other(r))
            for r in self.model.loaded_rows()
        ]

    def advance_from(
        self,
        left: int | None,
        claim: Claim | None,
        fresh: SolicitudDetalle | None = None,
        *,
        released: int | None = None,
    ) -> None:
        """After an action finished on `left`: move on, unless the operator already did
        (`released`: `left`, already given back)."""
        if released is not None:
            self.refresh_row_later(released)
        if not self.session.should_advance_from(left):
            current = self.current
            if claim is not None and current is not None and claim.solicitud_id != current.id:
                self.release(claim.solicitud_id)
            return
        self.advance(claim, fresh, released=released)

    def advance(
        self,
        claim: Claim | None,
        fresh: SolicitudDetalle | None = None,
        *,
        released: int | None = None,
    ) -> None:
        if claim is not None:
            self.open(claim.solicitud_id, preclaimed=True, fresh=fresh, released=released)
            self.select_requested.emit(claim.solicitud_id)
            if self.model.row_of(claim.solicitud_id) is None:
                self.later.add("grid", self.model.refresh)
            return
        self.close_record(released=released)
        self._set_empty(True)
