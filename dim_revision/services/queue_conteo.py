"""The queue's counts (issue 19), with statements built once per shape for the grid.

Building the statement (the range, the text's subqueries, the «requiere atención» probe) on
every call, and SQLAlchemy then walking the new statement for its cache key, cost ~3 ms of
Python at 1M requests around a few milliseconds of SQL, on every filter change and poll.
`contar` builds the statement (`count_statement`; `count_queue` builds it afresh) once per
shape — state ("Pendientes" reaches back), the cap, and for a text the plan (`search_mode`),
the kinds of its words (`Valores.forma`) and the guide word — with bound parameters for the
day range and the text's patterns, so a call only binds values; the plan's statement is cached
the same way (`queue_plan`). "Pendientes" without a text is counted as index ranges
(`_reach_back_counts`); a text whose guide word many patients have, in parts (`por_partes`).
Tests compare the SQL and the counts with `count_queue` on every dialect, and `count_queue`
with the rows the grid lists.
"""

from __future__ import annotations

from collections.abc import Callable
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
from dim_revision.services.queue_plan import (
    NARROW_ROWS,
    PAGE_PATIENTS,
    PLAN_CAP,
    search_mode,
    valores,
)
from dim_revision.services.queue_texto import (
    FILA,
    PACIENTES,
    RANGO,
    RECORRIDO,
    UNIDA,
    Valores,
    text_condition,
)
from dim_revision.services.statement_shapes import ShapesPerDim

# (reaches back, cap, and for a text: its words' shape, plan, complete copy, guide word's
# index and the part counted — 0: all at once, 1 or 2: `por_partes`)
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
    dim: DimTables,
    todas: bool,
    v: Valores,
    mode: dict[str, Any] | None,
    tope: int | None,
    parte: int = 0,
) -> Select[Any]:
    """`count_queue`'s statement from `v`'s values (`mode` None: no text); `parte` 1 or 2: that
    part of the count `por_partes` makes."""
    if parte:
        assert mode is not None
        return _part_statement(dim, todas, v, mode, tope, parte)
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


# A text with a guide word (every patient copied): counted in parts.
_GUIDED = frozenset({UNIDA, PACIENTES, RECORRIDO})


def por_partes(mode: dict[str, Any] | None) -> bool:
    """Whether this text is counted in parts: a guide word many patients have (more than
    PAGE_PATIENTS), every patient copied. As one statement, "Pendientes"' OR of
    `pendientes_todas` made the count read every request of the word's patients back to the
    first (13 000 patients, 41 000 requests: 25 ms at 1M), and a backlog day's count read the
    day's requests of the word's patients in both states until the cap. In parts
    (`_part_statement`): (1) the unresolved requests, one seek per patient in the partial index
    of the unresolved (migration 0112), where a frequent word reaches the cap; (2), only when
    it did not, the resolved ones. A word few patients have costs one seek per patient either
    way: one statement, one round trip. (A normal day's frequent word probes each request:
    FILA, not guided.)"""
    if mode is None or not mode["completa"] or mode.get("guia") is None:
        return False
    return int(mode.get("pacientes", 0)) > PAGE_PATIENTS and mode["modo"] in _GUIDED


def _part_statement(
    dim: DimTables, todas: bool, v: Valores, mode: dict[str, Any], tope: int | None, parte: int
) -> Select[Any]:
    """Part 1: the unresolved requests (capped) — in the range or, for "Pendientes", before its
    end —, the attention count and how many requests the range holds resolved (up to
    NARROW_ROWS + 1: `_resolved_mode`); part 2 (`mode` from `_resolved_mode`): the resolved ones
    in the range and, for "Pendientes", the earlier ones requiring attention (each capped). The
    parts are disjoint and together are the filter's requests."""
    start, end = v("qt_inicio", S.fecha_subida), v("qt_fin", S.fecha_subida)
    alive = (S.fecha_subida < end, S.fecha_baja.is_(None))
    resolved = (S.resuelto == true(), S.fecha_subida >= start, *alive)
    if parte == 1:
        unresolved = (S.resuelto == false(), *alive, *(() if todas else (S.fecha_subida >= start,)))
        attention = _conditions(dim, todas, v, mode | _PROBE)
        in_range = select(S.id).where(*resolved).limit(NARROW_ROWS + 1).subquery()
        return select(
            _capped(dim, v, mode, tope, *unresolved),
            select(func.count()).select_from(S).where(*attention, _atencion()).scalar_subquery(),
            select(func.count()).select_from(in_range).scalar_subquery(),
        )
    counts = [_capped(dim, v, mode, tope, *resolved)]
    if todas:
        # The few requests requiring attention each probe their patient (as the attention count).
        counts.append(
            _capped(dim, v, mode | _PROBE, tope, S.fecha_subida < start, *alive, _atencion())
        )
    return select(*counts)


def _resolved_mode(mode: dict[str, Any], resolved: int) -> dict[str, Any]:
    """How part 2 matches the text among the range's resolved requests, as the plan would: a
    normal day's few, when the guide's patients are not fewer, each probe their patient (FILA);
    a guide few patients have drives the count from them; on a backlog day (30 000 resolved in
    the day) a frequent one is looked up in its patients' list while the range is walked
    (RANGO: 48 → 15 ms at 30 000, against probing each)."""
    pacientes = int(mode.get("pacientes", PLAN_CAP + 1))
    if resolved <= NARROW_ROWS and pacientes >= resolved:
        return mode | {"modo": FILA}
    if pacientes <= PAGE_PATIENTS:
        return mode
    return mode | {"modo": RANGO}


def _capped(dim: DimTables, v: Valores, mode: dict[str, Any], tope: int | None, *where: Any) -> Any:
    """How many requests meet `where` and the text as `mode` plans it, at most `tope + 1`."""
    matched = select(S.id).where(*where)
    if mode["modo"] == UNIDA:  # the guide word's patients, joined (see queue_plan)
        matched = matched.join_from(W, S, S.paciente_id == W.paciente_id)
        matched = matched.where(v.starts_with(W.palabra, v.indice(mode["guia"])))
    text_cond = text_condition(
        dim, "", modo=mode["modo"], completa=True, guia=mode["guia"], valores=v
    )
    if text_cond is not None:
        matched = matched.where(text_cond)
    if tope is not None:
        matched = matched.limit(tope + 1)
    return select(func.count()).select_from(matched.subquery()).scalar_subquery()


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
    dim: DimTables,
    todas: bool,
    v: Valores,
    mode: dict[str, Any] | None,
    tope: int | None,
    parte: int = 0,
) -> Select[Any]:
    if mode is None:
        shape: _Shape = (todas, None, None)
    else:
        guia = mode.get("guia")
        guide = v.indice(guia) if guia is not None else None
        shape = (todas, tope, (v.forma(), mode["modo"], mode["completa"], guide, parte))
    return _STATEMENTS.get(
        dim, shape, lambda: count_statement(dim, todas, v.ligado(), mode, tope, parte)
    )


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

    def counts(mode: dict[str, Any] | None, parte: int = 0) -> list[int]:
        if fresco:
            stmt, params = count_statement(dim, todas, v, mode, tope, parte), None
        else:
            stmt, params = _statement(dim, todas, v, mode, tope, parte), v.valores
        return [int(n or 0) for n in session.connection().execute(stmt, params).one()]

    if mode is not None and por_partes(mode):
        return _by_parts(counts, mode, tope)
    pendientes, resueltas, atencion = counts(mode)
    if mode is None:
        return QueueCounts(pendientes, resueltas, atencion)
    capped = tope is not None and pendientes + resueltas > tope
    return QueueCounts(pendientes, resueltas, atencion, tope if capped else None)


def _by_parts(
    counts: Callable[[dict[str, Any], int], list[int]], mode: dict[str, Any], tope: int | None
) -> QueueCounts:
    """`por_partes`' counts: part 2 only when the unresolved did not reach the cap. Capped, the
    pendientes and resueltas add up to `tope + 1`, as one statement's would."""
    pendientes, atencion, resolved = counts(mode, 1)
    if tope is not None and pendientes > tope:
        return QueueCounts(pendientes, 0, atencion, tope)
    resueltas = sum(counts(_resolved_mode(mode, resolved), 2))
    if tope is not None and pendientes + resueltas > tope:
        return QueueCounts(pendientes, tope + 1 - pendientes, atencion, tope)
    return QueueCounts(pendientes, resueltas, atencion)
