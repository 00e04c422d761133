"""Turno association (DESIGN §5): when the patient books through the link, the order they uploaded
is attached to the booked turno.

Called by the portal (or `dim-revision turno vincular`), possibly more than once and concurrently
for the same booking. The link is one conditional UPDATE (`... AND id_turno_destino IS NULL`):
its rowcount decides who copies the files, so retries and races never duplicate attachments, on
any of our databases and without row locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Update, insert, select, update
from sqlalchemy.orm import Session, undefer

from dim_revision.db import dim_repo
from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import Envio, SolicitudAdjunto, SolicitudAsistencia, TurnoAdjunto
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.errors import NotFound, UserError, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento


class TurnoDeOtroPaciente(ValidationError):
    """The turno belongs to another patient."""


class SolicitudConOtroTurno(ValidationError):
    """The solicitud is already linked to a different turno."""


@dataclass(frozen=True)
class VinculoResultado:
    solicitud_id: int
    turno_id: int
    adjuntos_copiados: int
    ya_vinculado: bool  # True: this exact link existed already; nothing was changed


def sentencia_vincular(solicitud_id: int, turno_id: int) -> Update:
    """The conditional write; only the first caller for an unlinked solicitud matches a row."""
    s = SolicitudAsistencia
    return (
        update(s)
        .where(s.id == solicitud_id, s.id_turno_destino.is_(None), s.fecha_baja.is_(None))
        .values(id_turno_destino=turno_id, version=s.version + 1)
        .execution_options(synchronize_session=False)
    )


def vincular_turno(
    db: Database, actor: Actor, now: datetime, *, solicitud_id: int, turno_id: int
) -> VinculoResultado:
    """Link the solicitud to the turno and copy its files there; idempotent for the same pair."""
    with db.uow() as uow:
        s = uow.session
        solicitud = _solicitud_viva(s, solicitud_id)
        turno = dim_repo.turno(s, turno_id)
        if turno is None:
            raise NotFound(f"No existe el turno {turno_id}.")
        if solicitud.id_turno_destino is not None:
            return _ya_vinculada(solicitud, turno_id)
        if turno.paciente_id != solicitud.paciente_id:
            raise TurnoDeOtroPaciente(
                f"El turno {turno_id} es de otro paciente; no se puede vincular a la solicitud "
                f"{solicitud_id}."
            )

        result = s.execute(sentencia_vincular(solicitud_id, turno_id))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # Someone linked (or deleted) it between our read and our write: report their outcome.
            s.refresh(solicitud)
            if solicitud.fecha_baja is not None:
                raise NotFound(f"La solicitud {solicitud_id} fue dada de baja.")
            return _ya_vinculada(solicitud, turno_id)

        adjuntos = s.scalars(
            select(SolicitudAdjunto)
            .options(undefer(SolicitudAdjunto.contenido))
            .where(SolicitudAdjunto.solicitud_id == solicitud_id)
            .order_by(SolicitudAdjunto.orden)
        ).all()
        filas = [
            {
                "turno_id": turno_id,
                "nombre_archivo": adjunto.nombre_archivo,
                "mime": adjunto.mime,
                "tamano": adjunto.tamano,
                "sha256": adjunto.sha256,
                "contenido": adjunto.contenido,
                "origen_id": adjunto.id,
                "fecha_alta": now,
            }
            for adjunto in adjuntos
        ]
        destino = adjuntar(s, db.dim_settings.adjuntos_destino, filas)
        cancelados = _cancelar_envio_pendiente(s, actor, now, solicitud_id)
        registrar_evento(
            s,
            actor,
            "turno_vinculado",
            now,
            solicitud_id=solicitud_id,
            detalle={
                "turno_id": turno_id,
                "adjuntos": [a.id for a in adjuntos],
                "destino": destino,
                "envios_cancelados": cancelados,
            },
        )
        uow.commit()
        return VinculoResultado(solicitud_id, turno_id, len(adjuntos), ya_vinculado=False)


def adjuntar(s: Session, destino: str, filas: list[dict[str, object]]) -> str:
    """Attach the files to the turno where the portal reads them (`[dim] adjuntos_destino`):
    our own `turno_adjunto`, or DIM's attachment table through the mapping (plain INSERTs, no
    OUTPUT/RETURNING: DIM's tables may have triggers). Returns the table written."""
    if not filas:
        return destino
    if destino == "dim":
        dim = dim_de(s)
        s.execute(insert(dim.adjunto.table), [dim.fila("adjunto", f) for f in filas])
        return dim.adjunto.nombre_real
    propias = [
        {("origen_adjunto_id" if k == "origen_id" else k): v for k, v in f.items()} for f in filas
    ]
    s.execute(insert(TurnoAdjunto), propias)
    return TurnoAdjunto.__tablename__


def _cancelar_envio_pendiente(
    s: Session, actor: Actor, now: datetime, solicitud_id: int
) -> list[int]:
    """Booked means done: a send still waiting (programado) would only tell the patient to book
    what they already booked. One being sent right now is left alone (it may already be out)."""
    from dim_revision.envio import por_persona

    pendientes = s.scalars(
        select(Envio.id).where(
            Envio.solicitud_id == solicitud_id, Envio.estado == EstadoEnvio.PROGRAMADO.value
        )
    ).all()
    cancelados = []
    for envio_id in pendientes:
        try:
            por_persona.cancelar(
                s, envio_id, actor, now, reabrir=False, motivo="el paciente ya tiene turno"
            )
        except UserError:  # a worker claimed it a moment ago: it goes out; nothing to undo
            continue
        cancelados.append(envio_id)
    return cancelados


def _solicitud_viva(s: Session, solicitud_id: int) -> SolicitudAsistencia:
    solicitud = s.get(SolicitudAsistencia, solicitud_id)
    if solicitud is None:
        raise NotFound(f"No existe la solicitud {solicitud_id}.")
    if solicitud.fecha_baja is not None:
        raise NotFound(f"La solicitud {solicitud_id} fue dada de baja.")
    return solicitud


def _ya_vinculada(solicitud: SolicitudAsistencia, turno_id: int) -> VinculoResultado:
    actual = solicitud.id_turno_destino
    if actual != turno_id:
        raise SolicitudConOtroTurno(
            f"La solicitud {solicitud.id} ya está vinculada al turno {actual}; "
            f"no se puede vincular también al turno {turno_id}."
        )
    return VinculoResultado(solicitud.id, turno_id, 0, ya_vinculado=True)
