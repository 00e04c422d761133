"""`dim-revision leer-orden FILE [FILE…] [--dni D]`: read orders offline and print, as JSON, the
lines read, the prestaciones they propose (active catalog of the chosen database) and the
warnings against the patient with that DNI. For support and scripts; writes nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dim_revision.bootstrap import AppContext

if TYPE_CHECKING:
    from dim_revision.lectura.controles import Paciente

EXIT_ILEGIBLE = 2
MAX_MB = 50


def register(sub: Any) -> None:
    p = sub.add_parser(
        "leer-orden", help="leer órdenes (foto o PDF) y proponer prestaciones, en JSON"
    )
    p.add_argument("archivos", nargs="+", metavar="ARCHIVO")
    p.add_argument("--dni", help="DNI del paciente, para controlar que la orden sea suya")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    # Imported here: every other command starts without Pillow, pypdf and the reader.
    from dim_revision.bootstrap import build_lector
    from dim_revision.clock import local_today
    from dim_revision.lectura.controles import controlar
    from dim_revision.lectura.modelo import ILEGIBLE
    from dim_revision.lectura.motor import disponible
    from dim_revision.lectura.renglones import renglones
    from dim_revision.services.lecturas import paciente_por_dni, proponedor_de

    falta = disponible()
    if falta is not None:
        print(f"No se puede leer: {falta}.", file=sys.stderr)
        return EXIT_ILEGIBLE
    lector = build_lector(ctx)
    if lector is None:
        print("La lectura de órdenes está desactivada ([lectura] activa = false).", file=sys.stderr)
        return EXIT_ILEGIBLE
    now = ctx.clock()
    db = ctx.verified_db()
    proponedor = proponedor_de(db, now, ctx.settings.busqueda)
    paciente: Paciente | None = paciente_por_dni(db, args.dni.strip()) if args.dni else None
    salida: list[dict[str, Any]] = []
    ilegibles = 0
    try:
        for nombre in args.archivos:
            ruta = Path(nombre)
            motivo, data = _bytes(ruta)
            if data is None:
                ilegibles += 1
                print(f"«{ruta.name}»: {motivo}.", file=sys.stderr)
                continue
            lectura = lector.leer(data)
            if lectura.estado == ILEGIBLE:
                ilegibles += 1
                print(f"«{ruta.name}»: {lectura.motivo}.", file=sys.stderr)
                continue
            alertas = (
                controlar(
                    renglones(lectura),
                    paciente,
                    local_today(now),
                    ctx.settings.lectura.validez_dias,
                )
                if paciente is not None
                else []
            )
            salida.append(
                {
                    "archivo": str(ruta),
                    "estado": lectura.estado,
                    "lineas": [
                        {"texto": ln.texto, "confianza": ln.confianza} for _, ln in lectura.lineas
                    ],
                    "propuestas": [
                        {"prestacion_id": p.prestacion_id, "nombre": p.nombre, "linea": p.linea}
                        for p in proponedor.proponer(lectura)
                    ],
                    "alertas": [a.texto for a in alertas],
                }
            )
    finally:
        lector.cerrar()
    print(json.dumps({"archivos": salida}, ensure_ascii=False, indent=2))
    return EXIT_ILEGIBLE if ilegibles else 0


def _bytes(ruta: Path) -> tuple[str, bytes | None]:
    try:
        tamano = ruta.stat().st_size
        if tamano > MAX_MB * 1024 * 1024:
            return f"pesa más de {MAX_MB} MB", None
        if tamano == 0:
            return "el archivo está vacío", None
        return "", ruta.read_bytes()
    except FileNotFoundError:
        return "no existe", None
    except IsADirectoryError:
        return "es una carpeta, no un archivo", None
    except OSError as exc:
        return f"no se pudo leer ({exc.strerror})", None
