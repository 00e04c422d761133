"""The setup form: database, where the WhatsApp sends happen, Botmaker, link and Portal LITE.

`SetupForm.collect()` turns what was typed into config-file values plus keyring secrets, or
refuses with one Spanish message before anything is written (see `ui.setup_dialog`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from dim_revision.config import Settings
from dim_revision.db.engine import MSSQL_DEFAULT_DRIVER
from dim_revision.doctor import MIN_LINK_KEY_BYTES
from dim_revision.errors import UserError
from dim_revision.secrets import MemoryStore, SecretStore

MODO_INTEGRADA = "integrada"
MODO_USUARIO = "usuario"
MODO_DEMO = "demo"
MODO_URL = "url"
MODOS = (
    (MODO_INTEGRADA, "SQL Server con seguridad integrada de Windows"),
    (MODO_USUARIO, "SQL Server con usuario y contraseña"),
    (MODO_DEMO, "Base de demostración incluida (sólo para probar)"),
    (MODO_URL, "Otra (URL de SQLAlchemy: SQLite, PostgreSQL…)"),
)
ENVIO_ESTACIONES = "estaciones"
ENVIO_SERVICIO = "servicio"
ENVIOS = (
    (
        ENVIO_ESTACIONES,
        "Desde cada PC: esta PC envía los WhatsApp (pide el token de Botmaker y la clave de los links)",
    ),
    (
        ENVIO_SERVICIO,
        "Desde el servicio del servidor (dim-revision serve): esta PC no guarda ningún secreto",
    ),
)
CONEXION_OK = "Conexión correcta."
PROBANDO = "Probando la conexión…"


@dataclass(frozen=True)
class SetupResult:
    """What saving writes: config-file sections and keyring secrets (only the ones typed)."""

    values: dict[str, dict[str, Any]]
    secrets: dict[str, str] = field(default_factory=dict)


def mssql_url(server: str, database: str, driver: str, user: str = "") -> str:
    """The SQLAlchemy URL for SQL Server; integrated auth when `user` is empty."""
    query = {"driver": driver}
    if not user:
        query["trusted_connection"] = "yes"
    url = URL.create(
        "mssql+pyodbc", username=user or None, host=server, database=database, query=query
    )
    return url.render_as_string(hide_password=False)


def mode_of(url: str) -> str:
    """Which radio button describes an existing `[database] url`."""
    if not url:
        return MODO_DEMO
    try:
        parsed = make_url(url)
    except ArgumentError:
        return MODO_URL
    if parsed.get_backend_name() != "mssql" or "odbc_connect" in parsed.query:
        return MODO_URL
    trusted = str(parsed.query.get("trusted_connection", "")).lower() == "yes"
    return MODO_USUARIO if parsed.username and not trusted else MODO_INTEGRADA


class SetupForm(QWidget):
    """The fields; no buttons, so the same form could live in a wizard page."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.modo_group = QButtonGroup(self)
        self.modo_buttons: dict[str, QRadioButton] = {}
        db_box = QGroupBox("Base de datos", self)
        db_layout = QVBoxLayout(db_box)
        for key, text in MODOS:
            button = QRadioButton(text, db_box)
            button.setObjectName(f"modo_{key}")
            self.modo_group.addButton(button)
            self.modo_buttons[key] = button
            db_layout.addWidget(button)
        self.server = self._line("servidor", "p. ej. SQLDIM01 o SQLDIM01\\INSTANCIA")
        self.database = self._line("base", "p. ej. DIM")
        self.user = self._line("usuario", "usuario de SQL Server")
        self.password = self._line("contrasena", "se guarda en el llavero del sistema")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.driver = self._line("driver", MSSQL_DEFAULT_DRIVER)
        self.driver.setText(MSSQL_DEFAULT_DRIVER)
        self.url = self._line("url", "sqlite:///C:/datos/dim.sqlite3")
        db_form = QFormLayout()
        db_form.addRow("Servidor:", self.server)
        db_form.addRow("Base:", self.database)
        db_form.addRow("Usuario:", self.user)
        db_form.addRow("Contraseña:", self.password)
        db_form.addRow("Driver ODBC:", self.driver)
        db_form.addRow("URL:", self.url)
        db_layout.addLayout(db_form)
        self.probar = QPushButton("Probar conexión", db_box)
        self.probar.setObjectName("probarConexion")
        self.probe_status = QLabel("", db_box)
        self.probe_status.setObjectName("probeStatus")
        self.probe_status.setWordWrap(True)
        probe_row = QHBoxLayout()
        probe_row.addWidget(self.probar)
        probe_row.addWidget(self.probe_status, 1)
        db_layout.addLayout(probe_row)

        envio_box = QGroupBox("Envíos de WhatsApp", self)
        envio_layout = QVBoxLayout(envio_box)
        self.envio_group = QButtonGroup(self)
        self.envio_buttons: dict[str, QRadioButton] = {}
        for key, text in ENVIOS:
            button = QRadioButton(text, envio_box)
            button.setObjectName(f"envio_{key}")
            self.envio_group.addButton(button)
            self.envio_buttons[key] = button
            envio_layout.addWidget(button)

        bm_box = QGroupBox("Botmaker (WhatsApp)", self)
        self.bm_box = bm_box
        self.api_version = QComboBox(bm_box)
        self.api_version.setObjectName("apiVersion")
        self.api_version.addItems(["v2", "v1"])
        self.canal = self._line("canal", "línea / canal de WhatsApp")
        self.plantilla = self._line("plantilla", "nombre de la plantilla aprobada")
        self.token = self._line("token", "se guarda en el llavero del sistema")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        bm_form = QFormLayout(bm_box)
        bm_form.addRow("Versión de la API:", self.api_version)
        bm_form.addRow("Línea / canal:", self.canal)
        bm_form.addRow("Plantilla:", self.plantilla)
        bm_form.addRow("Token:", self.token)

        links_box = QGroupBox("Links", self)
        self.link_base = self._line("linkBase", "https://…/turno-asistido/")
        self.portal_url = self._line("portalUrl", "https://…?dni={dni}")
        self.link_key = self._line(
            "linkKey", f"la misma del portal, {MIN_LINK_KEY_BYTES} caracteres o más; va al llavero"
        )
        self.link_key.setEchoMode(QLineEdit.EchoMode.Password)
        links_form = QFormLayout(links_box)
        links_form.addRow("Link para el paciente:", self.link_base)
        links_form.addRow("Clave de los links:", self.link_key)
        links_form.addRow("Portal LITE ({dni}):", self.portal_url)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(db_box)
        layout.addWidget(envio_box)
        layout.addWidget(bm_box)
        layout.addWidget(links_box)
        self.modo_group.buttonToggled.connect(lambda *_: self._sync_enabled())
        self.modo_buttons[MODO_INTEGRADA].setChecked(True)
        self.envio_group.buttonToggled.connect(lambda *_: self._sync_envio())
        self.envio_buttons[ENVIO_ESTACIONES].setChecked(True)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(placeholder)
        line.textChanged.connect(self.changed)
        return line

    # --- state ---------------------------------------------------------------------------------

    def modo(self) -> str:
        for key, button in self.modo_buttons.items():
            if button.isChecked():
                return key
        return MODO_INTEGRADA

    def set_modo(self, modo: str) -> None:
        self.modo_buttons[modo].setChecked(True)

    def envio(self) -> str:
        """[outbox] modo: "estaciones" or "servicio"."""
        for key, button in self.envio_buttons.items():
            if button.isChecked():
                return key
        return ENVIO_ESTACIONES

    def set_envio(self, envio: str) -> None:
        self.envio_buttons[envio].setChecked(True)

    def _sync_envio(self) -> None:
        """Only what the chosen mode needs can be typed: in "servicio" nothing of Botmaker's and
        no link key (the service holds them)."""
        sends = self.envio() == ENVIO_ESTACIONES
        self.bm_box.setEnabled(sends)
        self.link_key.setEnabled(sends)
        self.changed.emit()

    def _sync_enabled(self) -> None:
        modo = self.modo()
        sql_server = modo in (MODO_INTEGRADA, MODO_USUARIO)
        for line in (self.server, self.database, self.driver):
            line.setEnabled(sql_server)
        for line in (self.user, self.password):
            line.setEnabled(modo == MODO_USUARIO)
        self.url.setEnabled(modo == MODO_URL)
        self.probe_status.clear()
        self.changed.emit()

    def load(self, settings: Settings) -> None:
        """Pre-fill from the effective settings (secrets are never shown, only replaced)."""
        url = settings.database.url
        modo = mode_of(url)
        self.set_modo(modo)
        if modo in (MODO_INTEGRADA, MODO_USUARIO):
            parsed = make_url(url)
            self.server.setText(parsed.host or "")
            self.database.setText(parsed.database or "")
            self.user.setText(parsed.username or "")
            self.driver.setText(str(parsed.query.get("driver", MSSQL_DEFAULT_DRIVER)))
        elif modo == MODO_URL:
            self.url.setText(url)
        self.set_envio(settings.outbox.modo)
        bm = settings.botmaker
        self.api_version.setCurrentText(bm.api_version)
        self.canal.setText(bm.canal)
        self.plantilla.setText(bm.plantilla)
        self.link_base.setText(settings.link.base_url)
        self.portal_url.setText(settings.portal_lite.url)

    # --- validation ----------------------------------------------------------------------------

    def database_url(self) -> str:
        """The `[database] url` the form describes; a UserError names the missing field."""
        modo = self.modo()
        if modo == MODO_DEMO:
            return ""
        if modo == MODO_URL:
            url = self.url.text().strip()
            if not url:
                raise UserError("Ingresá la URL de la base de datos.")
            return url
        server = self.server.text().strip()
        database = self.database.text().strip()
        driver = self.driver.text().strip() or MSSQL_DEFAULT_DRIVER
        if not server:
            raise UserError("Ingresá el servidor SQL Server.")
        if not database:
            raise UserError("Ingresá el nombre de la base de datos.")
        user = ""
        if modo == MODO_USUARIO:
            user = self.user.text().strip()
            if not user:
                raise UserError("Ingresá el usuario de SQL Server.")
        return mssql_url(server, database, driver, user)

    def collect(self, existing: SecretStore) -> SetupResult:
        """Everything to save, or a UserError (nothing is written by this method)."""
        url = self.database_url()
        secrets: dict[str, str] = {}
        if self.modo() == MODO_USUARIO:
            password = self.password.text()
            if password:
                secrets["db-password"] = password
            elif not existing.get("db-password"):
                raise UserError("Ingresá la contraseña de SQL Server.")
        envio = self.envio()
        botmaker: dict[str, Any] = {}
        if envio == ENVIO_ESTACIONES:
            botmaker = self._collect_sender(existing, secrets)
        link_base = self.link_base.text().strip()
        if not link_base.startswith(("https://", "http://")):
            raise UserError("El link para el paciente debe empezar con https://.")
        portal = self.portal_url.text().strip()
        if not portal.startswith(("https://", "http://")):
            raise UserError("La dirección del Portal LITE debe empezar con https://.")
        if "{dni}" not in portal:
            raise UserError(
                "La dirección del Portal LITE debe incluir {dni} donde va el documento del "
                "paciente (p. ej. https://portallite.dim.com.ar/turnos?dni={dni})."
            )
        values: dict[str, dict[str, Any]] = {
            "database": {"url": url},
            "outbox": {"modo": envio},
            "link": {"base_url": link_base},
            "portal_lite": {"url": portal},
        }
        if botmaker:
            values["botmaker"] = botmaker
        return SetupResult(values, secrets)

    def _collect_sender(self, existing: SecretStore, secrets: dict[str, str]) -> dict[str, Any]:
        """What a PC that sends needs: Botmaker's line, template and token, and the link key
        (typed, or already in the keyring). Adds the typed secrets to `secrets`."""
        canal = self.canal.text().strip()
        plantilla = self.plantilla.text().strip()
        if not canal:
            raise UserError("Ingresá la línea / canal de WhatsApp de Botmaker.")
        if not plantilla:
            raise UserError("Ingresá el nombre de la plantilla de Botmaker.")
        token = self.token.text().strip()
        if token:
            secrets["botmaker-token"] = token
        elif not existing.get("botmaker-token"):
            raise UserError("Ingresá el token de Botmaker.")
        key = self.link_key.text().strip()
        if key:
            if len(key.encode("utf-8")) < MIN_LINK_KEY_BYTES:
                raise UserError(
                    f"La clave de los links debe tener al menos {MIN_LINK_KEY_BYTES} caracteres: "
                    "usá la misma que el portal (dim-revision secrets generate link-key la crea)."
                )
            secrets["link-key"] = key
        elif not existing.get("link-key"):
            raise UserError(
                "Ingresá la clave de los links: la misma que usa el portal para verificarlos."
            )
        return {
            "api_version": self.api_version.currentText(),
            "canal": canal,
            "plantilla": plantilla,
        }

    def probe_secrets(self, existing: SecretStore) -> SecretStore:
        """The password being typed wins over the stored one, without storing it yet."""
        typed = self.password.text() if self.modo() == MODO_USUARIO else ""
        stored = existing.get("db-password")
        password = typed or stored
        return MemoryStore({"db-password": password} if password else {})
