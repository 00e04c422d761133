"""The loop's services (issue 13): Saltear, Deshacer, the «Pendientes» view, optional comments."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock, local_today
from dim_revision.config import Settings
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, EstadoFiltro, ResultadoContacto
from dim_revision.errors import NotFound, ValidationError
from dim_revision.services import acciones, claims, deshacer, envios, queue, salteo
from dim_revision.services.actor import Actor
from dim_revision.services.queue import QueueFilter
from tests import db_reads as reads
from tests import factories

ANA = Actor("ana", "pc-01")
BETO = Actor("beto", "pc-02")
KEY = "clave-de-prueba-" + "x" * 32
CFG = envios.EnvioConfig.from_settings(Settings())
LEASE = timedelta(minutes=10)


def _seed(db: Database, clock: FakeClock, days_ago: list[int]) -> tuple[list[int], int]:
    with db.uow() as uow:
        s = uow.session
        prest = factories.prestacion(s).id
        pac = factories.paciente(s)
        ids = [
            factories.solicitud(s, pac, clock() - timedelta(days=d, minutes=5 - i), files=0).id
            for i, d in enumerate(days_ago)
        ]
        uow.commit()
    return ids, prest


def test_pendientes_is_today_plus_every_earlier_unresolved(
    database: Database, clock: FakeClock
) -> None:
    ids, _ = _seed(database, clock, [0, 0, 1, 3, 3])
    acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=ids[1], version=1)  # today
    acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=ids[4], version=1)  # old
    filtro = QueueFilter.pendientes(clock())
    assert filtro.estado is EstadoFiltro.PENDIENTES_TODAS
    with database.uow() as uow:
        rows = queue.list_queue(uow.session, filtro, clock())
        counts = queue.count_queue(uow.session, filtro, clock())
        only_today = queue.list_queue(uow.session, QueueFilter.today(clock()), clock())
    assert [r.id for r in rows] == [ids[3], ids[2], ids[0]]  # oldest first, earlier days too
    assert (counts.pendientes, counts.resueltas) == (3, 1)  # resolved: only the chosen days
    assert [r.id for r in only_today] == [ids[0]]
    # The oldest free one in that view is the earliest unresolved request.
    claim = claims.next_free(database, ANA, clock(), filtro, LEASE)
    assert claim is not None and claim.solicitud_id == ids[3]
    assert local_today(clock()) == filtro.hasta


def test_saltear_is_audited_with_its_reason_and_changes_nothing(
    sqlite_db: Database, clock: FakeClock
) -> None:
    [sid], _ = _seed(sqlite_db, clock, [0])
    before = reads.solicitud(sqlite_db, sid)
    assert salteo.saltear(sqlite_db, ANA, clock(), solicitud_id=sid, motivo="  no se   lee ") == (
        "no se lee"
    )
    [event] = reads.eventos(sqlite_db, "solicitud_salteada")
    assert (event.usuario, event.solicitud_id) == ("ana", sid)
    assert json.loads(event.detalle or "{}") == {"motivo": "no se lee"}
    after = reads.solicitud(sqlite_db, sid)
    assert (after.version, after.resuelto) == (before.version, before.resuelto)
    with pytest.raises(ValidationError, match="Indicá por qué"):
        salteo.saltear(sqlite_db, ANA, clock(), solicitud_id=sid, motivo="   ")
    with pytest.raises(NotFound):
        salteo.saltear(sqlite_db, ANA, clock(), solicitud_id=9999, motivo="x")
    assert len(reads.eventos(sqlite_db, "solicitud_salteada")) == 1


def test_deshacer_resuelto_reopens_only_for_the_same_operator_and_soon(
    database: Database, clock: FakeClock
) -> None:
    ids, _ = _seed(database, clock, [0, 0])
    v = acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=ids[0], version=1)
    with pytest.raises(ValidationError, match="supervisor"):
        deshacer.deshacer_resuelto(database, BETO, clock(), solicitud_id=ids[0], version=v)
    clock.advance(seconds=5)
    v2 = deshacer.deshacer_resuelto(database, ANA, clock(), solicitud_id=ids[0], version=v)
    sol = reads.solicitud(database, ids[0])
    assert not sol.resuelto and sol.usuario_resuelto is None and sol.version == v2
    assert [e.solicitud_id for e in reads.eventos(database, "resuelto_deshecho")] == [ids[0]]
    with pytest.raises(ValidationError, match="nada que deshacer"):
        deshacer.deshacer_resuelto(database, ANA, clock(), solicitud_id=ids[0], version=v2)

    late = acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=ids[1], version=1)
    clock.advance(minutes=3)
    with pytest.raises(ValidationError, match="Ya no se puede deshacer"):
        deshacer.deshacer_resuelto(database, ANA, clock(), solicitud_id=ids[1], version=late)
    assert reads.solicitud(database, ids[1]).resuelto


def test_deshacer_cancelacion_schedules_the_same_prestaciones_again(
    sqlite_db: Database, clock: FakeClock
) -> None:
    [sid], prest = _seed(sqlite_db, clock, [0])
    sent = envios.confirmar_envio(
        sqlite_db, ANA, clock(), CFG, KEY, solicitud_id=sid, version=1, prestacion_ids=[prest]
    )
    v = envios.cancelar_envio(
        sqlite_db, ANA, clock(), envio_id=sent.envio_id, solicitud_version=sent.solicitud_version
    )
    again = deshacer.deshacer_cancelacion(
        sqlite_db, ANA, clock(), CFG, KEY, solicitud_id=sid, version=v, prestacion_ids=[prest]
    )
    with sqlite_db.uow() as uow:
        states = [
            e.estado
            for e in uow.session.scalars(
                select(Envio).where(Envio.solicitud_id == sid).order_by(Envio.id)
            )
        ]
    assert states == [EstadoEnvio.CANCELADO, EstadoEnvio.PROGRAMADO]
    assert again.envio_id != sent.envio_id and reads.solicitud(sqlite_db, sid).resuelto
    assert [e.envio_id for e in reads.eventos(sqlite_db, "cancelacion_deshecha")] == [
        again.envio_id
    ]


def test_a_contact_needs_a_comment_only_when_the_outcome_does(
    sqlite_db: Database, clock: FakeClock
) -> None:
    [sid], _ = _seed(sqlite_db, clock, [0])
    v = acciones.registrar_contacto(
        sqlite_db, ANA, clock(), solicitud_id=sid, version=1, resultado="no_atiende", comentario=""
    )
    assert reads.solicitud(sqlite_db, sid).mensaje_contacto == "No atiende"
    with pytest.raises(ValidationError, match="Escribí un comentario"):
        acciones.registrar_contacto(
            sqlite_db,
            ANA,
            clock(),
            solicitud_id=sid,
            version=v,
            resultado=ResultadoContacto.CONTACTADO,
            comentario="  ",
        )
    assert reads.solicitud(sqlite_db, sid).version == v  # the refusal changed nothing
