"""The foundation commands: db, config, secrets — success and each bad input (clear message, exit 2)."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.secrets import KeyringStore
from tests.contexts import new_context


def _ctx() -> AppContext:
    return new_context(KeyringStore())


def test_db_upgrade_and_current_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "x.sqlite3")
    assert main(["--db", url, "db", "current"], context=_ctx()) == 1  # no schema yet
    assert main(["--db", url, "db", "upgrade"], context=_ctx()) == 0
    assert main(["--db", url, "db", "current"], context=_ctx()) == 0
    out = capsys.readouterr().out
    assert "al día" in out and migrate.head_revision() in out  # type: ignore[operator]


def test_db_upgrade_on_postgres(pg_session_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", pg_session_url, "db", "upgrade"], context=_ctx()) == 0
    assert main(["--db", pg_session_url, "db", "current"], context=_ctx()) == 0


def test_upgrade_sql_for_sql_server_needs_no_server(capsys: pytest.CaptureFixture[str]) -> None:
    url = "mssql+pyodbc://dba:secreto@sqlprod/DIM?driver=ODBC+Driver+18+for+SQL+Server"
    assert main(["--db", url, "db", "upgrade", "--sql"], context=_ctx()) == 0
    sql = capsys.readouterr().out
    assert "CREATE TABLE revision.solicitud_asistencia" in sql  # our own schema (issue #11)
    assert "VARBINARY(max)" in sql and "DATETIME2" in sql and "NVARCHAR(max)" in sql
    assert "CREATE INDEX ix_solicitud_asistencia_resuelto_fecha_subida" in sql
    assert "CREATE INDEX ix_envio_estado_enviar_desde" in sql
    assert "CREATE TABLE revision.alembic_version" in sql
    # No DIM table, nor a foreign key into one (our respuesta_paciente is fine).
    assert not re.search(r"TABLE (\w+\.)?paciente\b|REFERENCES (\w+\.)?paciente\b", sql)
    assert "secreto" not in sql


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mssql+pyodbc://srv:puerto/x", "no es válida"),  # a plain string is a SQLite path
        ("oracle://x/y", "no soportada"),
        ("postgresql://nadie:mal@127.0.0.1:1/x", "No se pudo conectar"),
        ("mssql+pyodbc://srv/dim?driver=Driver+Inexistente", "Falta el driver ODBC"),
    ],
)
def test_bad_database_urls_end_with_one_clear_message(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", url, "db", "current"], context=_ctx()) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert "mal@" not in err  # passwords are masked


def test_unwritable_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        target = "/proc/no-se-puede/x.sqlite3"  # root ignores permission bits; /proc refuses anyway
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        target = str(locked / "x.sqlite3")
    assert main(["--db", f"sqlite:///{target}", "db", "upgrade"], context=_ctx()) == 2
    assert "carpeta de datos" in capsys.readouterr().err


def test_corrupt_config_file_through_the_real_entry_point(
    tmp_path: Path, isolated_home: Path
) -> None:
    cfg = isolated_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("[database\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "dim_revision", "config", "show"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DIM_REVISION_HOME": str(isolated_home)},
    )
    assert done.returncode == 2
    assert "dañado" in done.stderr and "Traceback" not in done.stderr


def test_config_show_masks_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://dim:supersecreta@db.local/dim"
    assert main(["--db", url, "config", "show"], context=_ctx()) == 0
    out = capsys.readouterr().out
    assert "supersecreta" not in out and "***" in out and "[botmaker]" in out


def test_secrets_set_reads_stdin_and_check_reports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["secrets", "check"], context=_ctx()) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("tok-123\n"))
    assert main(["secrets", "set", "botmaker-token"], context=_ctx()) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("q8Jf2LrX0vN7pT4wZc9bH6mK1sD3gA5yE0uR8iO2lQw\n"))
    assert main(["secrets", "set", "link-key"], context=_ctx()) == 0
    out = capsys.readouterr().out
    assert "tok-123" not in out  # never echoed
    assert KeyringStore().get("botmaker-token") == "tok-123"
    assert main(["secrets", "check"], context=_ctx()) == 0
    assert "tok-123" not in capsys.readouterr().out


def test_secrets_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["secrets", "set", "otra-cosa"], context=_ctx()) == 2
    assert "desconocido" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert main(["secrets", "set", "botmaker-token"], context=_ctx()) == 2
    assert "vacío" in capsys.readouterr().err
    assert KeyringStore().get("botmaker-token") is None
    for weak in ("abc", "a" * 32, "abcd" * 16, "0123456789abcdef0123456789abcdef"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(weak + "\n"))
        assert main(["secrets", "set", "link-key"], context=_ctx()) == 2
        assert "link" in capsys.readouterr().err
        assert KeyringStore().get("link-key") is None


def test_sqlite_engine_pragmas(tmp_path: Path) -> None:
    engine = create_db_engine(sqlite_url(tmp_path / "p.sqlite3"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()
