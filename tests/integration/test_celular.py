"""Corregir celular (issue 13.8): saved for this request's send, confirmed as a contact, written
to DIM's patient only when `[dim] actualizar_movil` allows it; a bad number changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.celular import corregir_movil
from dim_revision.services.detalle import obtener_detalle
from dim_revision.services.envios import EnvioConfig, preparar_envio
from tests import db_reads as reads
from tests import factories

ANA = Actor("ana", "pc-01")
KEY = "clave-de-prueba-" + "x" * 32


def _sol(db: Database, clock: FakeClock, movil: str | None = "11 4444-5555") -> tuple[int, int]:
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s, movil=movil)
        sid = factories.solicitud(s, pac, clock() - timedelta(hours=1)).id
        uow.commit()
    return sid, pac.id


def test_the_corrected_mobile_is_used_by_this_requests_send(
    database: Database, clock: FakeClock
) -> None:
    sid, pac_id = _sol(database, clock, movil="4444-5555")  # a landline-ish number, no area code
    assert obtener_detalle(database, sid, clock()).whatsapp is None
    result = corregir_movil(
        database, ANA, clock(), solicitud_id=sid, version=1, movil="351 15 555-1234"
    )
    assert (result.whatsapp, result.version, result.en_dim) == ("5493515551234", 2, False)
    d = obtener_detalle(database, sid, clock())
    assert d.whatsapp == "5493515551234" and not d.telefono_verificado
    assert d.movil_corregido_por == "ana" and d.movil_corregido_en == clock()
    [contacto] = d.contactos
    assert contacto.resultado == "Contactado" and "+54 9 351 555-1234" in contacto.comentario
    with database.uow() as uow:
        assert factories.movil_de(uow.session, pac_id) == "4444-5555"  # DIM untouched
        pid = factories.prestacion(uow.session).id
        uow.commit()
    borrador = preparar_envio(
        database, EnvioConfig.from_settings(Settings()), KEY, clock(), sid, [pid]
    )
    assert borrador.telefono == "5493515551234"


def test_dims_patient_row_changes_only_when_the_mapping_allows_it(
    database: Database, clock: FakeClock
) -> None:
    sid, pac_id = _sol(database, clock)
    db = factories.with_dim(database, actualizar_movil=True)
    result = corregir_movil(db, ANA, clock(), solicitud_id=sid, version=1, movil="11 15-2345-6789")
    assert result.en_dim
    with db.uow() as uow:
        assert factories.movil_de(uow.session, pac_id) == "11 15-2345-6789"


@pytest.mark.parametrize(
    ("movil", "motivo"),
    [
        ("", "Escribí el celular"),
        ("15-2345-6789", "característica"),
        ("11 abc 5555", "letras"),
        ("2345-6789", "no sirve para WhatsApp"),
    ],
)
def test_a_bad_number_gets_a_spanish_message_and_changes_nothing(
    database: Database, clock: FakeClock, movil: str, motivo: str
) -> None:
    sid, pac_id = _sol(database, clock)
    before = reads.snapshot(database, sid, pac_id)
    db = factories.with_dim(database, actualizar_movil=True)
    with pytest.raises(ValidationError, match=motivo):
        corregir_movil(db, ANA, clock(), solicitud_id=sid, version=1, movil=movil)
    assert reads.snapshot(database, sid, pac_id) == before


def test_a_scheduled_send_must_be_cancelled_first(database: Database, clock: FakeClock) -> None:
    sid, pac_id = _sol(database, clock)
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sid)
        assert sol is not None
        factories.envio(uow.session, sol, clock() + timedelta(minutes=10))
        uow.commit()
    before = reads.snapshot(database, sid, pac_id)
    with pytest.raises(ValidationError, match="cancelalo"):
        corregir_movil(database, ANA, clock(), solicitud_id=sid, version=1, movil="11 15-2345-6789")
    assert reads.snapshot(database, sid, pac_id) == before
