"""The active prestación catalog, and the search index built from it (lexicon, codes, learning).

Building the index takes 0.5–3 s at 10 000–50 000 entries, so the built index (without learning)
is kept on disk (`IndiceCache`) under a key made from the catalog's content (ids, names, codes),
the lexicon files and the index code itself: a catalog edited in DIM, another lexicon or a new
release builds it again; otherwise a start only reads the catalog and loads the file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from dim_revision.config import BusquedaSettings
from dim_revision.db.dim_mapping import dim_de, flag_si
from dim_revision.db.uow import Database
from dim_revision.domain import lexicon as lexicon_module
from dim_revision.domain import search_index as search_index_module
from dim_revision.domain.lexicon import load_lexicon
from dim_revision.domain.search_index import SearchIndex
from dim_revision.paths import AppPaths
from dim_revision.services.aprendizaje import cargar_aprendizaje

log = logging.getLogger(__name__)

_CACHE_FORMAT = b"indice-v2"  # v2: a version line, then the pickled index (a Catalog)


def prestaciones_activas(db: Database) -> list[tuple[int, str]]:
    with db.read() as uow:
        p = dim_de(uow.session).prestacion
        rows = uow.session.execute(select(p.id, p.nombre).where(flag_si(p.activa)).order_by(p.id))
        return [(r.id, (r.nombre or "").strip()) for r in rows if (r.nombre or "").strip()]


def codigos_activos(db: Database) -> dict[int, list[str]]:
    """Id → its codes: DIM's own, then the nomenclador's when the `[dim]` mapping has that column
    (`prestacion_codigo_nomenclador = ""`: DIM keeps only its own code)."""
    with db.read() as uow:
        p = dim_de(uow.session).prestacion
        columns = [p.codigo] + ([p.codigo_nomenclador] if p.tiene("codigo_nomenclador") else [])
        rows = uow.session.execute(select(p.id, *columns).where(flag_si(p.activa)))
        return {
            row[0]: [c for c in dict.fromkeys(str(v).strip() for v in row[1:] if v) if c]
            for row in rows
        }


def catalog_version(
    items: list[tuple[int, str]], codigos: dict[int, list[str]], lexico: str | Path | None
) -> str:
    """A key that changes whenever the built index could: catalog, codes, lexicon, index code."""
    digest = hashlib.sha256(_CACHE_FORMAT)
    for ident, nombre in items:
        digest.update(f"{ident}\x1f{nombre}\x1e".encode())
    for ident in sorted(codigos):
        digest.update(("\x1f".join([str(ident), *codigos[ident]]) + "\x1e").encode())
    files: Iterable[Path] = [
        lexicon_module.default_path(),
        *([Path(lexico)] if lexico else []),
        *_index_sources(),
        Path(lexicon_module.__file__),
    ]
    for path in files:
        try:
            digest.update(path.read_bytes())
        except OSError:  # DIM's lexicon missing: load_lexicon says so in Spanish
            digest.update(f"missing:{path}".encode())
    return digest.hexdigest()


def _index_sources() -> list[Path]:
    """The index code: `search_index` and every `search_*` module beside it (the parts)."""
    folder = Path(search_index_module.__file__).parent
    return sorted(folder.glob("search_*.py"))


class IndiceCache:
    """One file per workstation: the last built index and the catalog version it was built for.
    A file that is missing, stale or unreadable is simply rebuilt (never an error)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "indice_prestaciones.pickle"

    def load(self, version: str) -> SearchIndex | None:
        """The stored index if it was built for `version`. The version is a text line before
        the pickle, so a stale file (or one from an older release) is never unpickled."""
        try:
            with self.path.open("rb") as fh:
                if fh.readline(200) != _header(version):
                    return None
                index = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception as exc:  # a truncated or foreign file: rebuild
            log.warning("Índice de prestaciones en caché ilegible (%s): se reconstruye", exc)
            return None
        return index if isinstance(index, SearchIndex) else None

    def store(self, version: str, index: SearchIndex) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(_header(version))
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only profile: work on without the cache
            log.warning("No se pudo guardar el índice de prestaciones en caché: %s", exc)


def _header(version: str) -> bytes:
    return _CACHE_FORMAT + b" " + version.encode("ascii") + b"\n"


def default_cache() -> IndiceCache:
    return IndiceCache(AppPaths.for_user().data_dir / "cache")


def indice_de_busqueda(
    db: Database, now: datetime, cfg: BusquedaSettings, cache: IndiceCache | None = None
) -> SearchIndex:
    """The picker's index: the active catalog with the reviewed lexicon (+ DIM's own file), the
    codes and, unless `aprender` is off, what operators chose in the last `ventana_dias`.
    The catalog part comes from `cache` (default: the user's data folder) when its version
    matches; `IndiceCache(...)` with a fresh folder, or a changed catalog, builds it again."""
    cache = cache if cache is not None else default_cache()
    items = prestaciones_activas(db)
    codigos = codigos_activos(db)
    version = catalog_version(items, codigos, cfg.lexico or None)
    base = cache.load(version)
    if base is None:
        lexicon = load_lexicon(cfg.lexico or None)
        base = SearchIndex.build(items, lexicon, codigos=codigos)
        cache.store(version, base)
    learned = (
        cargar_aprendizaje(
            db, now, vida_media_dias=cfg.vida_media_dias, ventana_dias=cfg.ventana_dias
        )
        if cfg.aprender
        else None
    )
    return base.with_learned(learned)
