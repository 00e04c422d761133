"""The machine-wide config file (IT's, written by the MSI): defaults < machine < user < env < CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dim_revision.config import load_layers, load_settings
from dim_revision.errors import ConfigError
from dim_revision.paths import AppPaths, machine_config_file


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_layers_defaults_machine_user_env_cli(tmp_path: Path) -> None:
    machine = _write(
        tmp_path / "machine.toml",
        "[database]\nurl = 'sqlite:///machine.db'\n[outbox]\nmodo = 'servicio'\n"
        "[envio]\ndemora_minutos = 30\n[botmaker]\ncanal = 'pc'\n",
    )
    user = _write(tmp_path / "user.toml", "[envio]\ndemora_minutos = 20\n[botmaker]\ncanal = 'u'\n")
    env = {"DIM_REVISION__BOTMAKER__CANAL": "env"}
    s = load_settings(user, environ=env, machine_file=machine)
    assert s.database.url == "sqlite:///machine.db"  # only the machine file sets it
    assert s.outbox.modo == "servicio"
    assert s.envio.demora_minutos == 20  # user beats machine, key by key
    assert s.botmaker.canal == "env"  # env beats both files
    assert s.envio.confirmar_preview == "primera"  # nobody sets it: the default
    s = load_settings(
        user, environ=env, machine_file=machine, cli={"database": {"url": "sqlite:///cli.db"}}
    )
    assert s.database.url == "sqlite:///cli.db"


def test_files_read_are_reported_lowest_first(tmp_path: Path) -> None:
    machine = _write(tmp_path / "m" / "config.toml", "[outbox]\nmodo = 'servicio'\n")
    user = tmp_path / "u" / "config.toml"
    loaded = load_layers(user, environ={}, machine_file=machine)
    assert loaded.files_considered == (machine, user)
    assert loaded.files_read == (machine,)
    _write(user, "[outbox]\nmodo = 'estaciones'\n")
    loaded = load_layers(user, environ={}, machine_file=machine)
    assert loaded.files_read == (machine, user)
    assert loaded.settings.outbox.modo == "estaciones"


def test_machine_file_path_from_env_wins(tmp_path: Path) -> None:
    other = _write(tmp_path / "other.toml", "[link]\nttl_dias = 2\n")
    ignored = _write(tmp_path / "ignored.toml", "[link]\nttl_dias = 9\n")
    s = load_settings(
        tmp_path / "nope.toml",
        environ={"DIM_REVISION_MACHINE_CONFIG": str(other)},
        machine_file=ignored,
    )
    assert s.link.ttl_dias == 2


def test_bad_machine_file_names_the_file(tmp_path: Path) -> None:
    machine = _write(tmp_path / "machine.toml", "[outbox]\nmodo = 'en todas'\n")
    with pytest.raises(ConfigError, match="modo"):
        load_settings(tmp_path / "nope.toml", environ={}, machine_file=machine)
    broken = _write(tmp_path / "broken.toml", "[database\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_settings(tmp_path / "nope.toml", environ={}, machine_file=broken)


def test_msi_ini_style_lines_are_valid_toml(tmp_path: Path) -> None:
    """What the MSI's IniFile rows write (`key='value'`, CRLF, no spaces) parses; a Windows path
    with backslashes survives because the value is a TOML literal string."""
    url = r"mssql+pyodbc://@SQLDIM01\PROD/DIM?driver=ODBC+Driver+18+for+SQL+Server&trusted_connection=yes"
    machine = tmp_path / "config.toml"
    machine.write_bytes(f"[database]\r\nurl='{url}'\r\n[outbox]\r\nmodo='servicio'\r\n".encode())
    s = load_settings(tmp_path / "nope.toml", environ={}, machine_file=machine)
    assert s.database.url == url
    assert s.outbox.modo == "servicio"


def test_machine_config_file_per_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIM_REVISION_MACHINE_CONFIG", raising=False)
    monkeypatch.setenv("PROGRAMDATA", "D:\\PD")
    win = machine_config_file("win32")
    assert str(win).replace("\\", "/") == "D:/PD/DIM/Revision/config.toml"
    assert machine_config_file("linux") == Path("/etc/dim-revision/config.toml")
    monkeypatch.setenv("DIM_REVISION_MACHINE_CONFIG", "/x/m.toml")
    assert machine_config_file("win32") == Path("/x/m.toml")


def test_for_user_includes_machine_file(isolated_home: Path) -> None:
    paths = AppPaths.for_user()
    assert paths.machine_config == isolated_home / "machine" / "config.toml"


def test_config_show_names_both_files(isolated_home: Path, tmp_path: Path) -> None:
    _write(isolated_home / "machine" / "config.toml", "[outbox]\nmodo = 'servicio'\n")
    out = subprocess.run(
        [sys.executable, "-m", "dim_revision", "config", "show"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    machine_line = next(line for line in out.splitlines() if "archivo de la PC" in line)
    assert str(isolated_home / "machine" / "config.toml") in machine_line
    assert "(leído)" in machine_line
    user_line = next(line for line in out.splitlines() if "archivo del usuario" in line)
    assert "(no existe)" in user_line
    assert "modo = 'servicio'" in out


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dim_revision", *argv], capture_output=True, text=True
    )


def test_config_machine_writes_merges_and_refuses_bad_values(isolated_home: Path) -> None:
    machine = isolated_home / "machine" / "config.toml"
    url = r"mssql+pyodbc://@SQLDIM01\PROD/DIM?driver=ODBC+Driver+18+for+SQL+Server&trusted_connection=yes"
    done = _cli("config", "machine", "--db-url", url, "--modo", "")  # the MSI passes "" for unset
    assert done.returncode == 0, done.stderr
    assert (
        load_settings(isolated_home / "nope.toml", environ={}, machine_file=machine).database.url
        == url
    )
    assert _cli("config", "machine", "--modo", "servicio").returncode == 0
    s = load_settings(isolated_home / "nope.toml", environ={}, machine_file=machine)
    assert (s.database.url, s.outbox.modo) == (url, "servicio")  # merged, not replaced
    before = machine.read_bytes()
    bad = _cli("config", "machine", "--modo", "todas")
    assert bad.returncode == 2 and "modo" in bad.stderr and "Traceback" not in bad.stderr
    assert machine.read_bytes() == before  # nothing changed
