"""Supervisor-only actions on a request (issue #6): reopen a resolved one."""

from __future__ import annotations

from datetime import datetime

from dim_revision.db import repository
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.errors import EnvioLocked, ValidationError
from dim_revision.services.operadores import requerir_supervisor
from dim_revision.shared.actor import Actor
from dim_revision.shared.audit import registrar_evento
from dim_revision.shared.guards import guarded_update

MAX_MOTIVO = 2000


def reabrir(
    db: Database, actor: Actor, now: datetime, *, solicitud_id: int, version: int, motivo: str
) -> int:
    """Resolved → unresolved, back in the operators' queue. Returns the new version.

    A send still live (programado/enviando) would go out for a request someone is reworking, so
    it must be cancelled first; sends already delivered stay as history.
    """
    texto = motivo.strip()
    if not texto:
        raise ValidationError("Indicá el motivo para reabrir la solicitud.")
    if len(texto) > MAX_MOTIVO:
        raise ValidationError(f"El motivo supera los {MAX_MOTIVO} caracteres.")
    requerir_supervisor(db, actor)
    with db.uow() as uow:
        s = uow.session
        sol = repository.solicitud_viva(s, solicitud_id)
        if not sol.resuelto:
            raise ValidationError(
                f"La solicitud {solicitud_id} no está resuelta: ya está pendiente."
            )
        live = repository.envio_vivo(s, solicitud_id)
        if live is not None and live.estado == EstadoEnvio.ENVIANDO.value:
            raise EnvioLocked(
                f"El envío {live.id} se está mandando ahora: esperá a que termine para reabrir."
            )
        if live is not None:
            raise ValidationError(
                f"La solicitud tiene el envío {live.id} programado: cancelalo primero y después "
                "reabrila."
            )
        anterior = sol.usuario_resuelto
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            {"resuelto": False, "fecha_resuelto": None, "usuario_resuelto": None},
        )
        registrar_evento(
            s,
            actor,
            "reabierta",
            now,
            solicitud_id=solicitud_id,
            detalle={"motivo": texto, "resuelta_por": anterior},
        )
        uow.commit()
        return new_version
