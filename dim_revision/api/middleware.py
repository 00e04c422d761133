"""Pure ASGI middleware: the body-size limit (413 before the app reads a byte too many) and the
structured access log (one JSON line per request: method, route, status, milliseconds, client;
no query string, numbers masked, so no DNI, phone or token ever reaches the log)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from dim_revision.api.errors import error_body
from dim_revision.api.metrics import Metrics
from dim_revision.logging_setup import mask_text

access_log = logging.getLogger("dim_revision.api.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(HTTPException):
    """Raised from `receive` when a body without (or with a lying) Content-Length grows past the
    limit; the app's HTTP error handler turns it into the same 413 JSON."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"El cuerpo del pedido supera el máximo de {limit // 1024} KB."


class GuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
                status["sent"] = True
            await send(message)

        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body:
                await self._reject(send_wrapper)
                return
            seen = 0

            async def receive_wrapper() -> Message:
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > self.max_body:
                        raise _TooLarge(self.max_body)
                return message

            try:
                await self.app(scope, receive_wrapper, send_wrapper)
            except _TooLarge:
                if not status["sent"]:
                    await self._reject(send_wrapper)
        finally:
            self._log(scope, int(status["code"]), time.perf_counter() - started)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            error_body("demasiado_grande", too_large_message(self.max_body)), ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, code: int, seconds: float) -> None:
        self.metrics.inc("dim_http_respuestas_total", codigo=str(code))
        route = scope.get("route")
        path = getattr(route, "path", None) or mask_text(str(scope.get("path", "")))[:200]
        client = (
            scope.get("state", {}).get("cliente") if isinstance(scope.get("state"), dict) else None
        )
        access_log.info(
            json.dumps(
                {
                    "metodo": scope.get("method"),
                    "ruta": path,
                    "estado": code,
                    "ms": round(seconds * 1000, 1),
                    "cliente": client,
                },
                ensure_ascii=False,
            )
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
