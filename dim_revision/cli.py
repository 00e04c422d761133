"""`dim-revision` command line. Each command group lives in `dim_revision/commands/` and registers itself."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from dim_revision import __version__
from dim_revision.bootstrap import AppContext, build_context
from dim_revision.db.engine import mask_url, url_or_path
from dim_revision.errors import UserError
from dim_revision.logging_setup import (
    CrashHandler,
    config_summary,
    configure_logging,
    secret_values,
)
from dim_revision.secrets import KNOWN_NAMES

COMMAND_MODULES = (
    "dim_revision.commands.gui",
    "dim_revision.commands.db",
    "dim_revision.commands.config_cmd",
    "dim_revision.commands.secrets_cmd",
    "dim_revision.commands.demo",
    "dim_revision.commands.link",
    "dim_revision.commands.intake",
    "dim_revision.commands.turno",
    "dim_revision.commands.outbox",
    "dim_revision.commands.botmaker_fake",
    "dim_revision.commands.doctor",
    "dim_revision.commands.logs",
    "dim_revision.commands.selfcheck",
    "dim_revision.commands.operadores",
    "dim_revision.commands.exportar",
    "dim_revision.commands.serve",
    "dim_revision.commands.leer_orden",
)

EXIT_USER_ERROR = 2
# Commands that open the window: the only ones the windowed executable runs.
WINDOW_COMMANDS = frozenset({"gui", "demo"})
EXIT_UNEXPECTED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dim-revision",
        description="DIM Revisión: revisión de órdenes médicas subidas desde el portal.",
    )
    parser.add_argument("--version", action="version", version=f"dim-revision {__version__}")
    _add_db_option(parser, default=None)
    parser.add_argument(
        "--usuario",
        dest="usuario_global",  # not `usuario`: `operadores add USUARIO` has that positional
        metavar="USUARIO",
        help="operador (por defecto, el usuario del sistema)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMANDO")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _db_option_everywhere(parser)
    return parser


DB_HELP = (
    "URL de la base de datos, o la ruta de un archivo SQLite (también DIM_REVISION_DB_URL); "
    "va antes o después del comando"
)


def _add_db_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--db", metavar="URL|RUTA", default=default, help=DB_HELP)


def _db_option_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--db` after any (sub)command too: `outbox list --db x.db` = `--db x.db outbox list`.
    SUPPRESS keeps a subcommand that was not given --db from erasing the one given before it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                if "--db" not in child._option_string_actions:
                    _add_db_option(child, default=argparse.SUPPRESS)
                _db_option_everywhere(child)


def cli_overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {}
    if args.db is not None:
        if not args.db.strip():
            raise UserError(
                "--db está vacío: indicá una URL (mssql+pyodbc://…, postgresql://…) "
                "o la ruta de un archivo SQLite (por ejemplo --db demo.db)."
            )
        overrides.setdefault("database", {})["url"] = url_or_path(args.db)
    if args.usuario_global:
        overrides.setdefault("operador", {})["usuario"] = args.usuario_global
    return overrides


def main(argv: Sequence[str] | None = None, context: AppContext | None = None) -> int:
    """Entry point; `context` lets tests inject paths, secrets and a clock."""
    has_console = True
    if getattr(sys, "frozen", False):  # the PyInstaller build
        from dim_revision.frozen import configure_frozen

        has_console = configure_frozen()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    if not has_console and args.command not in WINDOW_COMMANDS:
        from dim_revision.frozen import tell_windowless

        tell_windowless(args.command)  # e.g. `secrets generate` would show its key to no one
        return EXIT_USER_ERROR
    ctx = context
    try:
        if ctx is None:
            ctx = build_context(cli_overrides(args))
        elif cli_overrides(args):
            ctx.settings = _apply(ctx, cli_overrides(args))
        _setup_logging(ctx, real_run=context is None)
        result: int = args.handler(args, ctx)
        return result
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except DBAPIError as exc:
        where = mask_url(ctx.db_url) if ctx is not None else "la base de datos"
        detail = (
            str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        )
        print(f"Error: falló la base de datos {where}: {detail}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        return 0
    except Exception:
        if ctx is None:
            raise  # the context itself could not be built: nowhere known to write a report
        crash = ctx.extras.get("crash_handler") or _crash_handler(ctx)
        crash.report(*sys.exc_info())
        return EXIT_UNEXPECTED
    finally:
        if ctx is not None and context is None:
            ctx.close()


def _crash_handler(ctx: AppContext) -> CrashHandler:
    return CrashHandler(
        ctx.paths.log_dir,
        __version__,
        config_summary=lambda: config_summary(ctx.settings),
        secrets=lambda: secret_values(ctx.secrets, KNOWN_NAMES),
    )


def _setup_logging(ctx: AppContext, real_run: bool) -> CrashHandler:
    """The crash handler, plus (for a real run, not when a test injects its context) the log
    file and the process-wide exception hooks. The GUI replaces `show` on
    `ctx.extras["crash_handler"]` to display the message in a dialog."""
    crash: CrashHandler = ctx.extras.get("crash_handler") or _crash_handler(ctx)
    ctx.extras["crash_handler"] = crash
    if real_run:
        configure_logging(ctx.paths.log_dir, secret_values(ctx.secrets, KNOWN_NAMES))
        crash.install()
    return crash


def _apply(ctx: AppContext, overrides: dict[str, dict[str, Any]]) -> Any:
    settings = ctx.settings
    for section, values in overrides.items():
        settings = settings.replace(section, **values)
    return settings
