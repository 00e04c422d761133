"""Settings precedence (CLI > env > file > defaults) and clear messages for bad configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from dim_revision.config import Settings, load_settings, write_config_file
from dim_revision.errors import ConfigError


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "nope.toml", environ={})
    assert settings == Settings()
    assert settings.envio.demora_minutos == 15
    assert settings.botmaker.api_version == "v2"


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "c.toml",
        '[database]\nurl = "sqlite:///file.db"\n[envio]\ndemora_minutos = 20\n[botmaker]\ncanal = "111"\n',
    )
    env = {"DIM_REVISION_DB_URL": "sqlite:///env.db", "DIM_REVISION__ENVIO__DEMORA_MINUTOS": "5"}
    s = load_settings(cfg, environ=env, cli={"database": {"url": "sqlite:///cli.db"}})
    assert s.database.url == "sqlite:///cli.db"
    assert s.envio.demora_minutos == 5.0  # env beats file
    assert s.botmaker.canal == "111"  # file beats default
    s2 = load_settings(cfg, environ=env)
    assert s2.database.url == "sqlite:///env.db"


def test_config_file_path_from_env(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "other.toml", "[link]\nttl_dias = 3\n")
    s = load_settings(tmp_path / "default.toml", environ={"DIM_REVISION_CONFIG": str(cfg)})
    assert s.link.ttl_dias == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[database\nurl=1", "dañado"),
        ("[nada]\nx = 1\n", "Sección desconocida"),
        ("[envio]\nfoo = 1\n", "clave desconocida"),
        ("[envio]\ndemora_minutos = 'pronto'\n", "demora_minutos"),
        ("[botmaker]\napi_version = 'v9'\n", "v2, v1"),
        ("envio = 3\n", "tabla"),
    ],
)
def test_bad_config_gives_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    cfg = _write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, environ={})


def test_bad_env_var_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mal formada"):
        load_settings(tmp_path / "x.toml", environ={"DIM_REVISION__ENVIO": "1"})


def test_write_validates_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    write_config_file(
        path, {"database": {"url": "sqlite:///x.db"}, "envio": {"demora_minutos": 10}}
    )
    assert load_settings(path, environ={}).envio.demora_minutos == 10
    with pytest.raises(ConfigError):
        write_config_file(path, {"envio": {"demora_minutos": "no"}})
    assert (
        load_settings(path, environ={}).envio.demora_minutos == 10
    )  # the bad write left it intact
