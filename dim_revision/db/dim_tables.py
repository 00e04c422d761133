"""The DIM-side tables we read (patients, insurers, plans, prestaciones, turnos).

We never see DIM's legacy schema, so these are modelled here with clear names. Every table and
column name that points at DIM's database lives in this one module: aiming at the real schema is a
change to the `__tablename__` and `mapped_column("RealName", ...)` arguments below, nothing else.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from dim_revision.db.base import Base, Code, Name, UTCDateTime


class ObraSocial(Base):
    __tablename__ = "obra_social"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(Name(120))
    sigla: Mapped[str | None] = mapped_column(Name(30))
    activa: Mapped[bool] = mapped_column(Boolean, default=True)


class PlanCobertura(Base):
    __tablename__ = "plan_cobertura"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obra_social_id: Mapped[int] = mapped_column(ForeignKey("obra_social.id"), index=True)
    nombre: Mapped[str] = mapped_column(Name(120))
    activo: Mapped[bool] = mapped_column(Boolean, default=True)


class Paciente(Base):
    __tablename__ = "paciente"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dni: Mapped[str] = mapped_column(Code(12), unique=True)
    apellido: Mapped[str] = mapped_column(Name(80))
    nombre: Mapped[str] = mapped_column(Name(80))
    fecha_nacimiento: Mapped[date | None] = mapped_column(Date)
    telefono_movil: Mapped[str | None] = mapped_column(Name(40))  # as the patient typed it
    telefono_fijo: Mapped[str | None] = mapped_column(Name(40))
    email: Mapped[str | None] = mapped_column(Name(120))
    obra_social_id: Mapped[int | None] = mapped_column(ForeignKey("obra_social.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan_cobertura.id"))
    numero_afiliado: Mapped[str | None] = mapped_column(Name(40))

    obra_social: Mapped[ObraSocial | None] = relationship(lazy="joined")
    plan: Mapped[PlanCobertura | None] = relationship(lazy="joined")

    __table_args__ = (Index(None, "apellido", "nombre"),)

    @property
    def nombre_completo(self) -> str:
        return f"{self.apellido}, {self.nombre}"


class PrestacionDefinicion(Base):
    __tablename__ = "prestacion_definicion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    codigo: Mapped[str] = mapped_column(Code(20), unique=True)
    nombre: Mapped[str] = mapped_column(Name(200))
    modalidad: Mapped[str] = mapped_column(Name(60))  # RESONANCIA, TOMOGRAFIA, ECOGRAFIA…
    # The national nomenclador code, when DIM keeps it apart from its own (search finds both).
    codigo_nomenclador: Mapped[str | None] = mapped_column(Code(20), nullable=True)
    activa: Mapped[bool] = mapped_column(Boolean, default=True)


class Turno(Base):
    __tablename__ = "turno"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paciente_id: Mapped[int] = mapped_column(ForeignKey("paciente.id"), index=True)
    prestacion_id: Mapped[int | None] = mapped_column(ForeignKey("prestacion_definicion.id"))
    fecha_hora: Mapped[datetime] = mapped_column(UTCDateTime)
    estado: Mapped[str] = mapped_column(Code(20), default="asignado")


class TurnoAdjunto(Base):
    """Where DIM keeps the order attached to a turno; the turno association copies files here."""

    __tablename__ = "turno_adjunto"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turno_id: Mapped[int] = mapped_column(ForeignKey("turno.id"), index=True)
    nombre_archivo: Mapped[str] = mapped_column(Name(255))
    mime: Mapped[str] = mapped_column(Code(60))
    tamano: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(Code(64))
    contenido: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    origen_adjunto_id: Mapped[int | None] = mapped_column(
        Integer
    )  # solicitud_adjunto.id it came from
    fecha_alta: Mapped[datetime] = mapped_column(UTCDateTime)
