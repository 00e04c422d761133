"""Effective settings: defaults < config file (TOML) < environment < command line.

Settings are plain frozen dataclasses so every service gets exactly the values it needs,
passed in by the composition root. Secrets never live here (see `secrets.py`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_type_hints

import tomli_w

from dim_revision.errors import ConfigError

ENV_PREFIX = "DIM_REVISION__"
ENV_DB_URL = "DIM_REVISION_DB_URL"
ENV_CONFIG_FILE = "DIM_REVISION_CONFIG"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""  # empty: the embedded SQLite file in the user data folder
    echo: bool = False


@dataclass(frozen=True)
class OperadorSettings:
    usuario: str = ""  # empty: the OS login
    estacion: str = ""  # empty: the host name


@dataclass(frozen=True)
class ClaimSettings:
    lease_minutos: float = 10.0
    heartbeat_segundos: float = 60.0


@dataclass(frozen=True)
class EnvioSettings:
    demora_minutos: float = 15.0
    confirmar_preview: Literal["primera", "siempre", "nunca"] = "primera"


@dataclass(frozen=True)
class LinkSettings:
    base_url: str = "https://wsportal2023.dim.com.ar/turno-asistido/"
    ttl_dias: float = 7.0
    issuer: str = "dim-revision"


@dataclass(frozen=True)
class PortalLiteSettings:
    url: str = "https://portallite.dim.com.ar/turnos?dni={dni}"


@dataclass(frozen=True)
class BotmakerSettings:
    api_version: Literal["v2", "v1"] = "v2"
    base_url: str = ""  # empty: Botmaker's public host for the chosen API version
    canal: str = ""  # v2 channelId / v1 chatChannelNumber (the WhatsApp line)
    plantilla: str = "dim_link_turno"
    variable_nombre: str = "nombre"
    variable_prestaciones: str = "prestaciones"
    variable_link: str = "link"
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    envios_por_segundo: float = 3.0
    lote: int = 20


@dataclass(frozen=True)
class OutboxSettings:
    # Where WhatsApp sends happen: "estaciones" (every workstation flushes the outbox and holds
    # the Botmaker token and link key: single-PC installs, the demo) or "servicio" (only
    # `dim-revision serve` sends and holds those secrets; workstations need none).
    modo: Literal["estaciones", "servicio"] = "estaciones"


@dataclass(frozen=True)
class IntakeSettings:
    max_archivos: int = 5
    max_mb: float = 10.0
    max_paginas_pdf: int = 20
    max_pixeles: int = 60_000_000


@dataclass(frozen=True)
class BusquedaSettings:
    # Learn from what operators choose (issue #14): record each confirmed pick, rank it higher.
    aprender: bool = True
    vida_media_dias: float = 30.0  # a pick's weight halves every this many days
    ventana_dias: float = 180.0  # picks older than this are not read
    lexico: str = ""  # DIM's own lexicon file, added to resources/lexico.txt (read at start)


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    operador: OperadorSettings = field(default_factory=OperadorSettings)
    claims: ClaimSettings = field(default_factory=ClaimSettings)
    envio: EnvioSettings = field(default_factory=EnvioSettings)
    link: LinkSettings = field(default_factory=LinkSettings)
    portal_lite: PortalLiteSettings = field(default_factory=PortalLiteSettings)
    botmaker: BotmakerSettings = field(default_factory=BotmakerSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    busqueda: BusquedaSettings = field(default_factory=BusquedaSettings)

    def replace(self, section: str, **values: Any) -> Settings:
        """A copy with some values of one section changed (used by tests and demo mode)."""
        current = getattr(self, section)
        return dataclasses.replace(self, **{section: dataclasses.replace(current, **values)})

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return dataclasses.asdict(self)


def _coerce(section: str, key: str, kind: Any, value: Any) -> Any:
    where = f"[{section}] {key}"
    allowed = get_args(kind)
    if allowed and all(isinstance(a, str) for a in allowed):  # Literal of strings
        if value not in allowed:
            raise ConfigError(
                f"{where}: valor «{value}» inválido; se espera uno de: {', '.join(allowed)}."
            )
        return value
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "si", "sí", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{where}: valor «{value}» inválido; se espera {kind.__name__}."
        ) from None


def _build(overrides: Mapping[str, Mapping[str, Any]]) -> Settings:
    sections: dict[str, Any] = {}
    settings_hints = get_type_hints(Settings)
    for section, values in overrides.items():
        if section not in settings_hints:
            raise ConfigError(f"Sección desconocida en la configuración: [{section}].")
        if not isinstance(values, Mapping):
            raise ConfigError(f"[{section}] debe ser una tabla de valores.")
    for f in fields(Settings):
        cls = settings_hints[f.name]
        hints = get_type_hints(cls)
        given = dict(overrides.get(f.name, {}))
        unknown = set(given) - set(hints)
        if unknown:
            raise ConfigError(f"[{f.name}]: clave desconocida «{sorted(unknown)[0]}».")
        sections[f.name] = cls(**{k: _coerce(f.name, k, hints[k], v) for k, v in given.items()})
    return Settings(**sections)


def validate_values(values: Mapping[str, Mapping[str, Any]]) -> Settings:
    """The settings these values would give, or ConfigError (nothing is written)."""
    return _build(values)


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"El archivo de configuración {path} está dañado: {exc}. Corríjalo o bórrelo."
        ) from None
    except OSError as exc:
        raise ConfigError(f"No se pudo leer la configuración {path}: {exc.strerror}.") from None


def env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """DIM_REVISION_DB_URL, plus DIM_REVISION__SECTION__KEY for any setting."""
    result: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX):
            parts = name[len(ENV_PREFIX) :].lower().split("__")
            if len(parts) != 2:
                raise ConfigError(
                    f"Variable de entorno mal formada: {name} (use {ENV_PREFIX}SECCION__CLAVE)."
                )
            result.setdefault(parts[0], {})[parts[1]] = value
    if environ.get(ENV_DB_URL):
        result.setdefault("database", {})["url"] = environ[ENV_DB_URL]
    return result


def merge(*layers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for section, values in layer.items():
            if not isinstance(values, Mapping):
                raise ConfigError(f"[{section}] debe ser una tabla de valores.")
            merged.setdefault(section, {}).update(values)
    return merged


def load_settings(
    config_file: Path,
    environ: Mapping[str, str] | None = None,
    cli: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    path = Path(env[ENV_CONFIG_FILE]) if env.get(ENV_CONFIG_FILE) else config_file
    return _build(merge(read_config_file(path), env_overrides(env), cli or {}))


def write_config_file(path: Path, values: Mapping[str, Mapping[str, Any]]) -> None:
    """Validate, then write atomically (a half-written config must never be left behind)."""
    _build(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(tomli_w.dumps({k: dict(v) for k, v in values.items()}).encode("utf-8"))
    tmp.replace(path)
