"""Supervisor numbers (issue #6) on seeded data with answers worked out by hand.

Now is 10/03/2026 10:00 in Buenos Aires (13:00 UTC); the range is 09/03–10/03 local, i.e.
[09/03 03:00 UTC, 11/03 03:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from dim_revision.clock import FakeClock
from dim_revision.db.models import Contacto, Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue import QueueFilter
from dim_revision.services.reportes import (
    ActividadOperador,
    Antiguedad,
    ConteoEstados,
    MotivoFalla,
    Tiempos,
    generar_reporte,
    tiempos,
)
from tests import factories

RANGO = QueueFilter(date(2026, 3, 9), date(2026, 3, 10), EstadoFiltro.PENDIENTES)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _sol(
    s: Session,
    subida: datetime,
    *,
    resuelta_min: int | None = None,
    baja: bool = False,
    apellido: str = "Pérez",
) -> SolicitudAsistencia:
    sol = factories.solicitud(s, factories.paciente(s, apellido=apellido), subida, files=0)
    if resuelta_min is not None:
        sol.resuelto = True
        sol.fecha_resuelto = subida + timedelta(minutes=resuelta_min)
        sol.usuario_resuelto = "ana"
    if baja:
        sol.fecha_baja = subida + timedelta(hours=1)
    s.flush()
    return sol


def _envio(
    s: Session,
    sol: SolicitudAsistencia,
    estado: str,
    *,
    enviado_min: int | None = None,
    error: str | None = None,
) -> None:
    e = factories.envio(s, sol, sol.fecha_subida + timedelta(minutes=5), estado=estado)
    if enviado_min is not None:
        e.enviado_en = sol.fecha_subida + timedelta(minutes=enviado_min)
    e.ultimo_error = error
    s.flush()


def _evento(s: Session, usuario: str, accion: str, fecha: datetime) -> None:
    s.add(Evento(fecha=fecha, usuario=usuario, estacion="pc", accion=accion))


def _contacto(s: Session, sol: SolicitudAsistencia, usuario: str, fecha: datetime) -> None:
    s.add(
        Contacto(
            solicitud_id=sol.id, fecha=fecha, usuario=usuario, resultado="otro", comentario="c"
        )
    )


@pytest.fixture
def seeded(database: Database, clock: FakeClock) -> Database:
    now = clock()
    with database.uow() as uow:
        s = uow.session
        # Pending, by age as of 10/03 10:00 local.
        p1 = _sol(s, now - timedelta(minutes=30))  # < 1 h
        _sol(s, now - timedelta(hours=2))  # 1–4 h
        _sol(s, now - timedelta(hours=5))  # 05:00 local today: today, > 4 h
        _sol(s, utc(9, 20))  # 17:00 local on the 9th
        _sol(s, utc(10, 2))  # 23:00 local on the 9th although the 10th in UTC
        # Resolved on the 9th (minutes to resolution in brackets).
        r1 = _sol(s, utc(9, 12), resuelta_min=10)
        _envio(s, r1, "enviado", enviado_min=30)
        r2 = _sol(s, utc(9, 13), resuelta_min=20)
        _envio(s, r2, "enviado", enviado_min=90)
        _envio(s, r2, "enviado", enviado_min=40)  # the first delivery counts: 40
        r3 = _sol(s, utc(9, 14), resuelta_min=30)
        _envio(s, r3, "fallido", error="Número inválido")
        _sol(s, utc(9, 15), resuelta_min=60)  # resolved by phone: no send
        r5 = _sol(s, utc(9, 16), resuelta_min=100)
        _envio(s, r5, "cancelado")  # cancelled only: counts as without a send
        r6 = _sol(s, utc(10, 4), resuelta_min=40)
        _envio(s, r6, "fallido", error="  Número   inválido ")  # same reason, spaced
        r7 = _sol(s, utc(9, 18), resuelta_min=50)
        _envio(s, r7, "incierto", error="Tiempo de espera agotado")
        r8 = _sol(s, utc(9, 19), resuelta_min=5)
        _envio(s, r8, "programado")
        r9 = _sol(s, utc(9, 20, 30), resuelta_min=15)
        _envio(s, r9, "enviando")
        # Out of scope: a day before (UTC and local), deleted, and one late on the 8th local.
        o1 = _sol(s, utc(8, 12), resuelta_min=1)
        _envio(s, o1, "fallido", error="Número inválido")
        _sol(s, utc(9, 2))  # 23:00 local on the 8th
        _sol(s, now - timedelta(minutes=10), baja=True)
        # Activity: events and contacts by day (local).
        _evento(s, "ana", "envio_confirmado", utc(9, 12))
        _evento(s, "ana", "envio_confirmado", utc(10, 12))
        _evento(s, "ana", "marcado_resuelto", utc(9, 15))
        _evento(s, "luis", "marcado_resuelto", utc(10, 3, 30))
        _evento(s, "luis", "contacto_registrado", utc(10, 4))  # counted from Contacto, not twice
        _evento(s, "ana", "envio_confirmado", utc(8, 12))  # the 8th: out
        _evento(s, "ana", "envio_confirmado", utc(11, 3, 30))  # 00:30 on the 11th: out
        _contacto(s, p1, "luis", utc(10, 4))
        _contacto(s, p1, "luis", utc(10, 12))
        _contacto(s, p1, "ana", utc(9, 3, 0))  # 00:00 on the 9th: in
        _contacto(s, p1, "pepe", utc(9, 2, 59))  # 23:59 on the 8th: out
        uow.commit()
    return database


def test_report_known_answers(seeded: Database, clock: FakeClock) -> None:
    r = generar_reporte(seeded, RANGO, clock())
    assert r.estados == ConteoEstados(pendientes=5, resueltas=9, con_envio=7, sin_envio=2)
    assert r.antiguedad == Antiguedad(menos_1h=1, de_1_a_4h=1, hoy_mas_4h=1, dias_anteriores=2)
    # [5, 10, 15, 20, 30, 40, 50, 60, 100]: median 30; p90 at 7.2 → 60 + 0.2·40 = 68.
    assert r.subida_a_resolucion == Tiempos(9, 30, pytest.approx(68.0))
    # [30, 40]: median 35; p90 at 0.9 → 39.
    assert r.subida_a_envio == Tiempos(2, pytest.approx(35.0), pytest.approx(39.0))
    e = r.envios
    assert (e.programado, e.enviando, e.enviado, e.fallido, e.incierto, e.cancelado) == (
        1,
        1,
        3,
        2,
        1,
        1,
    )
    assert e.errores == (
        MotivoFalla("Número inválido", 2),
        MotivoFalla("Tiempo de espera agotado", 1),
    )
    assert r.operadores == (
        ActividadOperador("ana", confirmados=2, resueltos_sin_envio=1, contactos=1),
        ActividadOperador("luis", confirmados=0, resueltos_sin_envio=1, contactos=2),
    )


def test_report_for_today_only(seeded: Database, clock: FakeClock) -> None:
    hoy = QueueFilter.today(clock(), EstadoFiltro.TODAS)
    r = generar_reporte(seeded, hoy, clock())
    assert r.estados == ConteoEstados(pendientes=3, resueltas=1, con_envio=1, sin_envio=0)
    assert r.antiguedad == Antiguedad(1, 1, 1, 0)
    assert r.subida_a_resolucion == Tiempos(1, 40, 40)
    assert r.subida_a_envio == Tiempos(0, None, None)
    assert r.envios.fallido == 1 and r.envios.enviado == 0
    assert r.operadores == (
        ActividadOperador("ana", 1, 0, 0),
        ActividadOperador("luis", 0, 1, 2),
    )


def test_empty_range(database: Database, clock: FakeClock) -> None:
    r = generar_reporte(database, QueueFilter(date(2025, 1, 1), date(2025, 1, 2)), clock())
    assert r.estados.total == 0 and r.antiguedad.total == 0
    assert r.subida_a_resolucion == Tiempos(0, None, None)
    assert r.envios.errores == () and r.operadores == ()


def test_percentiles_helper() -> None:
    assert tiempos([]) == Tiempos(0, None, None)
    assert tiempos([7.5]) == Tiempos(1, 7.5, 7.5)
    assert tiempos([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == Tiempos(11, 6, 10)
