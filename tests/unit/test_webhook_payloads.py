"""Botmaker webhook payloads → events (pure), and the API-key check."""

from __future__ import annotations

import pytest

from dim_revision.api.auth import Credentials
from dim_revision.domain.enums import EstadoEntrega
from dim_revision.outbox.webhook import PayloadError, ReplyEvent, StatusEvent, parse_payload
from dim_revision.secrets import MemoryStore


def test_status_variants_map_to_delivery_states() -> None:
    cases = {
        "sent": None,
        "DELIVERED": EstadoEntrega.ENTREGADO,
        "read": EstadoEntrega.LEIDO,
        "seen": EstadoEntrega.LEIDO,
        "failed": EstadoEntrega.ERROR_ENTREGA,
        "error": EstadoEntrega.ERROR_ENTREGA,
    }
    for raw, expected in cases.items():
        [ev] = parse_payload({"type": "status", "status": raw, "txId": "t1"})
        assert isinstance(ev, StatusEvent) and ev.estado is expected
    [ev] = parse_payload({"status": "failed", "webhookPayload": "42", "errorMessage": "no WA"})
    assert isinstance(ev, StatusEvent)
    assert ev.envio_id == 42 and ev.motivo == "no WA" and ev.clave == "st:p42:error_entrega"


def test_replays_share_the_key_and_only_user_messages_are_replies() -> None:
    body = {
        "type": "message",
        "contactId": "+54 9 11 2345-6789",
        "messages": [
            {"_id": "A", "message": "hola", "from": "user", "date": "2026-03-10T13:00:00Z"},
            {"_id": "B", "message": "soy el bot", "from": "bot"},
            {"message": "sin id", "from": "user"},
        ],
    }
    first, second = parse_payload(body), parse_payload(body)
    assert [e.clave for e in first] == [e.clave for e in second]
    assert all(isinstance(e, ReplyEvent) for e in first) and len(first) == 2
    assert first[0].telefono == "5491123456789" and first[0].clave == "msg:A"


@pytest.mark.parametrize(
    "body",
    [
        "texto",
        3,
        {"type": "status", "status": "volando", "txId": "x"},
        {"type": "status", "status": "read"},
        {"type": "message", "messages": {}},
    ],
)
def test_unreadable_notifications_are_refused(body: object) -> None:
    with pytest.raises(PayloadError):
        parse_payload(body)


def test_other_notification_types_are_ignored() -> None:
    assert parse_payload({"type": "variable_change", "name": "x"}) == []


def test_api_keys_per_client() -> None:
    store = MemoryStore({"api-key-portal": "k" * 40, "api-key-pruebas": "p" * 40})
    creds = Credentials(store, ["portal", "pruebas", "sin-clave"])
    assert creds.client_for("k" * 40) == "portal"
    assert creds.client_for("p" * 40) == "pruebas"
    assert creds.client_for("k" * 39) is None
    assert creds.client_for("") is None and creds.client_for(None) is None
    assert creds.webhook_ok("cualquiera") is False  # no webhook-token configured
