"""The active prestación catalog, and the search index built from it (lexicon, codes, learning)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from dim_revision.config import BusquedaSettings
from dim_revision.db.dim_mapping import dim_de, flag_si
from dim_revision.db.uow import Database
from dim_revision.domain.lexicon import load_lexicon
from dim_revision.domain.search_index import SearchIndex
from dim_revision.services.aprendizaje import cargar_aprendizaje

log = logging.getLogger(__name__)


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.uow() as uow:
        p = dim_de(uow.session).prestacion
        rows = uow.session.execute(select(p.id, p.nombre).where(flag_si(p.activa)).order_by(p.id))
        return [(r.id, (r.nombre or "").strip()) for r in rows if (r.nombre or "").strip()]


def codigos_activos(db: Database) -> dict[int, list[str]]:
    """Id → its codes: DIM's own, then the nomenclador's when the `[dim]` mapping has that column
    (`prestacion_codigo_nomenclador = ""`: DIM keeps only its own code)."""
    with db.uow() as uow:
        p = dim_de(uow.session).prestacion
        columns = [p.codigo] + ([p.codigo_nomenclador] if p.tiene("codigo_nomenclador") else [])
        rows = uow.session.execute(select(p.id, *columns).where(flag_si(p.activa)))
        return {
            row[0]: [c for c in dict.fromkeys(str(v).strip() for v in row[1:] if v) if c]
            for row in rows
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
