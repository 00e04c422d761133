"""The outbox's read model: the Envíos list of `outbox list` and the supervisor's view.

The moves on an Envío are not here: they all live in `dim_revision.envio` (the sender's in
`envio/por_worker.py`, a person's in `envio/por_persona.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dim_revision.db.models import Envio
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.domain.phones import enmascarar
from dim_revision.envio.estados import EstadoDesconocido, estado_leido
from dim_revision.shared.masking import redact_phones


@dataclass(frozen=True)
class EnvioFila:
    """One line of `outbox list` / the supervisor view. The phone is masked at the source and the
    link and parameters (which carry the patient's token) are never read."""

    id: int
    solicitud_id: int
    estado: E | EstadoDesconocido
    telefono: str  # masked
    plantilla: str
    creado: datetime
    creado_por: str
    enviar_desde: datetime
    intentos: int
    proximo_intento: datetime | None
    ultimo_error: str | None
    proveedor_id: str | None
    enviado_en: datetime | None
    tomado_por: str | None


def list_envios(session: Session, estado: E | None = None, limit: int = 50) -> list[EnvioFila]:
    """Newest first."""
    stmt = select(
        Envio.id,
        Envio.solicitud_id,
        Envio.estado,
        Envio.telefono,
        Envio.plantilla,
        Envio.creado,
        Envio.creado_por,
        Envio.enviar_desde,
        Envio.intentos,
        Envio.proximo_intento,
        Envio.ultimo_error,
        Envio.proveedor_id,
        Envio.enviado_en,
        Envio.tomado_por,
    )
    if estado is not None:
        stmt = stmt.where(Envio.estado == estado.value)
    rows = session.execute(
        stmt.order_by(Envio.enviar_desde.desc(), Envio.id.desc()).limit(limit)
    ).all()
    return [
        EnvioFila(
            id=r.id,
            solicitud_id=r.solicitud_id,
            estado=estado_leido(r.estado),
            telefono=enmascarar(r.telefono),
            plantilla=r.plantilla,
            creado=r.creado,
            creado_por=r.creado_por,
            enviar_desde=r.enviar_desde,
            intentos=r.intentos,
            proximo_intento=r.proximo_intento,
            ultimo_error=redact_phones(r.ultimo_error) if r.ultimo_error else None,
            proveedor_id=r.proveedor_id,
            enviado_en=r.enviado_en,
            tomado_por=r.tomado_por,
        )
        for r in rows
    ]
