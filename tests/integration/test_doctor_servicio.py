"""`doctor` on a workstation in [outbox] modo = "servicio" (no sending secrets here) and with IT's
machine-wide config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dim_revision import doctor
from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import utcnow
from dim_revision.config import Settings
from dim_revision.db.uow import Database
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor

ACTOR = Actor("soporte", "pc-it")


def run_doctor(
    settings: Settings, secrets: MemoryStore, db: Database, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    ctx = AppContext(settings, AppPaths.for_user(), secrets, ACTOR, utcnow, _db=db)
    code = main(["doctor"], context=ctx)
    return code, capsys.readouterr().out


def test_servicio_workstation_without_any_secret_is_all_ok(
    database: Database, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = isolated_home / "machine" / "config.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text("[outbox]\nmodo = 'servicio'\n", encoding="utf-8")
    settings = Settings().replace("outbox", modo="servicio")  # no canal, no token, no link key
    code, out = run_doctor(settings, MemoryStore(), database, capsys)
    assert code == 0, out
    assert "[FALLA]" not in out
    assert f"[OK] Configuración: {machine} se lee bien" in out
    assert "[OK] Llavero y secretos: esta PC no necesita secretos" in out
    assert "[OK] Envíos de WhatsApp: modo servicio" in out
    assert "Botmaker:" not in out and "Clave de los links" not in out


def test_estaciones_workstation_still_demands_the_sending_secrets(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_doctor(Settings(), MemoryStore(), database, capsys)
    assert code == 1
    assert "[FALLA] Llavero y secretos: faltan: botmaker-token, link-key" in out
    assert "[FALLA] Clave de los links" in out
    assert "[FALLA] Botmaker" in out


def test_servicio_with_sql_login_still_needs_the_db_password() -> None:
    url = "mssql+pyodbc://revision@SQLDIM01/DIM?driver=ODBC+Driver+18+for+SQL+Server"
    result = doctor.check_secrets(MemoryStore(), url, None, sends=False)
    assert result.estado == doctor.FALLA and "db-password" in result.detalle
    assert "botmaker" not in result.detalle


def test_bad_machine_file_is_a_failure_naming_it(tmp_path: Path) -> None:
    machine = tmp_path / "machine.toml"
    machine.write_text("[outbox\n", encoding="utf-8")
    result = doctor.check_config(tmp_path / "user.toml", machine)
    assert result.estado == doctor.FALLA and "machine.toml" in result.detalle
