"""The grid's page query built once per shape (issue 19): no text filter, any sort and cursor.

`page_queue` builds its SELECT (four correlated subqueries, three joins, the state condition)
on every call, and SQLAlchemy then walks the new statement for its cache key: about 1 ms of
Python around a 0.2 ms query for a screenful. Here the statement for one shape (DIM mapping,
state, sort, direction, kind of cursor, limit) is built once, with bound parameters for what
varies (the day range and the cursor), so a call only binds values and SQLAlchemy reuses the
statement's cache key and compiled form. The SQL is the one `page_queue` sends (tests compare
them on every dialect); a text filter or an OFFSET still goes through `page_queue`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds
from dim_revision.db.dim_mapping import DimTables, dim_de
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue import (
    SORT_KEYS,
    QueueCursor,
    QueueFilter,
    QueuePage,
    _after,
    _base_select,
    _order,
    _row,
    _state_condition,
    pendientes_todas,
    sort_columns,
)
from dim_revision.services.queue_filas import plain
from dim_revision.services.statement_shapes import ShapesPerDim

# estado, sort, descending, cursor kind ("none" / "null" / "value"), limit
_Shape = tuple[EstadoFiltro, str, bool, str, int]
# per DIM mapping: states × sorts × directions × cursors × a few limits
_STATEMENTS: ShapesPerDim[_Shape, Select[Any]] = ShapesPerDim()


def sin_texto(filtro: QueueFilter, offset: int = 0) -> bool:
    """Whether `pagina_sin_texto` serves this page (else `page_queue` does)."""
    return not filtro.texto.strip() and not offset


def _kind(despues: QueueCursor | None) -> str:
    if despues is None:
        return "none"
    return "null" if despues.valor is None else "value"


def page_statement(dim: DimTables, shape: _Shape) -> Select[Any]:
    """`page_queue`'s SELECT for a filter without text, its values left as bound parameters
    (`q_inicio`, `q_fin`; after a cursor `q_id` and, unless its value is NULL, `q_valor`)."""
    estado, sort, descending, kind, limit = shape
    column = sort_columns(dim)[sort]
    start = bindparam("q_inicio", type_=S.fecha_subida.type)
    end = bindparam("q_fin", type_=S.fecha_subida.type)
    after = []
    if kind != "none":
        valor = None if kind == "null" else bindparam("q_valor", type_=column.type)
        cursor = QueueCursor(valor, bindparam("q_id", type_=S.id.type))  # type: ignore[arg-type]
        after.append(_after(column, sort, descending, cursor))
    # As `queue_conditions` without a text: the range (or "Pendientes"' reach back), not deleted.
    todas = estado is EstadoFiltro.PENDIENTES_TODAS
    conds = [
        pendientes_todas(start) if todas else S.fecha_subida >= start,  # type: ignore[arg-type]
        S.fecha_subida < end,
        S.fecha_baja.is_(None),
    ]
    return (
        _base_select(dim)
        .add_columns(column.label("orden"))
        .where(*after, *conds, *_state_condition(estado))
        .order_by(*_order(column, sort, descending))
        .limit(limit)
    )


def _cached(dim: DimTables, shape: _Shape) -> Select[Any]:
    return _STATEMENTS.get(dim, shape, lambda: page_statement(dim, shape))


def pagina_sin_texto(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    despues: QueueCursor | None = None,
    limit: int = 200,
    sort: str = "fecha_subida",
    descending: bool = False,
) -> QueuePage:
    """`page_queue` for a filter without text (same SQL, same rows), from a cached statement."""
    sort = sort if sort in SORT_KEYS else "fecha_subida"
    shape = (filtro.estado, sort, descending, _kind(despues), limit)
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    params: dict[str, Any] = {"q_inicio": start, "q_fin": end}
    if despues is not None:
        params["q_id"] = despues.id
        if despues.valor is not None:
            params["q_valor"] = despues.valor
    stmt = _cached(dim_de(session), shape)
    result = session.connection().execute(stmt, params).all()
    rows = [_row(r, now) for r in plain(result)]
    last = result[-1] if len(result) == limit else None
    return QueuePage(rows, QueueCursor(last.orden, last.id) if last is not None else None)
