"""`dim-revision export`: the supervisor's grid to CSV or XLSX from a terminal (issue #6)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.clock import local_today
from dim_revision.domain.enums import EstadoFiltro
from dim_revision.errors import UserError
from dim_revision.services.exportar import Formato, exportar
from dim_revision.services.operadores import exigir_registrado, requerir_supervisor
from dim_revision.services.queue import QueueFilter

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def register(sub: Any) -> None:
    p = sub.add_parser("export", help="exportar la grilla filtrada a CSV o Excel")
    p.add_argument("--desde", metavar="FECHA", help="dd/mm/aaaa o aaaa-mm-dd (por defecto, hoy)")
    p.add_argument("--hasta", metavar="FECHA", help="dd/mm/aaaa o aaaa-mm-dd (por defecto, hoy)")
    p.add_argument(
        "--estado",
        default=EstadoFiltro.TODAS.value,
        metavar="ESTADO",
        help="pendientes, resueltas, atencion o todas (todas)",
    )
    p.add_argument("--texto", default="", metavar="TEXTO", help="DNI, nombre o teléfono")
    p.add_argument(
        "--formato", metavar="FORMATO", help="csv o xlsx (por defecto, según la extensión)"
    )
    p.add_argument("-o", "--output", required=True, metavar="ARCHIVO", help="archivo a crear")
    p.set_defaults(handler=export_cmd)


def parse_fecha(text: str | None, default: date, what: str) -> date:
    if text is None:
        return default
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise UserError(f"Fecha «{what}» inválida: «{text}». Usá dd/mm/aaaa o aaaa-mm-dd.")


def _estado(text: str) -> EstadoFiltro:
    try:
        return EstadoFiltro(text.strip().lower())
    except ValueError:
        raise UserError(
            f"Estado desconocido «{text}»: usá pendientes, resueltas, atencion o todas."
        ) from None


def _formato(text: str | None, output: Path) -> Formato:
    value = (text or output.suffix.lstrip(".") or "csv").strip().lower()
    try:
        return Formato(value)
    except ValueError:
        raise UserError(f"Formato desconocido «{value}»: usá csv o xlsx.") from None


def export_cmd(args: argparse.Namespace, ctx: AppContext) -> int:
    """Supervisors only (issue 13.9): refused before any file is touched."""
    exigir_registrado(ctx.db, ctx.actor)
    requerir_supervisor(ctx.db, ctx.actor)
    now = ctx.clock()
    hoy = local_today(now)
    desde = parse_fecha(args.desde, hoy, "desde")
    hasta = parse_fecha(args.hasta, hoy, "hasta")
    if desde > hasta:
        raise UserError(f"«desde» ({desde:%d/%m/%Y}) es posterior a «hasta» ({hasta:%d/%m/%Y}).")
    output = Path(args.output).expanduser()
    filtro = QueueFilter(desde, hasta, _estado(args.estado), args.texto)
    formato = _formato(args.formato, output)

    def progreso(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} filas…", end="", file=sys.stderr, flush=True)

    result = exportar(ctx.db, ctx.actor, now, filtro, output, formato, progreso=progreso)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Exportadas {result.filas} solicitudes a {result.archivo}.")
    return 0
