"""`dim-revision intake --dni D --file F [...]`: the portal's upload circuit from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.config import IntakeSettings
from dim_revision.errors import UserError
from dim_revision.services.archivos import controlar_tamano
from dim_revision.services.intake import registrar_solicitud


def register(sub: Any) -> None:
    p = sub.add_parser(
        "intake", help="registrar una orden subida por un paciente (circuito del portal)"
    )
    p.add_argument("--dni", required=True, help="DNI del paciente")
    p.add_argument(
        "--file",
        dest="files",
        action="append",
        default=[],
        metavar="ARCHIVO",
        help="foto (JPG/PNG) o PDF de la orden; repetir para varios",
    )
    p.add_argument("--movil", help="celular del paciente (se guarda en su ficha)")
    p.add_argument(
        "--telefono-verificado", action="store_true", help="el paciente confirmó su teléfono"
    )
    p.add_argument("--email-verificado", action="store_true", help="el paciente confirmó su email")
    p.set_defaults(handler=run)


def leer_archivo(ruta: str, limits: IntakeSettings) -> tuple[str, bytes]:
    """Read one file, refusing an oversized one from its size alone (never loaded into memory)."""
    path = Path(ruta).expanduser()
    try:
        if path.is_dir():
            raise UserError(f"«{ruta}» es una carpeta, no un archivo.")
        controlar_tamano(path.name, path.stat().st_size, limits)
        return path.name, path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"No existe el archivo «{ruta}».") from None
    except PermissionError:
        raise UserError(f"No hay permiso para leer el archivo «{ruta}».") from None
    except OSError as exc:
        raise UserError(f"No se pudo leer el archivo «{ruta}»: {exc.strerror or exc}.") from None


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    limits = ctx.settings.intake
    files = [leer_archivo(ruta, limits) for ruta in args.files]
    solicitud_id = registrar_solicitud(
        ctx.verified_db(),
        ctx.actor,
        ctx.clock(),
        limits,
        dni=args.dni,
        files=files,
        telefono_verificado=args.telefono_verificado,
        email_verificado=args.email_verificado,
        movil=args.movil,
    )
    print(json.dumps({"solicitud_id": solicitud_id}))
    return 0
