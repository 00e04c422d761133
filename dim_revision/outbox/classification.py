"""What a send to Botmaker ended in, and THE table that decides it (see `botmaker.py`'s rule).

The outcomes (`Accepted`, `Retryable`, `Permanent`, `StopWorker`, `Ambiguous`, `NotSent`), the
message handed to the client, the classification table (`CLASSIFICATION`, a row per case, a test
per row) and the pure functions that map an exception or a response to a row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from dim_revision.clock import as_utc
from dim_revision.shared.masking import mask_provider_text

log = logging.getLogger(__name__)

TOKEN_SECRET = "botmaker-token"
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


@dataclass(frozen=True)
class NotSent:
    """`before_send` refused or failed: the request was never completed, nothing was sent."""

    reason: str


SendResult = Accepted | Retryable | Permanent | StopWorker | Ambiguous | NotSent

BeforeSend = Callable[[], bool]


@dataclass(frozen=True)
class MensajeWhatsApp:
    """One WhatsApp template message, as the outbox hands it to the client."""

    envio_id: int
    telefono: str  # WhatsApp form, digits only
    plantilla: str
    variables: Mapping[str, Any]


# --- the classification table ----------------------------------------------------------------


@dataclass(frozen=True)
class Caso:
    """One row: what happened, whether the request could have been processed, the outcome."""

    descripcion: str
    pudo_llegar: bool
    resultado: type[Accepted | Retryable | Permanent | StopWorker | Ambiguous | NotSent]
    motivo: str


CLASSIFICATION: Mapping[str, Caso] = {
    # before the last byte of the request left: provably nothing processed
    "hook_refused": Caso(
        "before_send refused (lease lost) or failed (database down)",
        False,
        NotSent,
        "No se envió: {detalle}",
    ),
    "bad_url": Caso(
        "malformed base URL",
        False,
        StopWorker,
        "La URL de Botmaker configurada no es válida: {detalle}",
    ),
    "dns": Caso(
        "name resolution failed",
        False,
        Retryable,
        "No se encontró el servidor de Botmaker (DNS): ¿hay conexión a Internet?",
    ),
    "connect_timeout": Caso(
        "TCP connect timed out",
        False,
        Retryable,
        "Botmaker no respondió al conectar (tiempo de conexión agotado).",
    ),
    "refused": Caso(
        "TCP connection refused / unreachable",
        False,
        Retryable,
        "No se pudo conectar con Botmaker (conexión rechazada o sin red).",
    ),
    "tls_handshake": Caso(
        "TLS error before the request was complete (handshake, certificate)",
        False,
        Retryable,
        "Falló la conexión segura con Botmaker antes de enviar el pedido: {detalle}",
    ),
    "incomplete": Caso(
        "any other error before the request was complete (reset while writing)",
        False,
        Retryable,
        "Se cortó la conexión con Botmaker antes de completar el pedido: no se envió.",
    ),
    # after the last byte may have left: it may have been processed
    "read_timeout": Caso(
        "read timeout after the request was sent",
        True,
        Ambiguous,
        "Botmaker no respondió a tiempo después de recibir el pedido: puede haberse enviado.",
    ),
    "tls_after_send": Caso(
        "TLS error (alert, bad record) after the request was sent",
        True,
        Ambiguous,
        "Falló la conexión segura con Botmaker después de enviar el pedido: puede haberse enviado.",
    ),
    "reset_after_send": Caso(
        "connection reset / closed after the request was sent",
        True,
        Ambiguous,
        "Se cortó la conexión con Botmaker después de enviar el pedido: puede haberse enviado.",
    ),
    "unexpected_after_send": Caso(
        "any other error after the request was sent (bad answer, decoding)",
        True,
        Ambiguous,
        "Error inesperado al hablar con Botmaker ({detalle}): puede haberse enviado.",
    ),
    # answers
    "2xx": Caso("2xx", True, Accepted, ""),
    "v1_problems": Caso(
        "v1: 200 with problems",
        True,
        Permanent,
        "Botmaker informó problemas con el mensaje: {detalle}",
    ),
    "401": Caso(
        "401 bad token",
        True,
        StopWorker,
        "Botmaker rechazó el token de acceso (401). Cargá uno válido con "
        f"«dim-revision secrets set {TOKEN_SECRET}» y reanude los envíos.",
    ),
    "403_no_credit": Caso(
        "403 with code 101 (no credit)",
        True,
        StopWorker,
        "Botmaker informa que la cuenta no tiene crédito (403, código 101). "
        "Los envíos quedan en pausa hasta cargar crédito.",
    ),
    "403": Caso(
        "403 other",
        True,
        StopWorker,
        "Botmaker denegó el acceso (403). Revisá el token y los permisos de la cuenta.",
    ),
    "wrong_url": Caso(
        "3xx, 404, 405",
        True,
        StopWorker,
        "Botmaker respondió {detalle}: revisá la URL y la versión de la API configuradas.",
    ),
    "408": Caso(
        "408 (the server never got the whole request)",
        False,
        Retryable,
        "Botmaker respondió 408 (no recibió el pedido completo).",
    ),
    "429": Caso(
        "429 rate limited",
        False,
        Retryable,
        "Botmaker respondió 429 (demasiados pedidos).",
    ),
    "503_retry_after": Caso(
        "503 with Retry-After",
        False,
        Retryable,
        "Botmaker respondió 503 (servicio no disponible, pidió volver más tarde).",
    ),
    "4xx": Caso(
        "400 and other 4xx",
        True,
        Permanent,
        "Botmaker rechazó el mensaje {detalle}",
    ),
    "5xx": Caso(
        "500, 502, 504, 503 without Retry-After, any other 5xx or status",
        True,
        Ambiguous,
        "Botmaker falló al procesar el pedido ({detalle}): puede haberse enviado igual.",
    ),
    "answer_before_complete": Caso(
        "an error answer that arrived before the request was complete",
        False,
        Retryable,
        "Botmaker respondió {detalle} antes de recibir el pedido completo: no se envió.",
    ),
}


def _outcome(caso: str, detalle: str = "", retry_after: float | None = None) -> SendResult:
    row = CLASSIFICATION[caso]
    reason = row.motivo.format(detalle=detalle)
    if row.resultado is Retryable:
        return Retryable(reason, retry_after)
    if row.resultado is Accepted:
        return Accepted(detalle or None)
    return row.resultado(reason)


class AbortSend(Exception):
    """Raised inside the body iterator when `before_send` says no; never an OSError, so
    urllib3/requests let it through unwrapped (and close the half-written connection)."""


# --- classification (pure, so every branch is easy to reason about) --------------------------


def exception_case(exc: BaseException, sent: bool) -> str:
    """The CLASSIFICATION row for an exception; `sent`: the last byte may have left."""
    if isinstance(exc, AbortSend):
        return "hook_refused"
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema,
    ):
        return "bad_url"
    if not sent:
        if isinstance(exc, requests.ConnectTimeout):
            return "connect_timeout"
        if isinstance(exc, requests.exceptions.SSLError):
            return "tls_handshake"
        inner = exc.args[0] if exc.args else None
        reason = inner.reason if isinstance(inner, MaxRetryError) else inner
        if isinstance(reason, NameResolutionError):
            return "dns"
        if isinstance(reason, NewConnectionError):
            return "refused"
        return "incomplete"
    if isinstance(exc, requests.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls_after_send"
    if isinstance(exc, requests.ConnectionError):
        return "reset_after_send"
    return "unexpected_after_send"


def classify_exception(exc: BaseException, sent: bool = True) -> SendResult:
    """`sent` defaults to True: without proof that the request was incomplete, assume it left."""
    caso = exception_case(exc, sent)
    detalle = type(exc).__name__ if caso == "unexpected_after_send" else _short(exc)
    return _outcome(caso, detalle)


def response_case(api_version: str, status: int, headers: Mapping[str, str], data: Any) -> str:
    """The CLASSIFICATION row for an HTTP answer."""
    if 200 <= status < 300:
        if api_version == "v1" and isinstance(data, dict) and data.get("problems"):
            return "v1_problems"
        return "2xx"
    if status == 401:
        return "401"
    if status == 403:
        return "403_no_credit" if _error_code(data) == NO_CREDIT_CODE else "403"
    if status in STOP_STATUS or 300 <= status < 400:
        return "wrong_url"
    if status == 408:
        return "408"
    if status == 429:
        return "429"
    if status == 503 and headers.get("Retry-After"):
        return "503_retry_after"
    if 400 <= status < 500:
        return "4xx"
    return "5xx"


def classify_response(
    api_version: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    now: datetime,
) -> SendResult:
    data = _json(content)
    caso = response_case(api_version, status, headers, data)
    if caso == "2xx":
        key = "id" if api_version == "v1" else "webhookNotificationId"
        return Accepted(_str_or_none(data.get(key) if isinstance(data, dict) else None))
    if caso == "v1_problems":
        return _outcome(caso, _summary(data["problems"]))
    if caso in ("429", "503_retry_after", "408"):
        return _outcome(caso, retry_after=parse_retry_after(headers.get("Retry-After"), now))
    if caso == "wrong_url":
        return _outcome(caso, f"{status} a {api_version}")
    if caso == "4xx":
        return _outcome(caso, f"({status}): {_errors(data, content)}")
    return _outcome(caso, str(status))


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
    if isinstance(result, NotSent):
        return f"no enviado: {result.reason}"
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
    text = mask_provider_text(text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _short(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc
    reason = getattr(inner, "reason", inner)
    return _clip(str(reason).splitlines()[0] if str(reason) else type(exc).__name__)
