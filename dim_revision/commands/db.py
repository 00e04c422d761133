"""`dim-revision db upgrade [--sql]` and `db current`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.db import migrate
from dim_revision.db.dim_mapping import ENTIDADES
from dim_revision.db.engine import check_connection, mask_url, parse_url


def register(sub: Any) -> None:
    p = sub.add_parser("db", help="esquema de la base de datos")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACCION", required=True)
    up = dbsub.add_parser("upgrade", help="aplicar las migraciones pendientes")
    up.add_argument("--sql", action="store_true", help="no aplicar: imprimir el SQL (para el DBA)")
    up.add_argument("--revision", default="head")
    up.set_defaults(handler=upgrade)
    cur = dbsub.add_parser("current", help="mostrar la versión del esquema")
    cur.set_defaults(handler=current)
    chk = dbsub.add_parser(
        "check-dim",
        help="comparar la configuración [dim] con las tablas de DIM (tablas, columnas, permisos)",
    )
    chk.set_defaults(handler=check_dim)


def upgrade(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.sql:
        url = parse_url(ctx.db_url)
        sys.stdout.write(
            migrate.upgrade_sql(
                url.render_as_string(hide_password=True), args.revision, ctx.settings.dim
            )
        )
        return 0
    check_connection(ctx.db.engine)
    migrate.exigir_esquema_actual(ctx.db, reset="dim-revision demo --reset (demostración)")
    migrate.upgrade(ctx.db, args.revision)
    print(f"Esquema actualizado a {migrate.current_revision(ctx.db)} en {mask_url(ctx.db_url)}")
    return 0


def current(args: argparse.Namespace, ctx: AppContext) -> int:
    check_connection(ctx.db.engine)
    rev = migrate.current_revision(ctx.db)
    head = migrate.head_revision()
    state = (
        "al día"
        if rev == head
        else f"desactualizado (última: {head}); ejecutá: dim-revision db upgrade"
    )
    print(f"{rev or 'sin esquema'} — {state}")
    return 0 if rev == head else 1


def check_dim(args: argparse.Namespace, ctx: AppContext) -> int:
    """Exit 0 when every mapped DIM table, column and permission is there; 2 otherwise."""
    from dim_revision.db.dim_check import revisar

    check_connection(ctx.db.engine)
    db = ctx.db
    hallazgos = revisar(db)
    malas = {h.entidad for h in hallazgos}
    for entidad, tabla in db.dim.todas.items():
        if entidad not in malas:
            print(f"[OK] {ENTIDADES[entidad]}: {tabla.nombre_real} ({len(tabla.campos)} columnas)")
    for h in hallazgos:
        print(f"[FALLA] {h.mensaje}")
    modo = db.dim_settings.modo
    if hallazgos:
        print(f"{len(hallazgos)} problema(s) con las tablas de DIM (modo {modo}).")
        return 2
    print(f"Las tablas de DIM coinciden con la configuración [dim] (modo {modo}).")
    return 0
