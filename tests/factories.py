"""Small builders for test data; each returns the persisted object (flushed, not committed)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from PIL import Image
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dim_revision.db.dim_mapping import SEED, dim_de
from dim_revision.db.models import (
    Envio,
    Operador,
    SolicitudAdjunto,
    SolicitudAsistencia,
)

Fila = SimpleNamespace  # a DIM row as the test wrote it (logical field names, plus its id)

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


def dim_row(s: Session, entidad: str, **valores: Any) -> Fila:
    """Insert one row into a stand-in for DIM's table, in whatever layout the test runs on
    (standins or legacy); marked as seed so the DIM-write recorder ignores it."""
    dim = dim_de(s)
    tabla = dim.todas[entidad]
    result = s.execute(
        insert(tabla.table).values(**dim.fila(entidad, valores)).execution_options(**SEED)
    )
    pk = result.inserted_primary_key
    new_id = (
        pk[0] if pk and pk[0] is not None else s.scalar(select(tabla.id).order_by(tabla.id.desc()))
    )
    return Fila(id=new_id, **valores)


def obra_social(s: Session, nombre: str = "OSDE", plan: str = "310") -> tuple[Fila, Fila]:
    os_ = dim_row(s, "obra_social", nombre=nombre, sigla=nombre[:10], activa=True)
    p = dim_row(s, "plan", obra_social_id=os_.id, nombre=plan, activo=True)
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
    telefono_fijo: str | None = None,
) -> Fila:
    n = next(_seq)
    os_id = plan_id = None
    if with_obra_social:
        os_, plan = obra_social(s, nombre=f"OSDE {n}")
        os_id, plan_id = os_.id, plan.id
    return dim_row(
        s,
        "paciente",
        dni=dni or str(20_000_000 + n),
        apellido=apellido,
        nombre=nombre,
        telefono_movil=movil,
        telefono_fijo=telefono_fijo,
        email=email,
        obra_social_id=os_id,
        plan_id=plan_id,
    )


def prestacion(
    s: Session, nombre: str = "RESONANCIA MAGNÉTICA DE RODILLA", activa: bool = True
) -> Fila:
    n = next(_seq)
    return dim_row(
        s,
        "prestacion",
        codigo=f"P{n:05d}",
        nombre=nombre,
        modalidad=nombre.split()[0],
        activa=activa,
    )


def solicitud(
    s: Session,
    pac: Fila,
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


def turno(s: Session, pac: Fila, fecha_hora: datetime, prestacion_id: int | None = None) -> Fila:
    return dim_row(
        s,
        "turno",
        paciente_id=pac.id,
        fecha_hora=fecha_hora,
        prestacion_id=prestacion_id,
        estado="asignado",
    )


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


def moviles(s: Session) -> list[tuple[str, str]]:
    """(dni, mobile) of every patient row in DIM's table, through the mapping."""
    p = dim_de(s).paciente
    return sorted(
        ((dni or "").strip(), (movil or "").strip())
        for dni, movil in s.execute(select(p.dni, p.telefono_movil))
    )


def movil_de(s: Session, paciente_id: int) -> str | None:
    p = dim_de(s).paciente
    value = s.scalar(select(p.telefono_movil).where(p.id == paciente_id))
    return value.strip() if isinstance(value, str) else value


def adjuntos_del_turno(s: Session, turno_id: int) -> list[tuple[str, bytes]]:
    """(file name, bytes) attached to a turno, wherever `[dim] adjuntos_destino` puts them."""
    from dim_revision.db.models import TurnoAdjunto

    dim = dim_de(s)
    if dim.settings.adjuntos_destino == "dim":
        a = dim.adjunto
        rows = s.execute(
            select(a.nombre_archivo, a.contenido).where(a.turno_id == turno_id).order_by(a.id)
        )
    else:
        t = TurnoAdjunto
        rows = s.execute(
            select(t.nombre_archivo, t.contenido).where(t.turno_id == turno_id).order_by(t.id)
        )
    return [(n, bytes(c)) for n, c in rows]


def with_dim(db: Any, **changes: Any) -> Any:
    """Another Database on the same engine with some `[dim]` settings changed."""
    import dataclasses

    from dim_revision.db.uow import Database

    return Database(db._base_engine, dataclasses.replace(db.dim_settings, **changes))


def copias_en_turnos(s: Session) -> list[tuple[Any, ...]]:
    """(turno_id, file name, mime, bytes, fecha_alta) of every file attached to a turno, in
    insertion order, from our `turno_adjunto` or DIM's table as configured."""
    from dim_revision.db.models import TurnoAdjunto

    dim = dim_de(s)
    if dim.settings.adjuntos_destino == "dim":
        a = dim.adjunto
        cols = (a.turno_id, a.nombre_archivo, a.mime, a.contenido, a.fecha_alta)
        order = a.id
    else:
        t = TurnoAdjunto
        cols = (t.turno_id, t.nombre_archivo, t.mime, t.contenido, t.fecha_alta)
        order = t.id
    return [
        (r[0], r[1], (r[2] or "").strip(), bytes(r[3]), r[4])
        for r in s.execute(select(*cols).order_by(order))
    ]
