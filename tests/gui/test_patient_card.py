"""PatientCard: verified marks, the WhatsApp number or why not, history, age, empty state."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.domain.phones import MOTIVO_SIN_CARACTERISTICA, resultado_whatsapp
from dim_revision.services.detalle import ContactoInfo, OtraSolicitud, SolicitudDetalle
from tests.detalles import detalle as shared_detalle
from tests.detalles import envio_programado
from ui.patient_card import EMPTY, UNVERIFIED, VERIFIED, PatientCard, edad

pytestmark = pytest.mark.gui

NOW = datetime(2026, 11, 25, 17, 5, tzinfo=UTC)  # 14:05 in Buenos Aires


def detalle(**changes: object) -> SolicitudDetalle:
    return shared_detalle(NOW, **changes)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def card(qtbot: QtBot, clock: FakeClock) -> PatientCard:
    widget = PatientCard(clock, own_lease="ana@PC-01")
    qtbot.addWidget(widget)
    widget.resize(440, 600)
    widget.show()
    return widget


def test_empty_state_tells_what_to_do(card: PatientCard) -> None:
    assert card.empty_label.isVisible()
    assert card.empty_label.text() == EMPTY
    assert not card.scroll_area.isVisible()
    card.show_detalle(detalle())
    assert not card.empty_label.isVisible() and card.scroll_area.isVisible()
    card.show_detalle(None)
    assert card.empty_label.isVisible() and card.detalle() is None


def test_identity_phone_and_verified_marks(card: PatientCard) -> None:
    card.show_detalle(detalle())
    assert card.nombre.text() == "María Fernanda Gómez Ibáñez"
    assert card.dni.text() == "28456789"
    assert card.movil.text() == "011 15-2345-6789"  # as the patient typed it
    assert card.whatsapp.text() == "+54 9 11 2345-6789"  # as it will be used
    assert card.movil_verificado.text() == VERIFIED
    assert card.movil_verificado.property("role") == "ok"
    assert card.email.text() == "mfgomez@correo.com.ar"
    assert card.email_verificado.text() == UNVERIFIED
    assert card.email_verificado.property("role") == "muted"
    assert card.cobertura.text() == "OSDE · plan 310 · afiliado 61234567801"
    flags = card.dni.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse  # DNI and phone can be copied
    assert card.whatsapp.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse


def test_invalid_phone_shows_the_reason_in_red(card: PatientCard) -> None:
    phone = resultado_whatsapp("4567-1234")
    assert phone.numero is None
    card.show_detalle(
        detalle(
            telefono_movil="4567-1234",
            whatsapp=None,
            whatsapp_motivo=phone.motivo,
            telefono_verificado=False,
            email=None,
        )
    )
    assert card.whatsapp.text() == f"No se puede enviar: {MOTIVO_SIN_CARACTERISTICA}"
    assert card.whatsapp.property("role") == "error"
    assert card.movil_verificado.text() == UNVERIFIED
    assert card.email.text() == "—"
    assert not card.email_verificado.isVisible()  # nothing to verify
    card.show_detalle(detalle())  # the next record is fine again
    assert card.whatsapp.property("role") == "normal"


def test_upload_time_is_local_with_its_age_refreshed_from_the_clock(
    card: PatientCard, clock: FakeClock
) -> None:
    card.show_detalle(detalle())
    assert "subida 25/11/2026 11:55 (hace 2 h 10 min)" in card.estado.text()
    clock.advance(minutes=50)
    card.refresh_age()
    assert "(hace 3 h)" in card.estado.text()
    assert [edad(timedelta(seconds=s)) for s in (-5, 30, 600, 90_000)] == [
        "recién",
        "recién",
        "hace 10 min",
        "hace 1 d 1 h",
    ]


def test_holder_is_shown_only_when_it_is_another_workstation(card: PatientCard) -> None:
    card.show_detalle(detalle(tomado_por="carlos", tomado_clave="carlos@PC-07"))
    assert card.tomada.isVisible() and "carlos" in card.tomada.text()
    card.show_detalle(detalle(tomado_por="ana", tomado_clave="ana@PC-01"))
    assert not card.tomada.isVisible()
    card.show_detalle(detalle())
    assert not card.tomada.isVisible()


def test_contacts_newest_first_and_other_requests(card: PatientCard) -> None:
    older = ContactoInfo(NOW - timedelta(days=1), "carlos", "Se dejó mensaje", "Contestador.")
    newer = ContactoInfo(
        NOW - timedelta(minutes=40), "ana", "No atiende", "Sin respuesta <dos veces>"
    )
    card.show_detalle(
        detalle(
            contactos=(older, newer),
            otras=(
                OtraSolicitud(4701, NOW - timedelta(days=6), False, None),
                OtraSolicitud(4112, NOW - timedelta(days=40), True, 98001),
            ),
            id_turno_destino=99121,
            turno_fecha=datetime(2026, 11, 28, 12, 30, tzinfo=UTC),
        )
    )
    text = card.contactos.text()
    assert text.index("No atiende") < text.index("Se dejó mensaje")
    assert "25/11/2026 13:25 · ana" in text  # local time
    assert "&lt;dos veces&gt;" in text  # user text is escaped, never interpreted
    otras = card.otras.text()
    assert "#4701" in otras and "pendiente" in otras
    assert "#4112" in otras and "resuelta" in otras and "turno #98001" in otras
    assert card.turno.text() == "#99121 — 28/11/2026 09:30"


def test_send_state_due_time_and_last_error(card: PatientCard) -> None:
    envio = envio_programado(NOW)
    card.show_detalle(detalle(envio=envio))
    assert "Programado" in card.envio.text() and "sale 25/11/2026 14:20" in card.envio.text()
    assert not card.envio_error.isVisible()
    failed = dataclasses.replace(
        envio, estado="fallido", intentos=3, ultimo_error="Número sin WhatsApp."
    )
    card.show_detalle(detalle(envio=failed))
    assert "Fallido" in card.envio.text() and "3 intentos" in card.envio.text()
    assert card.envio_error.isVisible() and card.envio_error.text() == "Número sin WhatsApp."
    sent = dataclasses.replace(envio, estado="enviado", enviado_en=NOW + timedelta(minutes=16))
    card.show_detalle(detalle(envio=sent))
    assert "Enviado" in card.envio.text() and "14:21" in card.envio.text()
    card.show_detalle(detalle())
    assert card.envio.text() == "Sin envío"
