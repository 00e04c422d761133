"""How the queue's text filter is run for one filter (issue 19): the plan with fewer index seeks,
picked from one or two capped counts on indexes (each ≤ 20 000 entries read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.services.queue_texto import (
    FILA,
    NADA,
    PACIENTES,
    RANGO,
    name_words,
    word_patients,
)

if TYPE_CHECKING:
    from dim_revision.services.queue import QueueFilter

# A date range shorter than this is searched request by request (see queue_texto).
NARROW_DAYS = 7
NARROW_ROWS = 20_000  # …and holding at most this many requests
# A typed name word's patients are counted up to this many (one index range) to pick the plan…
WORD_PATIENTS_CAP = 20_000
# …and a page lists them (then seeks their requests) when at most this many have it.
PAGE_PATIENTS = 3_000


def _run(session: Session, stmt: Any) -> Any:
    return session.connection().execute(stmt)


def search_mode(session: Session, filtro: QueueFilter, *, conteo: bool = False) -> dict[str, Any]:
    """`queue_conditions` options for this session and filter (one or two capped counts on
    indexes, each ≤ 20 000 entries read): how many requests the range holds (a short range),
    how many patients have each typed name word, and whether this process already knows every
    patient has a search copy. The plan is the one with fewer index seeks: a name word fewer
    patients have than the range has requests lists those patients (PACIENTES) — for a page only
    when they are few, since a page of a frequent name stops after its 200 rows when each
    request probes its patient (FILA / RANGO); a word no patient has is NADA (no scan)."""
    completa = bool(session.info.get("db_flags", {}).get("busqueda_completa"))
    if not filtro.texto.strip():
        return {"completa": completa}
    rows = _range_rows(session, filtro)
    by_request = FILA if rows is not None and rows <= NARROW_ROWS else RANGO
    names = name_words(filtro.texto)
    if not names:  # only numbers (DNI, phone): matched on the copy as before
        return {"modo": by_request if rows is not None else PACIENTES, "completa": completa}
    counts = _word_counts(session, names)
    guia, patients = min(zip(names, counts, strict=True), key=lambda pair: pair[1])
    if completa and patients == 0:
        return {"modo": NADA, "completa": completa}
    fewer = rows is None or patients < rows
    by_patient = fewer if conteo else fewer and patients <= PAGE_PATIENTS
    return {"modo": PACIENTES if by_patient else by_request, "completa": completa, "guia": guia}


def _range_rows(session: Session, filtro: QueueFilter) -> int | None:
    """The requests of a short date range, counted up to NARROW_ROWS + 1 on the covering
    index; None for a long range or "Pendientes" (which reaches back to every earlier day)."""
    long = (filtro.hasta - filtro.desde).days >= NARROW_DAYS
    if long or filtro.estado is EstadoFiltro.PENDIENTES_TODAS:
        return None
    start, end = local_day_bounds(filtro.desde, filtro.hasta)
    capped = (
        select(S.id)
        .where(S.fecha_subida >= start, S.fecha_subida < end, S.fecha_baja.is_(None))
        .limit(NARROW_ROWS + 1)
        .subquery()
    )
    return int(_run(session, select(func.count()).select_from(capped)).scalar() or 0)


def _word_counts(session: Session, words: list[str]) -> list[int]:
    """How many patients have a name word starting with each word (up to WORD_PATIENTS_CAP + 1
    each), in one statement."""
    counts = [
        select(func.count())
        .select_from(word_patients(w).limit(WORD_PATIENTS_CAP + 1).subquery())
        .scalar_subquery()
        for w in words
    ]
    return [int(n or 0) for n in _run(session, select(*counts)).one()]
