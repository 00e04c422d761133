"""The demo database: realistic queue, real files the intake would accept, and byte-identical reseeds."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps
from pypdf import PdfReader
from sqlalchemy import false, func, select, text

from dim_revision.cli import main
from dim_revision.clock import local_today, to_local
from dim_revision.config import IntakeSettings
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.models import (
    Base,
    Contacto,
    Evento,
    ObraSocial,
    Paciente,
    PlanCobertura,
    PrestacionDefinicion,
    SolicitudAdjunto,
    SolicitudAsistencia,
    Turno,
    TurnoAdjunto,
)
from dim_revision.db.uow import Database
from dim_revision.demo.seed import planificar, seed_demo
from dim_revision.domain.enums import ResultadoContacto
from dim_revision.errors import ValidationError
from dim_revision.services.archivos import inspeccionar_archivo

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 10:00 in Buenos Aires
N = 60


def _fresh(template: Path, folder: Path, name: str) -> Database:
    path = folder / name
    shutil.copyfile(template, path)
    return Database(create_db_engine(sqlite_url(path)))


@pytest.fixture(scope="module")
def demo_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _fresh(sqlite_template, tmp_path_factory.mktemp("demo"), "demo.sqlite3")
    seed_demo(db, seed=2026, solicitudes=N, prestaciones=1500, now=NOW)
    yield db
    db.dispose()


def _all(db: Database, stmt: Any) -> list[Any]:
    with db.uow() as uow:
        return list(uow.session.execute(stmt))


def _scalar(db: Database, stmt: Any) -> Any:
    with db.uow() as uow:
        return uow.session.scalar(stmt)


def test_queue_shape(demo_db: Database) -> None:
    assert _scalar(demo_db, select(func.count()).select_from(PrestacionDefinicion)) == 1500
    sols = _all(demo_db, select(SolicitudAsistencia.fecha_subida, SolicitudAsistencia.paciente_id))
    assert len(sols) == N
    hoy = local_today(NOW)
    assert sum(local_today(f) == hoy for f, _ in sols) == round(N * 0.3)
    for fecha, _ in sols:
        local = to_local(fecha)
        assert fecha < NOW
        assert 0 <= (hoy - local.date()).days < 10
        assert 7 <= local.hour <= 20
    assert max(Counter(p for _, p in sols).values()) >= 2  # some patients uploaded twice
    assert _scalar(demo_db, select(func.count()).select_from(Paciente)) >= N


def test_every_file_is_what_the_intake_accepts(demo_db: Database) -> None:
    rows = _all(
        demo_db,
        select(
            SolicitudAdjunto.solicitud_id,
            SolicitudAdjunto.orden,
            SolicitudAdjunto.nombre_archivo,
            SolicitudAdjunto.mime,
            SolicitudAdjunto.tamano,
            SolicitudAdjunto.sha256,
            SolicitudAdjunto.paginas,
            SolicitudAdjunto.contenido,
        ).order_by(SolicitudAdjunto.id),
    )
    por_solicitud = Counter(r.solicitud_id for r in rows)
    assert set(por_solicitud.values()) <= {1, 2, 3} and len(por_solicitud) == N
    orientaciones: Counter[int] = Counter()
    limits = IntakeSettings()
    for r in rows:
        data = r.contenido
        assert r.tamano == len(data) and r.sha256 == hashlib.sha256(data).hexdigest()
        ok = inspeccionar_archivo(r.nombre_archivo, data, limits)
        assert (ok.mime, ok.paginas, ok.nombre) == (r.mime, r.paginas, r.nombre_archivo)
        if r.mime == "image/jpeg":
            img = Image.open(io.BytesIO(data))
            o = img.getexif().get(0x0112, 1)
            orientaciones[o] += 1
            assert max(img.size) in (1600, 2048, 2592)
            if o in (6, 8):
                assert img.width > img.height  # stored as the sensor saw it...
                assert ImageOps.exif_transpose(img).height > img.height  # ...portrait once applied
        elif r.mime == "image/png":
            assert Image.open(io.BytesIO(data)).size == (1240, 1754)
        else:
            assert 1 <= len(PdfReader(io.BytesIO(data)).pages) == r.paginas <= 3
    assert orientaciones[6] + orientaciones[8] > 0 and orientaciones[1] > 0
    assert {r.mime for r in rows} == {"image/jpeg", "image/png", "application/pdf"}
    assert len({r.sha256 for r in rows}) == len(rows)
    assert sum(r.tamano for r in rows) / len(rows) < 400_000


def test_contact_history_matches_the_last_contact_columns(demo_db: Database) -> None:
    with demo_db.uow() as uow:
        s = uow.session
        contactados = s.scalars(
            select(SolicitudAsistencia).where(SolicitudAsistencia.fecha_contacto.is_not(None))
        ).all()
        assert contactados
        for sol in contactados:
            historia = s.scalars(
                select(Contacto).where(Contacto.solicitud_id == sol.id).order_by(Contacto.fecha)
            ).all()
            assert historia
            ultimo = historia[-1]
            assert (sol.fecha_contacto, sol.usuario_contacto) == (ultimo.fecha, ultimo.usuario)
            resultado = ResultadoContacto(ultimo.resultado)
            assert sol.mensaje_contacto == f"{resultado.etiqueta}: {ultimo.comentario}"
            assert all(sol.fecha_subida < c.fecha < NOW for c in historia)
        sin_contacto = s.scalar(
            select(func.count())
            .select_from(Contacto)
            .join(SolicitudAsistencia)
            .where(SolicitudAsistencia.fecha_contacto.is_(None))
        )
        assert sin_contacto == 0
        eventos = s.scalar(
            select(func.count()).select_from(Evento).where(Evento.accion == "contacto_registrado")
        )
        assert eventos == s.scalar(select(func.count()).select_from(Contacto))


def test_resolved_requests_carry_the_prestaciones_their_orders_ask_for(demo_db: Database) -> None:
    demo = planificar(seed=2026, solicitudes=N, prestaciones=1500, now=NOW)
    with demo_db.uow() as uow:
        s = uow.session
        sols = s.scalars(select(SolicitudAsistencia).order_by(SolicitudAsistencia.id)).all()
        codigo = dict(s.execute(select(PrestacionDefinicion.id, PrestacionDefinicion.codigo)).all())
        resueltas = [x for x in sols if x.resuelto]
        assert 0 < len(resueltas) < N
        con_prestaciones = 0
        for sol, plan in zip(sols, demo.planes, strict=True):
            elegidas = [codigo[p.prestacion_id] for p in sol.prestaciones]
            assert [p.orden for p in sol.prestaciones] == list(range(len(elegidas)))
            if not sol.resuelto:
                assert (sol.fecha_resuelto, sol.usuario_resuelto, elegidas) == (None, None, [])
                continue
            assert sol.fecha_subida < sol.fecha_resuelto < NOW and sol.usuario_resuelto
            if elegidas:
                con_prestaciones += 1
                pedidas = [demo.contexto.catalogo[i] for i in plan.prestaciones]
                assert elegidas == [p.codigo for p in pedidas]
                escrito = " ".join(
                    e for a in plan.archivos for o in a.paginas for e in o.estudios
                ).lower()
                assert all(
                    p.estudio.zona.lower() in escrito for p in pedidas
                )  # the order shows them
        assert con_prestaciones > 0


def test_soft_deletes_turnos_and_audit_trail(demo_db: Database) -> None:
    with demo_db.uow() as uow:
        s = uow.session
        bajas = s.scalars(
            select(SolicitudAsistencia).where(SolicitudAsistencia.fecha_baja.is_not(None))
        ).all()
        assert 1 <= len(bajas) <= 3
        assert all(b.fecha_subida < b.fecha_baja < NOW and not b.resuelto for b in bajas)
        vinculadas = s.scalars(
            select(SolicitudAsistencia).where(SolicitudAsistencia.id_turno_destino.is_not(None))
        ).all()
        assert vinculadas
        for sol in vinculadas:
            turno = s.get(Turno, sol.id_turno_destino)
            assert turno is not None and turno.paciente_id == sol.paciente_id
            copias = s.execute(
                select(TurnoAdjunto.origen_adjunto_id, TurnoAdjunto.sha256).where(
                    TurnoAdjunto.turno_id == turno.id
                )
            ).all()
            originales = s.execute(
                select(SolicitudAdjunto.id, SolicitudAdjunto.sha256).where(
                    SolicitudAdjunto.solicitud_id == sol.id
                )
            ).all()
            assert sorted(copias) == sorted(originales)
        assert s.scalar(select(func.count()).select_from(Turno)) > len(vinculadas)
        acciones = Counter(s.scalars(select(Evento.accion)))
        assert acciones["solicitud_registrada"] == N
        assert acciones["solicitud_baja"] == len(bajas)
        assert acciones["turno_vinculado"] == len(vinculadas)
        assert acciones["demo_seed"] >= 1
        registro = s.scalars(
            select(Evento.detalle).where(Evento.accion == "solicitud_registrada")
        ).first()
        assert registro is not None and json.loads(registro)["archivos"]


def test_patients_phones_insurers_and_verification_flags_vary(demo_db: Database) -> None:
    with demo_db.uow() as uow:
        s = uow.session
        moviles = [m or "" for m in s.scalars(select(Paciente.telefono_movil))]
        for patron in (r" 15[- ]", r"^\+54 ?9", r"^54 9 ", r"^\d{2,4} \d{2,4}-\d{4}$", r"[a-z]"):
            assert any(re.search(patron, m) for m in moviles), patron
        assert "" in moviles
        assert s.scalar(
            select(func.count())
            .select_from(Paciente)
            .where(Paciente.telefono_movil.is_(None), Paciente.telefono_fijo.is_not(None))
        )
        obras = set(s.scalars(select(ObraSocial.nombre)))
        assert {"OSDE", "Swiss Medical", "PAMI", "IOMA"} <= obras
        assert s.scalar(
            select(func.count()).select_from(PlanCobertura).where(PlanCobertura.activo == false())
        )
        flags = set(
            s.execute(
                select(
                    SolicitudAsistencia.telefono_verificado, SolicitudAsistencia.email_verificado
                )
            ).all()
        )
        assert {t for t, _ in flags} == {True, False} and {e for _, e in flags} == {True, False}


def test_refuses_a_database_that_already_has_data(demo_db: Database) -> None:
    antes = _scalar(demo_db, select(func.count()).select_from(SolicitudAsistencia))
    with pytest.raises(ValidationError, match="ya tiene datos"):
        seed_demo(demo_db, seed=1, solicitudes=5, prestaciones=1500, now=NOW)
    assert _scalar(demo_db, select(func.count()).select_from(SolicitudAsistencia)) == antes


def test_bad_sizes_are_refused_before_writing(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError, match="solicitudes"):
        seed_demo(sqlite_db, seed=1, solicitudes=-1, prestaciones=1500, now=NOW)
    with pytest.raises(ValidationError, match="prestaciones"):
        seed_demo(sqlite_db, seed=1, solicitudes=5, prestaciones=0, now=NOW)
    assert _scalar(sqlite_db, select(func.count()).select_from(PrestacionDefinicion)) == 0


# --- determinism -------------------------------------------------------------------------------


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, blobs as sha256, in primary-key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [
                tuple(hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v for v in row)
                for row in rows
            ]
    return out


def test_same_seed_and_now_give_identical_data_whatever_the_threads(
    sqlite_template: Path, tmp_path: Path
) -> None:
    a = _fresh(sqlite_template, tmp_path, "a.sqlite3")
    b = _fresh(sqlite_template, tmp_path, "b.sqlite3")
    c = _fresh(sqlite_template, tmp_path, "c.sqlite3")
    try:
        seed_demo(a, seed=7, solicitudes=16, prestaciones=1500, now=NOW, workers=1)
        seed_demo(b, seed=7, solicitudes=16, prestaciones=1500, now=NOW, workers=3)
        seed_demo(c, seed=8, solicitudes=16, prestaciones=1500, now=NOW + timedelta(hours=1))
        dump_a = _dump(a)
        assert dump_a == _dump(b)
        assert dump_a["solicitud_adjunto"] and dump_a["evento"]
        assert dump_a["solicitud_adjunto"] != _dump(c)["solicitud_adjunto"]
    finally:
        for db in (a, b, c):
            db.dispose()


@pytest.mark.postgres
def test_postgresql_gets_exactly_the_sqlite_demo(pg_db: Database, sqlite_db: Database) -> None:
    seed_demo(pg_db, seed=3, solicitudes=12, prestaciones=1500, now=NOW)
    seed_demo(sqlite_db, seed=3, solicitudes=12, prestaciones=1500, now=NOW)
    assert _dump(pg_db) == _dump(sqlite_db)
    with pg_db.engine.connect() as conn:  # sequences moved on: the next real insert gets a new id
        assert (
            conn.execute(
                text("SELECT nextval(pg_get_serial_sequence('paciente', 'id'))")
            ).scalar_one()
            > 12
        )


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_demo_seeds_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "d.sqlite3"
    args = ["demo", "--no-gui", "--db", str(path), "--solicitudes", "30", "--prestaciones", "1500"]
    assert main(args) == 0
    assert "30 solicitudes" in capsys.readouterr().out
    db = Database(create_db_engine(sqlite_url(path)))
    try:
        antes = _dump(db)
        assert (
            len(antes["solicitud_asistencia"]) == 30 and len(antes["prestacion_definicion"]) == 1500
        )
        assert main(args) == 0
        assert "30 solicitudes" not in capsys.readouterr().out
        assert _dump(db) == antes
    finally:
        db.dispose()
