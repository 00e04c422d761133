"""The other actions on a request: Resuelto, Indicar contacto, dar de baja (requirements' three circuits).

Resuelto on a resolved request whose send failed or is incierto («Requiere atención», issue 13.2)
resolves that attention: it records which Envio it was, so the record leaves the operators' view
until a later send fails again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dim_revision.db import repository
from dim_revision.db.models import Contacto, Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, ResultadoContacto
from dim_revision.envio import por_persona
from dim_revision.envio.mover import Actual
from dim_revision.errors import EnvioLocked, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.atencion import necesita_atencion
from dim_revision.services.audit import registrar_evento
from dim_revision.services.guards import RELEASED, guarded_update, resolved_values

MAX_COMENTARIO = 2000


def marcar_resuelto(
    db: Database,
    actor: Actor,
    now: datetime,
    *,
    solicitud_id: int,
    version: int,
    comentario: str = "",
) -> int:
    """Close without sending (e.g. solved by phone). Returns the new version."""
    with db.uow() as uow:
        s = uow.session
        sol = repository.solicitud_viva(s, solicitud_id)
        if sol.resuelto:
            return _resolver_atencion(s, actor, now, sol, version, comentario)
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            resolved_values(actor, now),
        )
        registrar_evento(
            s,
            actor,
            "marcado_resuelto",
            now,
            solicitud_id=solicitud_id,
            detalle={"comentario": comentario.strip()} if comentario.strip() else None,
        )
        uow.commit()
        return new_version


def registrar_contacto(
    db: Database,
    actor: Actor,
    now: datetime,
    *,
    solicitud_id: int,
    version: int,
    resultado: ResultadoContacto | str,
    comentario: str,
) -> int:
    """Append to the contact history and fill the last-contact columns; date and user are automatic."""
    try:
        outcome = ResultadoContacto(resultado)
    except ValueError:
        raise ValidationError(f"Resultado de contacto desconocido: «{resultado}».") from None
    text = comentario.strip()
    if not text and outcome.pide_comentario:
        raise ValidationError(f"Escribí un comentario sobre el contacto («{outcome.etiqueta}»).")
    if len(text) > MAX_COMENTARIO:
        raise ValidationError(f"El comentario supera los {MAX_COMENTARIO} caracteres.")
    with db.uow() as uow:
        s = uow.session
        mensaje = f"{outcome.etiqueta}: {text}" if text else outcome.etiqueta
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            {"fecha_contacto": now, "usuario_contacto": actor.usuario, "mensaje_contacto": mensaje},
        )
        s.add(
            Contacto(
                solicitud_id=solicitud_id,
                fecha=now,
                usuario=actor.usuario,
                resultado=outcome.value,
                comentario=text,
            )
        )
        registrar_evento(
            s,
            actor,
            "contacto_registrado",
            now,
            solicitud_id=solicitud_id,
            detalle={"resultado": outcome.value},
        )
        uow.commit()
        return new_version


def _en_vuelo(actual: Actual) -> Exception | None:
    if actual.estado is EstadoEnvio.PROGRAMADO:
        return None
    return EnvioLocked("El mensaje se está enviando ahora: esperá a que termine para dar de baja.")


def dar_de_baja(
    db: Database, actor: Actor, now: datetime, *, solicitud_id: int, version: int, motivo: str
) -> None:
    """Soft delete (fecha_baja). A send still in its window is cancelled with it; one in flight refuses."""
    if not motivo.strip():
        raise ValidationError("Indicá el motivo de la baja.")
    with db.uow() as uow:
        s = uow.session
        live = repository.envio_vivo(s, solicitud_id)
        if live is not None:
            por_persona.cancelar(s, live.id, actor, now, reabrir=False, explicar=_en_vuelo)
        guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            {"fecha_baja": now, **RELEASED},
        )
        registrar_evento(
            s,
            actor,
            "solicitud_baja",
            now,
            solicitud_id=solicitud_id,
            detalle={"motivo": motivo.strip()},
        )
        uow.commit()


def _resolver_atencion(
    s: Session,
    actor: Actor,
    now: datetime,
    sol: SolicitudAsistencia,
    version: int,
    comentario: str,
) -> int:
    """Resuelto on a record that requires attention: that failed send is dealt with."""
    ultimo = s.execute(
        select(Envio.id, Envio.estado)
        .where(Envio.solicitud_id == sol.id)
        .order_by(Envio.id.desc())
        .limit(1)
    ).first()
    if ultimo is None or not necesita_atencion(
        True, ultimo.estado, ultimo.id, sol.atencion_envio_id
    ):
        raise ValidationError("La solicitud ya está resuelta.")
    new_version = guarded_update(
        s, actor, now, sol.id, version, {"atencion_envio_id": ultimo.id, **RELEASED}
    )
    texto = comentario.strip()
    registrar_evento(
        s,
        actor,
        "atencion_resuelta",
        now,
        solicitud_id=sol.id,
        envio_id=ultimo.id,
        detalle={"estado_envio": ultimo.estado, **({"comentario": texto} if texto else {})},
    )
    s.commit()
    return new_version
