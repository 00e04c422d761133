"""The Botmaker client against the real fake server on 127.0.0.1: every outcome classified."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime

import pytest

from dim_revision.clock import FakeClock
from dim_revision.config import BotmakerSettings
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import (
    Accepted,
    Ambiguous,
    BotmakerClient,
    MensajeWhatsApp,
    Permanent,
    Retryable,
    SendResult,
    StopWorker,
    parse_retry_after,
)
from dim_revision.outbox.fake_server import FakeBotmaker, Fault, parse_fault_spec
from dim_revision.secrets import MemoryStore

TOKEN = "token-de-prueba"
PHONE = "5491123456789"
MSG = MensajeWhatsApp(
    41, PHONE, "dim_link_turno", {"nombre": "Ana", "prestaciones": "RMN", "link": "tok123"}
)


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN, slow_seconds=3.0) as server:
        yield server


def client_for(
    url: str,
    api: str = "v2",
    token: str | None = TOKEN,
    clock: FakeClock | None = None,
    **settings: object,
) -> BotmakerClient:
    values: dict[str, object] = {
        "api_version": api,
        "base_url": url,
        "canal": "5491100000000",
        "connect_timeout": 2.0,
        "read_timeout": 0.3,
    }
    values.update(settings)
    store = MemoryStore({"botmaker-token": token} if token else {})
    if clock is None:
        return BotmakerClient(BotmakerSettings(**values), store)  # type: ignore[arg-type]
    return BotmakerClient(BotmakerSettings(**values), store, clock=clock)  # type: ignore[arg-type]


def send(fake: FakeBotmaker, *faults: str, api: str = "v2") -> SendResult:
    if faults:
        fake.script(*faults)
    client = client_for(fake.url, api)
    try:
        return client.send(MSG)
    finally:
        client.close()


# --- success: the exact wire format of both APIs ---------------------------------------------


def test_v2_body_header_and_provider_id(fake: FakeBotmaker) -> None:
    result = send(fake)
    assert isinstance(result, Accepted) and result.provider_id
    [req] = fake.received_for(41)
    assert req.path == "/v2.0/chats-actions/trigger-intent"
    assert req.token_ok
    assert req.body == {
        "chat": {"channelId": "5491100000000", "contactId": PHONE},
        "intentIdOrName": "dim_link_turno",
        "variables": {"nombre": "Ana", "prestaciones": "RMN", "link": "tok123"},
        "webhookPayload": "41",
    }


def test_v1_body_and_id(fake: FakeBotmaker) -> None:
    result = send(fake, api="v1")
    assert isinstance(result, Accepted) and result.provider_id
    [req] = fake.received
    assert req.path == "/api/v1.0/intent/v2"
    assert req.body == {
        "chatPlatform": "whatsapp",
        "chatChannelNumber": "5491100000000",
        "platformContactId": PHONE,
        "ruleNameOrId": "dim_link_turno",
        "params": {"nombre": "Ana", "prestaciones": "RMN", "link": "tok123"},
    }


def test_default_hosts_per_api_version() -> None:
    store = MemoryStore()
    v2 = BotmakerClient(BotmakerSettings(), store)
    v1 = BotmakerClient(BotmakerSettings(api_version="v1"), store)
    assert v2.url == "https://api.botmaker.com/v2.0/chats-actions/trigger-intent"
    assert v1.url == "https://go.botmaker.com/api/v1.0/intent/v2"


# --- permanent: this message only ------------------------------------------------------------


def test_400_is_permanent_with_botmakers_message(fake: FakeBotmaker) -> None:
    result = send(fake, "400")
    assert isinstance(result, Permanent)
    assert "(400)" in result.reason and "Bad request" in result.reason


def test_bad_body_shape_is_refused_by_the_fake_and_permanent(fake: FakeBotmaker) -> None:
    client = client_for(fake.url)
    result = client.send(MensajeWhatsApp(7, PHONE, "", {}))  # no template name
    assert isinstance(result, Permanent) and "intentIdOrName" in result.reason
    assert not fake.received[0].delivered


def test_v1_200_with_problems_is_permanent(fake: FakeBotmaker) -> None:
    result = send(fake, "problems", api="v1")
    assert isinstance(result, Permanent) and "problemas" in result.reason


# --- stop the worker: every message would fail the same way -----------------------------------


def test_401_bad_token_stops_the_worker_and_never_leaks_the_token(
    fake: FakeBotmaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(fake.url, token="otro-token-secreto")
    result = client.send(MSG)
    assert isinstance(result, StopWorker) and "401" in result.reason
    assert not fake.received[0].token_ok
    assert "otro-token-secreto" not in caplog.text + result.reason
    assert PHONE not in caplog.text and "*********6789" in caplog.text


@pytest.mark.parametrize("api", ["v2", "v1"])
def test_403_code_101_is_no_credit(fake: FakeBotmaker, api: str) -> None:
    result = send(fake, "403", api=api)
    assert isinstance(result, StopWorker) and "crédito" in result.reason


def test_404_wrong_url_stops_the_worker(fake: FakeBotmaker) -> None:
    result = send(fake, "404")
    assert isinstance(result, StopWorker) and "URL" in result.reason


def test_missing_token_or_line_stops_before_sending(fake: FakeBotmaker) -> None:
    no_token = client_for(fake.url, token=None).send(MSG)
    no_line = client_for(fake.url, canal="").send(MSG)
    assert isinstance(no_token, StopWorker) and "secrets set botmaker-token" in no_token.reason
    assert isinstance(no_line, StopWorker) and "canal" in no_line.reason
    assert fake.received == []


def test_malformed_base_url_stops_the_worker() -> None:
    result = client_for("http://no es una url").send(MSG)
    assert isinstance(result, StopWorker) and "URL" in result.reason


# --- retryable: provably not delivered ----------------------------------------------------------


@pytest.mark.parametrize("status", ["502", "504"])
def test_gateway_errors_may_follow_processing_so_are_ambiguous(
    fake: FakeBotmaker, status: str
) -> None:
    result = send(fake, status)
    assert isinstance(result, Ambiguous) and status in result.reason


def test_503_with_retry_after_is_retryable(fake: FakeBotmaker) -> None:
    result = send(fake, "503")
    assert isinstance(result, Retryable) and "503" in result.reason and result.retry_after == 2


def test_429_honours_retry_after_seconds(fake: FakeBotmaker) -> None:
    fake.script(Fault("429", retry_after="37"))
    result = send(fake)
    assert result == Retryable("Botmaker respondió 429 (demasiados pedidos).", 37.0)


def test_429_honours_retry_after_http_date(fake: FakeBotmaker, clock: FakeClock) -> None:
    when = clock() + timedelta(seconds=90)
    fake.script(Fault("429", retry_after=format_datetime(when, usegmt=True)))
    result = client_for(fake.url, clock=clock).send(MSG)
    assert isinstance(result, Retryable) and result.retry_after == 90.0


def test_connection_refused_is_retryable_and_nothing_arrives() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = client_for(f"http://127.0.0.1:{port}").send(MSG)
    assert isinstance(result, Retryable) and "conectar" in result.reason


def test_dns_failure_is_retryable() -> None:
    result = client_for("http://botmaker.invalid").send(MSG)  # RFC 6761: never resolves
    assert isinstance(result, Retryable) and "DNS" in result.reason


# --- ambiguous: may have reached Botmaker -----------------------------------------------------


def test_500_is_ambiguous(fake: FakeBotmaker) -> None:
    result = send(fake, "500")
    assert isinstance(result, Ambiguous) and "500" in result.reason


def test_read_timeout_after_sending_is_ambiguous(fake: FakeBotmaker) -> None:
    result = send(fake, "timeout")
    assert isinstance(result, Ambiguous) and "a tiempo" in result.reason
    [req] = fake.received_for(41)
    assert req.answer == "timeout" and req.delivered  # it did get there: resending would duplicate


def test_connection_reset_after_sending_is_ambiguous(fake: FakeBotmaker) -> None:
    result = send(fake, "reset")
    assert isinstance(result, Ambiguous) and "cortó la conexión" in result.reason
    assert fake.received_for(41)[0].answer == "reset"


def test_after_the_script_requests_are_answered_normally(fake: FakeBotmaker) -> None:
    fake.script("503:2")
    results = [send(fake) for _ in range(3)]
    assert [type(r) for r in results] == [Retryable, Retryable, Accepted]
    assert fake.pending_faults() == 0


# --- helpers --------------------------------------------------------------------------------


def test_fault_spec_syntax() -> None:
    kinds = [f.kind for f in parse_fault_spec("429:2, 503:1,timeout:1,reset:1,401")]
    assert kinds == ["429", "429", "503", "timeout", "reset", "401"]
    assert parse_fault_spec("") == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [("418", "Falla desconocida «418»"), ("429:0", "Cantidad inválida"), ("503:x", "Cantidad")],
)
def test_bad_fault_specs_are_refused_in_spanish(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_fault_spec(spec)


def test_retry_after_parsing(clock: FakeClock) -> None:
    now = clock()
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after("pronto", now) is None
    assert parse_retry_after(" 12 ", now) == 12.0
    past = format_datetime(now - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after(past, now) == 0.0
