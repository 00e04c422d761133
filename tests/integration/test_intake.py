"""The portal's upload rules on SQLite and PostgreSQL: what gets stored, and every refusal stores nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from dim_revision.clock import FakeClock
from dim_revision.config import IntakeSettings
from dim_revision.db import dim_repo
from dim_revision.db.models import (
    Evento,
    SolicitudAdjunto,
    SolicitudAsistencia,
)
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, UserError, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.intake import registrar_solicitud
from tests import factories

ACTOR = Actor("portal", "web-1")
LIMITS = IntakeSettings()


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an intake could write."""
    with db.uow() as uow:
        s = uow.session
        return {
            "solicitudes": s.scalar(select(func.count()).select_from(SolicitudAsistencia)),
            "adjuntos": s.scalar(select(func.count()).select_from(SolicitudAdjunto)),
            "eventos": s.scalar(select(func.count()).select_from(Evento)),
            "moviles": factories.moviles(s),
        }


def make_paciente(db: Database, **kw: Any) -> str:
    with db.uow() as uow:
        pac = factories.paciente(uow.session, **kw)
        uow.commit()
        return pac.dni


def upload(
    db: Database,
    now: datetime,
    dni: str,
    files: list[tuple[str, bytes]],
    movil: str | None = None,
    limits: IntakeSettings = LIMITS,
) -> int:
    return registrar_solicitud(
        db,
        ACTOR,
        now,
        limits,
        dni=dni,
        files=files,
        telefono_verificado=True,
        email_verificado=False,
        movil=movil,
    )


def refused(
    db: Database, now: datetime, dni: str, files: list[tuple[str, bytes]], **kw: Any
) -> str:
    """Assert the upload is refused with a UserError and that nothing at all was written."""
    before = snapshot(db)
    with pytest.raises(UserError) as info:
        upload(db, now, dni, files, **kw)
    assert snapshot(db) == before
    return str(info.value)


# --- success -----------------------------------------------------------------------------------


def test_upload_stores_request_files_and_event(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    jpg, pdf = factories.jpeg_bytes(), factories.pdf_bytes(pages=2)
    sid = upload(database, clock(), dni, [("orden.jpg", jpg), ("C:\\scan\\receta.pdf", pdf)])

    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        assert (dim_repo.paciente(uow.session, sol.paciente_id) or sol).dni == dni
        assert sol.fecha_subida == clock()
        assert (sol.resuelto, sol.version, sol.fecha_baja, sol.id_turno_destino) == (
            False,
            1,
            None,
            None,
        )
        assert (sol.telefono_verificado, sol.email_verificado) == (True, False)
        adj = sol.adjuntos
        assert [(a.orden, a.nombre_archivo, a.mime, a.paginas) for a in adj] == [
            (0, "orden.jpg", "image/jpeg", None),
            (1, "receta.pdf", "application/pdf", 2),
        ]
        assert [a.contenido for a in adj] == [jpg, pdf]
        assert [(a.tamano, a.sha256) for a in adj] == [
            (len(jpg), hashlib.sha256(jpg).hexdigest()),
            (len(pdf), hashlib.sha256(pdf).hexdigest()),
        ]
        (evento,) = uow.session.scalars(select(Evento)).all()
        assert (evento.accion, evento.solicitud_id, evento.usuario, evento.estacion) == (
            "solicitud_registrada",
            sid,
            "portal",
            "web-1",
        )
        assert evento.detalle is not None and len(evento.detalle) < 2000  # no file bytes
        detalle = json.loads(evento.detalle)
        assert [a["sha256"] for a in detalle["archivos"]] == [adj[0].sha256, adj[1].sha256]
        assert detalle["movil_actualizado"] is False


def test_dni_typed_with_dots_and_spaces(database: Database, clock: FakeClock) -> None:
    make_paciente(database, dni="20123456")
    assert upload(database, clock(), " 20.123 456 ", [("o.jpg", factories.jpeg_bytes())]) > 0


def test_mobile_typed_now_is_kept_on_the_request_not_in_dim(
    database: Database, clock: FakeClock
) -> None:
    """`[dim] actualizar_movil` is off by default: DIM's patient row is not written."""
    dni = make_paciente(database, movil=None)
    before = snapshot(database)["moviles"]
    sid = upload(
        database, clock(), dni, [("o.png", factories.png_bytes())], movil=" 011 15-2345-6789 "
    )
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.movil_ingresado == "011 15-2345-6789"
        evento = uow.session.scalars(select(Evento)).one()
        assert evento.detalle is not None
        detalle = json.loads(evento.detalle)
        assert detalle["movil_actualizado"] and not detalle["movil_en_dim"]
    assert snapshot(database)["moviles"] == before


def test_mobile_typed_now_updates_dim_when_enabled(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database, movil=None)
    db = factories.with_dim(database, actualizar_movil=True)
    upload(db, clock(), dni, [("o.png", factories.png_bytes())], movil=" 011 15-2345-6789 ")
    assert (dni, "011 15-2345-6789") in snapshot(database)["moviles"]


def test_pdf_named_jpg_is_stored_as_pdf(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    sid = upload(database, clock(), dni, [("orden.jpg", factories.pdf_bytes())])
    with database.uow() as uow:
        adj = uow.session.scalars(
            select(SolicitudAdjunto).where(SolicitudAdjunto.solicitud_id == sid)
        ).one()
        assert (adj.nombre_archivo, adj.mime) == ("orden.pdf", "application/pdf")
        evento = uow.session.scalars(select(Evento)).one()
        assert evento.detalle is not None
        assert json.loads(evento.detalle)["avisos"] == [
            "«orden.jpg»: el contenido es un PDF; se guardó como «orden.pdf»"
        ]


# --- refusals: patient and mobile --------------------------------------------------------------


def test_unknown_dni(database: Database, clock: FakeClock) -> None:
    make_paciente(database)
    with pytest.raises(NotFound):
        upload(database, clock(), "99999999", [("o.jpg", factories.jpeg_bytes())])
    msg = refused(database, clock(), "99.999.999", [("o.jpg", factories.jpeg_bytes())])
    assert msg.startswith("No hay ningún paciente con DNI 99999999.")


def test_malformed_dni(database: Database, clock: FakeClock) -> None:
    assert "no es válido" in refused(
        database, clock(), "12a45", [("o.jpg", factories.jpeg_bytes())]
    )
    assert refused(database, clock(), " ", [("o.jpg", factories.jpeg_bytes())]) == (
        "Falta el DNI del paciente."
    )


def test_no_mobile_on_file_and_none_typed(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database, movil=None)
    msg = refused(database, clock(), dni, [("o.jpg", factories.jpeg_bytes())], movil="  ")
    assert msg.startswith("El paciente no tiene un teléfono móvil cargado. Es obligatorio")


def test_landline_only(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database, movil=None, telefono_fijo="011 4567-8901")
    msg = refused(database, clock(), dni, [("o.jpg", factories.jpeg_bytes())])
    assert "no tiene un teléfono móvil cargado (sólo tiene un teléfono fijo)" in msg


def test_invalid_mobile_typed_is_not_saved(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database, movil=None)
    msg = refused(database, clock(), dni, [("o.jpg", factories.jpeg_bytes())], movil="15-2345-6789")
    assert msg.startswith("El teléfono móvil ingresado («15-2345-6789») no sirve para WhatsApp:")


def test_invalid_mobile_on_file(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database, movil="1234")
    msg = refused(database, clock(), dni, [("o.jpg", factories.jpeg_bytes())])
    assert msg.startswith("El teléfono móvil cargado («1234») no sirve para WhatsApp:")


def test_valid_mobile_typed_replaces_an_invalid_one_on_file(
    database: Database, clock: FakeClock
) -> None:
    dni = make_paciente(database, movil="1234")
    sid = upload(
        database, clock(), dni, [("o.jpg", factories.jpeg_bytes())], movil="+54 9 11 2345-6789"
    )
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None and sol.movil_ingresado == "+54 9 11 2345-6789"


# --- refusals: files ---------------------------------------------------------------------------


def test_no_files(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    assert refused(database, clock(), dni, []) == "Adjunte al menos un archivo con la orden médica."


def test_too_many_files(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    files = [(f"o{i}.jpg", factories.jpeg_bytes(10 + i, 10)) for i in range(6)]
    assert refused(database, clock(), dni, files) == (
        "Se pueden subir hasta 5 archivos por solicitud (se recibieron 6)."
    )
    assert upload(database, clock(), dni, files[:5]) > 0


def test_one_bad_file_among_good_ones_writes_nothing(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    files = [
        ("a.jpg", factories.jpeg_bytes()),
        ("b.pdf", factories.pdf_bytes(pages=21)),
        ("c.png", factories.png_bytes()),
    ]
    assert refused(database, clock(), dni, files) == "«b.pdf»: el PDF tiene 21 páginas (máximo 20)"


def test_same_file_twice_in_one_upload(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    jpg = factories.jpeg_bytes()
    msg = refused(database, clock(), dni, [("a.jpg", jpg), ("copia.jpg", jpg)])
    assert msg == "«copia.jpg»: es el mismo archivo que «a.jpg»; súbalo una sola vez."


def test_same_file_same_local_day_is_a_duplicate_next_day_is_not(
    database: Database, clock: FakeClock
) -> None:
    dni = make_paciente(database)
    jpg, otro = factories.jpeg_bytes(), factories.png_bytes()
    first = upload(database, clock(), dni, [("orden.jpg", jpg)])  # 10:00 in Buenos Aires

    # 23:30 local on the same day is 02:30 UTC the next day: still "today" for the patient.
    late = datetime(2026, 3, 11, 2, 30, tzinfo=UTC)
    msg = refused(database, late, dni, [("nueva.png", otro), ("otra vez.jpg", jpg)])
    assert msg == (
        f"«otra vez.jpg»: ya subió hoy este mismo archivo (solicitud {first}); "
        "un representante de DIM lo va a revisar."
    )
    # Five minutes later it is the next local day.
    assert upload(database, late + timedelta(minutes=35), dni, [("orden.jpg", jpg)]) > first


def test_duplicate_rule_ignores_other_patients_and_deleted_requests(
    database: Database, clock: FakeClock
) -> None:
    dni1, dni2 = make_paciente(database), make_paciente(database)
    jpg = factories.jpeg_bytes()
    first = upload(database, clock(), dni1, [("o.jpg", jpg)])
    assert upload(database, clock(), dni2, [("o.jpg", jpg)]) > first
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, first)
        assert sol is not None
        sol.fecha_baja = clock()
        uow.commit()
    assert upload(database, clock() + timedelta(hours=1), dni1, [("o.jpg", jpg)]) > first


def test_file_checks_use_the_given_limits(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    limits = IntakeSettings(max_archivos=1, max_mb=0.001)
    msg = refused(
        database, clock(), dni, [("o.jpg", factories.jpeg_bytes(300, 300, "red"))], limits=limits
    )
    assert msg.startswith("«o.jpg»: pesa") and msg.endswith("supera el máximo de 0,001 MB")
    with pytest.raises(ValidationError, match="hasta 1 archivo por"):
        upload(database, clock(), dni, [("a.jpg", b"x"), ("b.jpg", b"y")], limits=limits)


def test_concurrent_identical_uploads_store_exactly_one(
    database: Database, clock: FakeClock
) -> None:
    """Four portal requests with the same file at once: the unique duplicate key lets one win
    (on PostgreSQL the check-then-insert alone let two through)."""
    import threading

    dni = make_paciente(database)
    data = factories.pdf_bytes()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        try:
            upload(database, clock(), dni, [("orden.pdf", data)])
            result = "ok"
        except ValidationError as exc:
            result = str(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert all("ya subió hoy" in o or "Ya se subió hoy" in o for o in outcomes if o != "ok")
    assert snapshot(database)["adjuntos"] == 1


def test_audit_keeps_no_dni_from_file_names(database: Database, clock: FakeClock) -> None:
    dni = make_paciente(database)
    upload(database, clock(), dni, [("OrdenMedica_50426006.pdf", factories.pdf_bytes())])
    with database.uow() as uow:
        detalle = uow.session.scalars(
            select(Evento.detalle).where(Evento.accion == "solicitud_registrada")
        ).one()
    assert "50426006" not in (detalle or "") and "OrdenMedica_********.pdf" in (detalle or "")
