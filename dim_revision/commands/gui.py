"""`dim-revision gui`: open the workstation (the default command)."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from dim_revision.bootstrap import AppContext


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="abrir la estación de trabajo (por defecto)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    # The core never imports Qt; the front end is loaded by name only when a window is wanted.
    front_end = importlib.import_module("ui.app")
    result: int = front_end.run_gui(ctx)
    return result
