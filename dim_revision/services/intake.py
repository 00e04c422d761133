"""The portal's upload circuit as rules (DESIGN §1, requirements "Circuito de subida de orden").

The patient must exist, must have a WhatsApp-capable mobile (typed now or already on file: the
requirements make it mandatory before uploading), and uploads 1..N valid files. Every check runs
before anything is written; then one transaction stores the request, its files and the audit event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.clock import local_day_bounds, local_today
from dim_revision.config import DimSettings, IntakeSettings
from dim_revision.db import dim_repo
from dim_revision.db.dim_repo import PacienteDim
from dim_revision.db.models import SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.phones import normalizar_whatsapp
from dim_revision.domain.texto_usuario import normalizar_digitos
from dim_revision.errors import NotFound, ValidationError
from dim_revision.logging_setup import mask_text
from dim_revision.services.actor import Actor
from dim_revision.services.archivos import ArchivoValidado, inspeccionar_archivo
from dim_revision.services.audit import registrar_evento
from dim_revision.services.queue_texto import sincronizar_busqueda

MAX_MOVIL = 40  # SolicitudAsistencia.movil_ingresado column length


def normalizar_dni(raw: str) -> str:
    """Digits only; dots, spaces and dashes as people type them are dropped, and full-width or
    other Unicode digits become ASCII ones."""
    dni = re.sub(r"[.\s-]", "", normalizar_digitos(raw or ""))
    if not dni:
        raise ValidationError("Falta el DNI del paciente.")
    if not (dni.isascii() and dni.isdigit()) or len(dni) > 12:
        raise ValidationError(f"El DNI «{raw.strip()}» no es válido: usá sólo números.")
    return dni


def registrar_solicitud(
    db: Database,
    actor: Actor,
    now: datetime,
    limits: IntakeSettings,
    *,
    dni: str,
    files: Sequence[tuple[str, bytes]],
    telefono_verificado: bool,
    email_verificado: bool,
    movil: str | None = None,
    _reintento: bool = False,
) -> int:
    """Store a patient's uploaded order; returns the new solicitud id or raises a UserError."""
    dni = normalizar_dni(dni)
    movil_nuevo = (movil or "").strip() or None
    if movil_nuevo is not None:
        _validar_movil(movil_nuevo, "El teléfono móvil ingresado")
    archivos = validar_archivos(files, limits)

    with db.uow() as uow:
        s = uow.session
        paciente = elegir_paciente(dim_repo.pacientes_por_dni(s, dni), dni, db.dim_settings)
        if movil_nuevo is None:
            _exigir_movil_cargado(paciente)
        _rechazar_duplicados_del_dia(s, paciente.id, now, archivos)

        # Everything checked: from here on we only write.
        cambia_movil = movil_nuevo is not None and movil_nuevo != paciente.telefono_movil
        if cambia_movil and db.dim_settings.actualizar_movil and movil_nuevo is not None:
            dim_repo.actualizar_movil(s, paciente.id, movil_nuevo)
        solicitud = SolicitudAsistencia(
            paciente_id=paciente.id,
            fecha_subida=now,
            movil_ingresado=movil_nuevo if cambia_movil else None,
            telefono_verificado=telefono_verificado,
            email_verificado=email_verificado,
            resuelto=False,
            version=1,
        )
        s.add(solicitud)
        s.flush()
        dia = local_today(now).isoformat()
        paciente_id = paciente.id
        for orden, archivo in enumerate(archivos):
            s.add(
                SolicitudAdjunto(
                    clave_duplicado=f"{paciente.id}:{dia}:{archivo.sha256}",
                    solicitud_id=solicitud.id,
                    orden=orden,
                    nombre_archivo=archivo.nombre,
                    mime=archivo.mime,
                    tamano=archivo.tamano,
                    sha256=archivo.sha256,
                    paginas=archivo.paginas,
                    contenido=archivo.contenido,
                )
            )
        try:
            s.flush()
        except IntegrityError:
            # Another upload of the same file committed between our check and our insert.
            s.rollback()
            _rechazar_duplicados_del_dia(s, paciente_id, now, archivos)
            # No live duplicate: the key belongs to a request deleted since (soft delete).
            if _reintento or not _liberar_claves_de_bajas(s, [a.sha256 for a in archivos]):
                raise ValidationError(
                    "Ya se subió hoy este mismo archivo; un representante de DIM lo va a revisar."
                ) from None
            uow.commit()
            return registrar_solicitud(
                db,
                actor,
                now,
                limits,
                dni=dni,
                files=files,
                telefono_verificado=telefono_verificado,
                email_verificado=email_verificado,
                movil=movil,
                _reintento=True,
            )
        try:
            with s.begin_nested():  # the queue's folded copy of the patient (queue_texto)
                sincronizar_busqueda(s, [paciente_id])
        except IntegrityError:
            pass  # a concurrent upload for the same patient wrote the copy first
        registrar_evento(
            s,
            actor,
            "solicitud_registrada",
            now,
            solicitud_id=solicitud.id,
            detalle={
                "paciente_id": paciente.id,
                "archivos": [
                    {
                        # never a DNI or phone in the audit trail (OrdenMedica_50426006.pdf)
                        "nombre": mask_text(a.nombre),
                        "mime": a.mime,
                        "tamano": a.tamano,
                        "sha256": a.sha256,
                        "paginas": a.paginas,
                    }
                    for a in archivos
                ],
                "avisos": [mask_text(a.aviso) for a in archivos if a.aviso],
                "movil_actualizado": movil_nuevo is not None,
                "movil_en_dim": bool(cambia_movil and db.dim_settings.actualizar_movil),
                "telefono_verificado": telefono_verificado,
                "email_verificado": email_verificado,
            },
        )
        uow.commit()
        return solicitud.id


def elegir_paciente(candidatos: list[PacienteDim], dni: str, dim: DimSettings) -> PacienteDim:
    """The patient row for a DNI. Legacy tables repeat DNIs: `[dim] dni_duplicado` picks the
    newest row ("mas_reciente", the highest id) or refuses ("rechazar")."""
    if not candidatos:
        raise NotFound(
            f"No hay ningún paciente con DNI {dni}. Verificá el número o registrate en el portal."
        )
    if len(candidatos) > 1 and dim.dni_duplicado == "rechazar":
        ids = ", ".join(str(c.id) for c in candidatos)
        raise ValidationError(
            f"Hay {len(candidatos)} pacientes con DNI {dni} en la base de DIM (ids {ids}). "
            "No se puede saber cuál es: pedí a DIM que unifique la ficha del paciente."
        )
    return candidatos[0]


def validar_archivos(
    files: Sequence[tuple[str, bytes]], limits: IntakeSettings
) -> list[ArchivoValidado]:
    """Count, content and duplicates within the upload; no database needed."""
    if not files:
        raise ValidationError("Adjunte al menos un archivo con la orden médica.")
    if len(files) > limits.max_archivos:
        plural = "archivo" if limits.max_archivos == 1 else "archivos"
        raise ValidationError(
            f"Se pueden subir hasta {limits.max_archivos} {plural} por solicitud "
            f"(se recibieron {len(files)})."
        )
    archivos = [inspeccionar_archivo(nombre, data, limits) for nombre, data in files]
    vistos: dict[str, ArchivoValidado] = {}
    for archivo in archivos:
        previo = vistos.setdefault(archivo.sha256, archivo)
        if previo is not archivo:
            raise ValidationError(
                f"«{archivo.nombre}»: es el mismo archivo que «{previo.nombre}»; súbalo una sola vez."
            )
    return archivos


def _validar_movil(numero: str, que: str) -> str:
    if len(numero) > MAX_MOVIL:
        raise ValidationError(f"{que} es demasiado largo (máximo {MAX_MOVIL} caracteres).")
    try:
        return normalizar_whatsapp(numero)
    except ValidationError as exc:
        raise ValidationError(
            f"{que} («{numero}») no sirve para WhatsApp: {exc} Ingresá un celular válido, "
            "por ejemplo 11 2345-6789."
        ) from None


def _exigir_movil_cargado(paciente: PacienteDim) -> None:
    actual = (paciente.telefono_movil or "").strip()
    if actual:
        _validar_movil(actual, "El teléfono móvil cargado")
        return
    fijo = " (sólo tiene un teléfono fijo)" if (paciente.telefono_fijo or "").strip() else ""
    raise ValidationError(
        f"El paciente no tiene un teléfono móvil cargado{fijo}. Es obligatorio para subir la "
        "orden: ingresá un celular para recibir el turno por WhatsApp."
    )


def _liberar_claves_de_bajas(s: Session, shas: Sequence[str]) -> bool:
    """Clear the duplicate keys of deleted requests' files with these hashes; True if any."""
    bajas = select(SolicitudAsistencia.id).where(SolicitudAsistencia.fecha_baja.is_not(None))
    result = s.execute(
        update(SolicitudAdjunto)
        .where(
            SolicitudAdjunto.sha256.in_(list(shas)),
            SolicitudAdjunto.clave_duplicado.is_not(None),
            SolicitudAdjunto.solicitud_id.in_(bajas),
        )
        .values(clave_duplicado=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _rechazar_duplicados_del_dia(
    s: Session, paciente_id: int, now: datetime, archivos: Sequence[ArchivoValidado]
) -> None:
    """The same file already uploaded by this patient today (Buenos Aires day) is a duplicate."""
    hoy = local_today(now)
    desde, hasta = local_day_bounds(hoy, hoy)
    por_sha = {a.sha256: a for a in archivos}
    previo = s.execute(
        select(SolicitudAdjunto.sha256, SolicitudAsistencia.id)
        .join(SolicitudAsistencia, SolicitudAdjunto.solicitud_id == SolicitudAsistencia.id)
        .where(
            SolicitudAsistencia.paciente_id == paciente_id,
            SolicitudAsistencia.fecha_baja.is_(None),
            SolicitudAsistencia.fecha_subida >= desde,
            SolicitudAsistencia.fecha_subida < hasta,
            SolicitudAdjunto.sha256.in_(list(por_sha)),
        )
        .order_by(SolicitudAsistencia.id)
        .limit(1)
    ).first()
    if previo is not None:
        archivo = por_sha[previo.sha256]
        raise ValidationError(
            f"«{archivo.nombre}»: ya subió hoy este mismo archivo (solicitud {previo.id}); "
            "un representante de DIM lo va a revisar."
        )
