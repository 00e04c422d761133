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
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from dim_revision.domain.phones import enmascarar
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import PATHS
from dim_revision.outbox.fake_delivery import (
    FakeDelivery,
    _contact,
    _error_body,
    _record_accepted,
    _SentResult,
    _serve_results,
)

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
        _record_accepted(self, api, body, answer)  # delivery simulation (fake_delivery.py)


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
