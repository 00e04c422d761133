"""`dim-revision serve [--host H] [--port N]`: the always-on service (portal API, Botmaker webhook,
delivery reconciliation and, in `[outbox] modo = "servicio"`, the only sender)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dim_revision.bootstrap import AppContext, build_outbox_worker
from dim_revision.db import migrate
from dim_revision.db.engine import check_connection
from dim_revision.errors import UserError
from dim_revision.logging_setup import configure_logging, secret_values
from dim_revision.secrets import API_KEY_PREFIX, KNOWN_NAMES, WEBHOOK_TOKEN


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve", help="servicio siempre encendido: API del portal, webhook de Botmaker, envíos"
    )
    p.add_argument("--host", metavar="H", help="dirección donde escuchar ([servicio] host)")
    p.add_argument("--port", metavar="N", help="puerto ([servicio] port)")
    p.add_argument(
        "--sin-envios",
        action="store_true",
        help="no enviar desde este proceso (las estaciones envían: modo estaciones)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="sobre la base de demostración, con sus secretos de prueba (nunca el llavero real)",
    )
    p.set_defaults(handler=run)


def _port(text: str | None, default: int) -> int:
    if text is None:
        return default
    value = text.strip()
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise UserError(f"Puerto inválido: «{text}» (un número entre 0 y 65535).")
    return int(value)


def _use_demo(ctx: AppContext) -> None:
    from dim_revision.commands import demo
    from dim_revision.db.engine import sqlite_url
    from dim_revision.secrets import MemoryStore

    if not ctx.paths.demo_db.exists():
        raise UserError(
            "No existe la base de demostración: créela con «dim-revision demo --no-gui»."
        )
    ctx.close()
    ctx.settings = ctx.settings.replace("database", url=sqlite_url(ctx.paths.demo_db))
    ctx.secrets = MemoryStore(
        {
            "link-key": demo.DEMO_LINK_KEY,
            "webhook-token": demo.DEMO_WEBHOOK_TOKEN,
            "api-key-portal": demo.DEMO_API_KEY,
        }
    )
    print(
        f"Demo: X-API-Key {demo.DEMO_API_KEY}, auth-bm-token {demo.DEMO_WEBHOOK_TOKEN} "
        "(valores de prueba).",
        flush=True,
    )


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from dim_revision.api.runtime import ServiceRuntime

    if args.demo:
        _use_demo(ctx)
    s = ctx.settings.servicio
    host = (args.host or s.host).strip()
    port = _port(args.port, s.port)
    check_connection(ctx.db.engine)
    if not migrate.is_up_to_date(ctx.db.engine):
        raise UserError(
            "El esquema de la base no está al día: corra «dim-revision db upgrade» antes de "
            "iniciar el servicio."
        )
    clientes = [c.strip() for c in s.clientes.split(",") if c.strip()]
    names = [*KNOWN_NAMES, WEBHOOK_TOKEN, *(API_KEY_PREFIX + c for c in clientes)]
    configure_logging(ctx.paths.log_dir, secret_values(ctx.secrets, names))
    worker = None if args.sin_envios else build_outbox_worker(ctx)
    runtime = ServiceRuntime.build(ctx, worker)

    def ready(server: Any) -> None:
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        print(
            f"Servicio escuchando en http://{host}:{bound} "
            f"(modo {ctx.settings.outbox.modo}, envíos {'no' if worker is None else 'sí'}). "
            "Ctrl+C o SIGTERM para detener.",
            flush=True,
        )

    try:
        runtime.serve(host, port, on_ready=ready)
    except OSError as exc:
        raise UserError(f"No se pudo abrir {host}:{port}: {exc.strerror}.") from None
    print("Servicio detenido: el envío en curso terminó y quedó registrado.", file=sys.stderr)
    return 0
