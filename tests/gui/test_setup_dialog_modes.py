"""The setup setup_dialog's two sending modes: "estaciones" asks for Botmaker and the link key,
"servicio" asks for no secret; and IT's machine-wide file (first run, pre-filled values)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.secrets import SERVICE, MemoryStore
from tests.gui.harness import make_context
from ui.app import current_settings, needs_first_run_setup
from ui.setup_dialog import (
    ENVIO_ESTACIONES,
    ENVIO_SERVICIO,
    MODO_INTEGRADA,
    SetupDialog,
    mssql_url,
)
from ui.tasks import TaskRunner

LINK_KEY = "clave-de-links-del-portal-" + "x" * 20


def fill_database(dlg: SetupDialog) -> None:
    f = dlg.form
    f.set_modo(MODO_INTEGRADA)
    f.server.setText("SQLDIM01")
    f.database.setText("DIM")
    f.link_base.setText("https://portal.example/turno-asistido/")
    f.portal_url.setText("https://lite.example/turnos?dni={dni}")


def fill_sender(dlg: SetupDialog) -> None:
    f = dlg.form
    f.set_envio(ENVIO_ESTACIONES)
    f.canal.setText("5491155550000")
    f.plantilla.setText("dim_link_turno")
    f.token.setText("tok-123")
    f.link_key.setText(LINK_KEY)


def no_sending_secrets() -> bool:
    return all(keyring.get_password(SERVICE, n) is None for n in ("botmaker-token", "link-key"))


def test_servicio_asks_for_no_secret_and_stores_none(
    setup_dialog: SetupDialog, config_file: Path
) -> None:
    fill_database(setup_dialog)
    setup_dialog.form.set_envio(ENVIO_SERVICIO)
    f = setup_dialog.form
    assert not f.bm_box.isEnabled() and not f.token.isEnabled() and not f.link_key.isEnabled()
    assert f.canal.text() == "" and f.token.text() == ""  # nothing of Botmaker's typed
    setup_dialog.save()
    assert setup_dialog.result() == QDialog.DialogCode.Accepted, setup_dialog.error.text()
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert data["outbox"] == {"modo": "servicio"}
    assert "botmaker" not in data
    assert "trusted_connection=yes" in data["database"]["url"]  # integrated auth: no password
    assert no_sending_secrets()
    assert keyring.get_password(SERVICE, "db-password") is None


def test_estaciones_asks_for_botmaker_and_the_link_key(
    setup_dialog: SetupDialog, config_file: Path
) -> None:
    fill_database(setup_dialog)
    fill_sender(setup_dialog)
    f = setup_dialog.form
    assert f.bm_box.isEnabled() and f.link_key.isEnabled()
    assert f.link_key.echoMode() == f.link_key.EchoMode.Password
    setup_dialog.save()
    assert setup_dialog.result() == QDialog.DialogCode.Accepted, setup_dialog.error.text()
    text = config_file.read_text(encoding="utf-8")
    assert LINK_KEY not in text and "tok-123" not in text
    data = tomllib.loads(text)
    assert data["outbox"] == {"modo": "estaciones"}
    assert data["botmaker"]["canal"] == "5491155550000"
    assert keyring.get_password(SERVICE, "link-key") == LINK_KEY
    assert keyring.get_password(SERVICE, "botmaker-token") == "tok-123"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("corta-" + "x" * 25, "al menos 32 caracteres"),  # 31 bytes
        ("", "Ingresá la clave de los links"),
    ],
)
def test_bad_or_missing_link_key_writes_nothing(
    setup_dialog: SetupDialog, config_file: Path, key: str, message: str
) -> None:
    fill_database(setup_dialog)
    fill_sender(setup_dialog)
    setup_dialog.form.link_key.setText(key)
    setup_dialog.save()
    assert setup_dialog.result() != QDialog.DialogCode.Accepted
    assert message in setup_dialog.error.text()
    assert not config_file.exists()
    assert no_sending_secrets()  # not even the token typed beside it


def test_switching_back_to_estaciones_asks_again(
    setup_dialog: SetupDialog, config_file: Path
) -> None:
    fill_database(setup_dialog)
    setup_dialog.form.set_envio(ENVIO_SERVICIO)
    setup_dialog.form.set_envio(ENVIO_ESTACIONES)
    setup_dialog.save()
    assert "Ingresá la línea / canal" in setup_dialog.error.text()
    assert not config_file.exists()


def test_mode_is_preselected_from_the_settings(
    qtbot: QtBot, runner: TaskRunner, config_file: Path, tmp_path: Path
) -> None:
    settings = Settings().replace("outbox", modo="servicio")
    dlg = SetupDialog(config_file, MemoryStore(), runner, settings, tmp_path / "demo.sqlite3")
    qtbot.addWidget(dlg)
    assert dlg.form.envio() == ENVIO_SERVICIO
    assert not dlg.form.link_key.isEnabled()


def test_machine_file_skips_first_run_and_prefills(
    sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, isolated_home: Path
) -> None:
    ctx = make_context(sqlite_db, clock, secrets)
    assert needs_first_run_setup(ctx)
    url = mssql_url("SQLDIM01", "DIM", "ODBC Driver 18 for SQL Server")
    machine = isolated_home / "machine" / "config.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text(f"[database]\nurl = '{url}'\n[outbox]\nmodo = 'servicio'\n", "utf-8")
    assert not needs_first_run_setup(ctx)  # IT pushed DB_URL / MODO: the operator is not asked
    settings = current_settings(ctx)
    assert (settings.database.url, settings.outbox.modo) == (url, "servicio")
