"""Leases: one holder at a time, expiry, heartbeat, next_free, supervisor override."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.db.engine import create_db_engine
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import ClaimLost, PermissionDenied, StaleWrite
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.queue import QueueFilter
from tests import factories

LEASE = timedelta(minutes=10)
ANA = Actor("ana", "pc-01")
LUIS = Actor("luis", "pc-02")
SUPER = Actor("sofia", "pc-sup")


def _solicitudes(db: Database, clock: FakeClock, n: int) -> list[int]:
    with db.uow() as uow:
        pac = factories.paciente(uow.session)
        ids = [
            factories.solicitud(uow.session, pac, clock() - timedelta(minutes=n - i), files=0).id
            for i in range(n)
        ]
        uow.commit()
    return ids


def _version(db: Database, sid: int) -> int:
    with db.uow() as uow:
        return int(
            uow.session.scalar(
                select(SolicitudAsistencia.version).where(SolicitudAsistencia.id == sid)
            )
        )


def test_second_workstation_is_refused_with_the_holders_name(
    database: Database, clock: FakeClock
) -> None:
    (sid,) = _solicitudes(database, clock, 1)
    claims.claim(database, ANA, clock(), sid, LEASE)
    with pytest.raises(ClaimLost, match="tomada por ana"):
        claims.claim(database, LUIS, clock(), sid, LEASE)
    claims.claim(database, ANA, clock(), sid, LEASE)  # renewing our own lease is fine


def test_lease_expires_without_heartbeat_and_heartbeat_keeps_it(
    database: Database, clock: FakeClock
) -> None:
    a, b = _solicitudes(database, clock, 2)
    claims.claim(database, ANA, clock(), a, LEASE)
    claims.claim(database, ANA, clock(), b, LEASE)
    clock.advance(minutes=8)
    assert claims.heartbeat(database, ANA, clock(), b, LEASE)
    clock.advance(minutes=3)  # a expired (11 min idle), b renewed 3 min ago
    claims.claim(database, LUIS, clock(), a, LEASE)
    with pytest.raises(ClaimLost):
        claims.claim(database, LUIS, clock(), b, LEASE)
    assert not claims.heartbeat(database, ANA, clock(), a, LEASE)  # ana learns she lost it


def test_release_frees_the_record(database: Database, clock: FakeClock) -> None:
    (sid,) = _solicitudes(database, clock, 1)
    claims.claim(database, ANA, clock(), sid, LEASE)
    claims.release(database, ANA, sid)
    claims.claim(database, LUIS, clock(), sid, LEASE)


def test_next_free_takes_the_oldest_unclaimed(database: Database, clock: FakeClock) -> None:
    ids = _solicitudes(database, clock, 3)
    filtro = QueueFilter.today(clock())
    first = claims.next_free(database, ANA, clock(), filtro, LEASE)
    second = claims.next_free(database, LUIS, clock(), filtro, LEASE)
    assert first is not None and second is not None
    assert (first.solicitud_id, second.solicitud_id) == (ids[0], ids[1])
    third = claims.next_free(database, ANA, clock(), filtro, LEASE, skip=frozenset({ids[0]}))
    assert third is not None and third.solicitud_id == ids[2]
    assert claims.next_free(database, Actor("eva", "pc-3"), clock(), filtro, LEASE) is None


def test_override_makes_the_old_holders_write_fail(database: Database, clock: FakeClock) -> None:
    (sid,) = _solicitudes(database, clock, 1)
    claims.claim(database, ANA, clock(), sid, LEASE)
    version = _version(database, sid)
    with pytest.raises(PermissionDenied):
        claims.override(database, LUIS, clock(), sid, es_supervisor=False)
    claims.override(database, SUPER, clock(), sid, es_supervisor=True)
    with pytest.raises(StaleWrite):
        acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=sid, version=version)
    claims.claim(database, LUIS, clock(), sid, LEASE)


def test_write_refused_while_another_holds_the_lease(database: Database, clock: FakeClock) -> None:
    (sid,) = _solicitudes(database, clock, 1)
    claims.claim(database, ANA, clock(), sid, LEASE)
    with pytest.raises(ClaimLost, match="ana"):
        acciones.marcar_resuelto(
            database, LUIS, clock(), solicitud_id=sid, version=_version(database, sid)
        )
    with database.uow() as uow:
        assert uow.session.get(SolicitudAsistencia, sid).resuelto is False  # type: ignore[union-attr]


def test_many_threads_race_for_next_free_each_record_once(
    database: Database, clock: FakeClock
) -> None:
    """Eight workstations, each with its own connection pool, grab records concurrently."""
    ids = _solicitudes(database, clock, 24)
    url = database.engine.url.render_as_string(hide_password=False)
    filtro = QueueFilter.today(clock())
    barrier = threading.Barrier(8)
    won: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def workstation(n: int) -> None:
        actor = Actor(f"op{n}", f"pc-{n}")
        db = Database(create_db_engine(url), database.dim_settings)
        mine: list[int] = []
        try:
            barrier.wait()
            while (
                c := claims.next_free(db, actor, clock(), filtro, LEASE, attempts=50)
            ) is not None:
                mine.append(c.solicitud_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            won[actor.usuario] = mine
            db.dispose()

    threads = [threading.Thread(target=workstation, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    claimed = [sid for mine in won.values() for sid in mine]
    assert sorted(claimed) == sorted(ids)  # every record exactly once
    with database.uow() as uow:
        owners = dict(
            uow.session.execute(
                select(SolicitudAsistencia.id, SolicitudAsistencia.tomado_por)
            ).all()
        )
    for user, mine in won.items():
        assert all(owners[sid].startswith(user + "@") for sid in mine)


def test_two_connections_claim_the_same_record_one_wins(
    database: Database, clock: FakeClock
) -> None:
    (sid,) = _solicitudes(database, clock, 1)
    url = database.engine.url.render_as_string(hide_password=False)
    for attempt in range(10):
        other = Database(create_db_engine(url), database.dim_settings)
        barrier = threading.Barrier(2)
        results: list[str] = []

        def grab(
            db: Database,
            actor: Actor,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
        ) -> None:
            barrier.wait()
            try:
                claims.claim(db, actor, clock(), sid, LEASE)
                results.append(actor.usuario)
            except ClaimLost:
                results.append("lost")

        t1 = threading.Thread(target=grab, args=(database, Actor(f"a{attempt}", "pc-a")))
        t2 = threading.Thread(target=grab, args=(other, Actor(f"b{attempt}", "pc-b")))
        t1.start(), t2.start()
        t1.join(), t2.join()
        other.dispose()
        assert sorted(results)[0] != "lost" and results.count("lost") == 1
        clock.advance(minutes=11)  # let the lease lapse for the next round
