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
    ctx.settings = ctx.settings.replace("database", url=sqlite_url(path))
    # Demo secrets never touch the real keyring.
    ctx.secrets = MemoryStore({"botmaker-token": DEMO_BOTMAKER_TOKEN, "link-key": DEMO_LINK_KEY})
    check_connection(ctx.db.engine)
    migrate.upgrade(ctx.db.engine)
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
    try:
        return gui.run(args, ctx)
    finally:
        fake.stop()
        ctx.extras.pop("botmaker_fake", None)
