"""Time that decides is the database server's: a PC whose clock is 11 minutes off (one process
skewed against the database) neither steals live leases nor sends early, and is told so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dim_revision.clock import utcnow
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.sql_time import DatabaseClock, read_db_now, skew_message, utc_now
from dim_revision.db.uow import Database
from dim_revision.errors import UserError
from dim_revision.services import claims
from dim_revision.services.actor import Actor
from dim_revision.services.reloj import aviso_de_reloj
from tests import factories

SKEW = timedelta(minutes=11)


def skewed(db: Database, by: timedelta) -> DatabaseClock:
    """The clock of a process whose wall clock is `by` off, following the database."""
    wall: Callable[[], datetime] = lambda: utcnow() + by  # noqa: E731
    return DatabaseClock.for_engine(lambda: db.engine, wall=wall)


def test_utc_now_compares_with_stored_columns_on_every_backend(database: Database) -> None:
    now = read_db_now(database.engine)
    assert abs((now - utcnow()).total_seconds()) < 5
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        for delta in (timedelta(hours=-1), timedelta(seconds=-2), timedelta(hours=1)):
            sol = factories.solicitud(uow.session, pac, now - timedelta(hours=2), files=0)
            sol.tomado_por, sol.tomado_hasta = "x@pc", now + delta
        uow.commit()
    with database.uow() as uow:
        live = uow.session.scalar(
            select(func.count())
            .select_from(SolicitudAsistencia)
            .where(SolicitudAsistencia.tomado_hasta > utc_now())
        )
    assert live == 1


def test_a_skewed_process_reads_the_servers_time_and_its_offset(database: Database) -> None:
    ahead, behind = skewed(database, SKEW), skewed(database, -SKEW)
    for clock, sign in ((ahead, -1), (behind, 1)):
        assert abs((clock() - utcnow()).total_seconds()) < 5  # the server's time, not the PC's
        offset = clock.offset_seconds
        assert offset is not None and abs(offset - sign * SKEW.total_seconds()) < 5
    assert "adelantada 11 min" in (aviso_de_reloj(ahead) or "")
    assert "atrasada 11 min" in (aviso_de_reloj(behind) or "")
    assert aviso_de_reloj(skewed(database, timedelta(seconds=10))) is None
    assert skew_message(None) is None and skew_message(31) is not None


def test_a_pc_eleven_minutes_ahead_cannot_take_a_live_lease(database: Database) -> None:
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        sid = factories.solicitud(uow.session, pac, utcnow() - timedelta(hours=1), files=0).id
        uow.commit()
    lease = timedelta(minutes=10)
    honest = skewed(database, timedelta(0))
    claims.claim(database, Actor("bea", "pc-02"), honest(), sid, lease)
    # With its own wall clock the PC ahead would see Bea's lease as expired and take it:
    ahead = skewed(database, SKEW)
    with pytest.raises(UserError):
        claims.claim(database, Actor("ana", "pc-01"), ahead(), sid, lease)
    with database.uow() as uow:
        row = uow.session.get(SolicitudAsistencia, sid)
        assert row is not None and row.tomado_por is not None and row.tomado_por.startswith("bea")


def test_a_pc_ahead_neither_sends_early_nor_expires_another_workers_send(
    database: Database,
) -> None:
    from dim_revision.config import BotmakerSettings
    from dim_revision.domain.retry import RetryPolicy
    from dim_revision.envio import por_worker
    from dim_revision.outbox.worker import OutboxWorker, worker_owner

    now = read_db_now(database.engine)
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        early = factories.envio(
            uow.session,
            factories.solicitud(uow.session, pac, now, files=0),
            now + timedelta(minutes=15),  # Confirmar envío's window, on the server's clock
        )
        held = factories.envio(
            uow.session, factories.solicitud(uow.session, pac, now, files=0), now
        )
        uow.commit()
        early_id, held_id = early.id, held.id
    settings = BotmakerSettings(base_url="http://127.0.0.1:9", canal="c", envios_por_segundo=0)
    other = Actor(worker_owner("pc-02"), "pc-02")
    with database.uow() as uow:
        [c] = por_worker.tomar(uow.session, now, other, timedelta(minutes=2), 5)
        assert c.id == held_id
        uow.commit()

    class NoSend:
        def send(self, *_a: object, **_k: object) -> object:
            raise AssertionError("nothing is due")

        def close(self) -> None:
            pass

    ahead = skewed(database, timedelta(minutes=16))
    worker = OutboxWorker(
        database, NoSend(), RetryPolicy(), ahead, Actor(worker_owner("pc-01"), "pc-01"), settings
    )
    report = worker.run_once()
    assert (report.tomados, report.expirados) == (0, 0)
    with database.uow() as uow:
        estados = dict(uow.session.execute(select(Envio.id, Envio.estado)).all())
    assert estados == {early_id: "programado", held_id: "enviando"}
