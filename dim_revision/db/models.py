"""Our tables (DESIGN §3). DIM's own tables are in `dim_tables.py`."""

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
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from dim_revision.db.base import Base, Code, Name, Text, UTCDateTime
from dim_revision.db.dim_tables import (
    ObraSocial,
    Paciente,
    PlanCobertura,
    PrestacionDefinicion,
    Turno,
    TurnoAdjunto,
)

__all__ = [
    "Base",
    "Contacto",
    "EleccionPrestacion",
    "Envio",
    "Evento",
    "ObraSocial",
    "Operador",
    "Paciente",
    "PlanCobertura",
    "PrestacionDefinicion",
    "SolicitudAdjunto",
    "SolicitudAsistencia",
    "SolicitudPrestacion",
    "Turno",
    "TurnoAdjunto",
]


class SolicitudAsistencia(Base):
    """One patient's request for help with an uploaded medical order."""

    __tablename__ = "solicitud_asistencia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paciente_id: Mapped[int] = mapped_column(ForeignKey("paciente.id"))
    fecha_subida: Mapped[datetime] = mapped_column(UTCDateTime)
    telefono_verificado: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verificado: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last "Indicar contacto" (the full history is in `contacto`).
    fecha_contacto: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usuario_contacto: Mapped[str | None] = mapped_column(Name(60))
    mensaje_contacto: Mapped[str | None] = mapped_column(Text)
    resuelto: Mapped[bool] = mapped_column(Boolean, default=False)
    fecha_resuelto: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usuario_resuelto: Mapped[str | None] = mapped_column(Name(60))
    fecha_baja: Mapped[datetime | None] = mapped_column(UTCDateTime)  # soft delete
    id_turno_destino: Mapped[int | None] = mapped_column(ForeignKey("turno.id"))
    # Lease: who works the record now, and until when.
    tomado_por: Mapped[str | None] = mapped_column(Name(60))
    tomado_hasta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tomado_desde: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    paciente: Mapped[Paciente] = relationship(lazy="joined")
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
    )


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

    solicitud: Mapped[SolicitudAsistencia] = relationship(back_populates="adjuntos")

    __table_args__ = (Index(None, "sha256"),)


class SolicitudPrestacion(Base):
    """A prestación the operator picked for the request, in the order picked."""

    __tablename__ = "solicitud_prestacion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    solicitud_id: Mapped[int] = mapped_column(ForeignKey("solicitud_asistencia.id"))
    prestacion_id: Mapped[int] = mapped_column(ForeignKey("prestacion_definicion.id"))
    orden: Mapped[int] = mapped_column(Integer)

    prestacion: Mapped[PrestacionDefinicion] = relationship(lazy="joined")

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
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        Index(None, "estado", "enviar_desde"),
        Index(None, "solicitud_id"),
        Index(None, "token_id"),
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


# Keep the DIM-side classes referenced so linters see why they are imported here:
_DIM_TABLES = (ObraSocial, PlanCobertura, Turno, TurnoAdjunto)
