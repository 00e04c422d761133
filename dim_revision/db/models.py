"""Our tables (DESIGN §3), in our own schema (`[dim] esquema_propio`, `revision` by default).

DIM's tables are not here: they are mapped by configuration in `dim_mapping.py`, and no foreign
key of ours points into them (DIM's database is not ours to constrain); the services check ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mssql, postgresql
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from dim_revision.db.base import Base, Code, Name, Text, UTCDateTime

__all__ = [
    "Base",
    "BusquedaPalabra",
    "Contacto",
    "EleccionPrestacion",
    "Envio",
    "Evento",
    "LecturaAdjunto",
    "Operador",
    "RespuestaPaciente",
    "ServicioLatido",
    "SolicitudAdjunto",
    "SolicitudAsistencia",
    "SolicitudPrestacion",
    "TurnoAdjunto",
    "WebhookEvento",
]


class SolicitudAsistencia(Base):
    """One patient's request for help with an uploaded medical order."""

    __tablename__ = "solicitud_asistencia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paciente_id: Mapped[int] = mapped_column(Integer)  # DIM's patient id (no FK into DIM)
    fecha_subida: Mapped[datetime] = mapped_column(UTCDateTime)
    telefono_verificado: Mapped[bool] = mapped_column(Boolean, default=False)
    # The mobile the patient typed at upload (DIM's patient row is only updated when
    # `[dim] actualizar_movil` says so); sends use it before the one on file.
    movil_ingresado: Mapped[str | None] = mapped_column(Name(40))
    email_verificado: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last "Indicar contacto" (the full history is in `contacto`).
    fecha_contacto: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usuario_contacto: Mapped[str | None] = mapped_column(Name(60))
    mensaje_contacto: Mapped[str | None] = mapped_column(Text)
    resuelto: Mapped[bool] = mapped_column(Boolean, default=False)
    fecha_resuelto: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usuario_resuelto: Mapped[str | None] = mapped_column(Name(60))
    fecha_baja: Mapped[datetime | None] = mapped_column(UTCDateTime)  # soft delete
    id_turno_destino: Mapped[int | None] = mapped_column(Integer)  # DIM's turno id
    # Lease: who works the record now, and until when.
    tomado_por: Mapped[str | None] = mapped_column(Name(60))
    tomado_hasta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tomado_desde: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # The mobile an operator corrected from the record, with the patient on the phone (issue
    # 13.8): `movil_ingresado` holds the new number; who and when are kept here.
    movil_corregido_por: Mapped[str | None] = mapped_column(Name(60))
    movil_corregido_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The failed/incierto Envio whose "Requiere atención" an operator resolved (issue 13.2);
    # a later send that fails again needs attention again. Our own envio id (no FK).
    atencion_envio_id: Mapped[int | None] = mapped_column(Integer)

    adjuntos: Mapped[list[SolicitudAdjunto]] = relationship(
        back_populates="solicitud", order_by="SolicitudAdjunto.orden"
    )
    prestaciones: Mapped[list[SolicitudPrestacion]] = relationship(
        order_by="SolicitudPrestacion.orden", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(None, "resuelto", "fecha_subida"),
        Index(None, "paciente_id"),
        Index(None, "fecha_subida"),
        # Covering index for a day's requests in the grid's order (issue 19, migration 0111;
        # it replaces 0109's counting index): range + soft delete + state + patient +
        # attention, so a text's page walks it, ids first, and reads no row it does not show.
        Index(
            "ix_solicitud_asistencia_dia_id",
            "fecha_subida",
            "id",
            "fecha_baja",
            "resuelto",
            "paciente_id",
            "atencion_envio_id",
        ),
        # Counts by state: one index range each for pendientes and resueltas (migration 0110).
        Index(
            "ix_solicitud_asistencia_estado_dia",
            "resuelto",
            "fecha_baja",
            "fecha_subida",
            "paciente_id",
        ),
        # A text's patients → their requests in the range (issue 19, migration 0111): one seek
        # per matching patient, no row read.
        Index(
            "ix_solicitud_asistencia_paciente_dia",
            "paciente_id",
            "fecha_subida",
            "fecha_baja",
            "resuelto",
        ),
        # The unresolved requests by patient (migration 0112): «Pendientes» with a text counts
        # the word's patients' unresolved requests, one seek each, in an index of only those.
        Index(
            "ix_solicitud_asistencia_sin_resolver",
            "paciente_id",
            "fecha_subida",
            "resuelto",
            "fecha_baja",
            sqlite_where=text("resuelto = 0 AND fecha_baja IS NULL"),
            postgresql_where=text("resuelto = false AND fecha_baja IS NULL"),
            mssql_where=text("resuelto = 0 AND fecha_baja IS NULL"),
        ),
    )


class BusquedaPaciente(Base):
    """Our folded copy of DIM's patient name, DNI and mobile, for the queue's text filter (DIM's
    `paciente` is never altered). Written at intake and by `queue_texto.completar_busqueda`."""

    __tablename__ = "busqueda_paciente"

    paciente_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    nombre: Mapped[str] = mapped_column(Name(300), default="")  # lower case, no accents
    dni: Mapped[str] = mapped_column(Code(20), default="")  # digits only
    movil: Mapped[str] = mapped_column(Code(40), default="")  # digits only


# Binary order on every backend, so `w <= palabra < w'` is exactly "starts with w" and one
# index range (a case/accent-insensitive collation would reorder the words).
WORD_TYPE = (
    Name(100)
    .with_variant(mssql.NVARCHAR(100, collation="Latin1_General_100_BIN2"), "mssql")
    .with_variant(postgresql.VARCHAR(100, collation="C"), "postgresql")
)


class BusquedaPalabra(Base):
    """Each folded word of a patient's name (our copy, issue 19): the queue's text filter finds
    the patients whose name has a word starting with what was typed as one index range.
    Written with `busqueda_paciente` (`queue_texto.sincronizar_busqueda`)."""

    __tablename__ = "busqueda_palabra"

    palabra: Mapped[str] = mapped_column(WORD_TYPE, primary_key=True)
    paciente_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    # (paciente_id, palabra): a request's patient checked by key, and its words rewritten.
    __table_args__ = (Index(None, "paciente_id", "palabra"),)


class SolicitudAdjunto(Base):
    """One uploaded file; `contenido` is deferred so list queries never pull the bytes."""

    __tablename__ = "solicitud_adjunto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"), index=True)
    orden: Mapped[int] = mapped_column(Integer, default=0)
    nombre_archivo: Mapped[str] = mapped_column(Name(255))
    mime: Mapped[str] = mapped_column(Code(60))  # checked from the content, not the name
    tamano: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(Code(64))
    paginas: Mapped[int | None] = mapped_column(Integer)  # PDFs
    contenido: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # "paciente:día local:sha256" — the same file from the same patient on the same day is one
    # upload, enforced by a unique index (concurrent uploads cannot both pass the check).
    clave_duplicado: Mapped[str | None] = mapped_column(Code(100))

    solicitud: Mapped[SolicitudAsistencia] = relationship(back_populates="adjuntos")

    __table_args__ = (
        Index(None, "sha256"),
        Index(
            "uq_solicitud_adjunto_clave_duplicado",
            "clave_duplicado",
            unique=True,
            sqlite_where=text("clave_duplicado IS NOT NULL"),
            postgresql_where=text("clave_duplicado IS NOT NULL"),
            mssql_where=text("clave_duplicado IS NOT NULL"),
        ),
    )


class SolicitudPrestacion(Base):
    """A prestación the operator picked for the request, in the order picked."""

    __tablename__ = "solicitud_prestacion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"))
    prestacion_id: Mapped[int] = mapped_column(Integer)  # DIM's prestación id
    orden: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("solicitud_id", "orden"),
        UniqueConstraint("solicitud_id", "prestacion_id"),
    )


class Contacto(Base):
    """Every "Indicar contacto", kept as history."""

    __tablename__ = "contacto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"), index=True)
    fecha: Mapped[datetime] = mapped_column(UTCDateTime)
    usuario: Mapped[str] = mapped_column(Name(60))
    resultado: Mapped[str] = mapped_column(Code(30))
    comentario: Mapped[str] = mapped_column(Text)


class Envio(Base):
    """The outbox: one WhatsApp send, written in the same transaction as the state change."""

    __tablename__ = "envio"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"))
    telefono: Mapped[str] = mapped_column(Code(20))  # WhatsApp form: 549AAAANNNNNNN
    plantilla: Mapped[str] = mapped_column(Name(120))
    parametros: Mapped[str] = mapped_column(Text)  # JSON object of template variables
    link: Mapped[str] = mapped_column(Text)
    token_id: Mapped[str] = mapped_column(Code(64))  # the JWT's jti
    estado: Mapped[str] = mapped_column(Code(20))
    creado: Mapped[datetime] = mapped_column(UTCDateTime)
    creado_por: Mapped[str] = mapped_column(Name(60))
    enviar_desde: Mapped[datetime] = mapped_column(UTCDateTime)
    intentos: Mapped[int] = mapped_column(Integer, default=0)
    proximo_intento: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ultimo_error: Mapped[str | None] = mapped_column(Text)
    proveedor_id: Mapped[str | None] = mapped_column(Name(120))
    enviado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tomado_por: Mapped[str | None] = mapped_column(Name(60))
    tomado_hasta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When this attempt's POST began (NULL while the Envio is only reserved by a worker's claim):
    # only a begun send can become incierto.
    iniciado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Delivery as WhatsApp reports it (issue #12), separate from the outbox state machine:
    # None until Botmaker says more than "accepted"; 'entregado' | 'leido' | 'error_entrega'.
    estado_entrega: Mapped[str | None] = mapped_column(Code(20))
    entregado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leido_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_entrega: Mapped[str | None] = mapped_column(Text)  # WhatsApp's reason, phones masked
    entrega_actualizada: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conciliado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last results query
    respuesta_en: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last patient reply

    __table_args__ = (
        Index(None, "estado", "enviar_desde"),
        Index(None, "solicitud_id"),
        Index("ix_envio_estado_solicitud", "estado", "solicitud_id"),  # «requiere atención»
        Index(None, "token_id"),
        Index(None, "proveedor_id"),  # webhooks match by txId = webhookNotificationId
        Index(None, "telefono"),  # patient replies match by phone
        # A request never has two live sends (programado/enviando): a filtered unique index,
        # which SQLite, PostgreSQL and SQL Server all support.
        Index(
            "uq_envio_vivo_por_solicitud",
            "solicitud_id",
            unique=True,
            sqlite_where=text("estado IN ('programado', 'enviando')"),
            postgresql_where=text("estado IN ('programado', 'enviando')"),
            mssql_where=text("estado IN ('programado', 'enviando')"),
        ),
    )


class Evento(Base):
    """Append-only audit trail."""

    __tablename__ = "evento"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fecha: Mapped[datetime] = mapped_column(UTCDateTime)
    usuario: Mapped[str] = mapped_column(Name(60))
    estacion: Mapped[str] = mapped_column(Name(60))
    solicitud_id: Mapped[int | None] = mapped_column(ForeignKey("solicitud_asistencia.id"))
    envio_id: Mapped[int | None] = mapped_column(ForeignKey("envio.id"))
    accion: Mapped[str] = mapped_column(Code(40))
    detalle: Mapped[str | None] = mapped_column(Text)  # JSON, never secrets

    __table_args__ = (Index(None, "solicitud_id", "fecha"), Index(None, "fecha"))


class WebhookEvento(Base):
    """Every Botmaker webhook event applied (or ignored) once: `clave` is its idempotency key."""

    __tablename__ = "webhook_evento"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clave: Mapped[str] = mapped_column(Code(128), unique=True)
    recibido: Mapped[datetime] = mapped_column(UTCDateTime)
    tipo: Mapped[str] = mapped_column(Code(20))  # 'estado' | 'respuesta'
    envio_id: Mapped[int | None] = mapped_column(ForeignKey("envio.id"))
    resultado: Mapped[str] = mapped_column(Code(20))  # 'aplicado' | 'sin_cambio' | 'desconocido'
    detalle: Mapped[str | None] = mapped_column(Text)  # short, masked summary

    __table_args__ = (Index(None, "recibido"),)


class RespuestaPaciente(Base):
    """A WhatsApp message the patient wrote after our template ("Respuestas del paciente")."""

    __tablename__ = "respuesta_paciente"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"))
    envio_id: Mapped[int | None] = mapped_column(ForeignKey("envio.id"))
    fecha: Mapped[datetime] = mapped_column(UTCDateTime)  # when the patient wrote it
    recibido: Mapped[datetime] = mapped_column(UTCDateTime)
    texto: Mapped[str] = mapped_column(Text)
    mensaje_id: Mapped[str | None] = mapped_column(Code(128))  # Botmaker's message _id

    __table_args__ = (Index(None, "solicitud_id", "fecha"),)


class ServicioLatido(Base):
    """Who holds the link key, seen when: the service and each sending workstation write their
    row, so `doctor`, `/healthz` and the status bar can compare key fingerprints (never keys)."""

    __tablename__ = "servicio_latido"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(Name(60), unique=True)  # 'servicio@host' / station
    rol: Mapped[str] = mapped_column(Code(20))  # 'servicio' | 'estacion'
    modo: Mapped[str] = mapped_column(Code(20))
    huella_link: Mapped[str | None] = mapped_column(Code(16))
    visto: Mapped[datetime] = mapped_column(UTCDateTime)
    version_app: Mapped[str] = mapped_column(Code(30))


class Operador(Base):
    """Who may do what: supervisors can reopen, free others' records and export (issue #6).

    A user missing from this table is an ordinary operator, so a fresh install works as is."""

    __tablename__ = "operador"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    usuario: Mapped[str] = mapped_column(Name(60), unique=True)
    nombre: Mapped[str] = mapped_column(Name(120))
    rol: Mapped[str] = mapped_column(Code(20))  # 'operador' | 'supervisor'
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    creado: Mapped[datetime] = mapped_column(UTCDateTime)


class TurnoAdjunto(Base):
    """Our copy of the order attached to a booked turno, read by the portal
    (`[dim] adjuntos_destino = "propio"`; with "dim" the files go to DIM's own table)."""

    __tablename__ = "turno_adjunto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turno_id: Mapped[int] = mapped_column(Integer, index=True)  # DIM's turno id
    nombre_archivo: Mapped[str] = mapped_column(Name(255))
    mime: Mapped[str] = mapped_column(Code(60))
    tamano: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(Code(64))
    contenido: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    origen_adjunto_id: Mapped[int | None] = mapped_column(ForeignKey("solicitud_adjunto.id"))
    fecha_alta: Mapped[datetime] = mapped_column(UTCDateTime)


class EleccionPrestacion(Base):
    """What an operator typed in the prestación search, and what they chose (issue #14).

    One row per prestación added from the search field of a confirmed send; the search index
    reads the recent rows at start and ranks those choices higher (`domain/learning.py`)."""

    __tablename__ = "eleccion_prestacion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consulta: Mapped[str] = mapped_column(Name(120))  # normalized: folded words, one space
    prestacion_id: Mapped[int] = mapped_column(Integer)  # DIM's id (no FK: DIM's table)
    usuario: Mapped[str] = mapped_column(Name(60))
    fecha: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "fecha"),)


class LecturaAdjunto(Base):
    """What the offline reader found in one uploaded file (issue 15), keyed by the file's sha256
    so no PC reads the same file twice; "read, nothing found" is a row too. `estado` 'leyendo'
    is a claim (taken by one INSERT; retaken by a conditional UPDATE once stale)."""

    __tablename__ = "lectura_adjunto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(Code(64), unique=True)
    adjunto_id: Mapped[int | None] = mapped_column(Integer)  # the first attachment read
    estado: Mapped[str] = mapped_column(
        Code(20)
    )  # leyendo | leida | sin_texto | ilegible | agotada
    motor: Mapped[str] = mapped_column(Code(40), default="")
    version_motor: Mapped[str] = mapped_column(Name(120), default="")
    paginas: Mapped[str | None] = mapped_column(Text)  # JSON: lines with boxes and confidence
    milisegundos: Mapped[int] = mapped_column(Integer, default=0)
    motivo: Mapped[str | None] = mapped_column(Name(200))
    leida_en: Mapped[datetime] = mapped_column(UTCDateTime)  # server time (claim, then result)
    leida_por: Mapped[str] = mapped_column(Name(60))
