"""The one classification table (`botmaker.CLASSIFICATION`): a test per row, then the rows that
matter most again on the wire, against the fault-injection Botmaker (TLS included)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)

from dim_revision.config import BotmakerSettings
from dim_revision.outbox.botmaker import (
    CLASSIFICATION,
    AbortSend,
    Accepted,
    Ambiguous,
    BotmakerClient,
    MensajeWhatsApp,
    NotSent,
    Permanent,
    Retryable,
    SendResult,
    StopWorker,
    classify_exception,
    classify_response,
)
from dim_revision.outbox.fault_botmaker import FaultBotmaker, TlsFiles, make_tls_files
from dim_revision.secrets import MemoryStore

TOKEN = "token-de-prueba"
NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
MSG = MensajeWhatsApp(41, "5491123456789", "dim_link_turno", {"nombre": "Ana", "link": "tok123"})


def _wrapped(reason: Exception) -> requests.ConnectionError:
    return requests.ConnectionError(MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


def _status(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> SendResult:
    return classify_response("v2", status, headers or {}, body, NOW)


EXAMPLES: dict[str, Callable[[], SendResult]] = {
    "hook_refused": lambda: classify_exception(AbortSend("no"), sent=False),
    "bad_url": lambda: classify_exception(requests.exceptions.InvalidURL("x"), sent=False),
    "dns": lambda: classify_exception(
        _wrapped(NameResolutionError("h", None, socket.gaierror())),  # type: ignore[arg-type]
        sent=False,
    ),
    "connect_timeout": lambda: classify_exception(requests.ConnectTimeout("t"), sent=False),
    "refused": lambda: classify_exception(
        _wrapped(NewConnectionError(None, "refused")),  # type: ignore[arg-type]
        sent=False,
    ),
    "tls_handshake": lambda: classify_exception(requests.exceptions.SSLError("cert"), sent=False),
    "incomplete": lambda: classify_exception(
        requests.ConnectionError(ProtocolError("reset", ConnectionResetError())), sent=False
    ),
    "read_timeout": lambda: classify_exception(requests.ReadTimeout("t"), sent=True),
    "tls_after_send": lambda: classify_exception(
        requests.exceptions.SSLError("bad record mac"), sent=True
    ),
    "reset_after_send": lambda: classify_exception(
        requests.ConnectionError(ProtocolError("reset", ConnectionResetError())), sent=True
    ),
    "unexpected_after_send": lambda: classify_exception(
        requests.exceptions.ContentDecodingError("gzip"), sent=True
    ),
    "2xx": lambda: _status(202, body=b'{"webhookNotificationId": "abc"}'),
    "v1_problems": lambda: classify_response(
        "v1", 200, {}, b'{"id": null, "problems": [{"message": "x"}]}', NOW
    ),
    "401": lambda: _status(401),
    "403_no_credit": lambda: _status(403, body=b'{"error": {"code": 101}}'),
    "403": lambda: _status(403),
    "wrong_url": lambda: _status(404),
    "408": lambda: _status(408),
    "429": lambda: _status(429, {"Retry-After": "5"}),
    "503_retry_after": lambda: _status(503, {"Retry-After": "7"}),
    "4xx": lambda: _status(400, body=b'{"errors": [{"source": "chat", "message": "bad"}]}'),
    "5xx": lambda: _status(502),
    "answer_before_complete": lambda: _early_answer(500),
}


class _EarlyAnswerSession(requests.Session):
    """A session whose server answers without ever reading the body (the body is not iterated)."""

    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status

    def post(self, url: Any, data: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = self.status
        response._content = b'{"errors": []}'
        return response


def _early_answer(status: int) -> SendResult:
    client = BotmakerClient(_settings("http://127.0.0.1:9"), _store(), _EarlyAnswerSession(status))
    return client.send(MSG, before_send=lambda: True)


def _settings(url: str, **values: Any) -> BotmakerSettings:
    base: dict[str, Any] = {
        "base_url": url,
        "canal": "canal",
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
    }
    base.update(values)
    return BotmakerSettings(**base)


def _store() -> MemoryStore:
    return MemoryStore({"botmaker-token": TOKEN})


@pytest.mark.parametrize("caso", sorted(CLASSIFICATION))
def test_every_row_of_the_table(caso: str) -> None:
    row = CLASSIFICATION[caso]
    result = EXAMPLES[caso]()  # a new row without an example fails here
    assert isinstance(result, row.resultado), (caso, result)
    # The rule of the table: whatever may have reached Botmaker is never retried blindly.
    if row.pudo_llegar:
        assert not isinstance(result, Retryable | NotSent), caso


def test_the_examples_cover_exactly_the_table() -> None:
    assert set(EXAMPLES) == set(CLASSIFICATION)


def test_503_without_retry_after_and_other_5xx_are_ambiguous() -> None:
    for status in (500, 502, 503, 504, 599):
        assert isinstance(_status(status), Ambiguous), status
    assert _status(429, {"Retry-After": "5"}) == Retryable(CLASSIFICATION["429"].motivo, 5.0)


def test_an_early_error_answer_is_taken_at_its_word_when_it_is_not_ambiguous() -> None:
    assert isinstance(_early_answer(401), StopWorker)
    assert isinstance(_early_answer(400), Permanent)


# --- on the wire ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.jsonl"


def _client(url: str, verify: str = "", **values: Any) -> BotmakerClient:
    return BotmakerClient(_settings(url, ca_file=verify, **values), _store())


@contextmanager
def _serve(
    journal: Path, mode: str, tls: TlsFiles | None = None, **kw: Any
) -> Iterator[FaultBotmaker]:
    with FaultBotmaker(journal, TOKEN, mode_for=lambda _n: mode, tls=tls, **kw) as server:
        yield server


@pytest.mark.parametrize(
    ("mode", "tls", "expected"),
    [
        ("ok", False, Accepted),
        ("ok", True, Accepted),
        ("tls_alert", True, Ambiguous),
        ("reset", False, Ambiguous),
        ("reset", True, Ambiguous),
        ("close", False, Ambiguous),
        ("500", False, Ambiguous),
        ("502", True, Ambiguous),
        ("504", False, Ambiguous),
        ("slow", False, Ambiguous),
    ],
)
def test_failures_after_the_request_was_processed_are_never_retryable(
    journal: Path, tls_files: TlsFiles, mode: str, tls: bool, expected: type
) -> None:
    with _serve(journal, mode, tls_files if tls else None, slow_seconds=1.5) as server:
        client = _client(server.url, verify=str(tls_files.cert) if tls else "")
        begun: list[int] = []
        result = client.send(MSG, before_send=lambda: begun.append(1) or True)
        client.close()
        assert isinstance(result, expected), result
        assert begun == [1]
        assert [r["envio"] for r in server.received()] == ["41"]


def test_tls_handshake_failure_is_retryable_and_nothing_arrives(
    journal: Path, tls_files: TlsFiles
) -> None:
    with _serve(journal, "ok", tls_files) as server:
        begun: list[int] = []
        result = _client(server.url).send(MSG, before_send=lambda: begun.append(1) or True)
        assert isinstance(result, Retryable) and "antes de enviar" in result.reason
        assert begun == [] and server.received() == []


@pytest.mark.parametrize("hook", ["refuses", "raises"])
def test_a_refusing_or_failing_hook_abandons_the_request_before_its_last_byte(
    journal: Path, hook: str
) -> None:
    def before_send() -> bool:
        if hook == "raises":
            raise ConnectionError("database down")
        return False

    with _serve(journal, "ok") as server:
        result = _client(server.url).send(MSG, before_send=before_send)
        assert isinstance(result, NotSent)
        assert server.received() == []  # the server never got a complete request


def test_connect_timeout_is_retryable() -> None:
    """A listener whose accept queue is full drops new SYNs: the connect times out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):  # fill the backlog (never accepted)
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                fillers.append(s)
            client = _client(f"http://127.0.0.1:{port}", connect_timeout=0.3, read_timeout=0.3)
            result = client.send(MSG, before_send=lambda: True)
        finally:
            for s in fillers:
                s.close()
    assert isinstance(result, Retryable), result


def test_provider_echo_of_the_request_is_masked(journal: Path) -> None:
    """A 400 that echoes our body must not carry the patient's name, link or phone onwards."""

    class EchoSession(requests.Session):
        def post(self, url: Any, data: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            sent = b"".join(iter(data))
            response = requests.Response()
            response.status_code = 400
            response._content = b'{"errors": [{"source": "body", "message": ' + (
                repr(sent.decode()).replace("'", '"').encode() + b"}]}"
            )
            return response

    msg = MensajeWhatsApp(
        7,
        "5491123456789",
        "p",
        {"nombre": "Ximena", "link": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl"},
    )
    client = BotmakerClient(_settings("http://127.0.0.1:9"), _store(), EchoSession())
    result = client.send(msg)
    assert isinstance(result, Permanent)
    assert "Ximena" not in result.reason
    assert "eyJ" not in result.reason
    assert "5491123456789" not in result.reason and "23456789" not in result.reason
