"""Exportar…: the grid's current filter to CSV or XLSX, in the background with a progress dialog.

The file chooser is injected (tests answer it without a native dialog). `exportar` reports
progress from the worker thread; a signal carries it to the GUI thread, where the dialog lives.
The service cannot be interrupted halfway, so the progress dialog has no cancel button.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from dim_revision.clock import Clock, local_today
from dim_revision.services.actor import Actor
from dim_revision.services.base import Database
from dim_revision.services.exportar import Formato, Progreso, ResultadoExport, exportar
from dim_revision.services.queue import QueueFilter
from ui.db_errors import db_task
from ui.tasks import TaskFailure, TaskRunner

ChooseFile = Callable[[QWidget, str], Path | None]  # (parent, suggested name) -> target or None
Say = Callable[[str, str], None]  # (text, kind) on the window's banner

FILTRO_CSV = "CSV para Excel (*.csv)"
FILTRO_XLSX = "Libro de Excel (*.xlsx)"


def formato_de(path: Path) -> Formato:
    """The extension decides; anything that is not .xlsx is written as CSV."""
    return Formato.XLSX if path.suffix.lower() == ".xlsx" else Formato.CSV


def choose_file(parent: QWidget, suggested: str) -> Path | None:
    """The native "Guardar como"; adds the extension of the chosen type when it was left out."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        "Exportar solicitudes",
        str(Path.home() / suggested),
        f"{FILTRO_CSV};;{FILTRO_XLSX}",
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        path = path.with_name(path.name + (".xlsx" if chosen == FILTRO_XLSX else ".csv"))
    return path


def texto_resultado(resultado: ResultadoExport) -> str:
    if resultado.filas == 1:
        return f"Exportada 1 solicitud a «{resultado.archivo}»."
    return f"Exportadas {resultado.filas} solicitudes a «{resultado.archivo}»."


class Exporter(QObject):
    """Runs one export at a time; the outcome goes to the banner through `say`."""

    progress = Signal(int, int)  # emitted from the worker thread; queued to the GUI thread

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        runner: TaskRunner,
        parent_widget: QWidget,
        say: Say,
        *,
        choose: ChooseFile = choose_file,
    ) -> None:
        super().__init__(parent_widget)
        self.db, self.actor, self.clock, self.runner = db, actor, clock, runner
        self.parent_widget = parent_widget
        self.say = say
        self.choose = choose
        self.dialog: QProgressDialog | None = None
        self.last: ResultadoExport | None = None
        self.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self.dialog is not None

    def start(self, filtro: QueueFilter) -> bool:
        """Ask for the target and start; False when cancelled or an export is already running."""
        if self.running:
            self.say("Ya hay una exportación en curso.", "warning")
            return False
        suggested = f"solicitudes-{local_today(self.clock()):%Y-%m-%d}.csv"
        destino = self.choose(self.parent_widget, suggested)
        if destino is None:
            return False
        self.dialog = self._progress_dialog(destino)
        self.runner.submit(
            db_task(_exportar),
            self.db,
            self.actor,
            self.clock(),
            filtro,
            destino,
            self.progress.emit,
            on_done=self._on_done,
            on_error=self._on_error,
            key="exportar",
        )
        return True

    def _progress_dialog(self, destino: Path) -> QProgressDialog:
        dialog = QProgressDialog(f"Exportando a «{destino.name}»…", "", 0, 0, self.parent_widget)
        dialog.setObjectName("exportProgress")
        dialog.setWindowTitle("Exportar solicitudes")
        dialog.setCancelButton(None)  # exportar cannot stop halfway
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.show()
        return dialog

    def _on_progress(self, done: int, total: int) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        dialog.setLabelText(f"Exportando… {done} de {total} solicitudes.")
        dialog.setMaximum(max(total, 1))
        # Last: on a modal dialog setValue processes events, and the export may finish inside it.
        dialog.setValue(min(done, max(total, 1)))

    def _finish(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_done(self, resultado: ResultadoExport) -> None:
        self._finish()
        self.last = resultado
        self.say(texto_resultado(resultado), "info")

    def _on_error(self, failure: TaskFailure) -> None:
        self._finish()
        self.say(failure.message, "error")


def _exportar(
    db: Database,
    actor: Actor,
    now: datetime,
    filtro: QueueFilter,
    destino: Path,
    progreso: Progreso,
) -> ResultadoExport:
    return exportar(db, actor, now, filtro, destino, formato_de(destino), progreso=progreso)
