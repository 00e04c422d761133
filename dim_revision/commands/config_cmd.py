"""`dim-revision config show`: the effective settings, secrets masked."""

from __future__ import annotations

import argparse
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.config import config_files
from dim_revision.db.engine import mask_url


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="configuración")
    csub = p.add_subparsers(dest="config_command", metavar="ACCION", required=True)
    show = csub.add_parser("show", help="mostrar la configuración efectiva")
    show.set_defaults(handler=show_config)


def show_config(args: argparse.Namespace, ctx: AppContext) -> int:
    machine, user = config_files(ctx.paths.config_file, machine_file=ctx.paths.machine_config)
    considered = [("de la PC", machine), ("del usuario", user)]
    for label, path in considered:
        if path is not None:
            state = "leído" if path.exists() else "no existe"
            print(f"# archivo {label}: {path} ({state})")
    print("# precedencia: valores por defecto < PC < usuario < entorno < línea de comandos")
    print(f"# operador: {ctx.actor.usuario} @ {ctx.actor.estacion}")
    for section, values in ctx.settings.as_dict().items():
        print(f"[{section}]")
        for key, value in values.items():
            if section == "database" and key == "url":
                value = mask_url(ctx.db_url) + ("" if value else "  (base embebida)")
            print(f"{key} = {value!r}")
        print()
    return 0
