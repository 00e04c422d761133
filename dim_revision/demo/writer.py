"""Write the planned demo to the database: bulk INSERTs in plan order, so ids are reproducible.

Rows go in with `insert(Model)` executemany (no ORM identity map to hold the file bytes); the ids
of each table are read back in insertion order to wire the foreign keys of the next one.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dim_revision.clock import LOCAL_TZ, to_local
from dim_revision.db.dim_mapping import SEED, dim_de
from dim_revision.db.models import (
    Contacto,
    SolicitudAdjunto,
    SolicitudAsistencia,
    SolicitudPrestacion,
)
from dim_revision.demo.catalog_data import CANONICAS
from dim_revision.demo.files import ArchivoListo, Taller, render_all
from dim_revision.demo.plan import OPERADORES, Archivo, Contexto, SolicitudPlan
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.turnos import adjuntar

PORTAL = Actor("portal", "portal-web")
_ESTACION = dict(OPERADORES)
_LOTE = 16  # files per INSERT batch


def _ids(s: Session, column: Any, n: int) -> list[int]:
    """The ids of the last `n` rows of a table we just filled, in insertion order."""
    ids = list(s.scalars(select(column).order_by(column)))
    return ids[-n:] if n else []


def _dim_insert(s: Session, entidad: str, filas: list[dict[str, Any]]) -> Any:
    """Rows into a stand-in for DIM's table, in this mapping's layout; returns its id column."""
    dim = dim_de(s)
    tabla = dim.todas[entidad]
    s.execute(insert(tabla.table).execution_options(**SEED), [dim.fila(entidad, f) for f in filas])
    return tabla.id


def obras(s: Session, ctx: Contexto) -> tuple[list[int], list[list[int]]]:
    obra_id = _dim_insert(
        s,
        "obra_social",
        [{"nombre": o.nombre, "sigla": o.sigla, "activa": True} for o in ctx.obras],
    )
    obra_ids = _ids(s, obra_id, len(ctx.obras))
    filas = [
        {"obra_social_id": oid, "nombre": p.nombre, "activo": p.activo}
        for oid, o in zip(obra_ids, ctx.obras, strict=True)
        for p in o.planes
    ]
    plan_id = _dim_insert(s, "plan", filas) if filas else dim_de(s).plan.id
    ids = iter(_ids(s, plan_id, len(filas)))
    return obra_ids, [[next(ids) for _ in o.planes] for o in ctx.obras]


def catalogo(s: Session, ctx: Contexto) -> list[int]:
    columna = _dim_insert(
        s,
        "prestacion",
        [
            {"codigo": p.codigo, "nombre": p.nombre, "modalidad": p.modalidad, "activa": p.activa}
            for p in ctx.catalogo
        ],
    )
    return _ids(s, columna, len(ctx.catalogo))


def pacientes(
    s: Session, ctx: Contexto, obra_ids: list[int], plan_ids: list[list[int]]
) -> list[int]:
    filas = []
    for p in ctx.pacientes:
        filas.append(
            {
                "dni": p.dni,
                "apellido": p.apellido,
                "nombre": p.nombre,
                "fecha_nacimiento": p.fecha_nacimiento,
                "telefono_movil": p.telefono_movil,
                "telefono_fijo": p.telefono_fijo,
                "email": p.email,
                "obra_social_id": obra_ids[p.obra_social] if p.obra_social is not None else None,
                "plan_id": plan_ids[p.obra_social][p.plan]
                if p.obra_social is not None and p.plan is not None
                else None,
                "numero_afiliado": p.numero_afiliado,
            }
        )
    return _ids(s, _dim_insert(s, "paciente", filas), len(filas))


def turnos(
    s: Session,
    planes: list[SolicitudPlan],
    pac_ids: list[int],
    prest_ids: list[int],
    rng: random.Random,
    now: datetime,
) -> dict[int, int]:
    """Appointments booked from the link (by plan index), plus a few unrelated ones."""
    filas = []
    indices = []
    for i, p in enumerate(planes):
        if p.turno_en is not None:
            filas.append(
                {
                    "paciente_id": pac_ids[p.paciente],
                    "prestacion_id": prest_ids[p.prestaciones[0]],
                    "fecha_hora": p.turno_en,
                    "estado": "asignado",
                }
            )
            indices.append(i)
    for _ in range(min(4, len(pac_ids))):
        dias = rng.randint(-20, 25)
        dia = to_local(now).date() + timedelta(days=dias)
        hora = time(rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
        cuando = datetime.combine(dia, hora, LOCAL_TZ).astimezone(UTC)
        filas.append(
            {
                "paciente_id": rng.choice(pac_ids),
                "prestacion_id": rng.choice(prest_ids[: len(CANONICAS)]),
                "fecha_hora": cuando,
                "estado": "atendido" if dias < 0 else "asignado",
            }
        )
    if not filas:
        return {}
    ids = _ids(s, _dim_insert(s, "turno", filas), len(filas))
    return dict(zip(indices, ids, strict=False))


def solicitudes(
    s: Session, planes: list[SolicitudPlan], pac_ids: list[int], turno_ids: dict[int, int]
) -> list[int]:
    filas = []
    for i, p in enumerate(planes):
        ultimo = p.contactos[-1] if p.contactos else None
        vinculado = p.vinculado_en is not None and i in turno_ids
        filas.append(
            {
                "paciente_id": pac_ids[p.paciente],
                "fecha_subida": p.fecha_subida,
                "telefono_verificado": p.telefono_verificado,
                "email_verificado": p.email_verificado,
                "fecha_contacto": ultimo.fecha if ultimo else None,
                "usuario_contacto": ultimo.usuario if ultimo else None,
                "mensaje_contacto": f"{ultimo.resultado.etiqueta}: {ultimo.comentario}"
                if ultimo
                else None,
                "resuelto": p.resuelto is not None,
                "fecha_resuelto": p.resuelto,
                "usuario_resuelto": p.usuario_resuelto,
                "fecha_baja": p.baja,
                "id_turno_destino": turno_ids[i] if vinculado else None,
                "version": 1
                + len(p.contactos)
                + (p.resuelto is not None)
                + (p.baja is not None)
                + vinculado,
            }
        )
    if not filas:
        return []
    s.execute(insert(SolicitudAsistencia), filas)
    return _ids(s, SolicitudAsistencia.id, len(filas))


@dataclass(frozen=True)
class Guardado:
    """What the audit trail and the turno copies need to know about a stored file."""

    nombre: str
    mime: str
    tamano: int
    sha256: str
    paginas: int | None
    contenido: bytes | None  # kept only for requests whose files get copied to a turno


def adjuntos(
    s: Session, planes: list[SolicitudPlan], sol_ids: list[int], taller: Taller, workers: int
) -> dict[int, list[Guardado]]:
    """Render every file (in parallel) and insert them in batches as they come."""
    trabajos: list[tuple[int, int, Archivo]] = [
        (i, orden, archivo)
        for i, p in enumerate(planes)
        for orden, archivo in enumerate(p.archivos)
    ]
    guardados: dict[int, list[Guardado]] = {i: [] for i in range(len(planes))}
    lote: list[dict[str, object]] = []
    listos: Iterator[ArchivoListo] = render_all((a for _, _, a in trabajos), taller, workers)
    for (i, orden, _), listo in zip(trabajos, listos, strict=True):
        lote.append(
            {
                "solicitud_id": sol_ids[i],
                "orden": orden,
                "nombre_archivo": listo.nombre,
                "mime": listo.mime,
                "tamano": len(listo.contenido),
                "sha256": listo.sha256,
                "paginas": listo.paginas,
                "contenido": listo.contenido,
            }
        )
        copiar = planes[i].vinculado_en is not None
        guardados[i].append(
            Guardado(
                listo.nombre,
                listo.mime,
                len(listo.contenido),
                listo.sha256,
                listo.paginas,
                listo.contenido if copiar else None,
            )
        )
        if len(lote) >= _LOTE:
            s.execute(insert(SolicitudAdjunto), lote)
            lote = []
    if lote:
        s.execute(insert(SolicitudAdjunto), lote)
    return guardados


def historia(
    s: Session,
    planes: list[SolicitudPlan],
    sol_ids: list[int],
    prest_ids: list[int],
    turno_ids: dict[int, int],
    archivos: dict[int, list[Guardado]],
) -> None:
    """Contacts, chosen prestaciones, turno copies and the audit trail, as the services write them."""
    adjunto_ids: dict[int, list[int]] = {}
    for sid, aid in s.execute(
        select(SolicitudAdjunto.solicitud_id, SolicitudAdjunto.id).order_by(SolicitudAdjunto.id)
    ):
        adjunto_ids.setdefault(sid, []).append(aid)
    contactos, elegidas, copias = [], [], []
    for i, p in enumerate(planes):
        sid = sol_ids[i]
        guardados = archivos[i]
        registrar_evento(
            s,
            PORTAL,
            "solicitud_registrada",
            p.fecha_subida,
            solicitud_id=sid,
            detalle={
                "archivos": [
                    {
                        "nombre": g.nombre,
                        "mime": g.mime,
                        "tamano": g.tamano,
                        "sha256": g.sha256,
                        "paginas": g.paginas,
                    }
                    for g in guardados
                ],
                "telefono_verificado": p.telefono_verificado,
                "email_verificado": p.email_verificado,
                "demo": True,
            },
        )
        for c in p.contactos:
            contactos.append(
                {
                    "solicitud_id": sid,
                    "fecha": c.fecha,
                    "usuario": c.usuario,
                    "resultado": c.resultado.value,
                    "comentario": c.comentario,
                }
            )
            actor = Actor(c.usuario, _ESTACION[c.usuario])
            registrar_evento(
                s,
                actor,
                "contacto_registrado",
                c.fecha,
                solicitud_id=sid,
                detalle={"resultado": c.resultado.value},
            )
        if p.resuelto is not None and p.usuario_resuelto is not None:
            actor = Actor(p.usuario_resuelto, _ESTACION[p.usuario_resuelto])
            if p.con_prestaciones:
                ids = [prest_ids[k] for k in p.prestaciones]
                elegidas += [
                    {"solicitud_id": sid, "prestacion_id": pid, "orden": n}
                    for n, pid in enumerate(ids)
                ]
                # The real flow writes an Envio here; the demo records the choice without one.
                registrar_evento(
                    s,
                    actor,
                    "demo_seed",
                    p.resuelto,
                    solicitud_id=sid,
                    detalle={"resuelta_con_prestaciones": ids},
                )
            else:
                registrar_evento(
                    s,
                    actor,
                    "marcado_resuelto",
                    p.resuelto,
                    solicitud_id=sid,
                    detalle={"comentario": "Resuelto por teléfono con el paciente."},
                )
        if p.baja is not None and p.usuario_baja is not None:
            actor = Actor(p.usuario_baja, _ESTACION[p.usuario_baja])
            registrar_evento(
                s,
                actor,
                "solicitud_baja",
                p.baja,
                solicitud_id=sid,
                detalle={"motivo": p.motivo_baja},
            )
        if p.vinculado_en is not None and i in turno_ids:
            for aid, g in zip(adjunto_ids.get(sid, []), guardados, strict=True):
                assert g.contenido is not None
                copias.append(
                    {
                        "turno_id": turno_ids[i],
                        "nombre_archivo": g.nombre,
                        "mime": g.mime,
                        "tamano": g.tamano,
                        "sha256": g.sha256,
                        "contenido": g.contenido,
                        "origen_id": aid,
                        "fecha_alta": p.vinculado_en,
                    }
                )
            registrar_evento(
                s,
                PORTAL,
                "turno_vinculado",
                p.vinculado_en,
                solicitud_id=sid,
                detalle={"turno_id": turno_ids[i], "adjuntos": adjunto_ids.get(sid, [])},
            )
    if contactos:
        s.execute(insert(Contacto), contactos)
    if elegidas:
        s.execute(insert(SolicitudPrestacion), elegidas)
    if copias:
        adjuntar(s, dim_de(s).settings.adjuntos_destino, copias)
