"""`dim-revision botmaker-fake`: the local Botmaker stand-in, standalone (manual tests, demos)."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.commands.demo import DEMO_BOTMAKER_TOKEN
from dim_revision.errors import UserError
from dim_revision.outbox.fake_server import FakeBotmaker, parse_fault_spec


def register(sub: Any) -> None:
    p = sub.add_parser(
        "botmaker-fake", help="Botmaker simulado en 127.0.0.1 (API v2 y v1) para pruebas"
    )
    p.add_argument("--port", default="0", metavar="N", help="puerto (0: uno libre)")
    p.add_argument(
        "--token", default=DEMO_BOTMAKER_TOKEN, metavar="T", help="access-token que acepta"
    )
    p.add_argument(
        "--fault",
        default="",
        metavar="SPEC",
        help="fallas en orden, p. ej. 429:2,503:1,timeout:1,reset:1,401 "
        "(400 401 403 404 429 500 502 503 504 timeout reset problems ok)",
    )
    p.add_argument(
        "--lento", default="30", metavar="SEG", help="demora de la falla «timeout» (30 s)"
    )
    p.add_argument("--retry-after", default="2", metavar="SEG", help="Retry-After de los 429")
    p.add_argument(
        "--webhook-url",
        metavar="URL",
        help="enviar los webhooks de estado y respuestas a esta URL "
        "(p. ej. http://127.0.0.1:8765/v1/botmaker/webhook)",
    )
    p.add_argument("--webhook-token", default="", metavar="T", help="header auth-bm-token")
    p.add_argument(
        "--respuesta", default="", metavar="TEXTO", help="respuesta simulada del paciente"
    )
    p.set_defaults(handler=run)


def _number(text: str, what: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise UserError(f"{what} inválido: «{text}» (entre {low:g} y {high:g}).")
    return value


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    port = _number(args.port, "Puerto", 0, 65535)
    if port != int(port):
        raise UserError(f"Puerto inválido: «{args.port}».")
    slow = _number(args.lento, "Demora", 0, 600)
    retry_after = _number(args.retry_after, "Retry-After", 0, 86400)
    if not args.token.strip():
        raise UserError("El token no puede estar vacío.")
    faults = parse_fault_spec(args.fault)
    fake = FakeBotmaker(
        args.token,
        faults,
        port=int(port),
        slow_seconds=slow,
        retry_after=f"{retry_after:g}",
    )
    if args.webhook_url:
        if not args.webhook_url.startswith(("http://127.0.0.1", "http://localhost")):
            raise UserError("El Botmaker simulado sólo envía webhooks a 127.0.0.1 / localhost.")
        fake.delivery.webhook_url = args.webhook_url
        fake.delivery.webhook_token = args.webhook_token
        fake.delivery.reply_text = args.respuesta or None
    try:
        fake.start()
    except OSError as exc:
        raise UserError(f"No se pudo abrir el puerto {int(port)}: {exc.strerror}.") from None
    print(f"Botmaker simulado escuchando en {fake.url}", flush=True)
    print(
        f"Configurá: DIM_REVISION__BOTMAKER__BASE_URL={fake.url}  "
        f"({len(faults)} fallas programadas). Ctrl+C para terminar.",
        flush=True,
    )
    forever = threading.Event()
    try:
        while not forever.wait(0.5):  # short waits: Ctrl+C is only seen between them on Windows
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    print(f"Detenido. Pedidos recibidos: {len(fake.received)}.", flush=True)
    return 0
