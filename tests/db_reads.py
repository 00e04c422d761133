"""What a test reads back from the database after the code under test wrote: each read opens
its own short transaction and returns detached rows or plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from dim_revision.db.models import (
    Contacto,
    Envio,
    Evento,
    SolicitudAsistencia,
    SolicitudPrestacion,
)
from dim_revision.db.uow import Database
from tests import factories


def solicitud(db: Database, sid: int) -> SolicitudAsistencia:
    with db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        uow.session.expunge(sol)
        return sol


def envios(db: Database, sid: int) -> list[Envio]:
    """The request's sends, oldest first."""
    with db.uow() as uow:
        rows = list(
            uow.session.scalars(select(Envio).where(Envio.solicitud_id == sid).order_by(Envio.id))
        )
        uow.session.expunge_all()
        return rows


def estados_envio(db: Database, sid: int) -> list[str]:
    return [e.estado for e in envios(db, sid)]


def acciones(db: Database, sid: int) -> list[str]:
    """The audit trail's actions on the request, in order."""
    with db.uow() as uow:
        return list(
            uow.session.scalars(
                select(Evento.accion).where(Evento.solicitud_id == sid).order_by(Evento.id)
            )
        )


def eventos(db: Database, accion: str) -> list[Evento]:
    """Every audit row of one action, in order."""
    with db.uow() as uow:
        rows = list(
            uow.session.scalars(select(Evento).where(Evento.accion == accion).order_by(Evento.id))
        )
        uow.session.expunge_all()
        return rows


def prestaciones_elegidas(db: Database, sid: int) -> list[int]:
    with db.uow() as uow:
        return list(
            uow.session.scalars(
                select(SolicitudPrestacion.prestacion_id)
                .where(SolicitudPrestacion.solicitud_id == sid)
                .order_by(SolicitudPrestacion.orden)
            )
        )


@dataclass(frozen=True)
class Snapshot:
    """What a refused write must leave as it was: compare one taken before with one after."""

    version: int
    movil_ingresado: str | None
    telefono_verificado: bool
    movil_corregido_por: str | None
    fecha_contacto: datetime | None
    id_turno_destino: int | None
    contactos: int
    eventos: int
    movil_paciente: str | None


def snapshot(db: Database, sid: int, paciente_id: int | None = None) -> Snapshot:
    with db.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, sid)
        assert sol is not None
        return Snapshot(
            sol.version,
            sol.movil_ingresado,
            sol.telefono_verificado,
            sol.movil_corregido_por,
            sol.fecha_contacto,
            sol.id_turno_destino,
            s.scalar(select(func.count()).select_from(Contacto)) or 0,
            s.scalar(select(func.count()).select_from(Evento)) or 0,
            factories.movil_de(s, paciente_id) if paciente_id is not None else None,
        )
