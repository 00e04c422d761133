"""DIM's data is legacy data: repeated DNIs, patients without obra social or plan, inactive
prestaciones still referenced, NULL-heavy rows, rows gone from DIM. Each case on both layouts
and both backends gives data or a clear Spanish message, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update

from dim_revision.clock import FakeClock
from dim_revision.config import IntakeSettings, Settings
from dim_revision.db import dim_repo
from dim_revision.db.dim_mapping import SEED
from dim_revision.db.models import Evento, SolicitudAsistencia, SolicitudPrestacion
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, ValidationError
from dim_revision.services import envios
from dim_revision.services.actor import Actor
from dim_revision.services.catalogo import prestaciones_activas
from dim_revision.services.detalle import obtener_detalle
from dim_revision.services.exportar import exportar
from dim_revision.services.intake import registrar_solicitud
from dim_revision.services.queue import QueueFilter, list_queue
from tests import factories

PORTAL = Actor("portal", "web-1")
ANA = Actor("ana", "pc-01")
KEY = "clave-de-prueba-" + "x" * 32
CFG = envios.EnvioConfig.from_settings(Settings())


def _upload(db: Database, clock: FakeClock, dni: str) -> int:
    return registrar_solicitud(
        db,
        PORTAL,
        clock(),
        IntakeSettings(),
        dni=dni,
        files=[("o.jpg", factories.jpeg_bytes())],
        telefono_verificado=True,
        email_verificado=False,
    )


def _count(db: Database, model: Any) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _queue(db: Database, clock: FakeClock) -> list[Any]:
    with db.uow() as uow:
        return list_queue(uow.session, QueueFilter.today(clock()), clock())


# --- several patient rows with one DNI ----------------------------------------------------------


def test_repeated_dni_takes_the_newest_row_by_default(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        factories.paciente(uow.session, dni="20111222", apellido="Viejo", movil=None)
        nuevo = factories.paciente(uow.session, dni="20111222", apellido="Nuevo")
        uow.commit()
    sid = _upload(database, clock, "20111222")
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.paciente_id == nuevo.id


def test_repeated_dni_can_be_refused(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        a = factories.paciente(uow.session, dni="20111333")
        b = factories.paciente(uow.session, dni="20111333")
        uow.commit()
    db = factories.with_dim(database, dni_duplicado="rechazar")
    with pytest.raises(ValidationError) as info:
        _upload(db, clock, "20111333")
    assert str(info.value) == (
        f"Hay 2 pacientes con DNI 20111333 en la base de DIM (ids {b.id}, {a.id}). "
        "No se puede saber cuál es: pedí a DIM que unifique la ficha del paciente."
    )
    assert _count(database, SolicitudAsistencia) == 0 and _count(database, Evento) == 0


# --- patients without obra social or plan, NULL-heavy rows --------------------------------------


def test_patient_without_obra_social_plan_email_or_first_name(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(
            s, apellido="SOLO APELLIDO", nombre="", email=None, with_obra_social=False
        )
        factories.solicitud(s, pac, clock() - timedelta(minutes=5))
        factories.operador(s, ANA.usuario, supervisor=True)  # exporting is for supervisors
        # An obra social id pointing nowhere (legacy rows): still no obra social shown.
        p = s.info["dim"].paciente
        if p.tiene("obra_social_id"):
            s.execute(
                update(p.table).where(p.id == pac.id).values(obra_social_id=999, plan_id=998),
                execution_options=SEED,
            )
        uow.commit()
    (row,) = _queue(database, clock)
    assert (row.obra_social, row.plan, row.email) == (None, None, None)
    assert row.nombre == "SOLO APELLIDO"
    detalle = obtener_detalle(database, row.id, clock())
    assert (detalle.obra_social, detalle.plan, detalle.nombre) == (None, None, "SOLO APELLIDO")
    result = exportar(database, ANA, clock(), QueueFilter.today(clock()), tmp_path / "x.csv", "csv")
    assert result.filas == 1


def test_null_heavy_patient_row(database: Database, clock: FakeClock) -> None:
    """Only the id and DNI filled in: the request lists, opens and is refused for sending with
    a message (no mobile), not an exception."""
    with database.uow() as uow:
        s = uow.session
        dim = s.info["dim"]
        pac = factories.dim_row(s, "paciente", dni="  30444555 ", apellido=None, nombre=None)
        sol = factories.solicitud(s, pac, clock() - timedelta(minutes=1))
        pr = factories.prestacion(s)
        uow.commit()
        assert dim.paciente.tiene("dni")
    (row,) = _queue(database, clock)
    assert (row.dni, row.nombre, row.telefono_movil) == ("30444555", "(sin nombre)", None)
    detalle = obtener_detalle(database, sol.id, clock())
    assert detalle.whatsapp is None and detalle.whatsapp_motivo
    with pytest.raises(ValidationError, match="No se puede enviar por WhatsApp"):
        envios.preparar_envio(database, CFG, KEY, clock(), sol.id, [pr.id])


def test_patient_row_gone_from_dim(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        sol = factories.solicitud(s, pac, clock() - timedelta(minutes=1))
        pr = factories.prestacion(s)
        p = s.info["dim"].paciente
        s.execute(delete(p.table).where(p.id == pac.id), execution_options=SEED)
        uow.commit()
    (row,) = _queue(database, clock)
    assert row.id == sol.id and row.nombre == "(sin nombre)"
    detalle = obtener_detalle(database, sol.id, clock())
    assert detalle.nombre == f"(paciente {pac.id} no encontrado en DIM)"
    with pytest.raises(NotFound, match="ya no está en la base de DIM"):
        envios.preparar_envio(database, CFG, KEY, clock(), sol.id, [pr.id])


# --- inactive prestaciones still referenced ----------------------------------------------------


def test_inactive_prestacion_still_referenced(database: Database, clock: FakeClock) -> None:
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        sol = factories.solicitud(s, pac, clock() - timedelta(minutes=1))
        vieja = factories.prestacion(s, "ECOGRAFÍA DADA DE BAJA", activa=False)
        viva = factories.prestacion(s, "RESONANCIA DE RODILLA")
        s.add(SolicitudPrestacion(solicitud_id=sol.id, prestacion_id=vieja.id, orden=0))
        s.add(SolicitudPrestacion(solicitud_id=sol.id, prestacion_id=987654, orden=1))
        uow.commit()
    ids = [i for i, _ in prestaciones_activas(database)]
    assert viva.id in ids and vieja.id not in ids
    detalle = obtener_detalle(database, sol.id, clock())
    assert [p.nombre for p in detalle.prestaciones] == [
        "ECOGRAFÍA DADA DE BAJA (inactiva)",
        "(prestación 987654 no encontrada)",
    ]
    with pytest.raises(ValidationError, match="no está activa"):
        envios.preparar_envio(database, CFG, KEY, clock(), sol.id, [vieja.id])


# --- conversions the legacy layout needs -------------------------------------------------------


def test_conversions_round_trip_in_this_layout(database: Database, clock: FakeClock) -> None:
    """Names, flags and local-time turnos read back as our code expects, whatever the layout;
    on the legacy layout the raw columns hold what a legacy system stores."""
    cuando = datetime(2026, 3, 12, 14, 30, tzinfo=UTC)  # 11:30 in Buenos Aires
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, apellido="Pérez", nombre="Ana María")
        turno = factories.turno(s, pac, cuando)
        pr = factories.prestacion(s, "TOMOGRAFÍA", activa=False)
        uow.commit()
    with database.uow() as uow:
        s = uow.session
        leido = dim_repo.paciente(s, pac.id)
        assert leido is not None
        assert (leido.apellido, leido.nombre, leido.nombre_completo) == (
            "Pérez",
            "Ana María",
            "Pérez, Ana María",
        )
        t = dim_repo.turno(s, turno.id)
        assert t is not None and t.fecha_hora == cuando
        assert dim_repo.prestaciones(s, [pr.id])[pr.id].activa is False
        dim = s.info["dim"]
        if dim.settings.horas == "local":  # DIM's column holds Buenos Aires wall-clock time
            prep = database.engine.dialect.identifier_preparer
            columna = prep.quote(dim.turno.campos["fecha_hora"].columna)
            clave = prep.quote(dim.turno.campos["id"].columna)
            naive = s.execute(
                text(
                    f"SELECT {columna} FROM {prep.format_table(dim.turno.table)} "
                    f"WHERE {clave} = :id"
                ),
                {"id": turno.id},
            ).scalar()
            assert str(naive).startswith("2026-03-12 11:30")
        if dim.paciente.tiene("nombre_completo"):
            full = s.scalar(
                select(dim.paciente.table.c.nombre_completo).where(dim.paciente.id == pac.id)
            )
            assert full == "Pérez, Ana María"
