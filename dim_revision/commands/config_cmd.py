"""`dim-revision config show`: the effective settings, secrets masked, and which files were read;
`config machine`: write IT's machine-wide file (the MSI's DB_URL and MODO go through it)."""

from __future__ import annotations

import argparse
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.config import config_files, read_config_file, write_config_file
from dim_revision.db.engine import mask_url
from dim_revision.errors import DatabaseUnavailable, UserError


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="configuración")
    csub = p.add_subparsers(dest="config_command", metavar="ACCION", required=True)
    show = csub.add_parser("show", help="mostrar la configuración efectiva")
    show.set_defaults(handler=show_config)
    machine = csub.add_parser(
        "machine",
        help="escribir la configuración de la PC, para todos sus usuarios (IT, instalador MSI)",
    )
    machine.add_argument("--db-url", default="", metavar="URL", help="[database] url")
    machine.add_argument(
        "--modo", default="", metavar="MODO", help="[outbox] modo: estaciones o servicio"
    )
    machine.set_defaults(handler=set_machine)


def show_config(args: argparse.Namespace, ctx: AppContext) -> int:
    machine, user = config_files(ctx.paths.config_file, machine_file=ctx.paths.machine_config)
    # What build_context really read; a context built by hand (tests) has no record: look.
    read = set(ctx.loaded.files_read) if ctx.loaded is not None else None
    for label, path in (("de la PC", machine), ("del usuario", user)):
        if path is not None:
            was_read = path in read if read is not None else path.exists()
            print(f"# archivo {label}: {path} ({'leído' if was_read else 'no existe'})")
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


def _exigir_configurador(ctx: AppContext) -> None:
    """Configuración is for supervisors (issue 13.9), checked against the shared database when
    one is configured and answers; a fresh PC (no database yet) or one whose database is down
    may still be configured: that is how the connection gets fixed."""
    if not ctx.settings.database.url:
        return
    from sqlalchemy.exc import DBAPIError

    from dim_revision.services.operadores import exigir_configurador, exigir_registrado

    try:
        exigir_registrado(ctx.db, ctx.actor)
        exigir_configurador(ctx.db, ctx.actor)
    except (DBAPIError, DatabaseUnavailable):
        print("# aviso: la base de datos no responde; no se pudo comprobar el rol.")


def set_machine(args: argparse.Namespace, ctx: AppContext) -> int:
    """Merge the given values into the machine file (empty ones are ignored, as the MSI passes
    "" for a property IT did not set); validated first, written atomically."""
    path = config_files(ctx.paths.config_file, machine_file=ctx.paths.machine_config)[0]
    if path is None:
        raise UserError("Esta instalación no tiene archivo de configuración de la PC.")
    new: dict[str, dict[str, Any]] = {}
    if args.db_url.strip():
        new["database"] = {"url": args.db_url.strip()}
    if args.modo.strip():
        new["outbox"] = {"modo": args.modo.strip()}
    if new:
        _exigir_configurador(ctx)
    if not new:
        print(f"# archivo de la PC: {path} ({'leído' if path.exists() else 'no existe'})")
        print("Indicá --db-url y/o --modo para escribirlo.")
        return 0
    values = {section: dict(v) for section, v in read_config_file(path).items()}
    for section, v in new.items():
        values.setdefault(section, {}).update(v)
    try:
        write_config_file(path, values)
    except OSError as exc:
        raise UserError(
            f"No se pudo escribir {path}: {exc.strerror}. Hace falta ser administrador."
        ) from None
    shown = ", ".join(
        f"[{s}] {k} = {mask_url(v) if k == 'url' else v}"
        for s, kv in new.items()
        for k, v in kv.items()
    )
    print(f"Configuración de la PC guardada en {path}: {shown}")
    return 0
