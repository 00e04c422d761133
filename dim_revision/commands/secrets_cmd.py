"""`dim-revision secrets set NAME` (value from stdin, never echoed) and `secrets check`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.errors import UserError
from dim_revision.secrets import KNOWN_SECRETS, new_link_key, validate_name


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
    if sys.stdin.isatty():
        value = getpass.getpass(f"Valor de {args.name}: ")
    else:
        value = sys.stdin.readline().rstrip("\r\n")
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
            "use --reemplazar si es lo que quiere."
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
    missing_required = False
    for spec in KNOWN_SECRETS:
        present = bool(ctx.secrets.get(spec.name))
        mark = "OK" if present else ("FALTA" if spec.required else "no cargado (opcional)")
        missing_required |= spec.required and not present
        print(f"{spec.name:16} {mark:24} {spec.description}")
    return 1 if missing_required else 0
