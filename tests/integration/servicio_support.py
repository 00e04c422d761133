"""Shared set-up for the service tests: a real uvicorn on 127.0.0.1 over a test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from dim_revision.api.runtime import ServiceRuntime, ServiceThread
from dim_revision.bootstrap import AppContext
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import (
    Envio,
    Evento,
    RespuestaPaciente,
    SolicitudAsistencia,
    TurnoAdjunto,
    WebhookEvento,
)
from dim_revision.db.uow import Database
from dim_revision.domain import link_tokens
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories

API_KEY = "clave-del-portal-" + "k" * 32
WEBHOOK_TOKEN = "token-del-webhook-" + "w" * 20
LINK_KEY = "clave-de-prueba-" + "x" * 32


def service_secrets() -> MemoryStore:
    return MemoryStore(
        {
            "botmaker-token": "token-de-prueba",
            "link-key": LINK_KEY,
            "api-key-portal": API_KEY,
            "webhook-token": WEBHOOK_TOKEN,
        }
    )


def service_context(
    db: Database, clock: FakeClock, secrets: MemoryStore | None = None, **servicio: Any
) -> AppContext:
    settings = Settings().replace("servicio", conciliar_cada_segundos=0, **servicio)
    return AppContext(
        settings,
        AppPaths.for_user(),
        secrets or service_secrets(),
        Actor("servicio", "srv"),
        clock,
        _db=db,
    )


@contextmanager
def running_service(ctx: AppContext) -> Iterator[tuple[str, ServiceRuntime]]:
    runtime = ServiceRuntime.build(ctx, None)
    thread = ServiceThread(runtime, "127.0.0.1", 0).start()
    try:
        yield thread.url, runtime
    finally:
        thread.stop()


@dataclass
class Escenario:
    solicitud_id: int
    paciente_id: int
    prestaciones: list[int]
    envio_id: int
    token: str
    turno_id: int
    turno_ajeno: int


def escenario(db: Database, clock: FakeClock, *, estado: str = "enviado") -> Escenario:
    """A sent request with a real signed link, a turno of the patient and one of another."""
    with db.uow() as uow:
        s = uow.session
        pac, otro = factories.paciente(s), factories.paciente(s)
        p1 = factories.prestacion(s, "RESONANCIA MAGNÉTICA DE RODILLA")
        p2 = factories.prestacion(s, "ECOGRAFÍA ABDOMINAL")
        sol = factories.solicitud(s, pac, clock() - timedelta(hours=2), files=2)
        emitted = link_tokens.emitir_token(
            LINK_KEY,
            paciente_id=pac.id,
            solicitud_id=sol.id,
            prestacion_ids=[p1.id, p2.id],
            now=clock(),
            ttl=timedelta(days=7),
            issuer="dim-revision",
        )
        e = factories.envio(s, sol, clock() - timedelta(minutes=20), estado=estado)
        e.token_id = emitted.jti
        e.link = "https://portal.example/" + emitted.token
        if estado == "enviado":
            e.proveedor_id = f"tx-{e.id}"
            e.enviado_en = clock() - timedelta(minutes=20)
        t = factories.turno(s, pac, clock() + timedelta(days=3))
        ajeno = factories.turno(s, otro, clock() + timedelta(days=3))
        uow.commit()
        return Escenario(sol.id, pac.id, [p1.id, p2.id], e.id, emitted.token, t.id, ajeno.id)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything a request could change, to prove a refused one changed nothing."""
    with db.uow() as uow:
        s = uow.session

        def count(model: Any) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        return {
            "eventos": count(Evento),
            "webhook": count(WebhookEvento),
            "respuestas": count(RespuestaPaciente),
            "turno_adjuntos": count(TurnoAdjunto),
            "envios": s.execute(
                select(
                    Envio.id,
                    Envio.estado,
                    Envio.estado_entrega,
                    Envio.entregado_en,
                    Envio.leido_en,
                    Envio.error_entrega,
                    Envio.version,
                    Envio.respuesta_en,
                ).order_by(Envio.id)
            ).all(),
            "solicitudes": s.execute(
                select(SolicitudAsistencia.id, SolicitudAsistencia.id_turno_destino).order_by(
                    SolicitudAsistencia.id
                )
            ).all(),
        }


def portal(url: str, key: str | None = API_KEY) -> httpx.Client:
    headers = {"X-API-Key": key} if key is not None else {}
    return httpx.Client(base_url=url, headers=headers, timeout=10)


def webhook(client: httpx.Client, body: Any, token: str | None = WEBHOOK_TOKEN) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["auth-bm-token"] = token
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/v1/botmaker/webhook", content=content, headers=headers)


def status_event(
    status: str,
    *,
    tx: str | None = None,
    payload: int | None = None,
    date: str = "2026-03-10T13:05:00Z",
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "v": "1.1",
        "type": "status",
        "chatPlatform": "whatsapp",
        "contactId": "+5491123456789",
        "status": status,
        "date": date,
    }
    if tx is not None:
        body["txId"] = tx
    if payload is not None:
        body["webhookPayload"] = str(payload)
    if error is not None:
        body["error"] = error
    return body


def reply_event(
    text: str,
    *,
    msg_id: str = "PHW3S2KV4VRWL17BBM1U",
    phone: str = "+5491123456789",
    date: str = "2026-03-10T13:10:00Z",
) -> dict[str, Any]:
    return {
        "v": "1.1",
        "type": "message",
        "chatPlatform": "whatsapp",
        "contactId": phone,
        "firstName": "Ana",
        "messages": [
            {"_id": msg_id, "date": date, "message": text, "fromName": "Ana", "from": "user"}
        ],
    }
