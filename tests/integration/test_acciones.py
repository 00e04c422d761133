"""Resuelto, Indicar contacto, dar de baja: each audited, bad input refused with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dim_revision.clock import FakeClock
from dim_revision.db.models import Contacto, Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.errors import NotFound, ValidationError
from dim_revision.services import acciones
from dim_revision.services.actor import Actor
from dim_revision.services.detalle import obtener_detalle
from tests import factories

ANA = Actor("ana", "pc-01")


def _sol(db: Database, clock: FakeClock) -> int:
    with db.uow() as uow:
        sid = factories.solicitud(
            uow.session, factories.paciente(uow.session), clock() - timedelta(hours=1)
        ).id
        uow.commit()
    return sid


def _eventos(db: Database, accion: str) -> int:
    with db.uow() as uow:
        return (
            uow.session.scalar(
                select(func.count()).select_from(Evento).where(Evento.accion == accion)
            )
            or 0
        )


def test_marcar_resuelto(database: Database, clock: FakeClock) -> None:
    sid = _sol(database, clock)
    v = acciones.marcar_resuelto(
        database, ANA, clock(), solicitud_id=sid, version=1, comentario="resuelto por teléfono"
    )
    assert v == 2
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.resuelto and sol.usuario_resuelto == "ana"
    assert _eventos(database, "marcado_resuelto") == 1
    with pytest.raises(ValidationError, match="ya está resuelta"):
        acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=sid, version=2)


def test_contact_history_and_last_contact_columns(database: Database, clock: FakeClock) -> None:
    sid = _sol(database, clock)
    v = acciones.registrar_contacto(
        database,
        ANA,
        clock(),
        solicitud_id=sid,
        version=1,
        resultado=ResultadoContacto.NO_ATIENDE,
        comentario="Llamé dos veces",
    )
    clock.advance(minutes=30)
    acciones.registrar_contacto(
        database,
        Actor("luis", "pc-2"),
        clock(),
        solicitud_id=sid,
        version=v,
        resultado="contactado",
        comentario="Confirmó que quiere turno a la mañana",
    )
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        assert sol.usuario_contacto == "luis" and sol.fecha_contacto == clock()
        assert sol.mensaje_contacto == "Contactado: Confirmó que quiere turno a la mañana"
        assert uow.session.scalar(select(func.count()).select_from(Contacto)) == 2
    detalle = obtener_detalle(database, sid, clock())
    assert [c.usuario for c in detalle.contactos] == ["luis", "ana"]  # newest first
    assert detalle.contactos[1].resultado == "No atiende"
    assert _eventos(database, "contacto_registrado") == 2


@pytest.mark.parametrize(
    ("resultado", "comentario", "message"),
    [
        ("contactado", "   ", "comentario"),
        ("inventado", "hola", "desconocido"),
        ("contactado", "x" * 2001, "2000"),
    ],
)
def test_bad_contact_input_changes_nothing(
    database: Database, clock: FakeClock, resultado: str, comentario: str, message: str
) -> None:
    sid = _sol(database, clock)
    with pytest.raises(ValidationError, match=message):
        acciones.registrar_contacto(
            database,
            ANA,
            clock(),
            solicitud_id=sid,
            version=1,
            resultado=resultado,
            comentario=comentario,
        )
    with database.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Contacto)) == 0
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.fecha_contacto is None and sol.version == 1


def test_dar_de_baja_hides_it(database: Database, clock: FakeClock) -> None:
    sid = _sol(database, clock)
    with pytest.raises(ValidationError, match="motivo"):
        acciones.dar_de_baja(database, ANA, clock(), solicitud_id=sid, version=1, motivo=" ")
    acciones.dar_de_baja(
        database, ANA, clock(), solicitud_id=sid, version=1, motivo="orden duplicada"
    )
    with pytest.raises(NotFound):
        obtener_detalle(database, sid, clock())
    assert _eventos(database, "solicitud_baja") == 1
