"""Stored readings on SQLite and PostgreSQL: each file is read once for every PC (a claim taken by
one INSERT), "nothing found" is stored too, the service's job reads new uploads, and a record's
readings give its proposals and warnings. The engine is a stand-in here (see test_leer_orden_cli
for the real one)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento, LecturaAdjunto, SolicitudAdjunto, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.domain.search_index import SearchIndex
from dim_revision.errors import StaleWrite
from dim_revision.lectura.controles import Alerta
from dim_revision.lectura.lector import Lector
from dim_revision.lectura.modelo import ILEGIBLE, LEIDA, SIN_TEXTO, Linea, Pagina
from dim_revision.lectura.propuestas import Proponedor
from dim_revision.services import envios, lecturas
from dim_revision.services.actor import Actor
from dim_revision.services.lectura_job import LecturaJob
from tests import db_reads as reads
from tests import factories


class Motor:
    nombre = "prueba"

    def __init__(self, *textos: str) -> None:
        self.textos = textos
        self.llamadas = 0

    def version(self) -> str:
        return "prueba 1"

    def leer(self, imagen: Image.Image) -> Pagina:
        self.llamadas += 1
        lineas = tuple(
            Linea(t, 0.9, (10, 10 + 40 * i, 500, 40 + 40 * i)) for i, t in enumerate(self.textos)
        )
        return Pagina(imagen.width, imagen.height, lineas, 90)


def _foto() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buf, "JPEG")
    return buf.getvalue()


def _setup(db: Database, clock: FakeClock, data: bytes | None = None) -> tuple[int, int, int]:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, dni="20111222")
        sol = factories.solicitud(s, pac, clock(), files=0)
        contenido = data if data is not None else _foto()
        adj = SolicitudAdjunto(
            solicitud_id=sol.id,
            orden=0,
            nombre_archivo="orden.jpg",
            mime="image/jpeg",
            tamano=len(contenido),
            sha256=hashlib.sha256(contenido).hexdigest(),
            contenido=contenido,
        )
        s.add(adj)
        rodilla = factories.prestacion(s, "RESONANCIA MAGNÉTICA DE RODILLA")
        uow.commit()
        return sol.id, adj.id, rodilla.id


def _filas(db: Database) -> dict[str, int]:
    with db.uow() as uow:
        s = uow.session
        return {
            t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
            for t in (LecturaAdjunto, Evento, SolicitudAsistencia, SolicitudAdjunto)
        }


def test_a_file_is_read_once_for_every_pc_and_gives_proposals_and_warnings(
    database: Database, clock: FakeClock
) -> None:
    sid, adj, rodilla = _setup(database, clock)
    motor = Motor("Paciente: Juan Gómez", "DNI: 10.343.780", "Solicito:", "RMN DERODILLA")
    assert lecturas.pendientes(database, 10) == [adj]
    assert LecturaJob(database, Lector(motor), "servicio@srv").run_once() == 1
    otra_pc = Motor()
    leida = lecturas.leer_adjunto(database, Lector(otra_pc), adj, "pc-02")
    assert (
        leida is not None and leida.estado == LEIDA and (motor.llamadas, otra_pc.llamadas) == (1, 0)
    )
    assert lecturas.pendientes(database, 10) == []
    with database.uow() as uow:
        row = uow.session.scalars(select(LecturaAdjunto)).one()
        assert (row.adjunto_id, row.motor, row.version_motor, row.leida_por) == (
            adj,
            "prueba",
            "prueba 1",
            "servicio@srv",
        )

    index = SearchIndex.build([(rodilla, "RESONANCIA MAGNÉTICA DE RODILLA")])
    revision = lecturas.revisar_solicitud(
        database, sid, Proponedor(index, ["RESONANCIA MAGNÉTICA DE RODILLA"]), date(2026, 12, 1)
    )
    assert [
        (p.propuesta.prestacion_id, p.propuesta.linea, p.archivo) for p in revision.propuestas
    ] == [(rodilla, "RMN DERODILLA", 0)]
    assert [a.texto for a in revision.alertas] == [
        "La orden parece ser de otra persona: DNI 10.343.780 en la orden "
        "(el paciente tiene 20.111.222)."
    ]
    assert revision.giros == ((0, 0, 90),) and (revision.leidos, revision.archivos) == (1, 1)


def test_a_claimed_file_is_left_to_its_reader(database: Database, clock: FakeClock) -> None:
    _, adj, _ = _setup(database, clock)
    with database.uow() as uow:
        sha = uow.session.get(SolicitudAdjunto, adj).sha256  # type: ignore[union-attr]
    assert lecturas.reclamar(database, sha, adj, "pc-01")
    assert not lecturas.reclamar(database, sha, adj, "pc-02")
    motor = Motor("algo")
    assert lecturas.leer_adjunto(database, Lector(motor), adj, "pc-02") is None
    assert motor.llamadas == 0 and lecturas.lectura_guardada(database, sha) is None


def test_bad_files_store_only_that_nothing_was_found(database: Database, clock: FakeClock) -> None:
    _, blanco, _ = _setup(database, clock)
    _, roto, _ = _setup(database, clock, b"\xff\xd8\xff\xe0 not really a photo")
    antes = _filas(database)
    vacia = lecturas.leer_adjunto(database, Lector(Motor()), blanco, "pc-01")
    rota = lecturas.leer_adjunto(database, Lector(Motor()), roto, "pc-01")
    assert vacia is not None and vacia.estado == SIN_TEXTO
    assert rota is not None and rota.estado == ILEGIBLE and "dañada" in rota.motivo
    despues = _filas(database)
    assert despues == {**antes, "lectura_adjunto": antes["lectura_adjunto"] + 2}


def test_the_readers_warnings_are_audited_with_the_confirmed_send_only(
    database: Database, clock: FakeClock
) -> None:
    """A refused Confirmar (stale version) rolls back its audit too; a saved one writes it once."""
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, movil="011 15-2345-6789")
        sid = factories.solicitud(s, pac, clock() - timedelta(hours=1)).id
        prest = factories.prestacion(s, "RESONANCIA MAGNÉTICA DE RODILLA").id
        uow.commit()
    alertas = [Alerta("otra_persona", "La orden parece ser de otra persona: DNI 10.343.780")]
    cfg = envios.EnvioConfig.from_settings(Settings())
    actor, key = Actor("ana", "pc-01"), "clave-de-prueba-" + "x" * 32

    def confirmar(version: int) -> None:
        envios.confirmar_envio(
            database, actor, clock(), cfg, key,
            solicitud_id=sid, version=version, prestacion_ids=[prest], alertas=alertas,
        )  # fmt: skip

    with pytest.raises(StaleWrite):
        confirmar(version=7)
    assert reads.eventos(database, "lectura_alertas_confirmadas") == []
    confirmar(version=1)
    [evento] = reads.eventos(database, "lectura_alertas_confirmadas")
    assert evento.solicitud_id == sid and evento.usuario == "ana"
    assert "10.343.780" in (evento.detalle or "") and "otra_persona" in (evento.detalle or "")
