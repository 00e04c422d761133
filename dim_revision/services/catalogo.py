"""The active prestación catalog, as (id, name) pairs for the search index."""

from __future__ import annotations

from sqlalchemy import select, true

from dim_revision.db.models import PrestacionDefinicion
from dim_revision.db.uow import Database


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(PrestacionDefinicion.id, PrestacionDefinicion.nombre)
            .where(PrestacionDefinicion.activa == true())
            .order_by(PrestacionDefinicion.id)
        )
        return [(r.id, r.nombre) for r in rows]
