"""Deshacer: take back Resuelto or Cancelar envío a few seconds after doing it (issue 13.7).

Each undo is a real move through the services, audited: a resolution by this same operator is
reopened (nothing had been sent), a cancelled send is confirmed again with the same prestaciones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from dim_revision.clock import as_utc
from dim_revision.db.models import Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ESTADOS_VIVOS
from dim_revision.errors import NotFound, ValidationError
from dim_revision.services import envios
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.envios import EnvioConfig, EnvioProgramado
from dim_revision.services.guards import guarded_update

# The screen offers the undo for 10 s; the service accepts it a little longer (slow database).
PLAZO = timedelta(minutes=2)


def deshacer_resuelto(
    db: Database, actor: Actor, now: datetime, *, solicitud_id: int, version: int
) -> int:
    """Resolved → unresolved again, only for the operator who just resolved it without a send."""
    with db.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, solicitud_id)
        if sol is None or sol.fecha_baja is not None:
            raise NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
        if not sol.resuelto:
            raise ValidationError("La solicitud ya está sin resolver: no hay nada que deshacer.")
        late = sol.fecha_resuelto is None or as_utc(now) - as_utc(sol.fecha_resuelto) > PLAZO
        if sol.usuario_resuelto != actor.usuario or late:
            raise ValidationError(
                "Ya no se puede deshacer: pedile a un supervisor que reabra la solicitud."
            )
        live = s.scalars(
            select(Envio.id).where(
                Envio.solicitud_id == solicitud_id,
                Envio.estado.in_([e.value for e in ESTADOS_VIVOS]),
            )
        ).first()
        if live is not None:
            raise ValidationError(
                "La solicitud tiene un envío programado: cancelalo en lugar de deshacer."
            )
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            {"resuelto": False, "fecha_resuelto": None, "usuario_resuelto": None},
        )
        registrar_evento(s, actor, "resuelto_deshecho", now, solicitud_id=solicitud_id)
        uow.commit()
        return new_version


def deshacer_cancelacion(
    db: Database,
    actor: Actor,
    now: datetime,
    cfg: EnvioConfig,
    key: str | None,
    *,
    solicitud_id: int,
    version: int,
    prestacion_ids: Sequence[int],
) -> EnvioProgramado:
    """Schedule again the send just cancelled, with the same prestaciones (a new link)."""
    if not prestacion_ids:
        raise ValidationError("El envío cancelado no tenía prestaciones: no hay nada que deshacer.")
    result = envios.confirmar_envio(
        db,
        actor,
        now,
        cfg,
        key,
        solicitud_id=solicitud_id,
        version=version,
        prestacion_ids=list(prestacion_ids),
    )
    with db.uow() as uow:
        registrar_evento(
            uow.session,
            actor,
            "cancelacion_deshecha",
            now,
            solicitud_id=solicitud_id,
            envio_id=result.envio_id,
        )
        uow.commit()
    return result
