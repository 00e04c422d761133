"""Corregir celular (issue 13.8): the operator fixes a missing or wrong mobile with the patient on
the phone, from the record.

In one transaction: the new number (validated for WhatsApp) is saved for this request's sends
(`movil_ingresado`, which every send uses before DIM's), with who and when; the patient's
confirmation is recorded as a contact; the phone counts as *sin verificar* (the portal never
verified it), so the preview warns. DIM's patient row is updated only when the `[dim]` mapping
allows that write (`actualizar_movil = true`, off by default). A number WhatsApp cannot use is
refused with the reason and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dim_revision.db import dim_repo
from dim_revision.db.models import Contacto, Envio, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, ResultadoContacto
from dim_revision.domain.phones import enmascarar, formatear, normalizar_whatsapp
from dim_revision.errors import EnvioLocked, NotFound, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.guards import guarded_update

MAX_MOVIL = 40  # SolicitudAsistencia.movil_ingresado
MAX_COMENTARIO = 500


@dataclass(frozen=True)
class MovilCorregido:
    solicitud_id: int
    version: int
    whatsapp: str  # 549AAAANNNNNNN
    en_dim: bool  # also written to DIM's patient row


def validar_movil(texto: str) -> str:
    """The WhatsApp form of what the operator typed, or a Spanish ValidationError."""
    limpio = texto.strip()
    if not limpio:
        raise ValidationError("Escribí el celular nuevo del paciente (con característica).")
    if len(limpio) > MAX_MOVIL:
        raise ValidationError(f"El celular no puede tener más de {MAX_MOVIL} caracteres.")
    try:
        return normalizar_whatsapp(limpio)
    except ValidationError as exc:
        raise ValidationError(
            f"El celular «{limpio}» no sirve para WhatsApp: {exc} Revisalo con el paciente."
        ) from None


def corregir_movil(
    db: Database,
    actor: Actor,
    now: datetime,
    *,
    solicitud_id: int,
    version: int,
    movil: str,
    comentario: str = "",
) -> MovilCorregido:
    numero = validar_movil(movil)
    nota = comentario.strip()
    if len(nota) > MAX_COMENTARIO:
        raise ValidationError(f"El comentario supera los {MAX_COMENTARIO} caracteres.")
    typed = movil.strip()
    with db.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, solicitud_id)
        if sol is None or sol.fecha_baja is not None:
            raise NotFound(f"La solicitud {solicitud_id} no existe o fue dada de baja.")
        paciente = dim_repo.paciente(s, sol.paciente_id)
        anterior = sol.movil_ingresado or (paciente.telefono_movil if paciente else None)
        if anterior and _mismo(anterior, numero):
            raise ValidationError(
                f"{formatear(numero)} ya es el celular de la solicitud: no hay nada que corregir."
            )
        vivo = s.scalar(
            select(Envio.estado).where(
                Envio.solicitud_id == solicitud_id,
                Envio.estado.in_([EstadoEnvio.PROGRAMADO.value, EstadoEnvio.ENVIANDO.value]),
            )
        )
        if vivo == EstadoEnvio.ENVIANDO:
            raise EnvioLocked(
                "El WhatsApp se está enviando ahora: esperá a que termine para corregir el celular."
            )
        if vivo == EstadoEnvio.PROGRAMADO:
            raise ValidationError(
                "Hay un envío programado con el celular anterior: cancelalo (Ctrl+Mayús+X), "
                "corregí el celular y confirmá de nuevo."
            )
        mensaje = f"El paciente confirmó su celular: {formatear(numero)}."
        texto_contacto = f"{mensaje} {nota}" if nota else mensaje
        new_version = guarded_update(
            s,
            actor,
            now,
            solicitud_id,
            version,
            {
                "movil_ingresado": typed,
                "telefono_verificado": False,
                "movil_corregido_por": actor.usuario,
                "movil_corregido_en": now,
                "fecha_contacto": now,
                "usuario_contacto": actor.usuario,
                "mensaje_contacto": f"{ResultadoContacto.CONTACTADO.etiqueta}: {texto_contacto}",
            },
        )
        s.add(
            Contacto(
                solicitud_id=solicitud_id,
                fecha=now,
                usuario=actor.usuario,
                resultado=ResultadoContacto.CONTACTADO.value,
                comentario=texto_contacto,
            )
        )
        en_dim = bool(db.dim_settings.actualizar_movil and paciente is not None)
        if en_dim:
            dim_repo.actualizar_movil(s, sol.paciente_id, typed)
        registrar_evento(
            s,
            actor,
            "movil_corregido",
            now,
            solicitud_id=solicitud_id,
            detalle={
                "anterior": enmascarar(anterior),
                "nuevo": enmascarar(numero),
                "en_dim": en_dim,
            },
        )
        uow.commit()
    return MovilCorregido(solicitud_id, new_version, numero, en_dim)


def _mismo(anterior: str, numero: str) -> bool:
    try:
        return normalizar_whatsapp(anterior) == numero
    except ValidationError:
        return False
