"""Reading the uploaded orders once, for everyone (issue 15): the stored result per file (by its
sha256), the claim that keeps two PCs from reading the same file, and what a record's readings
propose and warn about.

A reading never blocks anything: every function here returns quietly when the file is taken,
already read or unreadable; `lectura_adjunto` keeps "read, nothing found" too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dim_revision.config import BusquedaSettings
from dim_revision.db import dim_repo
from dim_revision.db.dim_mapping import dim_de
from dim_revision.db.models import LecturaAdjunto, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.sql_time import read_db_now, utc_now
from dim_revision.db.uow import Database
from dim_revision.domain.search_index import SearchIndex
from dim_revision.lectura.controles import Alerta, Paciente, controlar
from dim_revision.lectura.lector import Lector
from dim_revision.lectura.modelo import Lectura, Pagina, paginas_de_json, region_en_archivo
from dim_revision.lectura.propuestas import MAX_POR_ORDEN, Proponedor, Propuesta
from dim_revision.lectura.renglones import renglones
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento
from dim_revision.services.catalogo import indice_de_busqueda, prestaciones_activas

log = logging.getLogger(__name__)

LEYENDO = "leyendo"
RECLAMO_VENCE = timedelta(minutes=5)  # a claim older than this was left by a PC that died


@dataclass(frozen=True)
class LecturaGuardada:
    adjunto_id: int
    estado: str
    motor: str
    version: str
    paginas: tuple[Pagina, ...]
    motivo: str

    def como_lectura(self) -> Lectura:
        return Lectura(self.estado, self.motor, self.version, self.paginas, 0.0, self.motivo)


@dataclass(frozen=True)
class PropuestaOrden:
    """One proposal of a record, with the file and page its line is on (for the viewer)."""

    propuesta: Propuesta
    adjunto_id: int
    archivo: int  # index of the file in the record (SolicitudDetalle.adjuntos order)
    region: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # see region_en_archivo


@dataclass(frozen=True)
class RevisionOrden:
    solicitud_id: int
    propuestas: tuple[PropuestaOrden, ...]
    alertas: tuple[Alerta, ...]
    giros: tuple[tuple[int, int, int], ...]  # (file index, page, degrees clockwise) ≠ 0
    leidos: int  # files with a final reading
    archivos: int


def lectura_guardada(db: Database, sha256: str) -> LecturaGuardada | None:
    with db.uow() as uow:
        row = uow.session.scalars(
            select(LecturaAdjunto).where(LecturaAdjunto.sha256 == sha256)
        ).first()
        return None if row is None or row.estado == LEYENDO else _guardada(row)


def _guardada(row: LecturaAdjunto) -> LecturaGuardada:
    return LecturaGuardada(
        row.adjunto_id or 0,
        row.estado,
        row.motor,
        row.version_motor,
        paginas_de_json(row.paginas),
        row.motivo or "",
    )


def reclamar(db: Database, sha256: str, adjunto_id: int | None, quien: str) -> bool:
    """Take the right to read this file: one INSERT, or retake a stale claim; False if taken
    or already read."""
    try:
        with db.uow() as uow:
            uow.session.add(
                LecturaAdjunto(
                    sha256=sha256,
                    adjunto_id=adjunto_id,
                    estado=LEYENDO,
                    motor="",
                    version_motor="",
                    milisegundos=0,
                    leida_en=read_db_now(db.engine),
                    leida_por=quien[:60],
                )
            )
            uow.commit()
            return True
    except IntegrityError:
        pass
    with db.uow() as uow:
        ahora = read_db_now(db.engine)
        result = uow.session.execute(
            update(LecturaAdjunto)
            .where(
                LecturaAdjunto.sha256 == sha256,
                LecturaAdjunto.estado == LEYENDO,
                LecturaAdjunto.leida_en < ahora - RECLAMO_VENCE,
            )
            .values(leida_en=ahora, leida_por=quien[:60])
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def guardar(db: Database, sha256: str, lectura: Lectura, quien: str) -> None:
    with db.uow() as uow:
        uow.session.execute(
            update(LecturaAdjunto)
            .where(LecturaAdjunto.sha256 == sha256)
            .values(
                estado=lectura.estado,
                motor=lectura.motor[:40],
                version_motor=lectura.version[:120],
                paginas=lectura.a_json() if lectura.paginas else None,
                milisegundos=round(lectura.segundos * 1000),
                motivo=lectura.motivo[:200] or None,
                leida_en=utc_now(),
                leida_por=quien[:60],
            )
            .execution_options(synchronize_session=False)
        )
        uow.commit()


def leer_adjunto(db: Database, lector: Lector, adjunto_id: int, quien: str) -> Lectura | None:
    """The reading of one attachment: stored, or read now (by whoever claims it first).

    None when another PC is reading it or the attachment does not exist."""
    with db.uow() as uow:
        adj = uow.session.get(SolicitudAdjunto, adjunto_id)
        if adj is None:
            return None
        sha = adj.sha256
    guardada = lectura_guardada(db, sha)
    if guardada is not None:
        return guardada.como_lectura()
    if not reclamar(db, sha, adjunto_id, quien):
        return None
    try:
        with db.uow() as uow:
            adj = uow.session.get(SolicitudAdjunto, adjunto_id)
            data = adj.contenido if adj is not None else b""
        lectura = lector.leer(data)
    except Exception:  # the claim expires; another round (or PC) tries again
        log.warning("No se pudo leer el adjunto %s", adjunto_id, exc_info=True)
        return None
    if lectura.extra.get("cerrada"):  # this PC is quitting: the claim expires, someone retries
        return None
    guardar(db, sha, lectura, quien)
    return lectura


def pendientes(db: Database, limite: int) -> list[int]:
    """Attachments of open requests nobody has read (or claimed) yet, newest upload first."""
    with db.uow() as uow:
        leida = exists().where(LecturaAdjunto.sha256 == SolicitudAdjunto.sha256)
        rows = uow.session.execute(
            select(SolicitudAdjunto.id)
            .join(SolicitudAsistencia, SolicitudAsistencia.id == SolicitudAdjunto.solicitud_id)
            .where(
                SolicitudAsistencia.fecha_baja.is_(None),
                SolicitudAsistencia.resuelto == false(),
                ~leida,
            )
            .order_by(SolicitudAsistencia.fecha_subida.desc(), SolicitudAdjunto.id)
            .limit(limite)
        )
        return [r[0] for r in rows]


def leer_pendientes(db: Database, lector: Lector, quien: str, limite: int = 10) -> int:
    """One round of the service's job: read up to `limite` new uploads; how many were read."""
    hechos = 0
    for adjunto_id in pendientes(db, limite):
        if leer_adjunto(db, lector, adjunto_id, quien) is not None:
            hechos += 1
    return hechos


def leer_solicitud(db: Database, lector: Lector, solicitud_id: int, quien: str) -> int:
    """Read the files of one record that nobody has read (the workstation, at prefetch)."""
    hechos = 0
    for adjunto_id in _adjuntos(db, solicitud_id):
        if leer_adjunto(db, lector, adjunto_id, quien) is not None:
            hechos += 1
    return hechos


def _adjuntos(db: Database, solicitud_id: int) -> list[int]:
    with db.uow() as uow:
        return list(
            uow.session.scalars(
                select(SolicitudAdjunto.id)
                .where(SolicitudAdjunto.solicitud_id == solicitud_id)
                .order_by(SolicitudAdjunto.orden, SolicitudAdjunto.id)
            )
        )


def revisar_solicitud(
    db: Database, solicitud_id: int, proponedor: Proponedor, hoy: date, validez_dias: int = 30
) -> RevisionOrden:
    """What the stored readings of a record propose and warn about (reads nothing new)."""
    with db.uow() as uow:
        s = uow.session
        sol = s.get(SolicitudAsistencia, solicitud_id)
        paciente = _paciente(s, sol.paciente_id) if sol is not None else None
        filas = s.execute(
            select(SolicitudAdjunto.id, LecturaAdjunto)
            .outerjoin(LecturaAdjunto, LecturaAdjunto.sha256 == SolicitudAdjunto.sha256)
            .where(SolicitudAdjunto.solicitud_id == solicitud_id)
            .order_by(SolicitudAdjunto.orden, SolicitudAdjunto.id)
        ).all()
        lecturas = [
            (i, adj_id, _guardada(row) if row is not None and row.estado != LEYENDO else None)
            for i, (adj_id, row) in enumerate(filas)
        ]
    propuestas: list[PropuestaOrden] = []
    alertas: dict[str, Alerta] = {}
    giros: list[tuple[int, int, int]] = []
    vistos: set[int] = set()
    for archivo, adj_id, guardada in lecturas:
        if guardada is None:
            continue
        lectura = guardada.como_lectura()
        giros += [(archivo, n, p.giro) for n, p in enumerate(lectura.paginas) if p.giro]
        for prop in proponedor.proponer(lectura):
            if prop.prestacion_id not in vistos and len(propuestas) < MAX_POR_ORDEN:
                vistos.add(prop.prestacion_id)
                pagina = lectura.paginas[prop.pagina]
                region = region_en_archivo(prop.caja, pagina)
                propuestas.append(PropuestaOrden(prop, adj_id, archivo, region))
        if paciente is not None:
            for alerta in controlar(renglones(lectura), paciente, hoy, validez_dias):
                alertas.setdefault(alerta.clave, alerta)
    return RevisionOrden(
        solicitud_id,
        tuple(propuestas),
        tuple(alertas.values()),
        tuple(giros),
        sum(1 for *_, g in lecturas if g is not None),
        len(lecturas),
    )


def _paciente(s: Session, paciente_id: int) -> Paciente | None:
    pac = dim_repo.paciente(s, paciente_id)
    if pac is None:
        return None
    coberturas = [" ".join(x for x in (pac.obra_social, pac.plan) if x)]
    dim = dim_de(s)
    if dim.obra_social.tiene("sigla"):
        o, p = dim.obra_social, dim.paciente
        sigla = s.scalar(
            select(o.sigla)
            .select_from(p.table)
            .join(o.table, o.id == p.obra_social_id)
            .where(p.id == paciente_id)
        )
        if sigla:
            coberturas.append(f"{sigla} {pac.plan or ''}".strip())
    nombre = f"{pac.apellido}, {pac.nombre}" if pac.nombre else pac.apellido
    return Paciente(pac.dni, nombre, tuple(c for c in coberturas if c))


def proponedor_de(db: Database, now: datetime, cfg: BusquedaSettings) -> Proponedor:
    """The proposer over the active catalog, with the picker's own search index."""
    return proponedor_sobre(db, indice_de_busqueda(db, now, cfg))


def proponedor_sobre(db: Database, index: SearchIndex) -> Proponedor:
    """The proposer over an index already loaded (the window's picker's: one copy, not two;
    `SearchIndex` is safe to query from threads)."""
    return Proponedor(index, [n for _, n in prestaciones_activas(db)])


def paciente_por_dni(db: Database, dni: str) -> Paciente:
    """The patient to check an order against (`leer-orden --dni`); only the DNI if unknown."""
    with db.uow() as uow:
        encontrados = dim_repo.pacientes_por_dni(uow.session, dni)
        if encontrados:
            hallado = _paciente(uow.session, encontrados[0].id)
            if hallado is not None:
                return hallado
    return Paciente(dni, "", ())


def auditar_alertas_confirmadas(
    session: Session, actor: Actor, now: datetime, solicitud_id: int, alertas: Sequence[Alerta]
) -> None:
    """The audit of an operator confirming the send despite the reader's warnings on this
    record: written by `envios.confirmar_envio` in its own transaction, so a cancelled or
    refused confirmation leaves no row. (The kinds go under "tipos": the audit masks any key
    that says "clave".)"""
    if not alertas:
        return
    registrar_evento(
        session,
        actor,
        "lectura_alertas_confirmadas",
        now,
        solicitud_id=solicitud_id,
        detalle={"alertas": [a.texto for a in alertas], "tipos": [a.clave for a in alertas]},
    )


def contar_lecturas(db: Database) -> tuple[int, int]:
    """(files with a final reading, files of open requests nobody has read yet) for `doctor`."""
    with db.uow() as uow:
        leidos = uow.session.scalar(
            select(func.count()).select_from(LecturaAdjunto).where(LecturaAdjunto.estado != LEYENDO)
        )
    return int(leidos or 0), len(pendientes(db, 1000))
