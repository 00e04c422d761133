"""`dim-revision operadores add|list|disable`: who is a supervisor (issue #6). Each change is audited."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.clock import to_local
from dim_revision.services import operadores
from dim_revision.services.operadores import Rol


def register(sub: Any) -> None:
    p = sub.add_parser("operadores", help="operadores y supervisores")
    osub = p.add_subparsers(dest="operadores_command", metavar="ACCION", required=True)

    add = osub.add_parser("add", help="registrar (o actualizar) un operador")
    add.add_argument("usuario", metavar="USUARIO", help="usuario con el que entra al sistema")
    add.add_argument("--nombre", required=True, metavar="N", help="nombre para mostrar")
    add.add_argument("--supervisor", action="store_true", help="con permisos de supervisor")
    add.set_defaults(handler=add_cmd)

    lst = osub.add_parser("list", help="listar los operadores registrados")
    lst.add_argument("--json", action="store_true", help="salida JSON")
    lst.set_defaults(handler=list_cmd)

    dis = osub.add_parser("disable", help="deshabilitar un operador (pierde el rol de supervisor)")
    dis.add_argument("usuario", metavar="USUARIO")
    dis.set_defaults(handler=disable_cmd)


def add_cmd(args: argparse.Namespace, ctx: AppContext) -> int:
    rol = Rol.SUPERVISOR if args.supervisor else Rol.OPERADOR
    info = operadores.agregar(
        ctx.db, ctx.actor, ctx.clock(), usuario=args.usuario, nombre=args.nombre, rol=rol
    )
    print(f"Operador «{info.usuario}» ({info.nombre}) registrado como {info.rol.value}.")
    return 0


def list_cmd(args: argparse.Namespace, ctx: AppContext) -> int:
    filas = operadores.listar(ctx.db)
    if args.json:
        data = [
            {
                "usuario": f.usuario,
                "nombre": f.nombre,
                "rol": f.rol.value,
                "activo": f.activo,
                "creado": f.creado.isoformat(),
            }
            for f in filas
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not filas:
        print("No hay operadores registrados (todos los usuarios trabajan como operadores).")
        return 0
    header = ("Usuario", "Nombre", "Rol", "Activo", "Alta")
    rows = [
        (
            f.usuario,
            f.nombre,
            f.rol.value,
            "sí" if f.activo else "no",
            f"{to_local(f.creado):%d/%m/%Y %H:%M}",
        )
        for f in filas
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return 0


def disable_cmd(args: argparse.Namespace, ctx: AppContext) -> int:
    operadores.deshabilitar(ctx.db, ctx.actor, ctx.clock(), usuario=args.usuario)
    print(f"Operador «{args.usuario.strip()}» deshabilitado.")
    return 0
