"""Botmaker HTTP client: one POST per message, every outcome classified for the outbox.

Botmaker has no idempotency key, so the classification is the whole safety story, and it lives in
ONE table (`CLASSIFICATION` in `classification.py`, a row per case, a test per row). The rule behind it:

- The request body's **last byte is withheld** until the caller's `before_send` hook has made
  "POST begun" durable. Until that byte leaves, Botmaker holds an incomplete request it cannot
  process (it needs the whole JSON body), so every failure up to there — DNS, refused, connect
  timeout, TLS handshake, a reset while writing, the hook itself failing — provably did not send
  anything: `Retryable` (or `NotSent` when the hook refused).
- Once the last byte may have left, any failure may hide a processed message: a read timeout, a
  TLS error (alert, bad record), a reset, a 500/502/504 (a gateway may answer after the backend
  queued the WhatsApp), any other 5xx, a 503 without Retry-After: `Ambiguous` (the Envio becomes
  *incierto*, never retried blindly).
- `Retryable` answers: 429 (rate limited), 503 *with* Retry-After (Botmaker's documented "come
  back later", nothing processed) and 408 (the server says it never got the whole request).
- `StopWorker` when every message would fail the same way: bad/missing token (401), no credit or
  no permission (403), wrong URL (3xx/404/405, bad URL). The worker pauses.
- `Permanent` for this message only: 400 / other 4xx, or 200 with `problems` (API v1).
- `Accepted` on 2xx.

The token is read from the keyring (SecretStore) for each send, so a token fixed by a supervisor
is used on resume without a restart. It is never logged; provider text is masked (phones, DNIs,
JWTs, our link) before it is logged or stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import requests

from dim_revision.clock import Clock, utcnow
from dim_revision.config import BotmakerSettings
from dim_revision.domain.phones import enmascarar
from dim_revision.errors import UserError
from dim_revision.outbox.classification import (
    CLASSIFICATION,
    NO_CREDIT_CODE,
    TOKEN_SECRET,
    AbortSend,
    Accepted,
    Ambiguous,
    BeforeSend,
    MensajeWhatsApp,
    NotSent,
    Permanent,
    Retryable,
    SendResult,
    StopWorker,
    _outcome,
    classify_exception,
    classify_response,
    describe,
    parse_retry_after,
)
from dim_revision.secrets import SecretStore
from dim_revision.shared.masking import mask_provider_text

log = logging.getLogger(__name__)

# Kept importable from here: the worker, the doctor and the tests name them through the client.
__all__ = [
    "CLASSIFICATION",
    "NO_CREDIT_CODE",
    "TOKEN_SECRET",
    "AbortSend",
    "Accepted",
    "Ambiguous",
    "BotmakerClient",
    "MensajeWhatsApp",
    "NotSent",
    "Permanent",
    "Retryable",
    "SendResult",
    "StopWorker",
    "classify_exception",
    "classify_response",
    "describe",
    "parse_retry_after",
]

DEFAULT_BASE_URL = {"v2": "https://api.botmaker.com", "v1": "https://go.botmaker.com"}
PATHS = {"v2": "/v2.0/chats-actions/trigger-intent", "v1": "/api/v1.0/intent/v2"}


# --- the request body that withholds its last byte -------------------------------------------


class WithheldBody:
    """A request body whose last byte is only handed over once `before_send()` returned True.

    `requests` sends it with Content-Length (it has a length) and iterates it after the headers.
    `completed` is set right before the last byte is yielded: from then on, it may have left.
    """

    def __init__(self, data: bytes, before_send: BeforeSend | None) -> None:
        if not data:
            raise ValueError("empty body")
        self.data = data
        self.before_send = before_send
        self.completed = False
        self.refusal: str | None = None

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:
        if len(self.data) > 1:
            yield self.data[:-1]
        if self.before_send is not None:
            try:
                go = self.before_send()
            except Exception as exc:
                self.refusal = f"no se pudo registrar el inicio del envío ({type(exc).__name__})"
                raise AbortSend(self.refusal) from exc
            if not go:
                self.refusal = "el envío ya no pertenece a este puesto"
                raise AbortSend(self.refusal)
        self.completed = True
        yield self.data[-1:]


# --- client ----------------------------------------------------------------------------------


class BotmakerClient:
    """Not thread-safe (one `requests.Session`): one client per worker."""

    def __init__(
        self,
        settings: BotmakerSettings,
        secrets: SecretStore,
        session: requests.Session | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._session = session or requests.Session()
        self._clock = clock
        version = settings.api_version
        self.base_url = (settings.base_url or DEFAULT_BASE_URL[version]).rstrip("/")
        self.url = self.base_url + PATHS[version]

    def close(self) -> None:
        self._session.close()

    def body(self, msg: MensajeWhatsApp) -> dict[str, Any]:
        canal = self._settings.canal
        if self._settings.api_version == "v1":
            return {
                "chatPlatform": "whatsapp",
                "chatChannelNumber": canal,
                "platformContactId": msg.telefono,
                "ruleNameOrId": msg.plantilla,
                "params": dict(msg.variables),
            }
        return {
            "chat": {"channelId": canal, "contactId": msg.telefono},
            "intentIdOrName": msg.plantilla,
            "variables": dict(msg.variables),
            "webhookPayload": str(msg.envio_id),
        }

    def send(self, msg: MensajeWhatsApp, before_send: BeforeSend | None = None) -> SendResult:
        """POST the message. `before_send` runs once the whole request but its last byte is
        written (the worker records "POST begun" there); if it returns False or raises, the
        request is abandoned incomplete and the result is `NotSent`."""
        result = _scrub(self._send(msg, before_send), msg)
        level = logging.INFO if isinstance(result, Accepted) else logging.WARNING
        log.log(
            level,
            "Botmaker envío %s a %s: %s",
            msg.envio_id,
            enmascarar(msg.telefono),
            describe(result),
        )
        return result

    def token(self) -> str | SendResult:
        """The access token, or the StopWorker that explains why there is none."""
        try:
            token = self._secrets.get(TOKEN_SECRET)
        except UserError as exc:
            return StopWorker(f"No se pudo leer el token de Botmaker: {exc}")
        if not token:
            return StopWorker(
                "Falta el token de Botmaker en el llavero del sistema. "
                f"Cárguelo con: dim-revision secrets set {TOKEN_SECRET}"
            )
        return token

    def _send(self, msg: MensajeWhatsApp, before_send: BeforeSend | None) -> SendResult:
        if not self._settings.canal.strip():
            return StopWorker(
                "Falta configurar la línea de WhatsApp de Botmaker ([botmaker] canal): "
                "los envíos quedan en pausa."
            )
        token = self.token()
        if not isinstance(token, str):
            return token
        data = json.dumps(self.body(msg), ensure_ascii=False).encode("utf-8")
        body = WithheldBody(data, before_send)
        try:
            response = self._session.post(
                self.url,
                data=body,
                headers={
                    "access-token": token,
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                    # A fresh connection per message: a pooled one the server closed while idle
                    # would fail after our request and turn a message that never arrived into
                    # an incierto.
                    "Connection": "close",
                },
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
                verify=self._settings.ca_file or True,
            )
        except AbortSend:
            return _outcome("hook_refused", body.refusal or "")
        except requests.RequestException as exc:
            if body.refusal is not None:
                return _outcome("hook_refused", body.refusal)
            return classify_exception(exc, sent=body.completed)
        try:
            result = classify_response(
                self._settings.api_version,
                response.status_code,
                response.headers,
                response.content,
                self._clock(),
            )
        except requests.RequestException as exc:  # the body broke off while being read
            return classify_exception(exc, sent=True)
        finally:
            response.close()
        if not body.completed and isinstance(result, Ambiguous):
            return _outcome("answer_before_complete", str(response.status_code))
        return result


def _scrub(result: SendResult, msg: MensajeWhatsApp) -> SendResult:
    """Mask whatever we sent (first name, prestaciones, link token, phone) if the answer echoed
    it: the reason is logged and stored in `ultimo_error`."""
    if isinstance(result, Accepted):
        return result
    sent = [msg.telefono, *(v for v in msg.variables.values() if isinstance(v, str | int))]
    masked = mask_provider_text(result.reason, sent)
    if masked == result.reason:
        return result
    if isinstance(result, Retryable):
        return Retryable(masked, result.retry_after)
    return type(result)(masked)
