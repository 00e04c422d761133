"""Start the Qt application on an `AppContext` built by the core's composition root."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from dim_revision.bootstrap import AppContext, build_outbox_worker
from dim_revision.outbox.status import outbox_counts
from dim_revision.outbox.worker import OutboxThread
from dim_revision.resources import resource_path
from ui.main_window import MainWindow
from ui.runtime_guard import RuntimeGuard
from ui.settings_store import LayoutStore
from ui.tasks import TaskRunner
from ui.workstation import Workstation

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
    worker = build_outbox_worker(ctx)
    return OutboxThread(worker, counts=lambda now: outbox_counts(ctx.db, now))


def build_window(
    ctx: AppContext, runner: TaskRunner, *, outbox: OutboxThread | None = None
) -> MainWindow:
    """The window and its controller, wired; `start()` on the controller begins the work."""
    ws = Workstation(ctx, runner, outbox=outbox, open_url=open_url)
    store = LayoutStore(ctx.paths.config_dir / "ventana.ini")
    return MainWindow(ws, store)


def run_gui(ctx: AppContext) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    guard = RuntimeGuard(app)  # GC on the GUI thread; PySide6 6.12 + Python 3.11 (see module)
    app.setApplicationName("DIM Revisión")
    app.setOrganizationName("DIM")
    load_style(app)
    runner = TaskRunner(max_threads=3)
    window = build_window(ctx, runner, outbox=build_outbox_thread(ctx))
    window.show()
    window.ws.start()
    guard.freeze_startup()
    try:
        return int(app.exec())
    finally:
        runner.shutdown()
        guard.uninstall()
