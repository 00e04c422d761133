"""`dim-revision logs`: where the log files and error reports are (for support calls)."""

from __future__ import annotations

import argparse
from typing import Any

from dim_revision.bootstrap import AppContext
from dim_revision.logging_setup import log_file


def register(sub: Any) -> None:
    p = sub.add_parser("logs", help="mostrar dónde están los registros y los informes de error")
    p.set_defaults(handler=show)


def show(args: argparse.Namespace, ctx: AppContext) -> int:
    print(f"Carpeta de registros: {ctx.paths.log_dir}")
    print(f"Registro actual: {log_file(ctx.paths.log_dir)}")
    return 0
