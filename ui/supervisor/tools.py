"""Wire the supervisor tools into the main window: the dock, Historial, Exportar, Reabrir, Liberar.

`MainWindow` calls `install(window)` once; everything else lives here so the window keeps only
layout. The role check runs in the background at start (and again after a reconnection); until it
answers yes, the dock stays hidden and the supervisor actions stay disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QWidget

from dim_revision.services import claims, supervision
from dim_revision.services.actor import Actor
from dim_revision.services.base import Database
from dim_revision.services.operadores import requerir_supervisor
from ui.db_errors import db_task
from ui.key_names import key_text
from ui.supervisor.export import ChooseFile, Exporter, choose_file
from ui.supervisor.historial import SIN_SELECCION, HistorialDialog
from ui.supervisor.panel import SupervisorAccess, install_panel
from ui.tasks import TaskFailure

if TYPE_CHECKING:
    from ui.main_window import MainWindow

AskText = Callable[[QWidget, str, str], str | None]


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    return text if ok else None


class SupervisorTools(QObject):
    def __init__(
        self,
        window: MainWindow,
        *,
        ask_text: AskText = ask_reason,
        choose_file: ChooseFile = choose_file,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ask_text = ask_text
        ws = window.ws
        self.access = SupervisorAccess(self)
        self.dock, self.panel = install_panel(
            window,
            db=ws.db,
            actor=ws.actor,
            clock=ws.clock,
            runner=ws.runner,
            access=self.access,
            current_filter=window.filter_bar.filtro(),
            filter_changed=window.filter_bar.filter_changed,
            refresh_action=window.actions_by_name["actualizar"],
        )
        self.historial_dialog: HistorialDialog | None = None
        # Ctrl+H is declared in ui/shortcuts.SPECS (so F1 lists it); the window built the action.
        self.historial_action = window.actions_by_name["historial"]
        self.historial_action.triggered.connect(lambda _c=False: self.open_historial())
        # `exportar` checks no role (the CLI exports for anyone): everyone may export the grid.
        self.exporter = Exporter(
            ws.db, ws.actor, ws.clock, ws.runner, window, self._say, choose=choose_file
        )
        self.exportar_action = self._action("exportar", "Exportar…")
        self.exportar_action.triggered.connect(lambda _c=False: self.export())
        self.reabrir_action = self._action("reabrir", "Reabrir solicitud resuelta…")
        self.reabrir_action.triggered.connect(lambda _c=False: self.reopen())
        self.liberar_action = self._action("liberar", "Liberar solicitud tomada")
        self.liberar_action.triggered.connect(lambda _c=False: self.override())
        menu = window.menuBar().addMenu("Supervisión")
        menu.setObjectName("supervisionMenu")
        for action in (self.historial_action, self.exportar_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.reabrir_action, self.liberar_action):
            menu.addAction(action)
        menu.addAction(self.dock.toggleViewAction())
        self.dock.toggleViewAction().setEnabled(False)
        self.access.changed.connect(self._on_access)
        ws.online_changed.connect(self._on_online)
        self._on_access(False)
        self.window.first_shown.then(self.check)  # after the first record is painted (#19)

    def _action(self, name: str, text: str, keys: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"accion_{name}")
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{text} ({key_text(QKeySequence(keys))})")
        self.window.addAction(action)
        return action

    def _on_online(self, online: bool, _detail: str) -> None:
        if online:
            self.check()

    def check(self) -> None:
        ws = self.window.ws
        self.access.check(ws.runner, ws.db, ws.actor.usuario)

    def _on_access(self, granted: bool) -> None:
        for action in (self.reabrir_action, self.liberar_action, self.dock.toggleViewAction()):
            action.setEnabled(granted)

    def _selected_id(self) -> int | None:
        rec = self.window.ws.current
        return rec.id if rec is not None else None

    def _say(self, text: str, kind: str = "info") -> None:
        self.window.message_banner.show_message(text, kind)

    def _failed(self, failure: TaskFailure) -> None:
        self._say(failure.message, "error")

    # --- Historial (everyone) ------------------------------------------------------------------

    def open_historial(self) -> HistorialDialog | None:
        sid = self._selected_id()
        if sid is None:
            self._say(SIN_SELECCION, "warning")
            return None
        if self.historial_dialog is not None:
            self.historial_dialog.close()
        ws = self.window.ws
        dialog = HistorialDialog(ws.db, ws.runner, sid, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "historial_dialog", None))
        self.historial_dialog = dialog
        dialog.show()
        return dialog

    # --- Exportar (everyone) -------------------------------------------------------------------

    def export(self) -> bool:
        """Export what the grid shows now: the filter it applied (dates, state and text)."""
        return self.exporter.start(self.window.ws.model.filtro)

    # --- Reabrir / Liberar (supervisors) -------------------------------------------------------

    def reopen(self) -> None:
        ws = self.window.ws
        rec = ws.current
        if rec is None or rec.detalle is None:
            self._say(SIN_SELECCION, "warning")
            return
        if not rec.detalle.resuelto:
            self._say(f"La solicitud {rec.id} no está resuelta: ya está pendiente.", "warning")
            return
        motivo = self.ask_text(
            self.window, "Reabrir solicitud", f"¿Por qué se reabre la solicitud {rec.id}?"
        )
        if motivo is None:
            return
        sid, version = rec.id, rec.detalle.version
        ws.runner.submit(
            db_task(_reabrir),
            ws.db,
            ws.actor,
            ws.clock(),
            sid,
            version,
            motivo,
            on_done=lambda _v: self._after(sid, f"Se reabrió la solicitud {sid}."),
            on_error=self._failed,
        )

    def override(self) -> None:
        ws = self.window.ws
        sid = self._selected_id()
        if sid is None:
            self._say(SIN_SELECCION, "warning")
            return
        ws.runner.submit(
            db_task(_liberar),
            ws.db,
            ws.actor,
            ws.clock(),
            sid,
            on_done=lambda _v: self._after(sid, f"Se liberó la solicitud {sid}."),
            on_error=self._failed,
        )

    def _after(self, sid: int, text: str) -> None:
        self._say(text)
        ws = self.window.ws
        ws.model.refresh()
        if ws.current is not None and ws.current.id == sid:
            ws.reload_current()


def _reabrir(db: Database, actor: Actor, now: datetime, sid: int, version: int, motivo: str) -> int:
    return supervision.reabrir(db, actor, now, solicitud_id=sid, version=version, motivo=motivo)


def _liberar(db: Database, actor: Actor, now: datetime, sid: int) -> None:
    """`override` trusts its caller about the role: ask the database, not the (stale) flag."""
    requerir_supervisor(db, actor)
    claims.override(db, actor, now, sid, es_supervisor=True)


def install(window: MainWindow) -> SupervisorTools:
    return SupervisorTools(window)
