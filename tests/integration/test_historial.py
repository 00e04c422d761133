"""A request's history (issue #6): events and contacts in order, in readable Spanish."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.historial import historial
from dim_revision.services.supervision import reabrir
from tests import factories

ANA = Actor("ana", "pc-01")
SUP = Actor("marta", "pc-sup")
PORTAL = Actor("portal", "srv")


def test_history_in_order_and_in_spanish(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        s = uow.session
        factories.operador(s, "marta", supervisor=True)
        sol = factories.solicitud(s, factories.paciente(s), clock(), files=0)
        registrar_evento(s, PORTAL, "solicitud_registrada", clock(), solicitud_id=sol.id)
        sid = sol.id
        other = factories.solicitud(s, factories.paciente(s), clock(), files=0).id
        registrar_evento(s, ANA, "marcado_resuelto", clock(), solicitud_id=other)  # not ours
        uow.commit()
    clock.advance(minutes=10)
    v = acciones.registrar_contacto(
        database,
        ANA,
        clock(),
        solicitud_id=sid,
        version=1,
        resultado="no_atiende",
        comentario="Llamé dos veces",
    )
    clock.advance(minutes=5)
    claims.override(database, SUP, clock(), sid, es_supervisor=True)
    v += 1
    clock.advance(minutes=5)
    v = acciones.marcar_resuelto(
        database, ANA, clock(), solicitud_id=sid, version=v, comentario="Resuelto por teléfono"
    )
    clock.advance(minutes=5)
    reabrir(database, SUP, clock(), solicitud_id=sid, version=v, motivo="Pidió otro estudio")
    clock.advance(minutes=5)
    with database.uow() as uow:
        s = uow.session
        registrar_evento(
            s,
            PORTAL,
            "envio_fallido",
            clock(),
            solicitud_id=sid,
            detalle={"intento": 1, "error": "Número 5491123456789 inválido"},
        )
        registrar_evento(s, ANA, "algo_nuevo", clock(), solicitud_id=sid)
        uow.commit()

    lineas = historial(database, sid)
    assert [(ln.usuario, ln.texto) for ln in lineas] == [
        ("portal", "Registró la solicitud desde el portal"),
        ("ana", "Registró un contacto: No atiende — «Llamé dos veces»"),
        ("marta", "Liberó la solicitud tomada"),
        ("ana", "Marcó la solicitud como resuelta sin envío: «Resuelto por teléfono»"),
        ("marta", "Reabrió la solicitud: «Pidió otro estudio»"),
        ("portal", "El envío falló definitivamente: Número *********6789 inválido"),
        ("ana", "algo_nuevo"),
    ]
    fechas = [ln.fecha for ln in lineas]
    assert fechas == sorted(fechas) and fechas[0] == clock() - timedelta(minutes=30)
    assert lineas[1].formato() == "10/03/2026 10:10 · ana · " + lineas[1].texto


def test_unknown_request(database: Database) -> None:
    with pytest.raises(NotFound):
        historial(database, 999)
