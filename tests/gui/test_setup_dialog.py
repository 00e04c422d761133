"""First-run setup setup_dialog: connection probe on the task runner, validation, TOML + keyring."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings, load_settings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.uow import Database
from dim_revision.secrets import SERVICE, KeyringStore, MemoryStore
from tests.gui.harness import make_context, open_window
from ui.app import connect_setup_menu, needs_first_run_setup
from ui.setup_dialog import (
    CONEXION_OK,
    MODO_DEMO,
    MODO_INTEGRADA,
    MODO_URL,
    MODO_USUARIO,
    SetupDialog,
    mode_of,
    mssql_url,
)
from ui.tasks import TaskRunner


def fill_valid(dlg: SetupDialog) -> None:
    f = dlg.form
    f.set_modo(MODO_USUARIO)
    f.server.setText("SQLDIM01\\PROD")
    f.database.setText("DIM")
    f.user.setText("revision")
    f.password.setText("s3cr3to!")
    f.canal.setText("5491155550000")
    f.plantilla.setText("dim_link_turno")
    f.token.setText("tok-123")
    f.link_key.setText("k" * 43)
    f.api_version.setCurrentText("v1")
    f.link_base.setText("https://portal.example/turno-asistido/")
    f.portal_url.setText("https://lite.example/turnos?dni={dni}")


def probe(qtbot: QtBot, dlg: SetupDialog) -> str:
    dlg.form.probar.click()
    qtbot.waitUntil(lambda: dlg.form.probar.isEnabled(), timeout=15_000)
    return dlg.form.probe_status.text()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_probe_ok_against_real_sqlite_file(
    qtbot: QtBot, setup_dialog: SetupDialog, tmp_path: Path
) -> None:
    path = tmp_path / "real.sqlite3"
    engine = create_db_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    setup_dialog.form.set_modo(MODO_URL)
    setup_dialog.form.url.setText(sqlite_url(path))
    assert probe(qtbot, setup_dialog) == CONEXION_OK
    assert setup_dialog.form.probe_status.property("ok") is True


def test_probe_error_against_closed_postgres_port(qtbot: QtBot, setup_dialog: SetupDialog) -> None:
    setup_dialog.form.set_modo(MODO_URL)
    setup_dialog.form.url.setText(f"postgresql+psycopg://nadie@127.0.0.1:{closed_port()}/nada")
    message = probe(qtbot, setup_dialog)
    assert message.startswith("No se pudo conectar a la base de datos")
    assert "127.0.0.1" in message
    assert setup_dialog.form.probe_status.property("ok") is False


def test_probe_without_server_explains_in_spanish(qtbot: QtBot, setup_dialog: SetupDialog) -> None:
    setup_dialog.form.set_modo(MODO_INTEGRADA)
    setup_dialog.form.server.setText("")
    assert probe(qtbot, setup_dialog) == "Ingresá el servidor SQL Server."


def test_save_writes_toml_and_keyring_not_the_password(
    setup_dialog: SetupDialog, config_file: Path
) -> None:
    fill_valid(setup_dialog)
    setup_dialog.buttons.accepted.emit()
    assert setup_dialog.result() == QDialog.DialogCode.Accepted
    text = config_file.read_text(encoding="utf-8")
    assert "s3cr3to!" not in text and "tok-123" not in text
    data = tomllib.loads(text)
    assert data["botmaker"] == {
        "api_version": "v1",
        "canal": "5491155550000",
        "plantilla": "dim_link_turno",
    }
    assert data["portal_lite"]["url"] == "https://lite.example/turnos?dni={dni}"
    assert data["link"]["base_url"] == "https://portal.example/turno-asistido/"
    assert keyring.get_password(SERVICE, "db-password") == "s3cr3to!"
    assert keyring.get_password(SERVICE, "botmaker-token") == "tok-123"
    settings = load_settings(config_file)  # what the app reads next time
    assert mode_of(settings.database.url) == MODO_USUARIO
    assert "revision@" in settings.database.url and "SQLDIM01" in settings.database.url
    assert "driver=ODBC+Driver+18+for+SQL+Server" in settings.database.url


def test_save_keeps_sections_the_form_does_not_edit(
    setup_dialog: SetupDialog, config_file: Path
) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        "[envio]\ndemora_minutos = 5\n\n[database]\necho = true\n", encoding="utf-8"
    )
    fill_valid(setup_dialog)
    setup_dialog.form.set_modo(MODO_DEMO)
    setup_dialog.save()
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert data["envio"] == {"demora_minutos": 5}
    assert data["database"] == {"echo": True}  # embedded database: no url key at all


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.portal_url.setText("https://lite.example/turnos"), "debe incluir {dni}"),
        (lambda f: f.server.setText(" "), "Ingresá el servidor SQL Server."),
        (lambda f: f.user.setText(""), "Ingresá el usuario de SQL Server."),
        (lambda f: f.password.setText(""), "Ingresá la contraseña de SQL Server."),
        (lambda f: f.token.setText(""), "Ingresá el token de Botmaker."),
        (lambda f: f.canal.setText(""), "Ingresá la línea / canal"),
        (lambda f: f.link_base.setText("portal.example/x"), "debe empezar con https://"),
    ],
)
def test_invalid_input_writes_nothing(
    setup_dialog: SetupDialog, config_file: Path, change: object, message: str
) -> None:
    fill_valid(setup_dialog)
    change(setup_dialog.form)  # type: ignore[operator]
    setup_dialog.save()
    assert setup_dialog.result() != QDialog.DialogCode.Accepted
    assert setup_dialog.error.isVisibleTo(setup_dialog)
    assert message in setup_dialog.error.text()
    assert not config_file.exists()
    assert not config_file.with_suffix(".tmp").exists()
    assert keyring.get_password(SERVICE, "db-password") is None
    assert keyring.get_password(SERVICE, "botmaker-token") is None


def test_stored_secrets_need_not_be_typed_again(
    qtbot: QtBot, runner: TaskRunner, config_file: Path, tmp_path: Path
) -> None:
    store = KeyringStore()
    store.set("db-password", "vieja")
    store.set("botmaker-token", "token-viejo")
    store.set("link-key", "clave-vieja-" + "x" * 32)
    settings = Settings().replace(
        "database", url=mssql_url("SRV", "DIM", "ODBC Driver 18 for SQL Server", "op")
    )
    settings = settings.replace("botmaker", canal="123")
    dlg = SetupDialog(config_file, store, runner, settings, tmp_path / "demo.sqlite3")
    qtbot.addWidget(dlg)
    assert dlg.form.modo() == MODO_USUARIO
    assert (dlg.form.server.text(), dlg.form.database.text(), dlg.form.user.text()) == (
        "SRV",
        "DIM",
        "op",
    )
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted, dlg.error.text()
    assert store.get("db-password") == "vieja"
    assert store.get("botmaker-token") == "token-viejo"


def test_mode_of_existing_urls() -> None:
    assert mode_of("") == MODO_DEMO
    assert mode_of(mssql_url("S", "D", "ODBC Driver 18 for SQL Server")) == MODO_INTEGRADA
    assert mode_of("sqlite:///x.db") == MODO_URL


def test_first_run_only_without_config_file_and_outside_the_demo(
    sqlite_db: Database, clock: FakeClock, secrets: MemoryStore
) -> None:
    ctx = make_context(sqlite_db, clock, secrets)
    assert needs_first_run_setup(ctx)
    ctx.extras["botmaker_fake"] = object()  # what `dim-revision demo` sets
    assert not needs_first_run_setup(ctx)
    ctx.extras.clear()
    ctx.paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    ctx.paths.config_file.write_text("", encoding="utf-8")
    assert not needs_first_run_setup(ctx)


def test_menu_opens_setup_and_saving_says_to_restart(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    ctx = make_context(sqlite_db, clock, secrets)
    window = open_window(qtbot, ctx, runner, wait_for_record=False).window
    connect_setup_menu(ctx, runner, window)
    menu = window.menuBar().actions()[0]
    assert menu.text() == "Herramientas"
    assert window.setup_action in menu.menu().actions()
    seen: list[object] = []

    def fill_and_save() -> None:
        dlg = QApplication.activeModalWidget()
        seen.append(dlg)
        assert isinstance(dlg, SetupDialog)
        fill_valid(dlg)
        dlg.save()

    QTimer.singleShot(0, fill_and_save)
    window.setup_action.trigger()
    assert len(seen) == 1
    assert tomllib.loads(ctx.paths.config_file.read_text(encoding="utf-8"))["botmaker"]["canal"]
    assert secrets.get("botmaker-token") == "tok-123"
    assert "Configuración guardada" in window.message_banner.text
