"""Everything the right-hand side of the workstation shows for one request, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from dim_revision.db import dim_repo, repository
from dim_revision.db.dim_repo import PacienteDim
from dim_revision.db.models import (
    Contacto,
    Envio,
    RespuestaPaciente,
    SolicitudAdjunto,
    SolicitudAsistencia,
    SolicitudPrestacion,
)
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio, ResultadoContacto, etiqueta_envio
from dim_revision.domain.phones import resultado_whatsapp
from dim_revision.errors import NotFound
from dim_revision.services.atencion import necesita_atencion
from dim_revision.services.guards import lease_live, owner_name

OTRAS_SOLICITUDES = 10


@dataclass(frozen=True)
class AdjuntoInfo:
    id: int
    nombre: str
    mime: str
    tamano: int
    paginas: int | None


@dataclass(frozen=True)
class PrestacionElegida:
    id: int
    codigo: str
    nombre: str


@dataclass(frozen=True)
class ContactoInfo:
    fecha: datetime
    usuario: str
    resultado: str  # label in Spanish
    comentario: str


@dataclass(frozen=True)
class OtraSolicitud:
    id: int
    fecha_subida: datetime
    resuelto: bool
    id_turno_destino: int | None


@dataclass(frozen=True)
class EnvioInfo:
    id: int
    version: int
    estado: str
    telefono: str
    link: str
    creado: datetime
    creado_por: str
    enviar_desde: datetime
    intentos: int
    ultimo_error: str | None
    proveedor_id: str | None
    enviado_en: datetime | None
    # Delivery as WhatsApp reports it (issue #12)
    estado_entrega: str | None = None
    entregado_en: datetime | None = None
    leido_en: datetime | None = None
    error_entrega: str | None = None
    proximo_intento: datetime | None = None  # a retry after a failed attempt (issue 13.2)

    @property
    def etiqueta(self) -> str:
        return etiqueta_envio(self.estado, self.estado_entrega)


@dataclass(frozen=True)
class RespuestaInfo:
    fecha: datetime
    texto: str


@dataclass(frozen=True)
class SolicitudDetalle:
    id: int
    version: int
    fecha_subida: datetime
    resuelto: bool
    fecha_resuelto: datetime | None
    usuario_resuelto: str | None
    id_turno_destino: int | None
    turno_fecha: datetime | None
    paciente_id: int
    nombre: str
    dni: str
    telefono_movil: str | None
    whatsapp: str | None
    whatsapp_motivo: str | None
    telefono_verificado: bool
    email: str | None
    email_verificado: bool
    obra_social: str | None
    plan: str | None
    numero_afiliado: str | None
    tomado_por: str | None
    tomado_clave: str | None
    adjuntos: tuple[AdjuntoInfo, ...]
    prestaciones: tuple[PrestacionElegida, ...]
    contactos: tuple[ContactoInfo, ...]
    otras: tuple[OtraSolicitud, ...]
    envio: EnvioInfo | None
    respuestas: tuple[RespuestaInfo, ...] = ()  # "Respuestas del paciente", newest first
    # «Requiere atención» (issue 13.2): resolved, but the latest send failed or is incierto.
    atencion: bool = False
    # The mobile an operator corrected with the patient on the phone (issue 13.8).
    movil_corregido_por: str | None = None
    movil_corregido_en: datetime | None = None

    @property
    def reconfirmable(self) -> bool:
        """A failed send needing attention: the operator may confirm a new one (an incierto
        one stays with a supervisor: it may have reached the patient)."""
        return self.atencion and self.envio is not None and self.envio.estado == EstadoEnvio.FALLIDO


def _etiqueta(resultado: str) -> str:
    try:
        return ResultadoContacto(resultado).etiqueta
    except ValueError:
        return resultado


def obtener_detalle(db: Database, solicitud_id: int, now: datetime) -> SolicitudDetalle:
    with db.read() as uow:
        s = uow.session
        sol = repository.solicitud_viva(s, solicitud_id)
        pac = dim_repo.paciente(s, sol.paciente_id) or _paciente_ausente(sol.paciente_id)
        movil = sol.movil_ingresado or pac.telefono_movil
        phone = resultado_whatsapp(movil)
        adjuntos = s.execute(_adjuntos(solicitud_id)).all()
        elegidas = s.scalars(
            select(SolicitudPrestacion)
            .where(SolicitudPrestacion.solicitud_id == solicitud_id)
            .order_by(SolicitudPrestacion.orden)
        ).all()
        contactos = s.scalars(
            select(Contacto)
            .where(Contacto.solicitud_id == solicitud_id)
            .order_by(Contacto.fecha.desc(), Contacto.id.desc())
        ).all()
        otras = s.execute(
            select(
                SolicitudAsistencia.id,
                SolicitudAsistencia.fecha_subida,
                SolicitudAsistencia.resuelto,
                SolicitudAsistencia.id_turno_destino,
            )
            .where(
                SolicitudAsistencia.paciente_id == pac.id,
                SolicitudAsistencia.id != solicitud_id,
                SolicitudAsistencia.fecha_baja.is_(None),
            )
            .order_by(SolicitudAsistencia.fecha_subida.desc())
            .limit(OTRAS_SOLICITUDES)
        ).all()
        envio = s.scalars(
            select(Envio)
            .where(Envio.solicitud_id == solicitud_id)
            .order_by(Envio.id.desc())
            .limit(1)
        ).first()
        turno_fecha = None
        if sol.id_turno_destino is not None:
            turno = dim_repo.turno(s, sol.id_turno_destino)
            turno_fecha = turno.fecha_hora if turno is not None else None
        catalogo = dim_repo.prestaciones(s, [e.prestacion_id for e in elegidas])
        live = lease_live(sol.tomado_por, sol.tomado_hasta, now)
        return SolicitudDetalle(
            id=sol.id,
            version=sol.version,
            fecha_subida=sol.fecha_subida,
            resuelto=sol.resuelto,
            fecha_resuelto=sol.fecha_resuelto,
            usuario_resuelto=sol.usuario_resuelto,
            id_turno_destino=sol.id_turno_destino,
            turno_fecha=turno_fecha,
            paciente_id=pac.id,
            nombre=pac.nombre_completo,
            dni=pac.dni,
            telefono_movil=movil,
            whatsapp=phone.numero,
            whatsapp_motivo=phone.motivo,
            telefono_verificado=sol.telefono_verificado,
            email=pac.email,
            email_verificado=sol.email_verificado,
            obra_social=pac.obra_social,
            plan=pac.plan,
            numero_afiliado=pac.numero_afiliado,
            tomado_por=owner_name(sol.tomado_por) if live else None,
            tomado_clave=sol.tomado_por if live else None,
            adjuntos=tuple(
                AdjuntoInfo(a.id, a.nombre_archivo, a.mime, a.tamano, a.paginas) for a in adjuntos
            ),
            prestaciones=tuple(
                _elegida(e.prestacion_id, catalogo.get(e.prestacion_id)) for e in elegidas
            ),
            contactos=tuple(
                ContactoInfo(c.fecha, c.usuario, _etiqueta(c.resultado), c.comentario)
                for c in contactos
            ),
            otras=tuple(
                OtraSolicitud(o.id, o.fecha_subida, bool(o.resuelto), o.id_turno_destino)
                for o in otras
            ),
            envio=EnvioInfo(
                envio.id,
                envio.version,
                envio.estado,
                envio.telefono,
                envio.link,
                envio.creado,
                envio.creado_por,
                envio.enviar_desde,
                envio.intentos,
                envio.ultimo_error,
                envio.proveedor_id,
                envio.enviado_en,
                envio.estado_entrega,
                envio.entregado_en,
                envio.leido_en,
                envio.error_entrega,
                proximo_intento=envio.proximo_intento,
            )
            if envio
            else None,
            respuestas=tuple(
                RespuestaInfo(r.fecha, r.texto)
                for r in s.execute(
                    select(RespuestaPaciente.fecha, RespuestaPaciente.texto)
                    .where(RespuestaPaciente.solicitud_id == solicitud_id)
                    .order_by(RespuestaPaciente.fecha.desc(), RespuestaPaciente.id.desc())
                    .limit(20)
                )
            ),
            atencion=necesita_atencion(
                sol.resuelto,
                envio.estado if envio else None,
                envio.id if envio else None,
                sol.atencion_envio_id,
            ),
            movil_corregido_por=sol.movil_corregido_por,
            movil_corregido_en=sol.movil_corregido_en,
        )


def _paciente_ausente(paciente_id: int) -> PacienteDim:
    """A request whose patient row is gone from DIM's table still opens (legacy data)."""
    return PacienteDim(
        paciente_id,
        "",
        f"(paciente {paciente_id} no encontrado en DIM)",
        "",
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _elegida(prestacion_id: int, p: dim_repo.PrestacionDim | None) -> PrestacionElegida:
    if p is None:
        return PrestacionElegida(prestacion_id, "", f"(prestación {prestacion_id} no encontrada)")
    nombre = p.nombre if p.activa else f"{p.nombre} (inactiva)"
    return PrestacionElegida(p.id, p.codigo, nombre)


def _adjuntos(solicitud_id: int) -> Select[int, str, str, int, int | None]:
    """The request's files in the viewer's order (what the detail lists)."""
    return (
        select(
            SolicitudAdjunto.id,
            SolicitudAdjunto.nombre_archivo,
            SolicitudAdjunto.mime,
            SolicitudAdjunto.tamano,
            SolicitudAdjunto.paginas,
        )
        .where(SolicitudAdjunto.solicitud_id == solicitud_id)
        .order_by(SolicitudAdjunto.orden, SolicitudAdjunto.id)
    )


def primer_adjunto(db: Database, solicitud_id: int) -> AdjuntoInfo | None:
    """The request's first file as `obtener_detalle` lists it, without the rest of the detail:
    the window fetches and decodes it while the claim and the detail are read (issue 19)."""
    with db.read() as uow:
        row = uow.session.execute(_adjuntos(solicitud_id).limit(1)).first()
    return (
        AdjuntoInfo(row.id, row.nombre_archivo, row.mime, row.tamano, row.paginas) if row else None
    )


def cargar_adjunto(db: Database, adjunto_id: int) -> bytes:
    """The bytes of one file (the only query that pulls the deferred column)."""
    with db.read() as uow:
        data = uow.session.scalar(
            select(SolicitudAdjunto.contenido).where(SolicitudAdjunto.id == adjunto_id)
        )
        if data is None:
            raise NotFound(f"El archivo {adjunto_id} no existe.")
        return bytes(data)
