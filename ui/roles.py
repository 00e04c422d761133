"""Roles in the window (issue 13.9): Exportar and Configuración only for supervisors, an
unregistered user refused at start, and the leases of this PC's previous session freed.

The services check again on every call (`exportar` needs a supervisor); this only keeps the
menu honest. Until the background check answers, Exportar is disabled; Configuración stays
available while the database cannot answer, because that is where its address is fixed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from dim_revision.bootstrap import AppContext
from dim_revision.errors import DatabaseUnavailable, PermissionDenied
from dim_revision.services import claims, operadores
from dim_revision.services.operadores import Permisos
from ui.db_errors import db_task, is_offline
from ui.tasks import TaskFailure

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

SOLO_SUPERVISORES = "Sólo para supervisores"


def start_problem(ctx: AppContext) -> str | None:
    """At the workstation's start: the Spanish refusal for an unregistered user, or None after
    freeing the records this user left taken on this PC (a crash). A database that does not
    answer is not a refusal: the window opens with its banner and reconnects."""
    from sqlalchemy.exc import DBAPIError

    try:
        db = ctx.db
        operadores.exigir_registrado(db, ctx.actor)
        liberadas = claims.liberar_propias(db, ctx.actor, ctx.clock())
    except PermissionDenied as exc:
        return str(exc)
    except (DBAPIError, DatabaseUnavailable) as exc:
        log.warning("No se pudo revisar el operador al iniciar: %s", exc)
        return None
    if liberadas:
        log.info("Liberadas al iniciar las solicitudes de la sesión anterior: %s", liberadas)
    return None


class RoleGate(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.export_action = window.supervisor.exportar_action
        self.setup_action = window.setup_action
        self.permisos: Permisos | None = None
        self._apply(Permisos(supervisor=False, configurar=True))
        window.ws.online_changed.connect(self._on_online)
        window.first_shown.then(self.check)  # after the first record is painted (#19)

    def _on_online(self, online: bool, _detail: str) -> None:
        if online:
            self.check()

    def check(self) -> None:
        ws = self.window.ws
        ws.runner.submit(
            db_task(operadores.permisos),
            ws.db,
            ws.actor.usuario,
            on_done=self._on_permisos,
            on_error=self._on_error,
            key="permisos",
        )

    def _on_permisos(self, permisos: Permisos) -> None:
        self.permisos = permisos
        self._apply(permisos)

    def _on_error(self, failure: TaskFailure) -> None:
        if not is_offline(failure):
            self._apply(Permisos(supervisor=False, configurar=False))

    def _apply(self, permisos: Permisos) -> None:
        for action, allowed in (
            (self.export_action, permisos.supervisor),
            (self.setup_action, permisos.configurar),
        ):
            action.setEnabled(allowed)
            action.setToolTip("" if allowed else SOLO_SUPERVISORES)


def install(window: MainWindow) -> RoleGate:
    return RoleGate(window)
