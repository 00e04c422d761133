"""`dim-revision selfcheck`: prove an installed (or frozen) build has every part it needs.

Each check prints one `OK`/`FALLA` line; the exit code is 1 if any check failed. Checks that
depend on the machine rather than on the build (the OS keyring) print `AVISO` and never fail.
The Qt part is loaded by name, like `commands/gui.py`, so the core stays Qt-free.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dim_revision
from dim_revision.bootstrap import AppContext
from dim_revision.resources import resources_dir

OK, FAIL, WARN = "OK", "FALLA", "AVISO"

# Modules that must not be imported as a side effect: entry scripts and Alembic's migration
# scripts (loaded by Alembic from files, not importable outside a migration run).
SKIP_PREFIXES = ("dim_revision.db.migrations",)
REQUIRED_RESOURCES = (
    "style.qss",
    "icons/app.png",
    "icons/app.ico",
    "lexico.txt",
    "lectura/muestra.png",
)


@dataclass(frozen=True)
class CheckResult:
    status: str
    name: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.status:<6} {self.name}" + (f": {self.detail}" if self.detail else "")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "selfcheck", help="verificar que la instalación tiene todo lo necesario (sin ventana)"
    )
    p.add_argument("--sin-qt", action="store_true", help="omitir la verificación de Qt")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    results = list(core_checks())
    if not args.sin_qt:
        results.extend(qt_checks())
    for result in results:
        print(result.line(), flush=True)
    failed = [r for r in results if r.status == FAIL]
    print(f"{len(failed)} falla(s) en {len(results)} verificaciones.")
    return 1 if failed else 0


def core_checks(resources: Path | None = None) -> Iterable[CheckResult]:
    yield _guard("módulos del núcleo", check_core_modules)
    yield _guard("migraciones", check_migrations)
    yield _guard("base SQLite temporal", check_sqlite_upgrade)
    yield _guard("recursos", lambda: check_resources(resources or resources_dir()))
    yield _keyring_check()
    yield _lectura_check(resources or resources_dir())


def qt_checks() -> list[CheckResult]:
    """Qt offscreen: no display is needed, so this runs on a build server too."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        qt_part = importlib.import_module("ui.selfcheck_qt")
    except Exception as exc:
        return [CheckResult(FAIL, "interfaz Qt", f"{type(exc).__name__}: {exc}")]
    return [CheckResult(status, name, detail) for status, name, detail in qt_part.run_checks()]


def _guard(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(OK, name, check())
    except Exception as exc:
        return CheckResult(FAIL, name, f"{type(exc).__name__}: {exc}")


def core_module_names() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dim_revision.__path__, "dim_revision."):
        if info.name.startswith(SKIP_PREFIXES) or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def check_core_modules() -> str:
    names = core_module_names()
    # An empty walk (modules missing from the bundle, or unlistable) must not pass silently.
    for must in ("dim_revision.cli", "dim_revision.commands.gui", "dim_revision.db.models"):
        if must not in names:
            raise RuntimeError(f"no se encontró el módulo {must}")
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} módulos importados"


def check_migrations() -> str:
    from dim_revision.db import migrate

    if not (migrate.MIGRATIONS_DIR / "env.py").is_file():
        raise RuntimeError(f"falta {migrate.MIGRATIONS_DIR / 'env.py'}")
    head = migrate.head_revision()
    if head is None:
        raise RuntimeError(f"no hay revisiones en {migrate.MIGRATIONS_DIR}")
    return f"revisión final {head}"


def check_sqlite_upgrade() -> str:
    from dim_revision.db import migrate
    from dim_revision.db.engine import check_connection, create_db_engine, sqlite_url

    with tempfile.TemporaryDirectory(prefix="dim-selfcheck-") as tmp:
        engine = create_db_engine(sqlite_url(Path(tmp) / "selfcheck.sqlite3"))
        try:
            check_connection(engine)
            migrate.upgrade(engine)
            current = migrate.current_revision(engine)
        finally:
            engine.dispose()
    if current != migrate.head_revision():
        raise RuntimeError(f"quedó en la revisión {current}")
    return f"creada y migrada a {current}"


def check_resources(root: Path) -> str:
    missing = [name for name in REQUIRED_RESOURCES if not (root / name).is_file()]
    if missing:
        raise RuntimeError(f"faltan en {root}: {', '.join(missing)}")
    return str(root)


def _keyring_check() -> CheckResult:
    try:
        from dim_revision.secrets import keyring_usable

        usable, detail = keyring_usable()
    except Exception as exc:
        usable, detail = False, f"{type(exc).__name__}: {exc}"
    return CheckResult(OK if usable else WARN, "llavero del sistema", detail)


def _lectura_check(root: Path) -> CheckResult:
    """The order reader's models read the bundled sample page (issue 15), in the reader's own
    process as the app runs it (issue 19: in a frozen build this proves the spawned child
    starts, `multiprocessing.freeze_support()` in `dim_revision/__main__.py`)."""
    import sys

    from dim_revision.lectura.lector import Lector
    from dim_revision.lectura.motor import disponible
    from dim_revision.lectura.proceso import MotorEnProceso

    nombre = "lectura de órdenes"
    falta = disponible()
    if falta is not None:  # a build must carry it; a checkout may skip the optional extra
        return CheckResult(FAIL if getattr(sys, "frozen", False) else WARN, nombre, falta)
    muestra = root / "lectura" / "muestra.png"
    if not muestra.is_file():
        return CheckResult(WARN, nombre, "sin página de muestra (ver «recursos»)")
    motor = MotorEnProceso(1)
    lector = Lector(motor, timeout=60)
    try:
        lectura = lector.leer(muestra.read_bytes())
    finally:
        lector.cerrar()
    texto = " ".join(ln.texto for _, ln in lectura.lineas).lower()
    if "rodilla" not in texto:
        return CheckResult(FAIL, nombre, f"la página de muestra no se leyó ({lectura.estado})")
    return CheckResult(
        OK, nombre, f"{motor.version()}, {lectura.segundos:.1f} s la muestra (proceso propio)"
    )
