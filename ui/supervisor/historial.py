"""Historial (Ctrl+H, declared in `ui/shortcuts.SPECS`): the open request's audit trail as readable lines; read-only, for everyone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from dim_revision.services.base import Database
from dim_revision.services.historial import LineaHistorial, historial
from ui.db_errors import db_task
from ui.tasks import TaskFailure, TaskRunner

SIN_SELECCION = "Elegí una solicitud de la lista para ver su historial."


class HistorialDialog(QDialog):
    """Loads in the background; shows "Cargando…" until the lines (or the refusal) arrive."""

    def __init__(
        self, db: Database, runner: TaskRunner, solicitud_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historialDialog")
        self.setWindowTitle(f"Historial de la solicitud {solicitud_id}")
        self.resize(760, 420)
        self.status = QLabel("Cargando…", self)
        self.status.setWordWrap(True)
        self.lines = QListWidget(self)
        self.lines.setObjectName("historialLines")
        self.lines.setWordWrap(True)
        self.loaded = False
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Cerrar")  # Spanish even without Qt's catalog (ui/translations.py)
        self.close_button = close
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.lines, 1)
        layout.addWidget(buttons)
        runner.submit(
            db_task(historial),
            db,
            solicitud_id,
            on_done=self._on_lines,
            on_error=self._on_error,
            key="historial",
        )

    def _on_lines(self, lines: list[LineaHistorial]) -> None:
        self.loaded = True
        self.status.setText(f"{len(lines)} movimientos, del más viejo al más nuevo.")
        for linea in lines:
            self.lines.addItem(linea.formato())
        self.lines.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_error(self, failure: TaskFailure) -> None:
        self.loaded = True
        self.status.setText(failure.message)

    def texts(self) -> list[str]:
        return [self.lines.item(i).text() for i in range(self.lines.count())]
