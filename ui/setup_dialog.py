"""First-run setup (and Herramientas > Configuración…): database, where WhatsApp sends happen,
Botmaker, link and Portal LITE.

The form is turned into config-file values plus keyring secrets by `SetupForm.collect()`, which
refuses with one Spanish message before anything is written. Passwords and tokens go only to the
keyring (`db-password`, `botmaker-token`, `link-key`), never to the TOML file. The sending mode
(`[outbox] modo`) decides what is asked: "estaciones" (this PC sends) needs the Botmaker line,
template, token and the link key; "servicio" (`dim-revision serve` sends) needs no secret here.
"Probar conexión" runs `check_connection` on the task runner so a slow or unreachable server
never freezes the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dim_revision.config import Settings, read_config_file, validate_values, write_config_file
from dim_revision.db.engine import check_connection, create_db_engine
from dim_revision.errors import UserError
from dim_revision.secrets import SecretStore
from ui.setup_form import (
    CONEXION_OK,
    ENVIO_ESTACIONES,
    ENVIO_SERVICIO,
    ENVIOS,
    MODO_DEMO,
    MODO_INTEGRADA,
    MODO_URL,
    MODO_USUARIO,
    MODOS,
    PROBANDO,
    SetupForm,
    SetupResult,
    mode_of,
    mssql_url,
)
from ui.tasks import TaskFailure, TaskRunner

__all__ = [  # the form's names stay importable from here, as before the split
    "CONEXION_OK",
    "ENVIOS",
    "ENVIO_ESTACIONES",
    "ENVIO_SERVICIO",
    "MODOS",
    "MODO_DEMO",
    "MODO_INTEGRADA",
    "MODO_URL",
    "MODO_USUARIO",
    "PROBANDO",
    "SetupDialog",
    "SetupForm",
    "SetupResult",
    "merged_values",
    "mode_of",
    "mssql_url",
    "probe_connection",
]


def probe_connection(url: str, secrets: SecretStore, demo_db: Path) -> str:
    """Runs on the task runner: one round-trip, the engine disposed whatever happens."""
    from dim_revision.db.engine import sqlite_url

    engine = create_db_engine(url or sqlite_url(demo_db), secrets)
    try:
        check_connection(engine)
    finally:
        engine.dispose()
    return CONEXION_OK


def merged_values(
    current: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Keep every section and key of the existing file the form does not edit."""
    merged = {section: dict(values) for section, values in current.items()}
    for section, values in new.items():
        merged.setdefault(section, {}).update(values)
    if merged.get("database", {}).get("url") == "":
        del merged["database"]["url"]  # embedded database: the default, not an empty string
    return {section: values for section, values in merged.items() if values}


class SetupDialog(QDialog):
    """Modal; `accept()` only after the file and the keyring were written."""

    def __init__(
        self,
        config_file: Path,
        secrets: SecretStore,
        runner: TaskRunner,
        settings: Settings,
        demo_db: Path,
        parent: QWidget | None = None,
        first_run: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setWindowTitle("Configuración de DIM Revisión")
        self.config_file = config_file
        self.secrets = secrets
        self.runner = runner
        self.demo_db = demo_db
        self.form = SetupForm(self)
        self.form.load(settings)
        intro = QLabel(
            (
                "Es la primera vez que se abre DIM Revisión en esta PC. Completá la conexión a "
                "la base y elegí desde dónde salen los WhatsApp: si los envía esta PC, cargá los "
                "datos de Botmaker y la clave de los links; si los envía el servicio, no hace "
                "falta ningún secreto. Las contraseñas se guardan en el llavero del sistema, no "
                "en el archivo."
                if first_run
                else f"Archivo de configuración: {config_file}"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.error = QLabel("", self)
        self.error.setObjectName("setupError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel#setupError { color: #b91c1c; font-weight: bold; }")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Guardar")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancelar")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # The form scrolls, the intro and the buttons stay: on a 1366×768 call-center screen the
        # whole form (database, sending mode, Botmaker, links) is taller than the screen.
        scroll = QScrollArea(self)
        scroll.setObjectName("setupScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(self.form.sizeHint().width() + 24)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._fit_screen(scroll)
        self.form.probar.clicked.connect(self.test_connection)
        self.form.changed.connect(self.error.hide)
        self.saved: SetupResult | None = None

    def _fit_screen(self, scroll: QScrollArea) -> None:
        """No taller than the screen's available height (the task bar stays visible)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        room = screen.availableGeometry().height() - 60  # the window's title bar and frame
        wanted = self.form.sizeHint().height() + 160  # intro, error line, buttons, margins
        self.resize(scroll.minimumWidth() + 40, max(360, min(wanted, room)))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def test_connection(self) -> None:
        try:
            url = self.form.database_url()
        except UserError as exc:
            self._probe_done(str(exc), ok=False)
            return
        self.form.probar.setEnabled(False)
        self.form.probe_status.setText(PROBANDO)
        self.runner.submit(
            probe_connection,
            url,
            self.form.probe_secrets(self.secrets),
            self.demo_db,
            on_done=lambda message: self._probe_done(str(message), ok=True),
            on_error=lambda failure: self._probe_failed(failure),
            key="setup-probar-conexion",
        )

    def _probe_failed(self, failure: TaskFailure) -> None:
        self._probe_done(failure.message, ok=False)

    def _probe_done(self, message: str, ok: bool) -> None:
        self.form.probar.setEnabled(True)
        self.form.probe_status.setProperty("ok", ok)
        self.form.probe_status.setStyleSheet(f"color: {'#15803d' if ok else '#b91c1c'};")
        self.form.probe_status.setText(message)

    def save(self) -> None:
        """Validate everything, then keyring, then the file (atomic); any refusal writes nothing."""
        try:
            result = self.form.collect(self.secrets)
            values = merged_values(read_config_file(self.config_file), result.values)
            _validate(values)
            for name, value in result.secrets.items():
                self.secrets.set(name, value)
            write_config_file(self.config_file, values)
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.saved = result
        self.accept()


def _validate(values: Mapping[str, Mapping[str, Any]]) -> None:
    """The config module's own checks, before any secret is stored."""
    validate_values(values)
