"""Saltear: the operator leaves a request for later in this pass, with a reason (issue 13.1).

Nothing on the request changes: the pass lives in the workstation's memory. The reason is kept
in the audit trail, so a supervisor sees who skipped what and why.
"""

from __future__ import annotations

from datetime import datetime

from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento

MAX_MOTIVO = 300


def saltear(db: Database, actor: Actor, now: datetime, *, solicitud_id: int, motivo: str) -> str:
    """Record the skip; returns the reason as stored (one line, trimmed)."""
    texto = " ".join(motivo.split())
    if not texto:
        raise ValidationError("Indicá por qué la salteás (elegí un motivo o escribilo).")
    if len(texto) > MAX_MOTIVO:
        raise ValidationError(f"El motivo supera los {MAX_MOTIVO} caracteres.")
    with db.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, solicitud_id)
        if sol is None or sol.fecha_baja is not None:
            raise NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
        registrar_evento(
            s,
            actor,
            "solicitud_salteada",
            now,
            solicitud_id=solicitud_id,
            detalle={"motivo": texto},
        )
        uow.commit()
    return texto
