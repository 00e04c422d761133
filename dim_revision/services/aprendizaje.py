"""Learning from operators (issue #14): record what was chosen for a query, read it back at start.

`registrar_elecciones` runs inside the Confirmar envío transaction (`envios.confirmar_envio`), so
a pick is remembered exactly when the send is; `cargar_aprendizaje` reads the recent picks for the
search index (`domain/learning.py` folds them into per-query and per-prefix weights with decay).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dim_revision.db.models import EleccionPrestacion
from dim_revision.db.uow import Database
from dim_revision.domain.learning import Learned, Pick
from dim_revision.domain.search_index import normalize_query
from dim_revision.services.actor import Actor

MAX_CONSULTA = 120


def registrar_elecciones(
    session: Session, actor: Actor, now: datetime, consultas: Mapping[int, str]
) -> int:
    """One row per (prestación id → the query typed before adding it); empty queries are skipped.
    Returns how many rows were added (flushed with the caller's transaction)."""
    rows = []
    for prestacion_id, consulta in consultas.items():
        normalized = normalize_query(consulta)[:MAX_CONSULTA].strip()
        if normalized:
            rows.append(
                EleccionPrestacion(
                    consulta=normalized,
                    prestacion_id=int(prestacion_id),
                    usuario=actor.usuario,
                    fecha=now,
                )
            )
    session.add_all(rows)
    return len(rows)


def cargar_aprendizaje(
    db: Database, now: datetime, *, vida_media_dias: float = 30.0, ventana_dias: float = 180.0
) -> Learned:
    since = now - timedelta(days=ventana_dias)
    with db.read() as uow:
        rows = uow.session.execute(
            select(
                EleccionPrestacion.consulta,
                EleccionPrestacion.prestacion_id,
                EleccionPrestacion.fecha,
            ).where(EleccionPrestacion.fecha >= since)
        )
        picks = [Pick(r.consulta, r.prestacion_id, r.fecha) for r in rows]
    return Learned.build(picks, now, vida_media_dias)
