"""The lookups every service repeats, written once (cosmicpython's repository, kept small).

They take the caller's `Session` (the service's unit of work) and raise the Spanish `NotFound`
the screens show, so "load the live solicitud or say why not" reads the same everywhere. An
envío by id, for a move, is `dim_revision.envio.mover.leer_actual` (it also refuses a state this
version does not know).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.domain.enums import ESTADOS_VIVOS
from dim_revision.errors import NotFound


def solicitud_viva(session: Session, solicitud_id: int) -> SolicitudAsistencia:
    """The solicitud, unless it does not exist or was deleted (`fecha_baja`)."""
    sol = session.get(SolicitudAsistencia, solicitud_id)
    if sol is None or sol.fecha_baja is not None:
        raise NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
    return sol


def envio_vivo(session: Session, solicitud_id: int) -> Envio | None:
    """The solicitud's send still programado or enviando (at most one: a unique index)."""
    return session.scalars(
        select(Envio).where(Envio.solicitud_id == solicitud_id, Envio.estado.in_(ESTADOS_VIVOS))
    ).first()
