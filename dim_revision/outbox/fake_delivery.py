"""The fake Botmaker's delivery simulation (issue #12): the webhooks it posts to our service
and the sent-results query it answers, for the messages `fake_server.FakeBotmaker` accepted."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dim_revision.outbox.classification import NO_CREDIT_CODE

if TYPE_CHECKING:
    from dim_revision.outbox.fake_server import FakeBotmaker, _Handler


log = logging.getLogger(__name__)


# --- answer shapes shared with fake_server.py


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
