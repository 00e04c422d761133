"""The queue the grid shows: filtered, sorted and paged in SQL (DESIGN §4, requirements' columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.db.models import (
    Envio,
    ObraSocial,
    Paciente,
    PlanCobertura,
)
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.domain.texto_usuario import LIKE_ESCAPE, escape_like, limpiar_busqueda
from dim_revision.services.guards import lease_live, owner_name

_ACCENTS = (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ü", "u"), ("ñ", "n"))
_PHONE_SEPARATORS = (" ", "-", "(", ")", "+", ".", "/")


@dataclass(frozen=True)
class QueueFilter:
    desde: date
    hasta: date
    estado: EstadoFiltro = EstadoFiltro.PENDIENTES
    texto: str = ""

    @classmethod
    def today(cls, now: datetime, estado: EstadoFiltro = EstadoFiltro.PENDIENTES) -> QueueFilter:
        day = local_today(now)
        return cls(day, day, estado)


@dataclass(frozen=True)
class QueueRow:
    id: int
    version: int
    fecha_subida: datetime
    paciente_id: int
    nombre: str
    dni: str
    telefono_verificado: bool
    telefono_movil: str | None
    email: str | None
    email_verificado: bool
    obra_social: str | None
    plan: str | None
    fecha_contacto: datetime | None
    usuario_contacto: str | None
    resuelto: bool
    estado_envio: str | None
    tomado_por: str | None  # the operator's name, only while the lease is live
    tomado_clave: str | None  # the raw lease owner (user@pc), to tell "mine" from "someone else's"
    tomado_desde: datetime | None  # since when that operator holds it (supervisors' lock view)
    id_turno_destino: int | None


@dataclass(frozen=True)
class QueueCounts:
    pendientes: int
    resueltas: int

    @property
    def total(self) -> int:
        return self.pendientes + self.resueltas


# Sort keys the grid may ask for, each a SQL expression (never sorted in Python).
SORT_COLUMNS: dict[str, Any] = {
    "fecha_subida": S.fecha_subida,
    "nombre": Paciente.apellido,
    "dni": Paciente.dni,
    "telefono_verificado": S.telefono_verificado,
    "telefono_movil": Paciente.telefono_movil,
    "email": Paciente.email,
    "obra_social": ObraSocial.nombre,
    "plan": PlanCobertura.nombre,
    "fecha_contacto": S.fecha_contacto,
    "usuario_contacto": S.usuario_contacto,
    "resuelto": S.resuelto,
    "id_turno_destino": S.id_turno_destino,
}


def fold_sql(expr: Any) -> Any:
    """lower() plus accent stripping with REPLACE, which SQLite, PostgreSQL and SQL Server all have."""
    out = func.lower(expr)
    for accented, plain in _ACCENTS:
        out = func.replace(out, accented, plain)
    return out


def digits_sql(expr: Any) -> Any:
    out = expr
    for sep in _PHONE_SEPARATORS:
        out = func.replace(out, sep, "")
    return out


def _fold_text(text: str) -> str:
    out = text.lower()
    for accented, plain in _ACCENTS:
        out = out.replace(accented, plain)
    return out


def _text_condition(texto: str) -> ColumnElement[bool] | None:
    """Every word must match; the text is cleaned and capped (`limpiar_busqueda`) and LIKE's
    wildcards are escaped with the same ESCAPE character on every backend."""
    texto = limpiar_busqueda(texto)
    words = [w for w in texto.replace(",", " ").split() if w]
    if not words:
        return None
    conditions = []
    for word in words:
        digits = "".join(ch for ch in word if ch.isdigit())
        if digits and len(digits) >= len(word.strip(".-()+")) - 1:
            tail = digits[-7:] if len(digits) >= 7 else digits
            options = [
                func.replace(Paciente.dni, ".", "").like(f"{digits}%", escape=LIKE_ESCAPE),
                digits_sql(Paciente.telefono_movil).like(f"%{tail}%", escape=LIKE_ESCAPE),
            ]
            conditions.append(or_(*options))
        else:
            folded = f"%{escape_like(_fold_text(word))}%"
            conditions.append(
                or_(
                    fold_sql(Paciente.apellido).like(folded, escape=LIKE_ESCAPE),
                    fold_sql(Paciente.nombre).like(folded, escape=LIKE_ESCAPE),
                )
            )
    return and_(*conditions)


def queue_conditions(
    filtro: QueueFilter, now: datetime, *, paciente_joined: bool = False
) -> list[ColumnElement[bool]]:
    """Date range (local Buenos Aires days), soft delete and free text; state is added by callers.

    When the caller already joins Paciente the text condition goes on it directly: an IN
    subquery over every patient made SQLite scan them all (144 ms → 55 ms at 100 000 rows).
    """
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    conds: list[ColumnElement[bool]] = [
        S.fecha_subida >= start,
        S.fecha_subida < end,
        S.fecha_baja.is_(None),
    ]
    text_cond = _text_condition(filtro.texto)
    if text_cond is not None:
        if paciente_joined:
            conds.append(text_cond)
        else:
            conds.append(S.paciente_id.in_(select(Paciente.id).where(text_cond)))
    return conds


def _state_condition(estado: EstadoFiltro) -> list[ColumnElement[bool]]:
    if estado is EstadoFiltro.PENDIENTES:
        return [S.resuelto.is_(False)]
    if estado is EstadoFiltro.RESUELTAS:
        return [S.resuelto.is_(True)]
    return []


def _base_select() -> Select[*tuple[Any, ...]]:
    latest_envio = (
        select(Envio.estado)
        .where(Envio.solicitud_id == S.id)
        .order_by(Envio.id.desc())
        .limit(1)
        .correlate(S)
        .scalar_subquery()
    )
    return (
        select(
            S.id,
            S.version,
            S.fecha_subida,
            S.paciente_id,
            Paciente.apellido,
            Paciente.nombre,
            Paciente.dni,
            S.telefono_verificado,
            Paciente.telefono_movil,
            Paciente.email,
            S.email_verificado,
            ObraSocial.nombre.label("obra_social"),
            PlanCobertura.nombre.label("plan"),
            S.fecha_contacto,
            S.usuario_contacto,
            S.resuelto,
            latest_envio.label("estado_envio"),
            S.tomado_por,
            S.tomado_hasta,
            S.tomado_desde,
            S.id_turno_destino,
        )
        .join(Paciente, Paciente.id == S.paciente_id)
        .outerjoin(ObraSocial, ObraSocial.id == Paciente.obra_social_id)
        .outerjoin(PlanCobertura, PlanCobertura.id == Paciente.plan_id)
    )


def list_queue(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> list[QueueRow]:
    """One page of the grid, oldest first by default; the id breaks ties so pages never overlap."""
    column = SORT_COLUMNS.get(sort, S.fecha_subida)
    order = [
        column.desc() if descending else column.asc(),
        S.id.desc() if descending else S.id.asc(),
    ]
    stmt = (
        _base_select()
        .where(
            *queue_conditions(filtro, now, paciente_joined=True), *_state_condition(filtro.estado)
        )
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [_row(r, now) for r in session.execute(stmt)]


def get_rows(session: Session, ids: list[int], now: datetime) -> list[QueueRow]:
    """Fresh copies of specific rows (the grid's refresh of rows changed elsewhere)."""
    if not ids:
        return []
    stmt = _base_select().where(S.id.in_(ids))
    return [_row(r, now) for r in session.execute(stmt)]


def count_queue(session: Session, filtro: QueueFilter, now: datetime) -> QueueCounts:
    stmt = select(
        func.sum(case((S.resuelto.is_(False), 1), else_=0)),
        func.sum(case((S.resuelto.is_(True), 1), else_=0)),
    ).where(*queue_conditions(filtro, now))
    pendientes, resueltas = session.execute(stmt).one()
    return QueueCounts(int(pendientes or 0), int(resueltas or 0))


def _row(r: Any, now: datetime) -> QueueRow:
    live = lease_live(r.tomado_por, r.tomado_hasta, now)
    return QueueRow(
        id=r.id,
        version=r.version,
        fecha_subida=r.fecha_subida,
        paciente_id=r.paciente_id,
        nombre=f"{r.apellido}, {r.nombre}",
        dni=r.dni,
        telefono_verificado=bool(r.telefono_verificado),
        telefono_movil=r.telefono_movil,
        email=r.email,
        email_verificado=bool(r.email_verificado),
        obra_social=r.obra_social,
        plan=r.plan,
        fecha_contacto=r.fecha_contacto,
        usuario_contacto=r.usuario_contacto,
        resuelto=bool(r.resuelto),
        estado_envio=r.estado_envio,
        tomado_por=owner_name(r.tomado_por) if live else None,
        tomado_clave=r.tomado_por if live else None,
        tomado_desde=r.tomado_desde if live else None,
        id_turno_destino=r.id_turno_destino,
    )
