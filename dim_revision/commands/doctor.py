"""`dim-revision doctor`: checklist of the installation (config, database, secrets, Botmaker)."""

from __future__ import annotations

import argparse
from typing import Any

from dim_revision import doctor
from dim_revision.bootstrap import AppContext
from dim_revision.config import config_files
from dim_revision.secrets import KeyringStore, keyring_usable


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="verificar la instalación y decir cómo arreglar cada falla")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from dim_revision.db.sql_time import pc_clock

    machine_file, config_file = config_files(
        ctx.paths.config_file, machine_file=ctx.paths.machine_config
    )
    results = doctor.run_all(
        config_file=config_file,
        machine_config_file=machine_file,
        modo=ctx.settings.outbox.modo,
        db_url=ctx.db_url,
        get_db=lambda: ctx.db,
        secrets=ctx.secrets,
        botmaker=ctx.settings.botmaker,
        clock=pc_clock(ctx.clock),  # the skew check compares this PC's own clock
        keyring_check=keyring_usable if isinstance(ctx.secrets, KeyringStore) else None,
    )
    results.append(doctor.check_lectura(ctx.settings.lectura.activa, _db_or_none(ctx)))
    for result in results:
        for line in result.lineas():
            print(line, flush=True)
    code = doctor.exit_code(results)
    print("Todo en orden." if code == 0 else "Hay fallas: corregilas y volvé a ejecutar doctor.")
    return code


def _db_or_none(ctx: AppContext) -> Any:
    try:
        return ctx.db
    except Exception:  # the database check above already reported it
        return None
