"""Botmaker HTTP client: one POST per message, every outcome classified for the outbox.

Botmaker has no idempotency key, so the classification is the whole safety story:

- `Retryable` only when the message provably did not reach Botmaker: the TCP connection was never
  made (refused, DNS, connect timeout, TLS handshake), 429 (rate limited, nothing processed),
  408, and 502/503/504 (the front door refused it). Note: a 502/504 from a proxy could in theory
  hide a request the backend did process; we follow Botmaker's guidance that these are safe to
  retry, and keep the set in one constant (`RETRYABLE_STATUS`) should that prove wrong.
- `Ambiguous` when it may have reached Botmaker: read timeout or connection dropped after the
  request was written, and 500. A 500 means the application itself failed *while handling* our
  request, possibly after queueing the WhatsApp message; resending could duplicate it, so a person
  decides (the Envio becomes *incierto*). Unknown 5xx are treated the same way.
- `StopWorker` when every message would fail the same way: bad/missing token (401), no credit or
  no permission (403), wrong URL (3xx/404/405, bad URL). The worker pauses instead of failing the
  whole queue.
- `Permanent` for this message only: 400 / other 4xx, or 200 with `problems` (API v1).
- `Accepted` on 2xx.

The token is read from the keyring (SecretStore) for each send, so a token fixed by a supervisor
is used on resume without a restart. It is never logged, and phones are masked in logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from dim_revision.clock import Clock, as_utc, utcnow
from dim_revision.config import BotmakerSettings
from dim_revision.domain.phones import enmascarar
from dim_revision.errors import UserError
from dim_revision.outbox.masking import redact_phones
from dim_revision.secrets import SecretStore

log = logging.getLogger(__name__)

TOKEN_SECRET = "botmaker-token"
DEFAULT_BASE_URL = {"v2": "https://api.botmaker.com", "v1": "https://go.botmaker.com"}
PATHS = {"v2": "/v2.0/chats-actions/trigger-intent", "v1": "/api/v1.0/intent/v2"}
RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})
STOP_STATUS = frozenset({401, 403, 404, 405})
NO_CREDIT_CODE = 101
MAX_REASON = 500


# --- outcomes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    provider_id: str | None


@dataclass(frozen=True)
class Retryable:
    reason: str
    retry_after: float | None = None  # seconds the server asked us to wait


@dataclass(frozen=True)
class Permanent:
    reason: str


@dataclass(frozen=True)
class StopWorker:
    reason: str


@dataclass(frozen=True)
class Ambiguous:
    reason: str


SendResult = Accepted | Retryable | Permanent | StopWorker | Ambiguous


@dataclass(frozen=True)
class Mensaje:
    """One WhatsApp template message, as the outbox hands it to the client."""

    envio_id: int
    telefono: str  # WhatsApp form, digits only
    plantilla: str
    variables: Mapping[str, Any]


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
        base = (settings.base_url or DEFAULT_BASE_URL[version]).rstrip("/")
        self.url = base + PATHS[version]

    def close(self) -> None:
        self._session.close()

    def body(self, msg: Mensaje) -> dict[str, Any]:
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

    def send(self, msg: Mensaje) -> SendResult:
        result = self._send(msg)
        level = logging.INFO if isinstance(result, Accepted) else logging.WARNING
        log.log(
            level,
            "Botmaker envío %s a %s: %s",
            msg.envio_id,
            enmascarar(msg.telefono),
            describe(result),
        )
        return result

    def _send(self, msg: Mensaje) -> SendResult:
        try:
            token = self._secrets.get(TOKEN_SECRET)
        except UserError as exc:
            return StopWorker(f"No se pudo leer el token de Botmaker: {exc}")
        if not self._settings.canal.strip():
            return StopWorker(
                "Falta configurar la línea de WhatsApp de Botmaker ([botmaker] canal): "
                "los envíos quedan en pausa."
            )
        if not token:
            return StopWorker(
                "Falta el token de Botmaker en el llavero del sistema. "
                f"Cárguelo con: dim-revision secrets set {TOKEN_SECRET}"
            )
        try:
            response = self._session.post(
                self.url,
                json=self.body(msg),
                headers={"access-token": token, "Accept": "application/json"},
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return classify_exception(exc)
        try:
            return classify_response(
                self._settings.api_version,
                response.status_code,
                response.headers,
                response.content,
                self._clock(),
            )
        finally:
            response.close()


# --- classification (pure, so every branch is easy to reason about) --------------------------


def classify_exception(exc: requests.RequestException) -> SendResult:
    if isinstance(exc, requests.ConnectTimeout):
        return Retryable("Botmaker no respondió al conectar (tiempo de conexión agotado).")
    if isinstance(exc, requests.ReadTimeout):
        return Ambiguous(
            "Botmaker no respondió a tiempo después de recibir el pedido: puede haberse enviado."
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return Retryable(f"Falló la conexión segura con Botmaker: {_short(exc)}")
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        if isinstance(inner, MaxRetryError) and isinstance(inner.reason, NameResolutionError):
            return Retryable(
                "No se encontró el servidor de Botmaker (DNS): ¿hay conexión a Internet?"
            )
        if isinstance(inner, MaxRetryError) and isinstance(inner.reason, NewConnectionError):
            # urllib3 never opened the TCP connection (refused, unreachable): nothing was sent.
            return Retryable("No se pudo conectar con Botmaker (conexión rechazada o sin red).")
        return Ambiguous(
            "Se cortó la conexión con Botmaker después de enviar el pedido: puede haberse enviado."
        )
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema,
    ):
        return StopWorker(f"La URL de Botmaker configurada no es válida: {_short(exc)}")
    # Anything else (e.g. a decoding error after the request went out): may have been sent.
    return Ambiguous(f"Error inesperado al hablar con Botmaker: {type(exc).__name__}")


def classify_response(
    api_version: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    now: datetime,
) -> SendResult:
    data = _json(content)
    if 200 <= status < 300:
        if api_version == "v1":
            problems = data.get("problems") if isinstance(data, dict) else None
            if problems:
                return Permanent(f"Botmaker informó problemas con el mensaje: {_summary(problems)}")
            return Accepted(_str_or_none(data.get("id") if isinstance(data, dict) else None))
        return Accepted(
            _str_or_none(data.get("webhookNotificationId") if isinstance(data, dict) else None)
        )
    if status == 401:
        return StopWorker(
            "Botmaker rechazó el token de acceso (401). Cargue uno válido con "
            f"«dim-revision secrets set {TOKEN_SECRET}» y reanude los envíos."
        )
    if status == 403:
        code = _error_code(data)
        if code == NO_CREDIT_CODE:
            return StopWorker(
                "Botmaker informa que la cuenta no tiene crédito (403, código 101). "
                "Los envíos quedan en pausa hasta cargar crédito."
            )
        return StopWorker(
            "Botmaker denegó el acceso (403). Revise el token y los permisos de la cuenta."
        )
    if status in STOP_STATUS or 300 <= status < 400:
        return StopWorker(
            f"Botmaker respondió {status} a {api_version}: revise la URL y la versión de la API "
            "configuradas."
        )
    if status in RETRYABLE_STATUS:
        wait = parse_retry_after(headers.get("Retry-After"), now)
        what = "demasiados pedidos" if status == 429 else "servicio no disponible"
        return Retryable(f"Botmaker respondió {status} ({what}).", wait)
    if 400 <= status < 500:
        return Permanent(f"Botmaker rechazó el mensaje ({status}): {_errors(data, content)}")
    return Ambiguous(
        f"Botmaker falló al procesar el pedido ({status}): puede haberse enviado igual."
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, (as_utc(when) - now).total_seconds())


def describe(result: SendResult) -> str:
    if isinstance(result, Accepted):
        return f"aceptado (id {result.provider_id or 'sin id'})"
    if isinstance(result, Retryable):
        extra = f", Retry-After {result.retry_after:g}s" if result.retry_after is not None else ""
        return f"reintentable: {result.reason.rstrip('.')}{extra}"
    if isinstance(result, Permanent):
        return f"error permanente: {result.reason}"
    if isinstance(result, StopWorker):
        return f"pausa: {result.reason}"
    return f"incierto: {result.reason}"


def _json(content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)[:120]


def _error_code(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data["error"].get("code")
    return None


def _errors(data: Any, content: bytes) -> str:
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        parts = []
        for err in data["errors"]:
            if isinstance(err, dict):
                where = err.get("source") or err.get("type") or ""
                parts.append(f"{where}: {err.get('message', '')}".strip(": "))
            else:
                parts.append(str(err))
        return _clip("; ".join(parts) or "sin detalle")
    if isinstance(data, dict) and data.get("problems"):
        return _summary(data["problems"])
    text = content.decode("utf-8", "replace").strip()
    return _clip(text or "sin detalle")


def _summary(problems: Any) -> str:
    if isinstance(problems, str):
        return _clip(problems)
    return _clip(json.dumps(problems, ensure_ascii=False))


def _clip(text: str) -> str:
    text = redact_phones(text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _short(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc
    reason = getattr(inner, "reason", inner)
    return _clip(str(reason).splitlines()[0] if str(reason) else type(exc).__name__)
