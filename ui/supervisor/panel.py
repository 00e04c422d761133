"""The "Supervisión" dock: the report for the filter bar's range, and the Envíos list.

It is built hidden and shown only once a background check says the user is a supervisor, so an
operator never sees it (and a failed check leaves it hidden). It follows the filter bar: every
filter change and F5 recompute the report with `generar_reporte` on the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

from dim_revision.clock import Clock
from dim_revision.services.actor import Actor
from dim_revision.services.base import Database
from dim_revision.services.operadores import es_supervisor
from dim_revision.services.queue import QueueFilter
from dim_revision.services.reportes import Reporte, generar_reporte
from ui.db_errors import db_task
from ui.supervisor.envios import Confirm, EnviosView, ask
from ui.supervisor.report_view import ReportView
from ui.tasks import TaskFailure, TaskRunner

DOCK_HEIGHT = 330  # the queue and the open record keep most of the window


class SupervisorPanel(QTabWidget):
    """Two tabs: Resumen (numbers) and Envíos (the list and its actions)."""

    report_ready = Signal(object)  # Reporte

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        confirm: Confirm = ask,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorPanel")
        self.db, self.clock, self.runner = db, clock, runner
        self.report = ReportView(self)
        self.envios = EnviosView(db, actor, clock, runner, self, confirm=confirm)
        self.addTab(self.report, "Resumen")
        self.addTab(self.envios, "Envíos")
        self.last: Reporte | None = None

    def refresh(self, filtro: QueueFilter) -> None:
        self.runner.submit(
            db_task(generar_reporte),
            self.db,
            filtro,
            self.clock(),
            on_done=self._on_report,
            on_error=self._on_error,
            key="supervisor-reporte",
        )
        self.envios.refresh()

    def _on_report(self, reporte: Reporte) -> None:
        self.last = reporte
        self.report.show_report(reporte)
        self.report_ready.emit(reporte)

    def _on_error(self, failure: TaskFailure) -> None:
        self.report.show_error(failure.message)


class SupervisorAccess(QObject):
    """Holds the answer to "is this user a supervisor?" (False until the check comes back)."""

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.granted = False

    def check(self, runner: TaskRunner, db: Database, usuario: str) -> None:
        runner.submit(db_task(es_supervisor), db, usuario, on_done=self._set, key="supervisor-rol")

    def _set(self, granted: bool) -> None:
        self.granted = bool(granted)
        self.changed.emit(self.granted)


def install_panel(
    window: QMainWindow,
    *,
    db: Database,
    actor: Actor,
    clock: Clock,
    runner: TaskRunner,
    access: SupervisorAccess,
    current_filter: QueueFilter,
    filter_changed: SignalInstance,
    refresh_action: QAction,
    confirm: Confirm = ask,
) -> tuple[QDockWidget, SupervisorPanel]:
    """Add the hidden dock to `window`; it appears (and starts computing) when access is granted."""
    panel = SupervisorPanel(db, actor, clock, runner, window, confirm=confirm)
    dock = QDockWidget("Supervisión", window)
    dock.setObjectName("supervisionDock")
    dock.setWidget(panel)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
    dock.hide()
    state = {"filtro": current_filter}

    def refresh() -> None:
        if access.granted:
            panel.refresh(state["filtro"])

    def on_filter(filtro: QueueFilter) -> None:
        state["filtro"] = filtro
        refresh()

    def on_access(granted: bool) -> None:
        dock.setVisible(granted)
        refresh()

    filter_changed.connect(on_filter)
    refresh_action.triggered.connect(lambda _checked=False: refresh())
    access.changed.connect(on_access)
    return dock, panel
