"""Fill an empty database with the reproducible demo: catalog, insurers, patients, requests with
their uploaded orders, contact history, resolutions, a few appointments and the audit trail.

Same `seed` and `now` give byte-identical rows and files. Everything is written in one transaction,
so a failure leaves the database empty and the next `dim-revision demo` simply tries again.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dim_revision.clock import as_utc, local_today
from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.demo import writer
from dim_revision.demo.catalog import generate_catalog, max_prestaciones
from dim_revision.demo.catalog_data import CANONICAS
from dim_revision.demo.files import Taller, default_workers
from dim_revision.demo.medicos import generate_medicos
from dim_revision.demo.people import generate_pacientes, obras_sociales
from dim_revision.demo.plan import Contexto, SolicitudPlan, plan_solicitudes
from dim_revision.errors import ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento

MAX_SOLICITUDES = 20_000


@dataclass(frozen=True)
class ResumenDemo:
    prestaciones: int
    pacientes: int
    solicitudes: int
    de_hoy: int
    resueltas: int
    archivos: int
    bytes_archivos: int
    segundos: float = field(compare=False, default=0.0)

    def __str__(self) -> str:
        mb = self.bytes_archivos / (1024 * 1024)
        return (
            f"{self.solicitudes} solicitudes ({self.de_hoy} de hoy, {self.resueltas} resueltas) "
            f"con {self.archivos} archivos ({mb:.0f} MB), {self.pacientes} pacientes y "
            f"{self.prestaciones} prestaciones, en {self.segundos:.0f} s"
        )


def seed_demo(
    db: Database,
    *,
    seed: int,
    solicitudes: int,
    prestaciones: int,
    now: datetime,
    workers: int | None = None,
    fuentes: Mapping[str, Sequence[str]] | None = None,
) -> ResumenDemo:
    """Seed an empty database; refuses (Spanish message, nothing written) if it already has data.

    `workers` render threads (default: one per core, up to 4); `fuentes` overrides the font
    search (tests pass {} to prove the demo renders without any font installed)."""
    inicio = timer.perf_counter()
    demo = planificar(seed=seed, solicitudes=solicitudes, prestaciones=prestaciones, now=now)
    ctx, planes = demo.contexto, demo.planes
    with db.uow() as uow:
        s = uow.session
        _exigir_vacia(s)
        obra_ids, plan_ids = writer.obras(s, ctx)
        prest_ids = writer.catalogo(s, ctx)
        pac_ids = writer.pacientes(s, ctx, obra_ids, plan_ids)
        turno_ids = writer.turnos(
            s, planes, pac_ids, prest_ids, random.Random(f"{seed}:turnos"), ctx.now
        )
        sol_ids = writer.solicitudes(s, planes, pac_ids, turno_ids)
        archivos = writer.adjuntos(
            s, planes, sol_ids, Taller(fuentes), workers or default_workers()
        )
        writer.historia(s, planes, sol_ids, prest_ids, turno_ids, archivos)
        registrar_evento(
            s,
            Actor("demo", "demo"),
            "demo_seed",
            ctx.now,
            detalle={"seed": seed, "solicitudes": solicitudes, "prestaciones": prestaciones},
        )
        uow.commit()

    hoy = local_today(ctx.now)
    return ResumenDemo(
        prestaciones=len(ctx.catalogo),
        pacientes=len(ctx.pacientes),
        solicitudes=len(planes),
        de_hoy=sum(1 for p in planes if local_today(p.fecha_subida) == hoy),
        resueltas=sum(1 for p in planes if p.resuelto is not None),
        archivos=sum(len(a) for a in archivos.values()),
        bytes_archivos=sum(meta.tamano for a in archivos.values() for meta in a),
        segundos=timer.perf_counter() - inicio,
    )


@dataclass(frozen=True)
class Demo:
    """The whole demo as plain data, before any pixel or row exists."""

    contexto: Contexto
    planes: list[SolicitudPlan]


def planificar(*, seed: int, solicitudes: int, prestaciones: int, now: datetime) -> Demo:
    if not 0 <= solicitudes <= MAX_SOLICITUDES:
        raise ValidationError(f"La cantidad de solicitudes debe estar entre 0 y {MAX_SOLICITUDES}.")
    if not 1 <= prestaciones <= max_prestaciones():
        raise ValidationError(
            f"La cantidad de prestaciones debe estar entre 1 y {max_prestaciones()}."
        )
    now = as_utc(now).replace(microsecond=0)
    pacientes = generate_pacientes(
        max(10, solicitudes + solicitudes // 4),
        random.Random(f"{seed}:pacientes"),
        local_today(now),
    )
    ctx = Contexto(
        catalogo=generate_catalog(prestaciones, random.Random(f"{seed}:catalogo")),
        pacientes=pacientes,
        obras=obras_sociales(),
        medicos=generate_medicos(random.Random(f"{seed}:medicos")),
        now=now,
        canonicas=len(CANONICAS),
    )
    return Demo(ctx, plan_solicitudes(ctx, solicitudes, random.Random(f"{seed}:solicitudes")))


def demo_cargada(db: Database) -> bool:
    """Whether the database already holds demo (or any) patients and requests."""
    with db.uow() as uow:
        return _tiene_datos(uow.session)


def _tiene_datos(s: Session) -> bool:
    dim = dim_de(s)
    for tabla in (dim.paciente.table, SolicitudAsistencia.__table__, dim.prestacion.table):
        if s.scalar(select(func.count()).select_from(tabla)):
            return True
    return False


def _exigir_vacia(s: Session) -> None:
    if _tiene_datos(s):
        raise ValidationError(
            "La base ya tiene datos: la demostración sólo se carga en una base vacía."
        )
