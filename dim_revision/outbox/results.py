"""Botmaker's own record of our sends: the v2 notification results query (docs/botmaker.md).

Used by the reconciliation (missed webhooks) and to resolve an *incierto* by asking instead of
guessing. Three answers, and only one of them allows a resend:

- `Encontrado` — Botmaker has the message (with its WhatsApp status when it reports one);
- `NoExiste` — the query succeeded and Botmaker provably has no such message (404 for the id, or
  an empty result list for our `webhookPayload`);
- `Desconocido` — anything else (network, 429, 5xx, an answer we cannot read): nothing is
  concluded.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from dim_revision.config import BotmakerSettings
from dim_revision.domain.enums import EstadoEntrega
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import DEFAULT_BASE_URL, TOKEN_SECRET
from dim_revision.outbox.webhook import _STATUS, _date, _reason, _text
from dim_revision.secrets import SecretStore

log = logging.getLogger(__name__)

RESULTS_PATH = "/v2.0/notifications/sent-results"


@dataclass(frozen=True)
class Encontrado:
    estado: EstadoEntrega | None  # None: accepted/queued, nothing more yet
    fecha: datetime | None
    motivo: str | None
    tx_id: str | None


@dataclass(frozen=True)
class NoExiste:
    pass


@dataclass(frozen=True)
class Desconocido:
    motivo: str


Consulta = Encontrado | NoExiste | Desconocido


class ResultsClient:
    """Not thread-safe (one `requests.Session`)."""

    def __init__(
        self,
        settings: BotmakerSettings,
        secrets: SecretStore,
        session: requests.Session | None = None,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._session = session or requests.Session()
        base = (settings.base_url or DEFAULT_BASE_URL["v2"]).rstrip("/")
        self.url = base + RESULTS_PATH

    def close(self) -> None:
        self._session.close()

    def by_notification(self, notification_id: str) -> Consulta:
        return self._get(f"{self.url}/{quote(notification_id, safe='')}", None, single=True)

    def by_payload(self, envio_id: int, since: datetime) -> Consulta:
        params = {"webhookPayload": str(envio_id), "from": since.isoformat()}
        return self._get(self.url, params, single=False)

    def _get(self, url: str, params: dict[str, str] | None, *, single: bool) -> Consulta:
        if self._settings.api_version != "v2":
            return Desconocido("la API v1 de Botmaker no permite consultar resultados")
        try:
            token = self._secrets.get(TOKEN_SECRET)
        except UserError as exc:
            return Desconocido(str(exc))
        if not token:
            return Desconocido("falta el token de Botmaker")
        try:
            response = self._session.get(
                url,
                params=params,
                headers={"access-token": token, "Accept": "application/json"},
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return Desconocido(f"no se pudo consultar a Botmaker ({type(exc).__name__})")
        try:
            status, content = response.status_code, response.content
        finally:
            response.close()
        if single and status == 404:
            return NoExiste()
        if status != 200:
            return Desconocido(f"Botmaker respondió {status} a la consulta de resultados")
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Desconocido("respuesta ilegible de la consulta de resultados")
        return interpret(data, single=single)


def interpret(data: Any, *, single: bool) -> Consulta:
    """The JSON of a results answer → what it proves (pure)."""
    if single:
        items = [data] if isinstance(data, dict) else None
    else:
        items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return Desconocido("respuesta de resultados con un formato inesperado")
    if not items:
        return NoExiste()
    best: Encontrado | None = None
    for item in items:
        if not isinstance(item, dict):
            continue
        tx_id = _text(item.get("id") or item.get("webhookNotificationId")) or None
        clients = item.get("clients")
        rows = clients if isinstance(clients, list) and clients else [item]
        for row in rows:
            if not isinstance(row, dict):
                continue
            raw = _text(row.get("status")).lower()
            estado = _STATUS.get(raw)
            motivo = _reason(row) if estado is EstadoEntrega.ERROR_ENTREGA else None
            found = Encontrado(estado, _date(row.get("date")), motivo, tx_id)
            if best is None or (
                estado is not None and (best.estado is None or estado.rango > best.estado.rango)
            ):
                best = found
    return best if best is not None else Desconocido("resultados sin datos legibles")
