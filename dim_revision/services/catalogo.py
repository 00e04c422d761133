"""The active prestación catalog, and the search index built from it (lexicon, codes, learning)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from dim_revision.config import BusquedaSettings
from dim_revision.db.models import PrestacionDefinicion
from dim_revision.db.uow import Database
from dim_revision.domain.lexicon import load_lexicon
from dim_revision.domain.search_index import SearchIndex
from dim_revision.services.aprendizaje import cargar_aprendizaje

log = logging.getLogger(__name__)


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(PrestacionDefinicion.id, PrestacionDefinicion.nombre)
            .where(PrestacionDefinicion.activa == sa.true())
            .order_by(PrestacionDefinicion.id)
        )
        return [(r.id, r.nombre) for r in rows]


def codigos_activos(db: Database) -> dict[int, list[str]]:
    """Id → its codes: DIM's own, then the nomenclador's when DIM keeps it (a DIM table without
    that column still gives its own codes)."""
    columns = (PrestacionDefinicion.codigo, PrestacionDefinicion.codigo_nomenclador)
    try:
        return _codigos(db, columns)
    except DBAPIError as exc:
        log.warning("Sin código de nomenclador en el catálogo de DIM: %s", exc.orig)
        return _codigos(db, columns[:1])


def _codigos(db: Database, columns: tuple[Any, ...]) -> dict[int, list[str]]:
    with db.uow() as uow:
        rows = uow.session.execute(
            select(PrestacionDefinicion.id, *columns).where(
                PrestacionDefinicion.activa == sa.true()
            )
        )
        return {row[0]: [c for c in dict.fromkeys(row[1:]) if c] for row in rows}


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
