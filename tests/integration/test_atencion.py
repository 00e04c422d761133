"""«Requiere atención» (issue 13.2): a resolved request whose send failed or is incierto comes
back to the operators' default view, with its own filter value and count, until resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Envio, Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, EstadoFiltro
from dim_revision.errors import ValidationError
from dim_revision.services import acciones, claims
from dim_revision.services.actor import Actor
from dim_revision.services.detalle import obtener_detalle
from dim_revision.services.envios import EnvioConfig, confirmar_envio
from dim_revision.services.exportar import total_filas
from dim_revision.services.queue import QueueFilter, count_queue, get_rows, list_queue
from tests import factories

ANA = Actor("ana", "pc-01")
KEY = "clave-de-prueba-" + "x" * 32


def _resuelta_con_envio(db: Database, clock: FakeClock, estado: str) -> int:
    with db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), clock() - timedelta(hours=1))
        sol.resuelto, sol.fecha_resuelto, sol.usuario_resuelto = True, clock(), "ana"
        factories.envio(s, sol, clock() - timedelta(minutes=30), estado=estado, intentos=8)
        sid = sol.id
        uow.commit()
    return sid


def _ids(db: Database, clock: FakeClock, estado: EstadoFiltro) -> list[int]:
    with db.uow() as uow:
        return [r.id for r in list_queue(uow.session, QueueFilter.today(clock(), estado), clock())]


@pytest.mark.parametrize("estado", [EstadoEnvio.FALLIDO, EstadoEnvio.INCIERTO])
def test_a_failed_or_uncertain_send_puts_the_record_back_in_the_default_view(
    database: Database, clock: FakeClock, estado: EstadoEnvio
) -> None:
    sid = _resuelta_con_envio(database, clock, estado.value)
    ok = _resuelta_con_envio(database, clock, EstadoEnvio.ENVIADO.value)
    assert _ids(database, clock, EstadoFiltro.PENDIENTES) == [sid]
    assert _ids(database, clock, EstadoFiltro.ATENCION) == [sid]
    assert set(_ids(database, clock, EstadoFiltro.RESUELTAS)) == {sid, ok}
    with database.uow() as uow:
        counts = count_queue(uow.session, QueueFilter.today(clock()), clock())
        [row] = get_rows(uow.session, [sid], clock())
        [sent] = get_rows(uow.session, [ok], clock())
    assert (counts.pendientes, counts.resueltas, counts.atencion) == (0, 2, 1)
    for vista in (EstadoFiltro.PENDIENTES, EstadoFiltro.ATENCION):  # export's progress total
        assert total_filas(database, QueueFilter.today(clock(), vista), clock()) == 1
    assert row.atencion and not sent.atencion
    detalle = obtener_detalle(database, sid, clock())
    assert detalle.atencion
    assert detalle.reconfirmable is (estado is EstadoEnvio.FALLIDO)
    # The operator's next record is it: nothing vanishes.
    claim = claims.next_free(
        database, ANA, clock(), QueueFilter.today(clock()), timedelta(minutes=10)
    )
    assert claim is not None and claim.solicitud_id == sid


def test_resuelto_resolves_the_attention_until_a_later_send_fails(
    database: Database, clock: FakeClock
) -> None:
    sid = _resuelta_con_envio(database, clock, EstadoEnvio.FALLIDO.value)
    v = acciones.marcar_resuelto(
        database,
        ANA,
        clock(),
        solicitud_id=sid,
        version=1,
        comentario="le di el turno por teléfono",
    )
    assert v == 2
    assert _ids(database, clock, EstadoFiltro.PENDIENTES) == []
    assert _ids(database, clock, EstadoFiltro.ATENCION) == []
    assert not obtener_detalle(database, sid, clock()).atencion
    with database.uow() as uow:
        ev = uow.session.scalars(select(Evento).where(Evento.accion == "atencion_resuelta")).one()
        assert ev.solicitud_id == sid and "teléfono" in (ev.detalle or "")
    with pytest.raises(ValidationError, match="ya está resuelta"):
        acciones.marcar_resuelto(database, ANA, clock(), solicitud_id=sid, version=2)
    with database.uow() as uow:  # a new send for the same request fails again
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        factories.envio(uow.session, sol, clock(), estado=EstadoEnvio.FALLIDO.value)
        uow.commit()
    assert _ids(database, clock, EstadoFiltro.ATENCION) == [sid]


def test_a_failed_send_is_confirmed_again_through_the_confirm_path(
    database: Database, clock: FakeClock
) -> None:
    with database.uow() as uow:
        pid = factories.prestacion(uow.session).id
        uow.commit()
    sid = _resuelta_con_envio(database, clock, EstadoEnvio.FALLIDO.value)
    cfg = EnvioConfig.from_settings(Settings())
    result = confirmar_envio(
        database, ANA, clock(), cfg, KEY, solicitud_id=sid, version=1, prestacion_ids=[pid]
    )
    with database.uow() as uow:
        estados = list(
            uow.session.scalars(
                select(Envio.estado).where(Envio.solicitud_id == sid).order_by(Envio.id)
            )
        )
    assert estados == ["fallido", "programado"] and result.solicitud_id == sid
    assert _ids(database, clock, EstadoFiltro.ATENCION) == []
    assert not obtener_detalle(database, sid, clock()).atencion
