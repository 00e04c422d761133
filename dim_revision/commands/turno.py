"""`dim-revision turno vincular --solicitud N --turno M`: what the portal calls after a booking."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.services.turnos import vincular_turno


def register(sub: Any) -> None:
    p = sub.add_parser("turno", help="turnos tomados por los pacientes")
    tsub = p.add_subparsers(dest="turno_command", metavar="ACCION", required=True)
    v = tsub.add_parser(
        "vincular", help="asociar una solicitud al turno tomado y adjuntarle la orden subida"
    )
    v.add_argument("--solicitud", type=int, required=True, metavar="N", help="id de la solicitud")
    v.add_argument("--turno", type=int, required=True, metavar="M", help="id del turno")
    v.set_defaults(handler=vincular)


def vincular(args: argparse.Namespace, ctx: AppContext) -> int:
    resultado = vincular_turno(
        ctx.verified_db(), ctx.actor, ctx.clock(), solicitud_id=args.solicitud, turno_id=args.turno
    )
    print(json.dumps(asdict(resultado)))
    return 0
