"""The ASGI app (FastAPI): portal endpoints, Botmaker's webhook, /healthz and /metrics.

`create_app(services)` builds it over services passed in (nothing at import time). Routes are
thin: each calls one core function in the thread pool and maps its refusals to a stable JSON error
(`api/errors.py`). Portal routes need an API key (header `X-API-Key`); the webhook needs Botmaker's
`auth-bm-token`.
"""

# No `from __future__ import annotations`: FastAPI resolves the local dependency aliases.

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from dim_revision import __version__
from dim_revision.api.auth import Credentials
from dim_revision.api.errors import ERROR_SCHEMA, ApiError, error_response
from dim_revision.api.metrics import Metrics, render
from dim_revision.api.middleware import GuardMiddleware
from dim_revision.clock import Clock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.domain.link_tokens import TokenError
from dim_revision.errors import NotFound, UserError
from dim_revision.outbox.webhook import PayloadError, parse_payload
from dim_revision.secrets import SecretStore
from dim_revision.services import entregas, portal, turnos
from dim_revision.services.actor import Actor

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
WEBHOOK_HEADER = "auth-bm-token"


@dataclass
class ApiServices:
    db: Database
    settings: Settings
    secrets: SecretStore
    credentials: Credentials
    metrics: Metrics
    clock: Clock
    health: Callable[[], dict[str, Any]]  # runtime facts: sender and reconciliation alive…
    estacion: str = "servicio"
    # Webhook writes run here: one thread on SQLite (one writer at a time anyway, and no
    # busy-wait between writers), a few on server databases.
    writer: Executor | None = None


# --- request / response models (the OpenAPI document the portal team reads) -------------------


class VerificarPedido(BaseModel):
    token: str | None = Field(None, description="El token del link (sólo el sufijo)")
    url: str | None = Field(None, description="O la URL completa que abrió el paciente")


class PrestacionOut(BaseModel):
    id: int
    codigo: str
    nombre: str
    url_reserva: str = Field(description="URL de reserva del portal para esta prestación")


class VerificarRespuesta(BaseModel):
    paciente_id: int
    solicitud_id: int
    prestaciones: list[PrestacionOut]
    emitido: datetime
    vence: datetime
    jti: str


class TurnoPedido(BaseModel):
    turno_id: int = Field(gt=0)


class TurnoRespuesta(BaseModel):
    solicitud_id: int
    turno_id: int
    adjuntos_copiados: int
    ya_vinculado: bool


class EnvioOut(BaseModel):
    estado: str = Field(description="programado, enviando, enviado, cancelado, fallido, incierto")
    entrega: str | None = Field(description="entregado, leido, error_entrega o null")
    etiqueta: str
    enviado_en: datetime | None
    entregado_en: datetime | None
    leido_en: datetime | None
    error_entrega: str | None
    respuesta_en: datetime | None = Field(description="último mensaje del paciente")


class SolicitudOut(BaseModel):
    id: int
    resuelta: bool
    turno_id: int | None
    envio: EnvioOut | None


class WebhookRespuesta(BaseModel):
    ok: bool
    aplicados: int
    repetidos: int
    desconocidos: int


ERRORS: dict[int | str, dict[str, Any]] = {
    400: ERROR_SCHEMA,
    401: ERROR_SCHEMA,
    404: ERROR_SCHEMA,
    409: ERROR_SCHEMA,
    413: ERROR_SCHEMA,
    422: ERROR_SCHEMA,
    503: ERROR_SCHEMA,
}


def create_app(svc: ApiServices) -> FastAPI:
    app = FastAPI(
        title="DIM Revisión — servicio",
        version=__version__,
        description=(
            "Servicio siempre encendido de DIM Revisión: verificación de links y vínculo con el "
            "turno para el portal, webhook de Botmaker (estado de entrega y respuestas del "
            'paciente), salud y métricas. Errores: {"error": {"codigo", "mensaje"}}.'
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = svc
    _install_error_handlers(app, svc)
    api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Clave del cliente")

    def cliente(request: Request, key: Annotated[str | None, Depends(api_key)]) -> str:
        found = svc.credentials.client_for(key)
        if found is None:
            svc.metrics.inc("dim_errores_total", tipo="clave_api")
            raise ApiError(401, "no_autorizado", "Falta la clave de API o no es válida.")
        request.scope.setdefault("state", {})["cliente"] = found
        return found

    Cliente = Annotated[str, Depends(cliente)]

    @app.post(
        "/v1/links/verificar",
        response_model=VerificarRespuesta,
        responses=ERRORS,
        tags=["portal"],
        summary="Verificar el link de un paciente",
    )
    def verificar(pedido: VerificarPedido, _cliente: Cliente) -> VerificarRespuesta:
        texto = (pedido.token or pedido.url or "").strip()
        if not texto:
            raise ApiError(422, "malformado", "Mandá el token o la URL del link.")
        key = svc.secrets.get("link-key")
        if not key:
            raise ApiError(503, "sin_clave", "El servicio no tiene la clave de los links.")
        try:
            result = portal.verificar(
                svc.db,
                key,
                texto,
                now=svc.clock(),
                issuer=svc.settings.link.issuer,
                template=svc.settings.servicio.url_reserva,
            )
        except TokenError as exc:
            raise ApiError(422, portal.token_code(exc), str(exc)) from None
        c = result.claims
        return VerificarRespuesta(
            paciente_id=c.paciente_id,
            solicitud_id=c.solicitud_id,
            prestaciones=[PrestacionOut(**p.__dict__) for p in result.prestaciones],
            emitido=c.iat,
            vence=c.exp,
            jti=c.jti,
        )

    @app.post(
        "/v1/solicitudes/{solicitud_id}/turno",
        response_model=TurnoRespuesta,
        responses=ERRORS,
        tags=["portal"],
        summary="Vincular la solicitud al turno reservado (idempotente)",
    )
    def vincular(solicitud_id: int, pedido: TurnoPedido, cliente_: Cliente) -> TurnoRespuesta:
        actor = Actor(f"portal:{cliente_}"[:60], svc.estacion[:60])
        try:
            r = turnos.vincular_turno(
                svc.db, actor, svc.clock(), solicitud_id=solicitud_id, turno_id=pedido.turno_id
            )
        except turnos.TurnoDeOtroPaciente as exc:
            raise ApiError(409, "otro_paciente", str(exc)) from None
        except turnos.SolicitudConOtroTurno as exc:
            raise ApiError(409, "otro_turno", str(exc)) from None
        return TurnoRespuesta(
            solicitud_id=r.solicitud_id,
            turno_id=r.turno_id,
            adjuntos_copiados=r.adjuntos_copiados,
            ya_vinculado=r.ya_vinculado,
        )

    @app.get(
        "/v1/solicitudes/{solicitud_id}",
        response_model=SolicitudOut,
        responses=ERRORS,
        tags=["portal"],
        summary="Estado de una solicitud para el portal",
    )
    def solicitud(solicitud_id: int, _cliente: Cliente) -> SolicitudOut:
        e = portal.estado_solicitud(svc.db, solicitud_id)
        return SolicitudOut(
            id=e.id,
            resuelta=e.resuelta,
            turno_id=e.turno_id,
            envio=EnvioOut(**e.envio.__dict__) if e.envio else None,
        )

    @app.post(
        "/v1/botmaker/webhook",
        response_model=WebhookRespuesta,
        responses=ERRORS,
        tags=["botmaker"],
        summary="Webhook de Botmaker: estados de entrega y mensajes del paciente",
    )
    async def webhook(request: Request) -> WebhookRespuesta:
        if not svc.credentials.webhook_ok(request.headers.get(WEBHOOK_HEADER)):
            svc.metrics.inc("dim_webhook_eventos_total", resultado="rechazado")
            raise ApiError(401, "token_invalido", "El header auth-bm-token falta o no es válido.")
        raw = await request.body()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            svc.metrics.inc("dim_webhook_eventos_total", resultado="rechazado")
            raise ApiError(400, "json_invalido", "El cuerpo no es JSON válido.") from None
        try:
            events = parse_payload(data)
        except PayloadError as exc:
            svc.metrics.inc("dim_webhook_eventos_total", resultado="rechazado")
            raise ApiError(422, "formato_desconocido", str(exc)) from None
        if svc.writer is None:
            result = await run_in_threadpool(entregas.aplicar_eventos, svc.db, events, svc.clock())
        else:
            result = await asyncio.get_running_loop().run_in_executor(
                svc.writer, entregas.aplicar_eventos, svc.db, events, svc.clock()
            )
        for name, amount in (
            ("aplicado", result.aplicados),
            ("repetido", result.repetidos),
            ("desconocido", result.desconocidos),
        ):
            svc.metrics.inc("dim_webhook_eventos_total", amount, resultado=name)
        return WebhookRespuesta(
            ok=True,
            aplicados=result.aplicados,
            repetidos=result.repetidos,
            desconocidos=result.desconocidos,
        )

    @app.get("/healthz", tags=["operación"], summary="Salud del servicio")
    def healthz() -> JSONResponse:
        body = svc.health()
        return JSONResponse(body, status_code=200 if body.get("estado") == "ok" else 503)

    @app.get(
        "/metrics",
        tags=["operación"],
        summary="Métricas en formato Prometheus",
        response_class=PlainTextResponse,
    )
    def metrics() -> PlainTextResponse:
        extra = {k: float(v) for k, v in svc.health().items() if isinstance(v, bool | int | float)}
        text = render(svc.metrics, svc.db, svc.clock(), {f"dim_{k}": v for k, v in extra.items()})
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    app.add_middleware(
        GuardMiddleware,
        max_body=max(1, svc.settings.servicio.max_cuerpo_kb) * 1024,
        metrics=svc.metrics,
    )
    return app


def _install_error_handlers(app: FastAPI, svc: ApiServices) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.codigo, exc.mensaje, exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return error_response(404, "no_encontrado", str(exc))

    @app.exception_handler(UserError)
    async def user_error(_request: Request, exc: UserError) -> JSONResponse:
        return error_response(422, "rechazado", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "json_invalido", "El cuerpo no es JSON válido.")
        where = ".".join(str(p) for p in errors[0].get("loc", ())[1:]) if errors else ""
        return error_response(
            422, "datos_invalidos", f"Datos inválidos{f' en «{where}»' if where else ''}."
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "no_encontrado", 405: "metodo_no_permitido", 413: "demasiado_grande"}
        return error_response(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("Error inesperado en el servicio", exc_info=exc)
        svc.metrics.inc("dim_errores_total", tipo="inesperado")
        return error_response(500, "error_interno", "Error interno del servicio.")
