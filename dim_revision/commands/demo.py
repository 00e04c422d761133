"""`dim-revision demo`: the embedded demo database (created and seeded if missing), then the GUI."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.commands import gui
from dim_revision.db import migrate
from dim_revision.db.engine import check_connection, mask_url, parse_url, sqlite_url, url_or_path
from dim_revision.errors import UserError
from dim_revision.secrets import MemoryStore

DEMO_BOTMAKER_TOKEN = "demo-token"
DEMO_LINK_KEY = "demo-link-key-no-usar-en-produccion-0000"
DEMO_BOTMAKER_CANAL = "demo-whatsapp"
DEMO_WEBHOOK_TOKEN = "demo-webhook-token"
DEMO_API_KEY = "demo-api-key-portal"


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="abrir con la base de demostración (la crea si falta)")
    # The common --db (before or after `demo`, like every command) names the demo's SQLite file.
    p.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="RUTA",
        help="archivo SQLite de la demo (por defecto, el de la carpeta de datos)",
    )
    p.add_argument("--no-gui", action="store_true", help="sólo crear la base, sin abrir la ventana")
    p.add_argument(
        "--reset", action="store_true", help="borrar y volver a crear la base de la demo"
    )
    p.add_argument("--seed", type=int, default=2026, help="semilla (misma semilla, mismos datos)")
    p.add_argument("--solicitudes", type=int, default=320)
    p.add_argument("--prestaciones", type=int, default=1600)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from dim_revision.demo.seed import demo_cargada, seed_demo

    path = _demo_path(args.db) if args.db else ctx.paths.demo_db
    if args.reset:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    ctx.close()
    ctx.settings = ctx.settings.replace("database", url=sqlite_url(path)).replace(
        "dim",
        modo="standins",  # the demo always brings its own stand-ins for DIM's tables
    )
    # Demo secrets never touch the real keyring.
    ctx.secrets = MemoryStore(
        {
            "botmaker-token": DEMO_BOTMAKER_TOKEN,
            "link-key": DEMO_LINK_KEY,
            "webhook-token": DEMO_WEBHOOK_TOKEN,
            "api-key-portal": DEMO_API_KEY,
        }
    )
    check_connection(ctx.db.engine)
    migrate.exigir_esquema_actual(ctx.db, reset="dim-revision demo --reset")
    migrate.upgrade(ctx.db)
    # Seeded in one transaction: an empty database (new, or a seed that failed) is seeded again.
    if not demo_cargada(ctx.db):
        summary = seed_demo(
            ctx.db,
            seed=args.seed,
            solicitudes=args.solicitudes,
            prestaciones=args.prestaciones,
            now=ctx.clock(),
        )
        print(f"Base de demostración creada en {path}: {summary}")
    else:
        print(f"Base de demostración: {path}")
    if args.no_gui:
        return 0
    return _run_gui_with_fake_botmaker(args, ctx)


def _demo_path(raw: str) -> Path:
    url = parse_url(url_or_path(raw))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise UserError(
            f"La demo usa un archivo SQLite propio: --db debe ser una ruta (por ejemplo "
            f"--db demo.db) o sqlite:///RUTA, no «{mask_url(raw)}»."
        )
    return Path(url.database).expanduser()


def _run_gui_with_fake_botmaker(args: argparse.Namespace, ctx: AppContext) -> int:
    """Demo sends go to a local Botmaker stand-in, never to the real one."""
    from dim_revision.outbox.fake_server import FakeBotmaker

    fake = FakeBotmaker(DEMO_BOTMAKER_TOKEN).start()
    ctx.extras["botmaker_fake"] = fake
    ctx.settings = ctx.settings.replace(
        "botmaker", base_url=fake.url, canal=ctx.settings.botmaker.canal or DEMO_BOTMAKER_CANAL
    )
    service = start_demo_service(ctx, fake)
    try:
        return gui.run(args, ctx)
    finally:
        if service is not None:
            service.stop()
        fake.stop()
        ctx.extras.pop("botmaker_fake", None)
        ctx.extras.pop("servicio", None)


def start_demo_service(ctx: AppContext, fake: Any) -> Any:
    """The service in-process (issue #12): the fake Botmaker's webhooks (delivered, read, a
    patient's reply) reach it, and its reconciliation asks the fake's results query, so the
    workstation shows the delivery ticks. The GUI is the sender (estaciones mode)."""
    import logging

    from dim_revision.api.runtime import ServiceRuntime, ServiceThread

    ctx.settings = ctx.settings.replace(
        "servicio",
        conciliar_cada_segundos=20.0,
        conciliar_espera_minutos=0.25,
        incierto_espera_minutos=0.5,
        conciliar_por_segundo=5.0,
    )
    runtime = ServiceRuntime.build(ctx, None)
    try:
        service = ServiceThread(runtime, "127.0.0.1", 0).start()
    except RuntimeError:
        logging.getLogger(__name__).warning("No arrancó el servicio de la demo", exc_info=True)
        runtime.stop()
        return None
    d = fake.delivery
    d.webhook_url = service.url + "/v1/botmaker/webhook"
    d.webhook_token = DEMO_WEBHOOK_TOKEN
    d.delivered_after, d.read_after = 4.0, 12.0
    d.reply_text, d.reply_after, d.reply_every = "¡Gracias! Ya saqué el turno.", 20.0, 3
    ctx.extras["servicio"] = service
    print(f"Servicio de la demo en {service.url} (webhook de Botmaker y portal).")
    return service
