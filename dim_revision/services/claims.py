"""Leases on solicitudes: which workstation works which record (DESIGN §6).

A claim is one conditional UPDATE; its rowcount decides, so two PCs can never both win, on any of
our databases. Leases expire after idle time (no heartbeat), so a PC that crashed frees its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, select, update

from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.db.uow import Database
from dim_revision.errors import ClaimLost, NotFound, PermissionDenied
from dim_revision.services.actor import Actor
from dim_revision.services.atencion import por_trabajar
from dim_revision.services.audit import registrar_evento
from dim_revision.services.guards import (
    RELEASED,
    lease_owner,
    lease_refusal,
    not_held_by_other,
    owner_name,
)
from dim_revision.services.queue import QueueFilter, queue_conditions


@dataclass(frozen=True)
class Claim:
    solicitud_id: int
    hasta: datetime


def claim(db: Database, actor: Actor, now: datetime, solicitud_id: int, lease: timedelta) -> Claim:
    """Take (or renew) the lease; raises ClaimLost naming the holder when someone else has it."""
    hasta = now + lease
    with db.uow() as uow:
        result = uow.session.execute(
            update(S)
            .where(
                and_(S.id == solicitud_id, S.fecha_baja.is_(None), not_held_by_other(actor, now))
            )
            .values(
                tomado_por=lease_owner(actor),
                tomado_hasta=hasta,
                tomado_desde=case((S.tomado_por == lease_owner(actor), S.tomado_desde), else_=now),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise lease_refusal(uow.session, actor, now, solicitud_id) or ClaimLost(
                f"La solicitud {solicitud_id} acaba de ser tomada por otro operador."
            )
        uow.commit()
    return Claim(solicitud_id, hasta)


def heartbeat(
    db: Database, actor: Actor, now: datetime, solicitud_id: int, lease: timedelta
) -> bool:
    """Extend a lease we still hold; False means it was lost (expired and taken, or overridden)."""
    with db.uow() as uow:
        result = uow.session.execute(
            update(S)
            .where(and_(S.id == solicitud_id, S.tomado_por == lease_owner(actor)))
            .values(tomado_hasta=now + lease)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(db: Database, actor: Actor, solicitud_id: int) -> None:
    with db.uow() as uow:
        uow.session.execute(
            update(S)
            .where(and_(S.id == solicitud_id, S.tomado_por == lease_owner(actor)))
            .values(**RELEASED)
            .execution_options(synchronize_session=False)
        )
        uow.commit()


def liberar_propias(db: Database, actor: Actor, now: datetime) -> list[int]:
    """On start: free the records this user left taken on this same PC (a crash or a kill), so
    they are not "tomada" until the lease expires. Returns their ids; audited when any."""
    propio = lease_owner(actor)
    with db.uow() as uow:
        s = uow.session
        ids = list(
            s.scalars(
                select(S.id).where(S.tomado_por == propio, S.tomado_hasta >= now).order_by(S.id)
            )
        )
        if not ids:
            return []
        s.execute(
            update(S)
            .where(S.id.in_(ids), S.tomado_por == propio)
            .values(**RELEASED)
            .execution_options(synchronize_session=False)
        )
        for sid in ids:
            registrar_evento(
                s, actor, "bloqueo_propio_liberado", now, solicitud_id=sid, detalle={"al": "inicio"}
            )
        uow.commit()
    return ids


def next_free(
    db: Database,
    actor: Actor,
    now: datetime,
    filtro: QueueFilter,
    lease: timedelta,
    *,
    skip: frozenset[int] = frozenset(),
    attempts: int = 20,
) -> Claim | None:
    """Claim the oldest unresolved, unclaimed request matching the filter (None when none is left).

    Candidates are read without locks; the conditional UPDATE of `claim` arbitrates, and a lost
    race simply moves on to the next candidate.
    """
    tried: set[int] = set(skip)
    for _ in range(attempts):
        with db.uow() as uow:
            stmt = (
                select(S.id)
                .where(
                    *queue_conditions(filtro, now, dim=dim_de(uow.session)),
                    por_trabajar(),  # unresolved, or its send needs attention (issue 13.2)
                    or_(S.tomado_por.is_(None), S.tomado_hasta < now),  # free, not merely ours
                )
                .order_by(S.fecha_subida, S.id)
                .limit(len(tried) + 5)
            )
            candidates = [i for i in uow.session.scalars(stmt) if i not in tried]
        if not candidates:
            return None
        for sid in candidates:
            tried.add(sid)
            try:
                return claim(db, actor, now, sid, lease)
            except (ClaimLost, NotFound):
                continue
    return None


def override(
    db: Database, supervisor: Actor, now: datetime, solicitud_id: int, *, es_supervisor: bool
) -> None:
    """Free a record another workstation holds. The version bump makes the old holder's next write fail."""
    if not es_supervisor:
        raise PermissionDenied(
            "Sólo un supervisor puede liberar una solicitud tomada por otro operador."
        )
    with db.uow() as uow:
        row = uow.session.execute(select(S.tomado_por).where(S.id == solicitud_id)).first()
        if row is None:
            raise NotFound(f"La solicitud {solicitud_id} no existe.")
        uow.session.execute(
            update(S)
            .where(S.id == solicitud_id)
            .values(**RELEASED, version=S.version + 1)
            .execution_options(synchronize_session=False)
        )
        registrar_evento(
            uow.session,
            supervisor,
            "bloqueo_liberado",
            now,
            solicitud_id=solicitud_id,
            detalle={"tomado_por": owner_name(row.tomado_por)},
        )
        uow.commit()
