"""How the queue's text filter is run for one filter (issue 19): the plan with fewer index seeks,
picked from one or two capped counts on indexes (each ≤ 20 000 entries read).

The plan's statement is built once per shape (whether a short range is counted, each name
word's bounds, whether the words' edges are read) with bound parameters for the values
(`queue_texto.Valores`), so a call only binds them: building and keying it cost more than its
SQL (≈1.5 ms of Python a filter change and a count)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds
from dim_revision.db.models import BusquedaPalabra as W
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue_texto import (
    FILA,
    NADA,
    PACIENTES,
    RANGO,
    RECORRIDO,
    UNIDA,
    Valores,
    word_patients,
)
from dim_revision.services.statement_shapes import Shapes

if TYPE_CHECKING:
    from dim_revision.services.queue import QueueFilter

# A date range shorter than this is searched request by request (see queue_texto).
NARROW_DAYS = 7
# The plan's capped counts (one statement, each one index range): a short range's requests
# up to PLAN_CAP + 1, the patients of each typed name word up to WORD_CAP + 1.
PLAN_CAP = 5_000
WORD_CAP = 20_000
NARROW_ROWS = PLAN_CAP  # a range holding at most this many requests probes each one (FILA)
# A page lists a word's patients (then seeks their requests) only when at most this many have
# it: a page of a frequent name stops after its 200 rows when each request probes its patient.
PAGE_PATIENTS = 3_000

# (a short range counted, each name word's upper bound present, the words' edges read, cap)
_Shape = tuple[bool, tuple[bool, ...], bool, int]
_STATEMENTS: Shapes[_Shape, Select[Any] | None] = Shapes()


def _run(session: Session, stmt: Any) -> Any:
    return session.connection().execute(stmt)


def valores(filtro: QueueFilter) -> Valores:
    """The filter's text and day range as `Valores` (the plan's and the count's statements)."""
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    return Valores(filtro.texto, start, end)


def search_mode(
    session: Session, filtro: QueueFilter, *, conteo: bool = False, v: Valores | None = None
) -> dict[str, Any]:
    """`queue_conditions` options for this session and filter: the plan with fewer index seeks,
    from one statement of capped counts — how many requests a short range holds, how many
    patients have each typed name word — and whether this process already knows every patient
    has a search copy. The typed name word fewest patients have guides the plan:
    - a normal day (≤ NARROW_ROWS requests): each request probes its patient (FILA), unless
      fewer patients have the word (PACIENTES, or UNIDA for a count whose word range holds one
      word);
    - a backlog day, a long range or "Pendientes": a few patients are listed (PACIENTES); a
      frequent word walks the range in the grid's order, ids first on the covering index, each
      request looked up in the guide's patient list (RANGO) or, for a very frequent word, probing
      its patient (RECORRIDO), so a page stops after its 200 rows and a count at its `tope`;
    - a word nobody has: NADA (no scan).
    A count's plan (`conteo`) also says how many patients the guide has (`pacientes`, up to
    PLAN_CAP + 1).
    `v`: the filter's `valores` when the caller has them already."""
    completa = bool(session.info.get("db_flags", {}).get("busqueda_completa"))
    if not filtro.texto.strip():
        return {"completa": completa}
    v = valores(filtro) if v is None else v
    names = v.nombres
    shape = (_short(filtro), v.forma()[1], conteo and completa, PLAN_CAP)
    stmt = _cached(shape, v)
    values = list(session.connection().execute(stmt, v.valores).one()) if stmt is not None else []
    rows = int(values.pop(0) or 0) if shape[0] else None
    normal_day = rows is not None and rows <= NARROW_ROWS
    if not names:  # only numbers (DNI, phone): matched on the copy as before
        modo = PACIENTES if rows is None else FILA if normal_day else RANGO
        return {"modo": modo, "completa": completa}
    patients_of = [int(n or 0) for n in values[: len(names)]]
    guia, patients = min(zip(names, patients_of, strict=True), key=lambda pair: pair[1])
    if completa and patients == 0:
        return {"modo": NADA, "completa": completa}
    edges = values[len(names) :]
    i = names.index(guia)
    one_word = conteo and completa and edges[2 * i] == edges[2 * i + 1]
    if normal_day and rows is not None and patients >= rows:
        modo = FILA
    elif conteo:
        modo = UNIDA if one_word else PACIENTES if patients <= PLAN_CAP else RECORRIDO
        # How many patients the guide has (up to PLAN_CAP + 1): "Pendientes" counted in parts
        # picks how to match the range's resolved requests from it (queue_conteo).
        return {"modo": modo, "completa": completa, "guia": guia, "pacientes": patients}
    elif patients <= PAGE_PATIENTS or normal_day:
        modo = PACIENTES
    elif patients > PLAN_CAP and _word_count(session, guia, WORD_CAP) > WORD_CAP:
        modo = RECORRIDO
    else:
        # Several frequent words: together they are rare, and a walk could read the whole
        # range before its 200 rows; the guide's (bounded) patient list is cheaper.
        modo = PACIENTES if len(names) > 1 else RANGO
    return {"modo": modo, "completa": completa, "guia": guia}


def plan_statement(v: Valores, short: bool, edges: bool) -> Select[Any] | None:
    """The plan's capped counts for these values (None: nothing to count): the short range's
    requests, each name word's patients and, with `edges`, each word's first and last word
    (one word, or several?)."""
    counts = (
        [select(func.count()).select_from(_range_rows(v).subquery()).scalar_subquery()]
        if short
        else []
    )
    counts += [_capped_count(v.word_patients(i)) for i in range(len(v.nombres))]
    if edges:
        counts += [_edge(v, i, last) for i in range(len(v.nombres)) for last in (False, True)]
    return select(*counts) if counts else None


def _cached(shape: _Shape, v: Valores) -> Select[Any] | None:
    """The plan's statement for this shape, built once from `v` with bound parameters."""
    return _STATEMENTS.get(shape, lambda: plan_statement(v.ligado(), shape[0], shape[2]))


def _word_count(session: Session, word: str, cap: int) -> int:
    return int(_run(session, select(_capped_count(word_patients(word), cap))).scalar() or 0)


def _edge(v: Valores, i: int, last: bool) -> Any:
    """The first (or last) name word starting with name word `i`: one index seek."""
    order = W.palabra.desc() if last else W.palabra.asc()
    return (
        select(W.palabra)
        .where(v.starts_with(W.palabra, i))
        .order_by(order)
        .limit(1)
        .scalar_subquery()
    )


def _capped_count(stmt: Any, cap: int | None = None) -> Any:
    limit = (PLAN_CAP if cap is None else cap) + 1
    return select(func.count()).select_from(stmt.limit(limit).subquery()).scalar_subquery()


def _short(filtro: QueueFilter) -> bool:
    """Whether the plan counts the range's requests: a short range, not "Pendientes" (which
    reaches back to every earlier day)."""
    long = (filtro.hasta - filtro.desde).days >= NARROW_DAYS
    return not long and filtro.estado is not EstadoFiltro.PENDIENTES_TODAS


def _range_rows(v: Valores) -> Any:
    """A short date range's requests, at most PLAN_CAP + 1 of them, on the covering index."""
    start, end = v("qt_inicio", S.fecha_subida), v("qt_fin", S.fecha_subida)
    return (
        select(S.id)
        .where(S.fecha_subida >= start, S.fecha_subida < end, S.fecha_baja.is_(None))
        .limit(PLAN_CAP + 1)
    )
