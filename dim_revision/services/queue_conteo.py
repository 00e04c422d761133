"""The queue's counts (issue 19), with statements built once per shape for the grid.

Building the statement (the range, the text's subqueries, the «requiere atención» probe) on
every call, and SQLAlchemy then walking the new statement for its cache key, cost ~3 ms of
Python at 1M requests around a few milliseconds of SQL, on every filter change and poll.
`contar` builds the statement (`count_statement`; `count_queue` builds it afresh) once per
shape — state ("Pendientes" reaches back), the cap, and for a text the plan (`search_mode`),
the kinds of its words (`Valores.forma`) and the guide word — with bound parameters for the
day range and the text's patterns, so a call only binds values; the plan's statement is cached
the same way (`queue_plan`). "Pendientes" without a text is counted as index ranges
(`_reach_back_counts`). Tests compare the SQL and the counts with `count_queue` on every
dialect, and `count_queue` with the rows the grid lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, select, true
from sqlalchemy.orm import Session

from dim_revision.db.dim_mapping import DimTables, dim_de
from dim_revision.db.models import BusquedaPalabra as W
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue import (
    TOPE_CONTEO,
    QueueCounts,
    QueueFilter,
    _atencion,
    pendientes_todas,
)
from dim_revision.services.queue_plan import search_mode, valores
from dim_revision.services.queue_texto import FILA, UNIDA, Valores, text_condition
from dim_revision.services.statement_shapes import ShapesPerDim

# (reaches back, cap, and for a text: its words' shape, plan, complete copy, guide word's index)
_Shape = tuple[bool, int | None, tuple[Any, ...] | None]
# per DIM mapping: the texts' shapes are few (words and numbers typed)
_STATEMENTS: ShapesPerDim[_Shape, Select[Any]] = ShapesPerDim()
_PROBE = {"modo": FILA}  # the attention count: its few requests each probe their patient


def _conditions(
    dim: DimTables, todas: bool, v: Valores, mode: dict[str, Any] | None
) -> list[ColumnElement[bool]]:
    """`queue_conditions` from `v`'s values: the range (or "Pendientes"' reach back), not
    deleted, and with `mode` the text as `search_mode` planned it."""
    start, end = v("qt_inicio", S.fecha_subida), v("qt_fin", S.fecha_subida)
    conds = [
        pendientes_todas(start) if todas else S.fecha_subida >= start,
        S.fecha_subida < end,
        S.fecha_baja.is_(None),
    ]
    if mode is not None:
        text_cond = text_condition(
            dim,
            "",
            modo=mode["modo"],
            completa=mode["completa"],
            guia=mode.get("guia"),
            valores=v,
        )
        if text_cond is not None:
            conds.append(text_cond)
    return conds


def count_statement(
    dim: DimTables, todas: bool, v: Valores, mode: dict[str, Any] | None, tope: int | None
) -> Select[Any]:
    """`count_queue`'s statement from `v`'s values (`mode` None: no text)."""
    conds = _conditions(dim, todas, v, mode)

    def count(*more: ColumnElement[bool], where: list[ColumnElement[bool]] = conds) -> Any:
        return select(func.count()).select_from(S).where(*where, *more).scalar_subquery()

    if mode is None and todas:
        return select(*_reach_back_counts(v))
    if mode is None:
        # One statement, three index ranges: pendientes and resueltas on the (resuelto,
        # fecha_baja, fecha_subida) index read no row (100 000 uploads in a day: no per-row
        # CASE); the attention count starts from the few failed sends. Each a scalar subquery:
        # SQL Server refuses an aggregate over an expression with a subquery.
        return select(count(S.resuelto == false()), count(S.resuelto == true()), count(_atencion()))
    matched = select(S.resuelto).where(*conds)
    if mode["modo"] == UNIDA:  # the guide word's patients, joined (see queue_plan)
        matched = matched.join_from(W, S, S.paciente_id == W.paciente_id)
        matched = matched.where(v.starts_with(W.palabra, v.indice(mode["guia"])))
    if tope is not None:
        matched = matched.limit(tope + 1)
    sub = matched.subquery()
    return select(
        func.sum(case((sub.c.resuelto == false(), 1), else_=0)),
        func.sum(case((sub.c.resuelto == true(), 1), else_=0)),
        count(_atencion(), where=_conditions(dim, todas, v, mode | _PROBE)),
    )


def _reach_back_counts(v: Valores) -> list[Any]:
    """The counts of "Pendientes" without a text, each one index range: the OR of
    `pendientes_todas` (in the range, or unresolved, or requiring attention, from any earlier
    day) made each count read every request before the range's end (264 ms at 1M). Split
    exactly: every unresolved request before the end; the resolved ones in the range plus the
    earlier ones requiring attention (disjoint); those requiring attention before the end."""
    start, end = v("qt_inicio", S.fecha_subida), v("qt_fin", S.fecha_subida)

    def count(*where: ColumnElement[bool]) -> Any:
        before_end = (S.fecha_subida < end, S.fecha_baja.is_(None))
        return select(func.count()).select_from(S).where(*before_end, *where).scalar_subquery()

    in_range = count(S.resuelto == true(), S.fecha_subida >= start)
    return [
        count(S.resuelto == false()),
        in_range + count(S.fecha_subida < start, _atencion()),
        count(_atencion()),
    ]


def _statement(
    dim: DimTables, todas: bool, v: Valores, mode: dict[str, Any] | None, tope: int | None
) -> Select[Any]:
    if mode is None:
        shape: _Shape = (todas, None, None)
    else:
        guia = mode.get("guia")
        guide = v.indice(guia) if guia is not None else None
        shape = (todas, tope, (v.forma(), mode["modo"], mode["completa"], guide))
    return _STATEMENTS.get(dim, shape, lambda: count_statement(dim, todas, v.ligado(), mode, tope))


def contar(
    session: Session,
    filtro: QueueFilter,
    now: datetime,
    *,
    tope: int | None = TOPE_CONTEO,
    fresco: bool = False,
) -> QueueCounts:
    """`count_queue`'s counts from statements built once per shape (`fresco`: built for this
    call, its values in it, as `count_queue` asks)."""
    del now  # the counts do not depend on the time of day
    dim = dim_de(session)
    v = valores(filtro)
    todas = filtro.estado is EstadoFiltro.PENDIENTES_TODAS
    mode = search_mode(session, filtro, conteo=True, v=v) if filtro.texto.strip() else None
    if fresco:
        stmt, params = count_statement(dim, todas, v, mode, tope), None
    else:
        stmt, params = _statement(dim, todas, v, mode, tope), v.valores
    row = session.connection().execute(stmt, params).one()
    pendientes, resueltas, atencion = (int(n or 0) for n in row)
    if mode is None:
        return QueueCounts(pendientes, resueltas, atencion)
    capped = tope is not None and pendientes + resueltas > tope
    return QueueCounts(pendientes, resueltas, atencion, tope if capped else None)
