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
    import threading

    from dim_revision.db.sql_time import DatabaseClock

    # The first claims must already use the server's time: read it while Qt loads (at most 2 s
    # more if the database does not answer; the window then starts on this PC's clock).
    sync: threading.Thread | None = None
    if isinstance(ctx.clock, DatabaseClock):
        sync = threading.Thread(target=ctx.clock.sync, name="db-clock-first-sync", daemon=True)
        sync.start()
    # The core never imports Qt; the front end is loaded by name only when a window is wanted.
    front_end = importlib.import_module("ui.app")
    if sync is not None:
        sync.join(2.0)
    result: int = front_end.run_gui(ctx)
    return result
