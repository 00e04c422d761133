"""The active prestación catalog, as (id, name) pairs for the search index."""

from __future__ import annotations

from sqlalchemy import select

from dim_revision.db.dim_mapping import dim_de, flag_si
from dim_revision.db.uow import Database


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.uow() as uow:
        p = dim_de(uow.session).prestacion
        rows = uow.session.execute(select(p.id, p.nombre).where(flag_si(p.activa)).order_by(p.id))
        return [(r.id, (r.nombre or "").strip()) for r in rows if (r.nombre or "").strip()]
