"""«Requiere atención» (issue 13.2): a resolved request whose latest send failed or is incierto.

Confirming resolves the record, so a send that later fails would drop out of every operator's
default view. These predicates bring it back: the queue's default state, its own filter value
and count, and `claims.next_free` all use them. An operator resolves the attention with
Resuelto (`acciones.marcar_resuelto` records which Envio it was, in `atencion_envio_id`), fixes
the mobile and confirms again (a new send), or leaves an incierto to a supervisor.

`requiere_atencion()` is SQL (a correlated EXISTS, valid T-SQL); `necesita_atencion` is its
Python twin for rows already read (the latest Envio's state and id).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from dim_revision.db.models import Envio
from dim_revision.db.models import SolicitudAsistencia as S
from dim_revision.domain.enums import EstadoEnvio

ESTADOS_ATENCION = (EstadoEnvio.FALLIDO, EstadoEnvio.INCIERTO)


def requiere_atencion() -> ColumnElement[bool]:
    """Resolved, its latest Envio fallido or incierto, and that failure not yet resolved.

    A failing Envio with no newer one for the same request, probed by solicitud_id (indexed)
    only for requests in the small uncorrelated set of those with a failing send (measured on
    100 000 requests: the fastest of the forms tried for the page, the filter and the count)."""
    envio, newer = aliased(Envio), aliased(Envio)
    estados = [e.value for e in ESTADOS_ATENCION]
    return and_(
        S.resuelto == true(),
        # The few requests that ever had a failing send (uncorrelated, once, through the index
        # on envio.estado): the database can start from them instead of every resolved row.
        S.id.in_(select(Envio.solicitud_id).where(Envio.estado.in_(estados))),
        exists().where(
            envio.solicitud_id == S.id,
            envio.estado.in_(estados),
            ~exists().where(newer.solicitud_id == envio.solicitud_id, newer.id > envio.id),
            or_(S.atencion_envio_id.is_(None), S.atencion_envio_id != envio.id),
        ),
    )


def por_trabajar() -> ColumnElement[bool]:
    """What an operator still has to work: unresolved, or resolved but requiring attention."""
    return or_(S.resuelto == false(), requiere_atencion())


def necesita_atencion(
    resuelto: bool, estado_envio: str | None, envio_id: int | None, atencion_envio_id: int | None
) -> bool:
    """`requiere_atencion()` for values already read (the latest Envio's state and id)."""
    return (
        bool(resuelto)
        and estado_envio in {e.value for e in ESTADOS_ATENCION}
        and envio_id is not None
        and atencion_envio_id != envio_id
    )


def motivo(estado_envio: str | None, ultimo_error: str | None) -> str:
    """Why the record needs attention, in one Spanish sentence (grid tooltip, record)."""
    if estado_envio == EstadoEnvio.INCIERTO:
        return "No se sabe si el WhatsApp salió (incierto): lo revisa un supervisor."
    detalle = (ultimo_error or "sin detalle").strip().rstrip(".")
    return f"El WhatsApp no salió: {detalle}."
