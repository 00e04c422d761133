"""The picker's index is cached on disk and rebuilt when the catalog's version changes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from sqlalchemy import update

from dim_revision.clock import FakeClock
from dim_revision.config import BusquedaSettings
from dim_revision.db.dim_mapping import SEED, DimTable, dim_de
from dim_revision.db.uow import Database
from dim_revision.domain.search_index import SearchIndex
from dim_revision.services.catalogo import IndiceCache, indice_de_busqueda
from tests import factories


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the real `SearchIndex.build` ran (each call noted, then run as is)."""
    calls: list[int] = []
    real = SearchIndex.build.__func__  # type: ignore[attr-defined]

    def counted(cls: type[SearchIndex], *args: object, **kwargs: object) -> SearchIndex:
        calls.append(1)
        return real(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(SearchIndex, "build", classmethod(counted))
    return calls


def _names(index: SearchIndex, query: str) -> list[str]:
    return [m.nombre for m in index.search(query, limit=3)]


def test_index_is_reused_until_the_catalog_changes(
    sqlite_db: Database, clock: FakeClock, tmp_path: Path, builds: list[int]
) -> None:
    with sqlite_db.write() as uow:
        rodilla = factories.prestacion(uow.session, "RESONANCIA MAGNÉTICA DE RODILLA")
        factories.prestacion(uow.session, "ECOGRAFÍA ABDOMINAL")
        uow.commit()
    cache = IndiceCache(tmp_path / "cache")
    cfg = BusquedaSettings(aprender=False)

    first = indice_de_busqueda(sqlite_db, clock(), cfg, cache)
    assert cache.path.exists() and builds == [1]
    second = indice_de_busqueda(sqlite_db, clock(), cfg, cache)
    assert builds == [1]  # loaded from disk
    assert _names(second, "rmn rodi") == _names(first, "rmn rodi")
    assert _names(second, "rmn rodi")[0] == "RESONANCIA MAGNÉTICA DE RODILLA"

    p = dim_de_table(sqlite_db)
    with sqlite_db.write() as uow:
        uow.session.execute(
            update(p.table).where(p.id == rodilla.id).values({p.nombre: "RMN DE TOBILLO"}),
            execution_options=SEED,  # DIM's own edit of its catalog, not ours
        )
        uow.commit()
    third = indice_de_busqueda(sqlite_db, clock(), cfg, cache)
    assert builds == [1, 1]  # the catalog's version changed: built again
    assert _names(third, "tobillo") == ["RMN DE TOBILLO"]


def test_an_unreadable_cache_file_is_rebuilt(
    sqlite_db: Database, clock: FakeClock, tmp_path: Path, builds: list[int]
) -> None:
    with sqlite_db.write() as uow:
        factories.prestacion(uow.session, "ECOGRAFÍA ABDOMINAL")
        uow.commit()
    cache = IndiceCache(tmp_path / "cache")
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"not a pickle")
    index = indice_de_busqueda(sqlite_db, clock(), BusquedaSettings(aprender=False), cache)
    assert builds == [1] and _names(index, "eco") == ["ECOGRAFÍA ABDOMINAL"]


def dim_de_table(db: Database) -> DimTable:
    with db.read() as uow:
        return dim_de(uow.session).prestacion


def test_a_file_for_another_version_is_not_unpickled(
    sqlite_db: Database, clock: FakeClock, tmp_path: Path, builds: list[int]
) -> None:
    """The version line comes first: a stale or older-format file is skipped without loading
    its pickle (here one that would fail loudly if it were loaded)."""
    with sqlite_db.write() as uow:
        factories.prestacion(uow.session, "ECOGRAFÍA ABDOMINAL")
        uow.commit()
    cache = IndiceCache(tmp_path / "cache")
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"indice-v1 abc\n" + pickle.dumps(_Exploding()))
    index = indice_de_busqueda(sqlite_db, clock(), BusquedaSettings(aprender=False), cache)
    assert builds == [1] and _names(index, "eco") == ["ECOGRAFÍA ABDOMINAL"]
    assert cache.path.read_bytes().startswith(b"indice-v2 ")  # rewritten for this version


class _Exploding:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_explode, ())


def _explode() -> None:
    raise AssertionError("a stale cache file was unpickled")
