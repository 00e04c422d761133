"""The supervisor's numbers for a date range (issue #6): counts, ages, times, sends, operators.

Scope: requests *uploaded* in the filter's local Buenos Aires days (through `queue_conditions`,
so deleted ones are out and the free text applies); the filter's state is ignored, since the
report shows every state. Operator activity counts what people *did* in those days.

Percentiles are computed in Python (`statistics`, method "inclusive", i.e. linear interpolation
between the observed values like PostgreSQL's `percentile_cont`) over durations fetched with one
query bounded by the date range: SQLite has no percentile function and SQL Server's needs a
window clause, so this is the one way that gives the same answer on the three databases.
Failure reasons are grouped in Python too: SQL Server cannot GROUP BY an NVARCHAR(max) column.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, false, func, select, true
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import Contacto, Envio, Evento
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.services.queue import QueueFilter, queue_conditions
from dim_revision.shared.masking import redact_phones

TOP_ERRORES = 5
_ESTADOS_FALLA = (EstadoEnvio.FALLIDO.value, EstadoEnvio.INCIERTO.value)


@dataclass(frozen=True)
class ConteoEstados:
    pendientes: int
    resueltas: int
    con_envio: int  # resolved with a send that was not cancelled
    sin_envio: int  # resolved without one (e.g. "Resuelto" after a phone call)

    @property
    def total(self) -> int:
        return self.pendientes + self.resueltas


@dataclass(frozen=True)
class Antiguedad:
    """Pending requests by age as of `now`. Under 4 h goes by age alone; older ones split into
    uploaded today (local) or on an earlier day."""

    menos_1h: int
    de_1_a_4h: int
    hoy_mas_4h: int
    dias_anteriores: int

    @property
    def total(self) -> int:
        return self.menos_1h + self.de_1_a_4h + self.hoy_mas_4h + self.dias_anteriores


@dataclass(frozen=True)
class Tiempos:
    """Minutes; None when there is no data."""

    cantidad: int
    mediana_min: float | None
    p90_min: float | None


@dataclass(frozen=True)
class MotivoFalla:
    motivo: str
    cantidad: int


@dataclass(frozen=True)
class ConteoEnvios:
    programado: int
    enviando: int
    enviado: int
    fallido: int
    incierto: int
    cancelado: int
    errores: tuple[MotivoFalla, ...]  # the most frequent `ultimo_error` of fallido/incierto
    # What WhatsApp reported for the sent ones (issue #12); read counts in delivered too.
    entregado: int = 0
    leido: int = 0
    error_entrega: int = 0
    respondieron: int = 0


@dataclass(frozen=True)
class ActividadOperador:
    usuario: str
    confirmados: int
    resueltos_sin_envio: int
    contactos: int


@dataclass(frozen=True)
class Reporte:
    filtro: QueueFilter
    generado: datetime
    estados: ConteoEstados
    antiguedad: Antiguedad
    subida_a_resolucion: Tiempos
    subida_a_envio: Tiempos
    envios: ConteoEnvios
    operadores: tuple[ActividadOperador, ...]


def tiempos(minutos: Iterable[float]) -> Tiempos:
    data = sorted(minutos)
    if not data:
        return Tiempos(0, None, None)
    if len(data) == 1:
        return Tiempos(1, data[0], data[0])
    p90 = statistics.quantiles(data, n=10, method="inclusive")[8]
    return Tiempos(len(data), statistics.median(data), p90)


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(minutes=1)


def _estados(session: Session, filtro: QueueFilter, now: datetime) -> ConteoEstados:
    sent = (
        select(Envio.id)
        .where(Envio.solicitud_id == S.id, Envio.estado != EstadoEnvio.CANCELADO.value)
        .correlate(S)
        .exists()
    )
    stmt = select(
        func.sum(case((S.resuelto == false(), 1), else_=0)),
        func.sum(case((S.resuelto == true(), 1), else_=0)),
        func.sum(case(((S.resuelto == true()) & sent, 1), else_=0)),
    ).where(*queue_conditions(filtro, now, dim=dim_de(session)))
    pend, res, con = session.execute(stmt).one()
    pend, res, con = int(pend or 0), int(res or 0), int(con or 0)
    return ConteoEstados(pend, res, con, res - con)


def _antiguedad(session: Session, filtro: QueueFilter, now: datetime) -> Antiguedad:
    hace_1h, hace_4h = now - timedelta(hours=1), now - timedelta(hours=4)
    hoy = local_today(now)
    inicio_hoy, _ = local_day_bounds(hoy, hoy)
    stmt = select(
        func.sum(case((S.fecha_subida > hace_1h, 1), else_=0)),
        func.sum(case(((S.fecha_subida <= hace_1h) & (S.fecha_subida > hace_4h), 1), else_=0)),
        func.sum(case(((S.fecha_subida <= hace_4h) & (S.fecha_subida >= inicio_hoy), 1), else_=0)),
        func.sum(case(((S.fecha_subida <= hace_4h) & (S.fecha_subida < inicio_hoy), 1), else_=0)),
    ).where(*queue_conditions(filtro, now, dim=dim_de(session)), S.resuelto == false())
    a, b, c, d = (int(v or 0) for v in session.execute(stmt).one())
    return Antiguedad(a, b, c, d)


def _subida_a_resolucion(session: Session, filtro: QueueFilter, now: datetime) -> Tiempos:
    rows = session.execute(
        select(S.fecha_subida, S.fecha_resuelto).where(
            *queue_conditions(filtro, now, dim=dim_de(session)),
            S.resuelto == true(),
            S.fecha_resuelto.is_not(None),
        )
    )
    return tiempos(_minutes(r.fecha_subida, r.fecha_resuelto) for r in rows)


def _subida_a_envio(session: Session, filtro: QueueFilter, now: datetime) -> Tiempos:
    """From upload to the first message that reached Botmaker, per request."""
    rows = session.execute(
        select(S.fecha_subida, func.min(Envio.enviado_en).label("enviado_en"))
        .join(Envio, Envio.solicitud_id == S.id)
        .where(
            *queue_conditions(filtro, now, dim=dim_de(session)),
            Envio.estado == EstadoEnvio.ENVIADO.value,
            Envio.enviado_en.is_not(None),
        )
        .group_by(S.id, S.fecha_subida)
    )
    return tiempos(_minutes(r.fecha_subida, r.enviado_en) for r in rows)


def _envios(session: Session, filtro: QueueFilter, now: datetime) -> ConteoEnvios:
    in_range = select(S.id).where(*queue_conditions(filtro, now, dim=dim_de(session)))
    counts = dict(
        session.execute(
            select(Envio.estado, func.count())
            .where(Envio.solicitud_id.in_(in_range))
            .group_by(Envio.estado)
        ).all()
    )
    errores = Counter(
        redact_phones(" ".join(e.split()))
        for e in session.scalars(
            select(Envio.ultimo_error).where(
                Envio.solicitud_id.in_(in_range),
                Envio.estado.in_(_ESTADOS_FALLA),
                Envio.ultimo_error.is_not(None),
            )
        )
        if e and e.strip()
    )
    top = sorted(errores.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ERRORES]

    def n(e: EstadoEnvio) -> int:
        return int(counts.get(e.value, 0))

    entregas = dict(
        session.execute(
            select(Envio.estado_entrega, func.count())
            .where(Envio.solicitud_id.in_(in_range), Envio.estado_entrega.is_not(None))
            .group_by(Envio.estado_entrega)
        ).all()
    )
    respondieron = session.scalar(
        select(func.count()).where(
            Envio.solicitud_id.in_(in_range), Envio.respuesta_en.is_not(None)
        )
    )

    return ConteoEnvios(
        programado=n(EstadoEnvio.PROGRAMADO),
        enviando=n(EstadoEnvio.ENVIANDO),
        enviado=n(EstadoEnvio.ENVIADO),
        fallido=n(EstadoEnvio.FALLIDO),
        incierto=n(EstadoEnvio.INCIERTO),
        cancelado=n(EstadoEnvio.CANCELADO),
        errores=tuple(MotivoFalla(m, c) for m, c in top),
        entregado=int(entregas.get("entregado", 0)) + int(entregas.get("leido", 0)),
        leido=int(entregas.get("leido", 0)),
        error_entrega=int(entregas.get("error_entrega", 0)),
        respondieron=int(respondieron or 0),
    )


def _operadores(session: Session, filtro: QueueFilter) -> tuple[ActividadOperador, ...]:
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    acciones = {"envio_confirmado": 0, "marcado_resuelto": 1}
    tally: dict[str, list[int]] = {}
    for usuario, accion, n in session.execute(
        select(Evento.usuario, Evento.accion, func.count())
        .where(Evento.fecha >= start, Evento.fecha < end, Evento.accion.in_(list(acciones)))
        .group_by(Evento.usuario, Evento.accion)
    ):
        tally.setdefault(usuario, [0, 0, 0])[acciones[accion]] += int(n)
    for usuario, n in session.execute(
        select(Contacto.usuario, func.count())
        .where(Contacto.fecha >= start, Contacto.fecha < end)
        .group_by(Contacto.usuario)
    ):
        tally.setdefault(usuario, [0, 0, 0])[2] += int(n)
    return tuple(ActividadOperador(u, *v) for u, v in sorted(tally.items()))


def generar_reporte(db: Database, filtro: QueueFilter, now: datetime) -> Reporte:
    with db.uow() as uow:
        s = uow.session
        return Reporte(
            filtro=filtro,
            generado=now,
            estados=_estados(s, filtro, now),
            antiguedad=_antiguedad(s, filtro, now),
            subida_a_resolucion=_subida_a_resolucion(s, filtro, now),
            subida_a_envio=_subida_a_envio(s, filtro, now),
            envios=_envios(s, filtro, now),
            operadores=_operadores(s, filtro),
        )
