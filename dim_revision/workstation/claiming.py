"""Claiming what comes next: the pass's candidates in table order, else the oldest free one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dim_revision.errors import ClaimLost, NotFound
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.claims import Claim
from dim_revision.services.detalle import SolicitudDetalle, obtener_detalle
from dim_revision.services.queue import QueueFilter

if TYPE_CHECKING:
    from dim_revision.db.uow import Database


def claim_first(
    db: Database,
    actor: Actor,
    now: datetime,
    candidates: Sequence[int],
    filtro: QueueFilter,
    lease: timedelta,
    skip: frozenset[int],
) -> Claim | None:
    """Claim the first candidate nobody else holds; with none left, the oldest free request of
    the filter outside `skip` (rows the grid has not loaded yet); None when nothing is left."""
    for sid in candidates:
        try:
            return claims.claim(db, actor, now, sid, lease)
        except (ClaimLost, NotFound):
            continue
    return claims.next_free(db, actor, now, filtro, lease, skip=skip | frozenset(candidates))


def claim_then_read(
    pick: Callable[..., Claim | None], db: Database, actor: Actor, now: datetime, *args: object
) -> tuple[Claim | None, SolicitudDetalle | None]:
    """`pick(db, actor, now, *args)`, then the claimed record's detail in the same background
    task (issue 19: one trip for "what comes next" instead of a claim, then a read); the detail
    is None when the record vanished between the two (its normal load then says so)."""
    claim = pick(db, actor, now, *args)
    if claim is None:
        return None, None
    try:
        return claim, obtener_detalle(db, claim.solicitud_id, now)
    except NotFound:
        return claim, None


def release_then_claim(
    gate: Callable[[], bool],
    left: int,
    pick: Callable[..., Claim | None],
    db: Database,
    actor: Actor,
    now: datetime,
    *args: object,
) -> tuple[Claim | None, SolicitudDetalle | None] | None:
    """Queued right behind a write on `left` (Confirmar, Resuelto, Saltear), in the same lane:
    when `gate()` says that write went through, give `left` back and claim and read what comes
    next (`claim_then_read`) — one task, with no trip through the GUI thread in between (issue
    19). None when the write failed: nothing is released or claimed."""
    if not gate():
        return None
    claims.release(db, actor, left)
    return claim_then_read(pick, db, actor, now, *args)
