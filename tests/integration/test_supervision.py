"""Reabrir (issue #6): supervisor only, resolved → pending, audited; every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dim_revision.clock import FakeClock
from dim_revision.db.models import Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import (
    EnvioLocked,
    NotFound,
    PermissionDenied,
    StaleWrite,
    UserError,
    ValidationError,
)
from dim_revision.services import acciones
from dim_revision.services.actor import Actor
from dim_revision.services.supervision import reabrir
from tests import factories

SUP = Actor("marta", "pc-sup")
ANA = Actor("ana", "pc-01")


def _setup(db: Database, clock: FakeClock, *, resolver: bool = True) -> int:
    with db.uow() as uow:
        factories.operador(uow.session, "marta", supervisor=True)
        factories.operador(uow.session, "ana")
        sid = factories.solicitud(
            uow.session, factories.paciente(uow.session), clock() - timedelta(hours=2), files=0
        ).id
        uow.commit()
    if resolver:
        acciones.marcar_resuelto(db, ANA, clock(), solicitud_id=sid, version=1)
    return sid


def _snapshot(db: Database, sid: int) -> tuple[object, ...]:
    with db.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        eventos = uow.session.scalar(select(func.count()).select_from(Evento))
        return (sol.version, sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto, eventos)


def test_reabrir_puts_it_back_in_the_queue(database: Database, clock: FakeClock) -> None:
    sid = _setup(database, clock)
    clock.advance(minutes=5)
    v = reabrir(
        database, SUP, clock(), solicitud_id=sid, version=2, motivo="  El paciente volvió a llamar "
    )
    assert v == 3
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        assert (sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto) == (False, None, None)
        ev = uow.session.scalars(select(Evento).where(Evento.accion == "reabierta")).one()
        assert (ev.usuario, ev.solicitud_id, ev.fecha) == ("marta", sid, clock())
        assert ev.detalle is not None and "El paciente volvió a llamar" in ev.detalle
        assert '"resuelta_por": "ana"' in ev.detalle
    # Pending again: an operator can resolve it anew with the new version.
    acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=sid, version=3)


@pytest.mark.parametrize(
    ("actor", "version", "motivo", "error", "message"),
    [
        (ANA, 2, "motivo", PermissionDenied, "sólo para supervisores"),
        (Actor("desconocido", "pc"), 2, "motivo", PermissionDenied, "sólo para supervisores"),
        (SUP, 2, "   ", ValidationError, "Indicá el motivo"),
        (SUP, 2, "x" * 2001, ValidationError, "supera"),
        (SUP, 1, "motivo", StaleWrite, "Otro operador"),
    ],
)
def test_refusals_write_nothing(
    database: Database,
    clock: FakeClock,
    actor: Actor,
    version: int,
    motivo: str,
    error: type[UserError],
    message: str,
) -> None:
    sid = _setup(database, clock)
    before = _snapshot(database, sid)
    with pytest.raises(error, match=message):
        reabrir(database, actor, clock(), solicitud_id=sid, version=version, motivo=motivo)
    assert _snapshot(database, sid) == before


def test_not_resolved_or_missing(database: Database, clock: FakeClock) -> None:
    sid = _setup(database, clock, resolver=False)
    before = _snapshot(database, sid)
    with pytest.raises(ValidationError, match="no está resuelta"):
        reabrir(database, SUP, clock(), solicitud_id=sid, version=1, motivo="m")
    assert _snapshot(database, sid) == before
    with pytest.raises(NotFound):
        reabrir(database, SUP, clock(), solicitud_id=sid + 100, version=1, motivo="m")


@pytest.mark.parametrize(
    ("estado", "error", "message"),
    [("programado", ValidationError, "cancelalo primero"), ("enviando", EnvioLocked, "esperá")],
)
def test_live_send_refuses(
    database: Database,
    clock: FakeClock,
    estado: str,
    error: type[UserError],
    message: str,
) -> None:
    sid = _setup(database, clock)
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        factories.envio(uow.session, sol, clock() + timedelta(minutes=15), estado=estado)
        uow.commit()
    before = _snapshot(database, sid)
    with pytest.raises(error, match=message):
        reabrir(database, SUP, clock(), solicitud_id=sid, version=2, motivo="m")
    assert _snapshot(database, sid) == before


def test_delivered_send_does_not_block(database: Database, clock: FakeClock) -> None:
    sid = _setup(database, clock)
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        factories.envio(uow.session, sol, clock(), estado="enviado")
        factories.envio(uow.session, sol, clock(), estado="cancelado")
        uow.commit()
    assert reabrir(database, SUP, clock(), solicitud_id=sid, version=2, motivo="m") == 3
