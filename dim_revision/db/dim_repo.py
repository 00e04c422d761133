"""Read model over DIM's tables: plain values for the services, whatever DIM's layout.

Every query goes through the mapped tables of `dim_mapping`; legacy data (NULL-heavy rows,
padded CHARs, one name column) comes out as the same dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dim_revision.db.dim_mapping import DimTables, dim_de, nombre_completo


@dataclass(frozen=True)
class PacienteDim:
    id: int
    dni: str
    apellido: str
    nombre: str  # first name(s); "" when DIM keeps one "APELLIDO, NOMBRE" column without a comma
    telefono_movil: str | None
    telefono_fijo: str | None
    email: str | None
    obra_social: str | None
    plan: str | None
    numero_afiliado: str | None

    @property
    def nombre_completo(self) -> str:
        return nombre_completo(self.apellido, self.nombre)

    @property
    def nombre_saludo(self) -> str:
        """How a message greets the patient: the first name, else the whole name."""
        return self.nombre or self.apellido or "paciente"


@dataclass(frozen=True)
class PrestacionDim:
    id: int
    codigo: str
    nombre: str
    activa: bool


@dataclass(frozen=True)
class TurnoDim:
    id: int
    paciente_id: int
    fecha_hora: datetime | None


def _texto(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def partir_nombre(apellido: str | None, nombre: str | None) -> tuple[str, str]:
    """(apellido, nombre); one "APELLIDO, NOMBRE" value is split at its first comma."""
    a, n = (apellido or "").strip(), (nombre or "").strip()
    if n or "," not in a:
        return a, n
    izquierda, derecha = a.split(",", 1)
    return izquierda.strip(), derecha.strip()


def _paciente_select(dim: DimTables) -> Any:
    p, o, pl = dim.paciente, dim.obra_social, dim.plan
    apellido, nombre = dim.paciente_nombre_sql()
    return (
        select(
            p.id.label("id"),
            p.dni.label("dni"),
            apellido.label("apellido"),
            nombre.label("nombre"),
            p.telefono_movil.label("telefono_movil"),
            p.telefono_fijo.label("telefono_fijo"),
            p.email.label("email"),
            o.nombre.label("obra_social"),
            pl.nombre.label("plan"),
            p.numero_afiliado.label("numero_afiliado"),
        )
        .select_from(p.table)
        .outerjoin(o.table, o.id == p.obra_social_id)
        .outerjoin(pl.table, pl.id == p.plan_id)
    )


def _paciente(row: Any) -> PacienteDim:
    apellido, nombre = partir_nombre(row.apellido, row.nombre)
    return PacienteDim(
        id=row.id,
        dni=_texto(row.dni) or "",
        apellido=apellido,
        nombre=nombre,
        telefono_movil=_texto(row.telefono_movil),
        telefono_fijo=_texto(row.telefono_fijo),
        email=_texto(row.email),
        obra_social=_texto(row.obra_social),
        plan=_texto(row.plan),
        numero_afiliado=_texto(row.numero_afiliado),
    )


def paciente(session: Session, paciente_id: int) -> PacienteDim | None:
    dim = dim_de(session)
    row = session.execute(_paciente_select(dim).where(dim.paciente.id == paciente_id)).first()
    return _paciente(row) if row is not None else None


def pacientes_por_dni(session: Session, dni: str) -> list[PacienteDim]:
    """Every patient row with this DNI, newest (highest id) first: legacy tables repeat DNIs."""
    dim = dim_de(session)
    stmt = (
        _paciente_select(dim)
        .where(dim.paciente.dni == dni)
        .order_by(dim.paciente.id.desc())
        .limit(20)
    )
    return [_paciente(r) for r in session.execute(stmt)]


def prestaciones(session: Session, ids: Iterable[int]) -> dict[int, PrestacionDim]:
    p = dim_de(session).prestacion
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(
            p.id, p.codigo.label("codigo"), p.nombre.label("nombre"), p.activa.label("activa")
        ).where(p.id.in_(wanted))
    )
    return {
        r.id: PrestacionDim(
            r.id,
            _texto(r.codigo) or "",
            _texto(r.nombre) or f"#{r.id}",
            bool(r.activa) if r.activa is not None else True,
        )
        for r in rows
    }


def turno(session: Session, turno_id: int) -> TurnoDim | None:
    t = dim_de(session).turno
    row = session.execute(
        select(t.id, t.paciente_id, t.fecha_hora.label("fecha_hora")).where(t.id == turno_id)
    ).first()
    return TurnoDim(row.id, row.paciente_id, row.fecha_hora) if row is not None else None


def actualizar_movil(session: Session, paciente_id: int, movil: str) -> None:
    """The one documented write to DIM's patient table (`[dim] actualizar_movil = true`)."""
    p = dim_de(session).paciente
    session.execute(update(p.table).where(p.id == paciente_id).values(telefono_movil=movil))
