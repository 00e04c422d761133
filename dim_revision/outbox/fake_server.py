"""A small, real Botmaker stand-in on 127.0.0.1 for demo mode and tests.

It speaks both APIs (v2 `trigger-intent`, legacy v1 `intent/v2`), checks the `access-token`
header and the body shape, records every request it receives (so tests can prove "sent exactly
once"), and plays scripted faults in order: `429:2,503,timeout,reset,401` means the next two
requests get 429, then one 503, one answer slower than the client's read timeout, one connection
reset, one 401; after the script, requests are answered normally.

`delivered` on a record says whether the fake *processed* the message: true for a normal answer,
and also for `timeout` and `reset` (the worst case the client must assume: Botmaker processed it
and the answer got lost).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from dim_revision.domain.phones import enmascarar
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import NO_CREDIT_CODE, PATHS

log = logging.getLogger(__name__)

STATUS_FAULTS = frozenset({400, 401, 403, 404, 429, 500, 502, 503, 504})
NAMED_FAULTS = frozenset({"timeout", "reset", "ok", "problems"})
MAX_BODY = 1_000_000
CHANNELS_PATH = "/v2.0/channels"
TEMPLATES_PATH = "/api/v1.0/waTemplates/"


@dataclass(frozen=True)
class Fault:
    """One scripted answer: an HTTP status, `timeout` (answer late), `reset` (drop the socket),
    `problems` (v1: 200 with problems), or `ok` (answer normally)."""

    kind: str
    retry_after: str | None = None  # for 429; the server default when None


@dataclass(frozen=True)
class Received:
    api: str  # "v1" / "v2"
    path: str
    token_ok: bool  # never the token itself
    body: Any  # parsed JSON, None if unparsable
    answer: str  # "202", "429", "timeout", "reset", …
    delivered: bool
    at: float

    @property
    def envio_id(self) -> str | None:
        if isinstance(self.body, dict) and self.api == "v2":
            payload = self.body.get("webhookPayload")
            return None if payload is None else str(payload)
        return None

    @property
    def contact(self) -> str | None:
        return _contact(self.api, self.body)


def parse_fault_spec(spec: str) -> list[Fault]:
    """'429:2,503:1,timeout,reset:1,401' → the expanded list of faults, in order."""
    faults: list[Fault] = []
    valid = ", ".join([*(str(s) for s in sorted(STATUS_FAULTS)), *sorted(NAMED_FAULTS)])
    for raw in spec.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        name, _, count_text = item.partition(":")
        if name not in NAMED_FAULTS and not (name.isdigit() and int(name) in STATUS_FAULTS):
            raise UserError(f"Falla desconocida «{name}» en --fault. Válidas: {valid}.")
        try:
            count = int(count_text) if count_text else 1
        except ValueError:
            count = -1
        if count < 1:
            raise UserError(
                f"Cantidad inválida «{count_text}» para «{name}» en --fault (un entero ≥ 1)."
            )
        faults.extend(Fault(name) for _ in range(count))
    return faults


class FakeBotmaker:
    """Start with `start()` or as a context manager; `url` is the base URL to configure."""

    def __init__(
        self,
        token: str,
        faults: Iterable[Fault] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 30.0,
        retry_after: str = "2",
        channels: tuple[str, ...] = ("fake-channel",),
        templates: dict[str, str] | None = None,
    ) -> None:
        self.token = token
        # What `doctor` asks about (issue #17): the lines and the templates with their state.
        self.channels = channels
        self.templates = {"dim_link_turno": "APPROVED"} if templates is None else templates
        self.host = host
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self._requested_port = port
        self._faults: deque[Fault] = deque(faults)
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.delivery = FakeDelivery()
        self._results: dict[str, _SentResult] = {}

    # lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeBotmaker:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self._requested_port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-botmaker",
            daemon=True,
        )
        self._thread.start()
        log.info("Botmaker simulado escuchando en %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes slow answers
        self.delivery.cancel_timers()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBotmaker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotmaker is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # script and record -----------------------------------------------------------------------

    def script(self, *faults: Fault | str) -> None:
        """Queue more faults (a `Fault` or a spec string such as '429:2,reset')."""
        with self._lock:
            for f in faults:
                self._faults.extend(parse_fault_spec(f) if isinstance(f, str) else [f])

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def received_for(self, envio_id: int | str) -> list[Received]:
        """Requests carrying this Envio id (v2 `webhookPayload`)."""
        key = str(envio_id)
        return [r for r in self.received if r.envio_id == key]

    def delivered(self) -> list[Received]:
        return [r for r in self.received if r.delivered]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._faults.clear()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)

    def _accepted(self, api: str, body: Any, answer: Any) -> None:
        _record_accepted(self, api, body, answer)  # delivery simulation, below


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeBotmaker
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("Botmaker simulado: error atendiendo %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeBotmaker/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("Botmaker simulado: " + format, *args)

    def do_GET(self) -> None:
        if _serve_results(self):
            return
        # Cheap authenticated reads (what `dim-revision doctor` calls); not scripted, not recorded.
        path = self.path.split("?", 1)[0]
        if path == CHANNELS_PATH or path.startswith(TEMPLATES_PATH):
            if self.headers.get("access-token") != self.server.fake.token:
                self._reply(401, _error_body(401))
                return
            self._reply(*_config_answer(self.server.fake, path))
            return
        self._reply(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, MAX_BODY))
        if len(raw) < min(length, MAX_BODY):  # the client hung up mid-request: nothing to process
            self.close_connection = True
            return
        api = next((k for k, v in PATHS.items() if v == self.path.split("?", 1)[0]), None)
        if api is None:
            self._reply(404, {"error": {"message": f"unknown path {self.path}"}})
            return
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        token_ok = self.headers.get("access-token") == fake.token
        fault = fake._next_fault()
        kind = fault.kind if fault is not None else "ok"
        if kind == "ok":
            if not token_ok:
                kind = "401"
            elif (problems := _shape_problems(api, body)) is not None:
                self._answer(fake, api, body, token_ok, 400, {"errors": problems})
                return
        if kind in ("timeout", "reset"):
            fake._record(Received(api, self.path, token_ok, body, kind, True, time.monotonic()))
            fake._accepted(api, body, None)
            log.debug("Botmaker simulado: %s para %s", kind, enmascarar(_contact(api, body)))
            if kind == "reset":
                self._reset()
            else:
                fake._stopping.wait(fake.slow_seconds)
                self._safe_reply(*_success(api))
            return
        if kind == "ok":
            self._answer(fake, api, body, token_ok, *_success(api))
        elif kind == "problems" and api == "v1":
            payload = {
                "id": None,
                "problems": [{"message": "Regla/plantilla inexistente (simulado)"}],
            }
            self._answer(fake, api, body, token_ok, 200, payload)
        else:
            status = 400 if kind == "problems" else int(kind)
            headers = {}
            if status in (429, 503):  # Botmaker's "come back later": nothing was processed
                headers["Retry-After"] = (fault.retry_after if fault else None) or fake.retry_after
            self._answer(fake, api, body, token_ok, status, _error_body(status), headers)

    # helpers -------------------------------------------------------------------------------

    def _answer(
        self,
        fake: FakeBotmaker,
        api: str,
        body: Any,
        token_ok: bool,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        delivered = 200 <= status < 300 and not (
            isinstance(payload, dict) and payload.get("problems")
        )
        fake._record(
            Received(api, self.path, token_ok, body, str(status), delivered, time.monotonic())
        )
        if delivered:
            fake._accepted(api, body, payload)
        self._safe_reply(status, payload, headers)

    def _safe_reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        try:
            self._reply(status, payload, headers)
        except OSError:  # the client gave up (timeout) and closed its end
            self.close_connection = True

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Abort the TCP connection (RST) without answering."""
        linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.connection.close()
        self.close_connection = True


def _config_answer(fake: FakeBotmaker, path: str) -> tuple[int, Any]:
    """Lines (`GET /v2.0/channels`) and one template (`GET /api/v1.0/waTemplates/{name}`)."""
    if path == CHANNELS_PATH:
        return 200, {"items": [{"id": c, "platform": "whatsapp"} for c in fake.channels]}
    from urllib.parse import unquote

    name = unquote(path[len(TEMPLATES_PATH) :])
    state = fake.templates.get(name)
    if state is None:
        return 404, {"error": {"message": f"template {name} not found (simulado)"}}
    return 200, {"name": name, "state": state, "locale": "es_AR", "category": "UTILITY"}


def _success(api: str) -> tuple[int, dict[str, Any]]:
    if api == "v1":
        return 200, {"id": uuid.uuid4().hex, "problems": None}
    return 202, {"webhookNotificationId": uuid.uuid4().hex}


def _error_body(status: int) -> dict[str, Any]:
    if status == 403:
        return {"error": {"code": NO_CREDIT_CODE, "message": "No credit available (simulado)"}}
    if status == 401:
        return {"error": {"code": 1, "message": "Invalid access-token (simulado)"}}
    messages = {
        400: "Bad request (simulado)",
        404: "Not found (simulado)",
        429: "Too many requests (simulado)",
        500: "Internal error (simulado)",
        502: "Bad gateway (simulado)",
        503: "Service unavailable (simulado)",
        504: "Gateway timeout (simulado)",
    }
    return {
        "errors": [
            {"type": "simulated", "source": "fake", "message": messages.get(status, "error")}
        ]
    }


def _contact(api: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    if api == "v2":
        chat = body.get("chat")
        return chat.get("contactId") if isinstance(chat, dict) else None
    value = body.get("platformContactId")
    return None if value is None else str(value)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _shape_problems(api: str, body: Any) -> list[dict[str, str]] | None:
    """Botmaker-style errors for a malformed body, or None if the shape is right."""

    def err(source: str, message: str) -> dict[str, str]:
        return {"type": "invalid", "source": source, "message": message}

    if not isinstance(body, dict):
        return [err("body", "the body must be a JSON object")]
    problems: list[dict[str, str]] = []
    if api == "v2":
        chat = body.get("chat")
        if not isinstance(chat, dict):
            problems.append(err("chat", "chat is required"))
        else:
            if not _nonempty_str(chat.get("channelId")):
                problems.append(err("chat.channelId", "channelId is required"))
            if not _nonempty_str(chat.get("contactId")):
                problems.append(err("chat.contactId", "contactId is required"))
        if not _nonempty_str(body.get("intentIdOrName")):
            problems.append(err("intentIdOrName", "intentIdOrName is required"))
        variables = body.get("variables")
        if variables is not None and not isinstance(variables, dict):
            problems.append(err("variables", "variables must be an object"))
        payload = body.get("webhookPayload")
        if payload is not None and not isinstance(payload, str):
            problems.append(err("webhookPayload", "webhookPayload must be a string"))
    else:
        if body.get("chatPlatform") != "whatsapp":
            problems.append(err("chatPlatform", "chatPlatform must be 'whatsapp'"))
        for key in ("chatChannelNumber", "platformContactId", "ruleNameOrId"):
            if not _nonempty_str(body.get(key)):
                problems.append(err(key, f"{key} is required"))
        params = body.get("params")
        if params is not None and not isinstance(params, dict):
            problems.append(err("params", "params must be an object"))
    return problems or None


# --- delivery simulation (issue #12): webhooks to our service and the results query ----------

RESULTS_PATH = "/v2.0/notifications/sent-results"
UNDELIVERABLE = {"code": "131026", "message": "Message undeliverable (simulado)"}


@dataclass
class FakeDelivery:
    """How the fake's WhatsApp behaves after accepting a message.

    `webhook_url`/`webhook_token`: where to POST status and reply notifications (the shapes in
    docs/botmaker.md); None: no webhooks (the results query still tells the story).
    `delivered_after`/`read_after`: seconds after acceptance (None: never). Contacts in
    `undeliverable` get an error instead; `reply_text` (if set) is the patient's answer, sent
    `reply_after` seconds after acceptance. `drop_webhooks`: statuses not notified (missed
    webhooks, for the reconciliation)."""

    webhook_url: str | None = None
    webhook_token: str | None = None
    delivered_after: float | None = 1.0
    read_after: float | None = 3.0
    undeliverable: frozenset[str] = frozenset()
    reply_text: str | None = None
    reply_after: float = 5.0
    reply_every: int = 1  # the patient answers every Nth accepted message
    drop_webhooks: frozenset[str] = frozenset()
    sent_webhooks: list[dict[str, Any]] = field(default_factory=list)
    accepted: int = 0
    _timers: list[threading.Timer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def schedule(self, delay: float, payload: dict[str, Any]) -> None:
        if not self.webhook_url:
            return
        timer = threading.Timer(max(0.0, delay), self._post, args=(payload,))
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    def cancel_timers(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for t in timers:
            t.cancel()

    def _post(self, payload: dict[str, Any]) -> None:
        import urllib.request

        assert self.webhook_url is not None
        data = json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            self.webhook_url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "auth-bm-token": self.webhook_token or ""},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
            with self._lock:
                self.sent_webhooks.append(payload)
        except OSError:
            log.debug("Botmaker simulado: el webhook a %s falló", self.webhook_url, exc_info=True)


@dataclass
class _SentResult:
    notification_id: str
    payload: str | None
    contact: str
    accepted_at: float  # monotonic
    accepted_iso: str


def _iso(offset: float = 0.0) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(seconds=offset)).isoformat().replace("+00:00", "Z")


def _status_at(d: FakeDelivery, r: _SentResult, now: float) -> tuple[str, dict[str, Any] | None]:
    elapsed = now - r.accepted_at
    if r.contact in d.undeliverable:
        return ("error", UNDELIVERABLE) if elapsed >= (d.delivered_after or 0.0) else ("sent", None)
    if d.read_after is not None and elapsed >= d.read_after:
        return "read", None
    if d.delivered_after is not None and elapsed >= d.delivered_after:
        return "delivered", None
    return "sent", None


def _record_accepted(self: FakeBotmaker, api: str, body: Any, answer: Any) -> None:
    """Botmaker processed a v2 message: keep its result and schedule the webhooks."""
    if api != "v2" or not isinstance(body, dict):
        return
    notification_id = (
        str(answer.get("webhookNotificationId"))
        if isinstance(answer, dict) and answer.get("webhookNotificationId")
        else uuid.uuid4().hex
    )
    contact = str(_contact(api, body) or "")
    payload = body.get("webhookPayload")
    result = _SentResult(
        notification_id,
        None if payload is None else str(payload),
        contact,
        time.monotonic(),
        _iso(),
    )
    with self._lock:
        self._results[notification_id] = result
    d = self.delivery
    base = {
        "v": "1.1",
        "type": "status",
        "chatPlatform": "whatsapp",
        "contactId": "+" + contact,
        "txId": notification_id,
        "webhookPayload": result.payload,
    }
    steps: list[tuple[float, str, dict[str, Any] | None]] = []
    if contact in d.undeliverable:
        steps.append((d.delivered_after or 0.0, "error", UNDELIVERABLE))
    else:
        if d.delivered_after is not None:
            steps.append((d.delivered_after, "delivered", None))
        if d.read_after is not None:
            steps.append((d.read_after, "read", None))
    for delay, status, error in steps:
        if status in d.drop_webhooks:
            continue
        event: dict[str, Any] = {**base, "status": status, "date": _iso(delay)}
        if error:
            event["error"] = error
        d.schedule(delay, event)
    with d._lock:
        d.accepted += 1
        replies = d.reply_every > 0 and d.accepted % d.reply_every == 0
    if (
        d.reply_text
        and replies
        and contact not in d.undeliverable
        and "reply" not in d.drop_webhooks
    ):
        reply = {
            "v": "1.1",
            "type": "message",
            "chatPlatform": "whatsapp",
            "contactId": "+" + contact,
            "messages": [
                {
                    "_id": uuid.uuid4().hex[:20].upper(),
                    "date": _iso(d.reply_after),
                    "message": d.reply_text,
                    "fromName": "Paciente",
                    "from": "user",
                }
            ],
        }
        d.schedule(d.reply_after, reply)


def _result_json(d: FakeDelivery, r: _SentResult, now: float) -> dict[str, Any]:
    status, error = _status_at(d, r, now)
    client: dict[str, Any] = {"contactId": "+" + r.contact, "status": status, "date": _iso()}
    if error:
        client["error"] = error
    return {
        "id": r.notification_id,
        "webhookPayload": r.payload,
        "date": r.accepted_iso,
        "clients": [client],
    }


def _serve_results(handler: _Handler) -> bool:
    """GET /v2.0/notifications/sent-results[/{id}|?webhookPayload=N]; True if it answered."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(handler.path)
    if not parts.path.startswith(RESULTS_PATH):
        return False
    fake = handler.server.fake
    if handler.headers.get("access-token") != fake.token:
        handler._reply(401, _error_body(401))
        return True
    now = time.monotonic()
    rest = parts.path[len(RESULTS_PATH) :].strip("/")
    with fake._lock:
        results = list(fake._results.values())
    if rest:
        found = next((r for r in results if r.notification_id == rest), None)
        if found is None:
            handler._reply(404, {"error": {"message": "notification not found"}})
        else:
            handler._reply(200, _result_json(fake.delivery, found, now))
        return True
    wanted = parse_qs(parts.query).get("webhookPayload", [None])[0]
    items = [
        _result_json(fake.delivery, r, now)
        for r in results
        if wanted is None or r.payload == wanted
    ]
    handler._reply(200, {"items": items})
    return True
