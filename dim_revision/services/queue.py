"""The queue the grid shows: filtered, sorted and paged in SQL (DESIGN §4, requirements' columns)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.db.dim_mapping import DimTables, dim_de, nombre_completo
from dim_revision.db.models import Envio
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.atencion import necesita_atencion, por_trabajar, requiere_atencion
from dim_revision.services.guards import lease_live, owner_name
from dim_revision.services.queue_filas import plain
from dim_revision.services.queue_plan import NARROW_DAYS, search_mode
from dim_revision.services.queue_texto import (
    FILA,
    PACIENTES,
    RANGO,
    RECORRIDO,
    text_condition,
)


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

    @classmethod
    def pendientes(cls, now: datetime) -> QueueFilter:
        """The operators' default: today plus every earlier unresolved request."""
        return cls.today(now, EstadoFiltro.PENDIENTES_TODAS)


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
    # Delivery (issue #12): the latest Envio's WhatsApp state, and whether the patient answered.
    estado_entrega: str | None = None
    respondio: bool = False
    # «Requiere atención» (issue 13.2): resolved, but its latest send failed or is incierto.
    atencion: bool = False


@dataclass(frozen=True)
class QueueCounts:
    pendientes: int
    resueltas: int
    atencion: int = 0  # of the resueltas, how many require attention (issue 13.2)
    # Set when a text matched more than this many requests: counting stopped there (the filter
    # bar says «más de N»); pendientes + resueltas then only add up to `tope + 1`.
    tope: int | None = None

    @property
    def total(self) -> int:
        return self.pendientes + self.resueltas


# The grid's counts with a text stop at this many matching requests («más de 1000»).
TOPE_CONTEO = 1_000

# Sort keys the grid may ask for, each a SQL expression (never sorted in Python).
SORT_KEYS = (
    "fecha_subida",
    "nombre",
    "dni",
    "telefono_verificado",
    "telefono_movil",
    "email",
    "obra_social",
    "plan",
    "fecha_contacto",
    "usuario_contacto",
    "resuelto",
    "id_turno_destino",
)


def sort_columns(dim: DimTables) -> dict[str, Any]:
    p = dim.paciente
    return {
        "fecha_subida": S.fecha_subida,
        "nombre": dim.paciente_nombre_sql()[0],
        "dni": p.dni,
        "telefono_verificado": S.telefono_verificado,
        "telefono_movil": movil_sql(dim),
        "email": p.email,
        "obra_social": dim.obra_social.nombre,
        "plan": dim.plan.nombre,
        "fecha_contacto": S.fecha_contacto,
        "usuario_contacto": S.usuario_contacto,
        "resuelto": S.resuelto,
        "id_turno_destino": S.id_turno_destino,
    }


def movil_sql(dim: DimTables) -> Any:
    """The mobile typed at upload, else the one on DIM's patient row."""
    return func.coalesce(S.movil_ingresado, dim.paciente.telefono_movil)


def queue_conditions(
    filtro: QueueFilter,
    now: datetime,
    *,
    dim: DimTables | None = None,
    paciente_joined: bool = False,
    modo: str | None = None,
    completa: bool = False,
    guia: str | None = None,
) -> list[ColumnElement[bool]]:
    """Date range (local Buenos Aires days), soft delete and free text; state is added by callers.

    The text goes through our folded copy of the patients (`queue_texto`), never folding DIM's
    names per row; `paciente_joined` is kept for callers and no longer changes the SQL.
    `modo` (see `search_mode`) picks how the text is matched, by default from the range's days;
    `completa` drops the fallback for patients without a copy (see `queue_texto`); `guia` is the
    name word whose patients drive the PACIENTES plan.
    """
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    todas = filtro.estado is EstadoFiltro.PENDIENTES_TODAS
    conds: list[ColumnElement[bool]] = [
        pendientes_todas(start) if todas else S.fecha_subida >= start,
        S.fecha_subida < end,
        S.fecha_baja.is_(None),
    ]
    if not filtro.texto.strip():
        return conds
    if dim is None:
        raise TypeError("a text filter needs the DIM mapping (dim=dim_de(session))")
    if modo is None:
        # "Pendientes" reaches back to every earlier unresolved request: no short range to probe.
        short = not todas and (filtro.hasta - filtro.desde).days < NARROW_DAYS
        modo = FILA if short else PACIENTES
    text_cond = text_condition(dim, filtro.texto, modo=modo, completa=completa, guia=guia)
    if text_cond is not None:
        conds.append(text_cond)
    return conds


# Built once: the «requiere atención» condition aliases Envio twice, and building it cost more
# than the first page's SQL (≈5 ms a query); SQL expressions are immutable, so one serves all.
_atencion = functools.cache(requiere_atencion)
_por_trabajar = functools.cache(por_trabajar)


def run(session: Session, stmt: Any) -> Any:
    """`stmt`'s result through Core (plain rows: no ORM loading for a list of columns)."""
    return session.connection().execute(stmt)


def pendientes_todas(start: datetime) -> ColumnElement[bool]:
    """The "Pendientes" view's lower bound: the chosen days, plus anything unresolved before."""
    return or_(S.fecha_subida >= start, _por_trabajar())


def _state_condition(estado: EstadoFiltro) -> list[ColumnElement[bool]]:
    if estado in (EstadoFiltro.PENDIENTES, EstadoFiltro.PENDIENTES_TODAS):
        return [_por_trabajar()]  # unresolved, plus resolved ones whose send needs attention
    if estado is EstadoFiltro.ATENCION:
        return [_atencion()]
    if estado is EstadoFiltro.RESUELTAS:
        return [S.resuelto == true()]
    return []


def _latest_envio(column: Any) -> Any:
    return (
        select(column)
        .where(Envio.solicitud_id == S.id)
        .order_by(Envio.id.desc())
        .limit(1)
        .correlate(S)
        .scalar_subquery()
    )


def stamp_columns() -> list[Any]:
    """Our columns the grid shows and the poll compares (`queue_window.Sello`): the one list
    both the row query and the ids-first poll select."""
    return [
        S.id,
        S.version,
        S.resuelto,
        S.tomado_por,
        S.tomado_hasta,
        S.fecha_contacto,
        S.id_turno_destino,
        _latest_envio(Envio.estado).label("estado_envio"),
        _latest_envio(Envio.estado_entrega).label("estado_entrega"),
        _latest_envio(Envio.respuesta_en).label("respuesta_en"),
    ]


_BASE: dict[int, tuple[DimTables, Select[Any]]] = {}


def _base_select(dim: DimTables) -> Select[Any]:
    """The grid's row select for this mapping, built once (building and keying it: ~1 ms)."""
    cached = _BASE.get(id(dim))
    if cached is None or cached[0] is not dim:
        cached = _BASE[id(dim)] = (dim, _build_base_select(dim))
    return cached[1]


def _build_base_select(dim: DimTables) -> Select[Any]:
    p, o, pl = dim.paciente, dim.obra_social, dim.plan
    apellido, nombre = dim.paciente_nombre_sql()
    return _with_dim_joins(
        select(
            *stamp_columns(),
            S.fecha_subida,
            S.paciente_id,
            apellido.label("apellido"),
            nombre.label("nombre"),
            p.dni.label("dni"),
            S.telefono_verificado,
            movil_sql(dim).label("telefono_movil"),
            p.email.label("email"),
            S.email_verificado,
            o.nombre.label("obra_social"),
            pl.nombre.label("plan"),
            S.usuario_contacto,
            S.tomado_desde,
            _latest_envio(Envio.id).label("envio_id"),
            S.atencion_envio_id,
        ),
        dim,  # outer joins: a patient row gone from DIM is still listed
    )


# Sort keys on our own table (the ids-first poll joins DIM's tables only for the others).
_OWN_SORTS = frozenset(
    {"fecha_subida", "telefono_verificado", "resuelto", "fecha_contacto", "usuario_contacto"}
    | {"id_turno_destino"}
)
# Sort keys whose SQL value is never NULL: keyset paging needs no NULL branch for them.
_NOT_NULL_SORTS = frozenset({"fecha_subida", "telefono_verificado", "resuelto"})


@dataclass(frozen=True)
class QueueCursor:
    """Where the next page starts (keyset paging): the last row's sort value and id."""

    valor: Any
    id: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    siguiente: QueueCursor | None  # None: this was the last page


def _order(column: Any, sort: str, descending: bool) -> list[Any]:
    """Same order on every backend: NULLs after values ascending (before them descending),
    then the id, so pages never overlap and a cursor is well defined."""
    out: list[Any] = []
    if sort not in _NOT_NULL_SORTS:
        nulls = case((column.is_(None), 1), else_=0)
        out.append(nulls.desc() if descending else nulls.asc())
    out.append(column.desc() if descending else column.asc())
    out.append(S.id.desc() if descending else S.id.asc())
    return out


def _after(column: Any, sort: str, descending: bool, cursor: QueueCursor) -> ColumnElement[bool]:
    """Rows strictly after `cursor` in `_order`'s order (one index seek, whatever the depth)."""
    if cursor.valor is None:
        same = and_(column.is_(None), S.id < cursor.id if descending else S.id > cursor.id)
        return or_(column.is_not(None), same) if descending else same
    # The leading `>=` / `<=` is what lets the database seek the index to the cursor (an OR
    # alone made SQLite scan from the range's start: 290 ms at depth 500 000). A bound parameter
    # of the column's type: SQLAlchemy refuses `>=` against a bare True/False («Resuelto»).
    valor = cursor.valor
    if isinstance(valor, bool):
        valor = literal(valor, type_=column.type)
    if descending:
        return and_(column <= valor, or_(column < valor, S.id < cursor.id))
    later = and_(column >= valor, or_(column > valor, S.id > cursor.id))
    return later if sort in _NOT_NULL_SORTS else or_(column.is_(None), later)


def page_queue(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    despues: QueueCursor | None = None,
    offset: int = 0,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> QueuePage:
    """One page of the grid, oldest first by default. With `despues` the page starts after that
    cursor (constant cost at any depth); `offset` is only for callers that jump by number."""
    dim = dim_de(session)
    sort = sort if sort in SORT_KEYS else "fecha_subida"
    column = sort_columns(dim)[sort]
    # The cursor's condition goes first: SQLite seeks the index with the first bound it finds,
    # and the range's own start made a page at depth 500 000 cost 90 ms instead of 1.3 ms.
    after = [_after(column, sort, descending, despues)] if despues is not None else []
    mode = search_mode(session, filtro)
    where = [
        *after,
        *queue_conditions(filtro, now, dim=dim, paciente_joined=True, **mode),
        *_state_condition(filtro.estado),
    ]
    order = _order(column, sort, descending)
    if mode.get("modo") in _WALKS and sort == "fecha_subida":
        result = _ids_first(session, dim, where, order, offset if despues is None else 0, limit)
    else:
        stmt = _base_select(dim).add_columns(column.label("orden")).where(*where)
        if despues is None and offset:
            stmt = stmt.offset(offset)
        result = run(session, stmt.order_by(*order).limit(limit)).all()
    rows = [_row(r, now) for r in plain(result)]
    last = result[-1] if len(result) == limit else None
    return QueuePage(rows, QueueCursor(last.orden, last.id) if last is not None else None)


# A text walked along a big range (queue_plan): its page reads ids first.
_WALKS = frozenset({RANGO, RECORRIDO})


def _ids_first(
    session: Session,
    dim: DimTables,
    where: list[ColumnElement[bool]],
    order: list[Any],
    offset: int,
    limit: int,
) -> list[Any]:
    """A text's page walked along the day: the ids in the grid's order from the covering
    (fecha_subida, id, …) index alone — the thousands of requests a frequent name skips never
    read a row — then the page's rows by id (28 → 9 ms on a 100 000-upload day)."""
    ids_stmt = select(S.id).where(*where).order_by(*order).limit(limit)
    if offset:
        ids_stmt = ids_stmt.offset(offset)
    ids = [int(i) for i in run(session, ids_stmt).scalars()]
    found = {
        r.id: r
        for r in by_ids(session, _base_select(dim).add_columns(S.fecha_subida.label("orden")), ids)
    }
    return [found[i] for i in ids if i in found]


def list_queue(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
    despues: QueueCursor | None = None,
) -> list[QueueRow]:
    """The rows of `page_queue` (exports, reports and tests)."""
    return page_queue(
        session,
        filtro,
        now,
        despues=despues,
        offset=offset,
        limit=limit,
        sort=sort,
        descending=descending,
    ).rows


def _with_dim_joins(stmt: Select[Any], dim: DimTables) -> Select[Any]:
    p, o, pl = dim.paciente, dim.obra_social, dim.plan
    return (
        stmt.outerjoin(p.table, p.id == S.paciente_id)
        .outerjoin(o.table, o.id == p.obra_social_id)
        .outerjoin(pl.table, pl.id == p.plan_id)
    )


# Ids per IN list: SQL Server takes at most 2 100 parameters per statement.
IDS_PER_QUERY = 500


def by_ids(session: Session, stmt: Select[Any], ids: list[int]) -> list[Any]:
    """`stmt`'s rows for these request ids, read in IN lists SQL Server accepts."""
    out: list[Any] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        out += run(session, stmt.where(S.id.in_(ids[start : start + IDS_PER_QUERY]))).all()
    return out


def get_rows(session: Session, ids: list[int], now: datetime) -> list[QueueRow]:
    """Fresh copies of specific rows (the grid's refresh of rows changed elsewhere)."""
    return [_row(r, now) for r in plain(by_ids(session, _base_select(dim_de(session)), ids))]


def count_queue(
    session: Session, filtro: QueueFilter, now: datetime, *, tope: int | None = TOPE_CONTEO
) -> QueueCounts:
    """Pendientes, resueltas and «requieren atención» for the filter. With a text, counting
    stops after `tope` matching requests (None: exact, as exports need); see `QueueCounts`.
    The statement is built for this call (`queue_conteo.count_statement`); the grid's counts
    (`queue_conteo.contar`) send the same one, built once per shape."""
    from dim_revision.services.queue_conteo import contar  # it builds on this module

    return contar(session, filtro, now, tope=tope, fresco=True)


def _row(r: Any, now: datetime) -> QueueRow:
    live = lease_live(r.tomado_por, r.tomado_hasta, now)
    return QueueRow(
        id=r.id,
        version=r.version,
        fecha_subida=r.fecha_subida,
        paciente_id=r.paciente_id,
        nombre=nombre_completo(r.apellido, r.nombre),
        dni=r.dni or "",
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
        estado_entrega=r.estado_entrega,
        respondio=r.respuesta_en is not None,
        atencion=necesita_atencion(r.resuelto, r.estado_envio, r.envio_id, r.atencion_envio_id),
    )
