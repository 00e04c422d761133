"""The active prestación catalog, and the search index built from it (lexicon, codes, learning)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select

from dim_revision.config import BusquedaSettings
from dim_revision.db.models import PrestacionDefinicion
from dim_revision.db.uow import Database
from dim_revision.domain.lexicon import load_lexicon
from dim_revision.domain.search_index import SearchIndex
from dim_revision.services.aprendizaje import cargar_aprendizaje


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(PrestacionDefinicion.id, PrestacionDefinicion.nombre)
            .where(PrestacionDefinicion.activa == sa.true())
            .order_by(PrestacionDefinicion.id)
        )
        return [(r.id, r.nombre) for r in rows]


def codigos_activos(db: Database) -> dict[int, list[str]]:
    """Id → its codes: DIM's own, then the nomenclador's when DIM keeps it."""
    with db.uow() as uow:
        rows = uow.session.execute(
            select(
                PrestacionDefinicion.id,
                PrestacionDefinicion.codigo,
                PrestacionDefinicion.codigo_nomenclador,
            ).where(PrestacionDefinicion.activa == sa.true())
        )
        return {
            r.id: [c for c in dict.fromkeys((r.codigo, r.codigo_nomenclador)) if c] for r in rows
        }


def indice_de_busqueda(db: Database, now: datetime, cfg: BusquedaSettings) -> SearchIndex:
    """The picker's index: the active catalog with the reviewed lexicon (+ DIM's own file), the
    codes and, unless `aprender` is off, what operators chose in the last `ventana_dias`."""
    lexicon = load_lexicon(cfg.lexico or None)
    learned = (
        cargar_aprendizaje(
            db, now, vida_media_dias=cfg.vida_media_dias, ventana_dias=cfg.ventana_dias
        )
        if cfg.aprender
        else None
    )
    return SearchIndex.build(
        prestaciones_activas(db), lexicon, codigos=codigos_activos(db), learned=learned
    )
