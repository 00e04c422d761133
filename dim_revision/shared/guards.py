"""The one conditional write every change to a solicitud goes through.

A write succeeds only if the record still has the version the screen loaded, is not deleted, and
is not held by another workstation (lease). The rowcount of a single UPDATE decides, so it works
the same on SQLite, PostgreSQL and SQL Server without row locks. When it fails we re-read the row
to tell the operator *why*.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from dim_revision.clock import as_utc, to_local
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.errors import ClaimLost, NotFound, StaleWrite
from dim_revision.shared.actor import Actor

# Values that end a lease (confirm, resolve, delete and release all give the record back).
RELEASED: dict[str, Any] = {"tomado_por": None, "tomado_hasta": None, "tomado_desde": None}


def resolved_values(actor: Actor, now: datetime) -> dict[str, Any]:
    """Mark resolved by this operator and give the record back."""
    return {"resuelto": True, "fecha_resuelto": now, "usuario_resuelto": actor.usuario, **RELEASED}


def lease_owner(actor: Actor) -> str:
    """What goes in `tomado_por`: the user and the PC, so one user on two PCs still can't double-work."""
    return f"{actor.usuario}@{actor.estacion}"[:60]


def owner_name(tomado_por: str | None) -> str:
    return (tomado_por or "").split("@", 1)[0]


def not_held_by_other(actor: Actor, now: datetime) -> ColumnElement[bool]:
    return or_(S.tomado_por.is_(None), S.tomado_por == lease_owner(actor), S.tomado_hasta < now)


def guarded_update(
    session: Session,
    actor: Actor,
    now: datetime,
    solicitud_id: int,
    version: int,
    values: dict[str, Any],
) -> int:
    """Apply `values` (and bump the version) or raise the specific reason it was refused."""
    result = session.execute(
        update(S)
        .where(
            and_(
                S.id == solicitud_id,
                S.version == version,
                S.fecha_baja.is_(None),
                not_held_by_other(actor, now),
            )
        )
        .values(version=S.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return version + 1
    raise diagnose(session, actor, now, solicitud_id, version)


def lease_live(tomado_por: str | None, tomado_hasta: datetime | None, now: datetime) -> bool:
    """Whether a lease is still in force (the Python twin of `tomado_hasta >= now` in SQL)."""
    return tomado_por is not None and tomado_hasta is not None and as_utc(tomado_hasta) >= now


def lease_refusal(
    session: Session, actor: Actor, now: datetime, solicitud_id: int
) -> Exception | None:
    """Why `actor` may not touch the record — deleted, or held by someone else — or None."""
    row = session.execute(
        select(S.tomado_por, S.tomado_hasta, S.fecha_baja).where(S.id == solicitud_id)
    ).first()
    if row is None or row.fecha_baja is not None:
        return NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
    if row.tomado_por != lease_owner(actor) and lease_live(row.tomado_por, row.tomado_hasta, now):
        return ClaimLost(
            f"La solicitud {solicitud_id} está tomada por {owner_name(row.tomado_por)} "
            f"hasta las {to_local(as_utc(row.tomado_hasta)):%H:%M}."
        )
    return None


def diagnose(
    session: Session, actor: Actor, now: datetime, solicitud_id: int, version: int
) -> Exception:
    """Why a guarded write was refused; what is neither a deletion nor a lease is a stale version."""
    return lease_refusal(session, actor, now, solicitud_id) or StaleWrite()
