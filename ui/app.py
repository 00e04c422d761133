"""Start the Qt application on an `AppContext` built by the core's composition root."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from dim_revision.bootstrap import AppContext, build_outbox_worker, sends_here
from dim_revision.config import ENV_CONFIG_FILE, Settings, config_files, load_settings
from dim_revision.resources import resource_path
from dim_revision.secrets import KeyringStore, SecretStore
from ui.crash_dialog import install_crash_dialog
from ui.main_window import MainWindow
from ui.roles import start_problem
from ui.runtime_guard import RuntimeGuard
from ui.settings_store import LayoutStore
from ui.tasks import TaskRunner
from ui.translations import install_spanish
from ui.workstation import Workstation

if TYPE_CHECKING:
    from dim_revision.outbox.worker import OutboxThread

log = logging.getLogger(__name__)


def load_style(app: QApplication) -> None:
    path = resource_path("style.qss")
    try:
        app.setStyleSheet(path.read_text(encoding="utf-8"))
    except OSError:
        log.warning("No se encontró la hoja de estilos %s", path)


def open_url(url: str) -> bool:
    return bool(QDesktopServices.openUrl(QUrl(url)))


def build_outbox_thread(ctx: AppContext) -> OutboxThread:
    """The send worker runs inside every workstation (DESIGN §6)."""
    from dim_revision.outbox.status import outbox_counts
    from dim_revision.outbox.worker import OutboxThread

    worker = build_outbox_worker(ctx)
    return OutboxThread(worker, counts=lambda now: outbox_counts(ctx.db, now))


def build_window(
    ctx: AppContext, runner: TaskRunner, *, outbox: OutboxThread | None = None
) -> MainWindow:
    """The window and its controller, wired; `start()` on the controller begins the work."""
    ws = Workstation(ctx, runner, outbox=outbox, open_url=open_url)
    store = LayoutStore(ctx.paths.config_dir / "ventana.ini")
    window = MainWindow(ws, store)
    # "Según la orden:" above the picker (issue 15), once the picker's index is in (itself after
    # the first record painted, issue 19): the reader's engine and its own copy of the index then
    # load once, instead of once at install and again on `catalog_ready`.
    ws.catalog_ready.connect(
        lambda _index: _install_reader(window), Qt.ConnectionType.SingleShotConnection
    )
    return window


def freeze_long_lived(window: MainWindow, guard: RuntimeGuard) -> None:
    """Keep what lives until exit out of later collections (a full collection on the GUI
    thread, so never before the first paint): what start-up built, once the first record is
    painted, and the picker's catalog index once it is in — a full collection walked the
    index's lists, ~0.1 s on the GUI thread every few dozen records (issue 19)."""
    window.first_shown.then(guard.freeze_startup)
    window.ws.catalog_ready.connect(
        lambda _index: window.first_shown.then(guard.freeze_startup),
        Qt.ConnectionType.SingleShotConnection,
    )


def _install_reader(window: MainWindow) -> None:
    from ui.propuestas import instalar_propuestas

    window.lectura = instalar_propuestas(window)  # type: ignore[attr-defined]


def config_path(ctx: AppContext) -> Path:
    """The file the settings are read from (DIM_REVISION_CONFIG wins, as in `load_settings`)."""
    override = os.environ.get(ENV_CONFIG_FILE)
    return Path(override) if override else ctx.paths.config_file


def is_demo(ctx: AppContext) -> bool:
    """`dim-revision demo` runs with its own fake Botmaker and in-memory secrets."""
    return "botmaker_fake" in ctx.extras


def machine_config_path(ctx: AppContext) -> Path | None:
    """IT's file for the whole PC (DIM_REVISION_MACHINE_CONFIG wins, as in `load_settings`)."""
    return config_files(config_path(ctx), machine_file=ctx.paths.machine_config)[0]


def current_settings(ctx: AppContext) -> Settings:
    """What the files say now: machine file < user file < environment."""
    return load_settings(config_path(ctx), machine_file=machine_config_path(ctx))


def needs_first_run_setup(ctx: AppContext) -> bool:
    """No file yet, neither the user's nor one IT pushed for the whole PC (the MSI's DB_URL)."""
    machine = machine_config_path(ctx)
    configured = config_path(ctx).exists() or (machine is not None and machine.exists())
    return not is_demo(ctx) and not configured


def open_setup(
    ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None, first_run: bool = False
) -> bool:
    """The setup dialog on the installation's real file and keyring (even from the demo, whose
    settings and secrets are stand-ins). True if the operator saved."""
    from ui.setup_dialog import SetupDialog  # alembic & co. only when the dialog opens

    path = config_path(ctx)
    secrets: SecretStore = KeyringStore() if is_demo(ctx) else ctx.secrets
    dialog = SetupDialog(
        path, secrets, runner, current_settings(ctx), ctx.paths.demo_db, parent, first_run=first_run
    )
    return dialog.exec() == QDialog.DialogCode.Accepted


def first_run_setup(ctx: AppContext, runner: TaskRunner) -> None:
    """No config file yet: ask for it before the window connects to anything."""
    if not open_setup(ctx, runner, first_run=True):
        return  # cancelled: carry on with the defaults (embedded database)
    ctx.close()
    ctx.settings = current_settings(ctx)


def connect_setup_menu(ctx: AppContext, runner: TaskRunner, window: MainWindow) -> None:
    def open_from_menu() -> None:
        if open_setup(ctx, runner, window):
            window.message_banner.show_message(
                "Configuración guardada. Cerrá y volvé a abrir DIM Revisión para aplicarla."
            )

    window.setup_action.triggered.connect(lambda _checked=False: open_from_menu())


def dim_mapping_problem(ctx: AppContext) -> str | None:
    """The start-up check of the `[dim]` mapping, in Spanish; None when it matches (or when the
    database is down: the window then shows its banner and reconnects)."""
    from dim_revision.errors import DatabaseUnavailable, UserError

    try:
        ctx.verified_db()
    except DatabaseUnavailable:
        return None
    except UserError as exc:
        return str(exc)
    return None


def run_gui(ctx: AppContext) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    guard = RuntimeGuard(app)  # cycle GC only on the GUI thread (see module)
    install_crash_dialog(ctx, app)
    app.setApplicationName("DIM Revisión")
    app.setOrganizationName("DIM")
    translators = install_spanish(app)  # noqa: F841  (kept alive for the app's lifetime)
    load_style(app)
    runner = TaskRunner(max_threads=3)
    if needs_first_run_setup(ctx):
        first_run_setup(ctx, runner)
    # An unregistered user is refused; this PC's previous session's leases are freed (#13).
    problema = dim_mapping_problem(ctx) or start_problem(ctx)
    if problema is not None:
        QMessageBox.critical(None, "DIM Revisión", problema)
        runner.shutdown()
        guard.uninstall()
        return 2
    window = build_window(ctx, runner)
    # Servicio mode: `dim-revision serve` is the only sender; this PC holds no Botmaker token.
    # Otherwise the sender starts once the first record is painted (issue 19: not before).
    if sends_here(ctx):
        window.ws.outbox_later = True
        window.first_shown.then(lambda: window.ws.start_outbox(build_outbox_thread(ctx)))
    connect_setup_menu(ctx, runner, window)
    window.place_on_screen()
    window.show()
    window.ws.start()
    freeze_long_lived(window, guard)
    try:
        return int(app.exec())
    finally:
        runner.shutdown()
        guard.uninstall()
