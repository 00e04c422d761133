"""The append-only audit trail: every service writes one Evento in the same transaction as its change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dim_revision.db.models import Evento
from dim_revision.shared.actor import Actor

_SECRET_HINTS = ("token", "password", "clave", "secret", "key")


def _scrub(detalle: dict[str, Any]) -> dict[str, Any]:
    """Defence in depth: never let a secret-looking field reach the audit table."""
    return {
        k: ("***" if any(h in k.lower() for h in _SECRET_HINTS) and k != "token_id" else v)
        for k, v in detalle.items()
    }


def registrar_evento(
    session: Session,
    actor: Actor,
    accion: str,
    now: datetime,
    *,
    solicitud_id: int | None = None,
    envio_id: int | None = None,
    detalle: dict[str, Any] | None = None,
) -> Evento:
    evento = Evento(
        fecha=now,
        usuario=actor.usuario,
        estacion=actor.estacion,
        solicitud_id=solicitud_id,
        envio_id=envio_id,
        accion=accion,
        detalle=json.dumps(_scrub(detalle), ensure_ascii=False, default=str) if detalle else None,
    )
    session.add(evento)
    return evento
