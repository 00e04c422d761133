"""`dim-revision secrets set NAME` (prompted without echo, or read from a pipe) and `secrets check`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.errors import UserError
from dim_revision.secrets import KNOWN_SECRETS, SENDER_SECRETS, new_link_key, validate_name

NO_STDIN = (
    "No hay entrada estándar para leer el valor (¿se abrió con el ejecutable de la ventana?). "
    "Usá «dim-revision.exe secrets set {name}» en una consola (cmd o PowerShell)."
)


def register(sub: Any) -> None:
    p = sub.add_parser("secrets", help="secretos en el llavero del sistema")
    ssub = p.add_subparsers(dest="secrets_command", metavar="ACCION", required=True)
    s = ssub.add_parser("set", help="guardar un secreto (se lee de la entrada estándar)")
    s.add_argument("name", metavar="NOMBRE", help=", ".join(x.name for x in KNOWN_SECRETS))
    s.set_defaults(handler=set_secret)
    g = ssub.add_parser(
        "generate",
        help="generar la clave de los links, guardarla e imprimirla una vez (para el portal)",
    )
    g.add_argument("name", metavar="NOMBRE", choices=["link-key"])
    g.add_argument("--reemplazar", action="store_true", help="reemplazar una clave existente")
    g.set_defaults(handler=generate)
    c = ssub.add_parser("check", help="verificar qué secretos están cargados")
    c.set_defaults(handler=check)


def set_secret(args: argparse.Namespace, ctx: AppContext) -> int:
    validate_name(args.name)
    stdin = sys.stdin
    if stdin is None or stdin.closed:  # the windowed Windows build has no standard streams
        raise UserError(NO_STDIN.format(name=args.name))
    if stdin.isatty():
        value = getpass.getpass(f"Valor de {args.name} (no se muestra al escribir): ")
    else:
        value = stdin.readline().rstrip("\r\n")
    if not value.strip():
        raise UserError(f"Valor vacío: no se guardó «{args.name}».")
    if args.name == "link-key":
        from dim_revision.domain.link_tokens import validar_clave_nueva

        validar_clave_nueva(value)  # nothing is stored when it is refused
    ctx.secrets.set(args.name, value)
    print(f"Secreto «{args.name}» guardado en el llavero.")
    return 0


def generate(args: argparse.Namespace, ctx: AppContext) -> int:
    if ctx.secrets.get(args.name) and not args.reemplazar:
        raise UserError(
            "Ya hay una clave de links guardada. Reemplazarla invalida todos los links enviados: "
            "usá --reemplazar si es lo que querés."
        )
    value = new_link_key()
    ctx.secrets.set(args.name, value)
    print(value)
    print(
        "Clave guardada. Cárguela en el portal y en las demás PCs (dim-revision secrets set link-key).",
        file=sys.stderr,
    )
    return 0


def check(args: argparse.Namespace, ctx: AppContext) -> int:
    """In [outbox] modo = "servicio" this PC never sends: the Botmaker token and the link key
    live with `dim-revision serve`, so they are not required here."""
    servicio = ctx.settings.outbox.modo == "servicio"
    missing_required = False
    for spec in KNOWN_SECRETS:
        present = bool(ctx.secrets.get(spec.name))
        required = spec.required and not (servicio and spec.name in SENDER_SECRETS)
        if present:
            mark = "OK"
        elif required:
            mark = "FALTA"
        elif servicio and spec.name in SENDER_SECRETS:
            mark = "no hace falta (servicio)"
        else:
            mark = "no cargado (opcional)"
        missing_required |= required and not present
        print(f"{spec.name:16} {mark:24} {spec.description}")
    return 1 if missing_required else 0
