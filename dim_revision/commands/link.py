"""`dim-revision link verify URL_OR_TOKEN`: what the portal team runs to check a link by hand."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.secrets import require
from dim_revision.services.links import verificar_link


def register(sub: Any) -> None:
    p = sub.add_parser("link", help="links enviados a los pacientes")
    lsub = p.add_subparsers(dest="link_command", metavar="ACCION", required=True)
    v = lsub.add_parser("verify", help="verificar un link o token (imprime sus datos en JSON)")
    v.add_argument("token", metavar="URL_O_TOKEN")
    v.set_defaults(handler=verify)


def verify(args: argparse.Namespace, ctx: AppContext) -> int:
    key = require(ctx.secrets, "link-key")
    claims = verificar_link(
        ctx.db, key, args.token.strip(), now=ctx.clock(), issuer=ctx.settings.link.issuer
    )
    print(json.dumps(asdict(claims), default=str, ensure_ascii=False, indent=2))
    return 0
