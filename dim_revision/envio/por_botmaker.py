"""What Botmaker's own record decides about an Envío (webhook, reconciliation; issues #12, #17).

- an *incierto* Botmaker has → *enviado* (`confirmar_incierto`), one it provably lacks → back to
  *programado*, due now (`reencolar`);
- the delivery state (`estado_entrega`, beside the outbox state machine) only moves forward:
  entregado → leído; error de entrega is final (`avanzar_entrega`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, or_, update
from sqlalchemy.orm import Session

from dim_revision.db.base import UTCDateTime
from dim_revision.db.models import Envio
from dim_revision.domain.enums import EstadoEntrega
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.estados import Mov
from dim_revision.envio.mover import Ref, mover
from dim_revision.shared.actor import Actor
from dim_revision.shared.audit import registrar_evento
from dim_revision.shared.masking import redact_phones

REQUEUE_REASON = "Botmaker confirmó que no recibió el mensaje: se vuelve a enviar."


def confirmar_incierto(
    s: Session, envio_id: int, solicitud_id: int, now: datetime, actor: Actor, origen: str
) -> bool:
    """Botmaker has our message: an *incierto* becomes *enviado* without a person (issue #17)."""
    return mover(
        s,
        Mov.CONFIRMAR_BOTMAKER,
        Ref(envio_id, solicitud_id),
        actor,
        now,
        valores={"enviado_en": now, "tomado_por": None, "tomado_hasta": None},
        detalle={"desde": E.INCIERTO.value, "origen": origen},
    )


def reencolar(s: Session, envio_id: int, solicitud_id: int, now: datetime, actor: Actor) -> bool:
    """incierto → programado, due now: Botmaker provably never got it, so sending is safe."""
    return mover(
        s,
        Mov.REENCOLAR_BOTMAKER,
        Ref(envio_id, solicitud_id),
        actor,
        now,
        valores={
            "tomado_por": None,
            "tomado_hasta": None,
            "proximo_intento": None,
            "ultimo_error": REQUEUE_REASON,
            "conciliado_en": None,
        },
        detalle={"desde": E.INCIERTO.value, "motivo": REQUEUE_REASON},
    )


def _lower_ranks(estado: EstadoEntrega) -> list[str]:
    return [e.value for e in EstadoEntrega if e.rango < estado.rango]


def avanzar_entrega(
    s: Session,
    envio_id: int,
    solicitud_id: int,
    estado: EstadoEntrega,
    fecha: datetime,
    motivo: str | None,
    now: datetime,
    actor: Actor,
    origen: str,
) -> bool:
    """Move the delivery state forward (one conditional UPDATE); False if it was already there."""
    values: dict[str, Any] = {"estado_entrega": estado.value, "entrega_actualizada": now}
    if estado is EstadoEntrega.ENTREGADO:
        values["entregado_en"] = fecha
    elif estado is EstadoEntrega.LEIDO:
        values["leido_en"] = fecha
        # Read implies delivered: fill its time if that webhook was missed (same statement).
        values["entregado_en"] = func.coalesce(
            Envio.entregado_en, literal(fecha, type_=UTCDateTime())
        )
    else:
        values["error_entrega"] = redact_phones(motivo or "")[:300] or None
    won = s.execute(
        update(Envio)
        .where(
            Envio.id == envio_id,
            or_(Envio.estado_entrega.is_(None), Envio.estado_entrega.in_(_lower_ranks(estado))),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if won != 1:
        return False
    detalle: dict[str, Any] = {"fecha": fecha.isoformat(), "origen": origen}
    if values.get("error_entrega"):
        detalle["motivo"] = values["error_entrega"]
    registrar_evento(
        s,
        actor,
        f"entrega_{estado.value}",
        now,
        solicitud_id=solicitud_id,
        envio_id=envio_id,
        detalle=detalle,
    )
    return True
