"""The GUI's start checks the `[dim]` mapping: a half-mapped database is named, in Spanish,
before any window (and so any write) exists."""

from __future__ import annotations

from dim_revision.bootstrap import AppContext
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories
from ui.app import dim_mapping_problem

ACTOR = Actor("ana", "pc-1")


def _ctx(db: Database, clock: FakeClock) -> AppContext:
    return AppContext(Settings(), AppPaths.for_user(), MemoryStore(), ACTOR, clock, _db=db)


def test_start_names_the_missing_table(sqlite_db: Database, clock: FakeClock) -> None:
    assert dim_mapping_problem(_ctx(sqlite_db, clock)) is None
    broken = factories.with_dim(sqlite_db, obra_social_tabla="ObrasSocialesViejas")
    message = dim_mapping_problem(_ctx(broken, clock))
    assert message is not None
    assert message.startswith("La configuración [dim] no coincide con la base de datos")
    assert "Falta la tabla ObrasSocialesViejas de obras sociales" in message
