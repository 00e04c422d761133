"""The "Supervisión" dock: the report for the filter bar's range, and the Envíos list.

It is built hidden and shown only once a background check says the user is a supervisor, so an
operator never sees it (and a failed check leaves it hidden). It follows the filter bar: every
filter change and F5 recompute the report with `generar_reporte` on the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QWidget,
)

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
DOCK_SHARE = 0.3  # ...and never more than this share of a short window (1366×768)


def _scrolled(widget: QWidget) -> QScrollArea:
    """The report scrolls instead of forcing its height (and width) on a small screen."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


class DockTitle(QWidget):
    """The dock's title bar: a button folds the panel to this one line and unfolds it."""

    def __init__(self, dock: QDockWidget) -> None:
        super().__init__(dock)
        self.dock = dock
        self.setObjectName("supervisionDockTitle")
        self._unfolded_height = DOCK_HEIGHT
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("plegarSupervision")
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle.clicked.connect(lambda _c=False: self.set_folded(not self.folded()))
        label = QLabel("Supervisión", self)
        label.setProperty("role", "section")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.toggle)
        layout.addWidget(label)
        layout.addStretch(1)
        self._sync()

    def folded(self) -> bool:
        content = self.dock.widget()
        return content is not None and content.isHidden()

    def set_folded(self, folded: bool) -> None:
        content = self.dock.widget()
        if content is None or folded == self.folded():
            return
        if folded:
            self._unfolded_height = self.dock.height()
        content.setVisible(not folded)
        window = self.dock.parentWidget()
        if not folded and isinstance(window, QMainWindow):
            window.resizeDocks([self.dock], [self._unfolded_height], Qt.Orientation.Vertical)
        self._sync()

    def _sync(self) -> None:
        folded = self.folded()
        self.toggle.setText("▸ Mostrar" if folded else "▾ Plegar")
        self.toggle.setToolTip(
            "Muestra el panel de supervisión" if folded else "Pliega el panel a esta línea"
        )


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
        self.addTab(_scrolled(self.report), "Resumen")
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


def dock_height(window_height: int) -> int:
    """330 px on a big window; on a 768 px screen a third of it, so the order stays readable."""
    return min(DOCK_HEIGHT, int(window_height * DOCK_SHARE))


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
    dock.setTitleBarWidget(DockTitle(dock))
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    state = {"filtro": current_filter}

    def refresh() -> None:
        if access.granted:
            panel.refresh(state["filtro"])

    def on_filter(filtro: QueueFilter) -> None:
        state["filtro"] = filtro
        refresh()

    def on_access(granted: bool) -> None:
        if granted and not dock.isVisible():
            dock.setVisible(True)
            window.resizeDocks([dock], [dock_height(window.height())], Qt.Orientation.Vertical)
        elif not granted:
            dock.setVisible(False)
        refresh()

    filter_changed.connect(on_filter)
    refresh_action.triggered.connect(lambda _checked=False: refresh())
    access.changed.connect(on_access)
    return dock, panel
