"""Small builders for test data; each returns the persisted object (flushed, not committed)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from datetime import UTC, datetime

from PIL import Image
from sqlalchemy.orm import Session

from dim_revision.db.models import (
    Envio,
    ObraSocial,
    Operador,
    Paciente,
    PlanCobertura,
    PrestacionDefinicion,
    SolicitudAdjunto,
    SolicitudAsistencia,
    Turno,
)

_seq = itertools.count(1)


def jpeg_bytes(width: int = 64, height: int = 48, color: str = "white") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG")
    return buf.getvalue()


def png_bytes(width: int = 64, height: int = 48, color: str = "white") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    """A real PDF with blank A4 pages (optionally encrypted)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def obra_social(
    s: Session, nombre: str = "OSDE", plan: str = "310"
) -> tuple[ObraSocial, PlanCobertura]:
    os_ = ObraSocial(nombre=nombre, sigla=nombre[:10], activa=True)
    s.add(os_)
    s.flush()
    p = PlanCobertura(obra_social_id=os_.id, nombre=plan, activo=True)
    s.add(p)
    s.flush()
    return os_, p


def paciente(
    s: Session,
    *,
    dni: str | None = None,
    apellido: str = "Pérez",
    nombre: str = "Ana",
    movil: str | None = "11 15-2345-6789",
    email: str | None = "ana@example.com",
    with_obra_social: bool = True,
) -> Paciente:
    n = next(_seq)
    os_id = plan_id = None
    if with_obra_social:
        os_, plan = obra_social(s, nombre=f"OSDE {n}")
        os_id, plan_id = os_.id, plan.id
    p = Paciente(
        dni=dni or str(20_000_000 + n),
        apellido=apellido,
        nombre=nombre,
        telefono_movil=movil,
        email=email,
        obra_social_id=os_id,
        plan_id=plan_id,
    )
    s.add(p)
    s.flush()
    return p


def prestacion(
    s: Session, nombre: str = "RESONANCIA MAGNÉTICA DE RODILLA", activa: bool = True
) -> PrestacionDefinicion:
    n = next(_seq)
    pr = PrestacionDefinicion(
        codigo=f"P{n:05d}", nombre=nombre, modalidad=nombre.split()[0], activa=activa
    )
    s.add(pr)
    s.flush()
    return pr


def solicitud(
    s: Session,
    pac: Paciente,
    fecha_subida: datetime,
    *,
    files: int = 1,
    telefono_verificado: bool = True,
    email_verificado: bool = True,
) -> SolicitudAsistencia:
    sol = SolicitudAsistencia(
        paciente_id=pac.id,
        fecha_subida=fecha_subida,
        telefono_verificado=telefono_verificado,
        email_verificado=email_verificado,
        resuelto=False,
        version=1,
    )
    s.add(sol)
    s.flush()
    for i in range(files):
        data = jpeg_bytes(color=["white", "gray", "black"][i % 3])
        s.add(
            SolicitudAdjunto(
                solicitud_id=sol.id,
                orden=i,
                nombre_archivo=f"orden{i + 1}.jpg",
                mime="image/jpeg",
                tamano=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                contenido=data,
            )
        )
    s.flush()
    return sol


def turno(
    s: Session, pac: Paciente, fecha_hora: datetime, prestacion_id: int | None = None
) -> Turno:
    t = Turno(
        paciente_id=pac.id, fecha_hora=fecha_hora, prestacion_id=prestacion_id, estado="asignado"
    )
    s.add(t)
    s.flush()
    return t


def envio(
    s: Session,
    sol: SolicitudAsistencia,
    enviar_desde: datetime,
    *,
    estado: str = "programado",
    telefono: str = "5491123456789",
    plantilla: str = "dim_link_turno",
    parametros: str | None = None,
    intentos: int = 0,
    creado_por: str = "operador",
) -> Envio:
    """An outbox row as Confirmar envío would leave it (`enviar_desde` = confirm time + window)."""
    n = next(_seq)
    e = Envio(
        solicitud_id=sol.id,
        telefono=telefono,
        plantilla=plantilla,
        parametros=parametros
        if parametros is not None
        else json.dumps({"nombre": "Ana", "prestaciones": "RMN de rodilla", "link": f"tok{n}"}),
        link=f"https://portal.example/turno/tok{n}",
        token_id=f"jti-{n}",
        estado=estado,
        creado=enviar_desde,
        creado_por=creado_por,
        enviar_desde=enviar_desde,
        intentos=intentos,
        version=1,
    )
    s.add(e)
    s.flush()
    return e


def operador(
    s: Session, usuario: str, *, supervisor: bool = False, activo: bool = True
) -> Operador:
    """A registered user (issue #6 roles); unregistered users are plain operators."""
    o = Operador(
        usuario=usuario,
        nombre=usuario.capitalize(),
        rol="supervisor" if supervisor else "operador",
        activo=activo,
        creado=datetime(2026, 1, 1, tzinfo=UTC),
    )
    s.add(o)
    s.flush()
    return o
