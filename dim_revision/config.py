"""Effective settings: defaults < machine file < user file (TOML) < environment < command line.

The machine file (`paths.machine_config_file()`: `%ProgramData%\\DIM\\Revision\\config.toml` on
Windows, `/etc/dim-revision/config.toml` on Linux) is IT's: the installer writes the database
URL and the sending mode there once per PC. The user's file overrides it key by key.

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
from dim_revision.paths import ENV_MACHINE_CONFIG

ENV_PREFIX = "DIM_REVISION__"
ENV_DB_URL = "DIM_REVISION_DB_URL"
ENV_CONFIG_FILE = "DIM_REVISION_CONFIG"
ENV_MACHINE_CONFIG_FILE = ENV_MACHINE_CONFIG


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
    # Placeholders: {dni}, {paciente_id}, {solicitud_id} and {prestaciones} (the chosen
    # prestaciones' ids, comma-separated; empty when none is chosen yet).
    url: str = "https://portallite.dim.com.ar/turnos?dni={dni}&prestaciones={prestaciones}"


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
    ca_file: str = ""  # a PEM bundle to trust instead of the default ones (TLS-inspecting proxy)
    # The same permanent error on this many consecutive sends is a configuration problem
    # (template, line): the sender pauses and returns them to the queue (0: never).
    pausa_tras_errores_iguales: int = 3


@dataclass(frozen=True)
class OutboxSettings:
    # Where WhatsApp sends happen: "estaciones" (every workstation flushes the outbox and holds
    # the Botmaker token and link key: single-PC installs, the demo) or "servicio" (only
    # `dim-revision serve` sends and holds those secrets; workstations need none).
    modo: Literal["estaciones", "servicio"] = "estaciones"
    # Retries of a send Botmaker provably did not get (connection refused, DNS, 429…), issue
    # 13.2: the wait doubles from `reintento_inicial_segundos` up to `reintento_maximo_minutos`
    # (each wait between half and all of its step); with the defaults 8 attempts span about
    # 2.3 to 4.5 hours, so an outage of minutes never turns a send into "fallido".
    reintentos: int = 8
    reintento_inicial_segundos: float = 180.0
    reintento_maximo_minutos: float = 90.0


@dataclass(frozen=True)
class ServicioSettings:
    """`dim-revision serve`: the portal's API, Botmaker's webhook, delivery reconciliation."""

    host: str = "127.0.0.1"
    port: int = 8765
    # Booking URL per prestación for the portal (the requirements' verificarOS path).
    url_reserva: str = (
        "https://wsportal2023.dim.com.ar/api/v1/estudios/verificarOS/{id}/false/false//"
    )
    clientes: str = "portal"  # API clients, comma-separated; key of each: secret api-key-<cliente>
    max_cuerpo_kb: int = 256  # larger request bodies get 413
    conciliar_cada_segundos: float = 300.0  # delivery reconciliation schedule (0: off)
    conciliar_espera_minutos: float = 10.0  # ask Botmaker only about sends older than this
    conciliar_por_segundo: float = 1.0  # results queries per second (Botmaker's rate limit)
    conciliar_lote: int = 50
    incierto_espera_minutos: float = 2.0  # let Botmaker settle before asking about an incierto
    latido_segundos: float = 30.0


@dataclass(frozen=True)
class IntakeSettings:
    max_archivos: int = 5
    max_mb: float = 10.0
    max_paginas_pdf: int = 20
    max_pixeles: int = 60_000_000


@dataclass(frozen=True)
class DimSettings:
    """Where DIM's tables are and how they look (`dim_revision/db/dim_mapping.py` reads this).

    `<entidad>_tabla` is `esquema.tabla` (no schema: the server's default, dbo / public);
    every other `<entidad>_<campo>` is the real column name ("" = DIM has no such column)."""

    # "standins": the demo and the tests (db upgrade creates stand-ins for DIM's tables);
    # "existente": DIM's real database (db upgrade never touches a DIM table).
    modo: Literal["standins", "existente"] = "standins"
    esquema_propio: str = (
        "auto"  # our tables: "auto" = revision (SQL Server/PostgreSQL), none on SQLite
    )
    horas: Literal["utc", "local"] = "utc"  # how DIM stores turno times (local = Buenos Aires)
    dni_duplicado: Literal["mas_reciente", "rechazar"] = "mas_reciente"
    adjuntos_destino: Literal["propio", "dim"] = "propio"  # our turno_adjunto, or DIM's table
    actualizar_movil: bool = False  # write the mobile typed at upload into DIM's patient row
    paciente_tabla: str = "paciente"
    paciente_id: str = "id"
    paciente_dni: str = "dni"
    paciente_dni_numerico: bool = False  # DIM stores the DNI as a number (BIGINT/NUMERIC)
    paciente_nombre_completo: str = ""  # one "APELLIDO, NOMBRE" column instead of the two below
    paciente_apellido: str = "apellido"
    paciente_nombre: str = "nombre"
    paciente_fecha_nacimiento: str = "fecha_nacimiento"
    paciente_telefono_movil: str = "telefono_movil"
    paciente_telefono_fijo: str = "telefono_fijo"
    paciente_email: str = "email"
    paciente_obra_social_id: str = "obra_social_id"
    paciente_plan_id: str = "plan_id"
    paciente_numero_afiliado: str = "numero_afiliado"
    obra_social_tabla: str = "obra_social"
    obra_social_id: str = "id"
    obra_social_nombre: str = "nombre"
    obra_social_sigla: str = "sigla"
    obra_social_activa: str = "activa"
    obra_social_activa_valores: str = ""  # "" = bit/boolean; "S/N", "A/I", "1/0" (integer)
    plan_tabla: str = "plan_cobertura"
    plan_id: str = "id"
    plan_obra_social_id: str = "obra_social_id"
    plan_nombre: str = "nombre"
    plan_activo: str = "activo"
    plan_activo_valores: str = ""
    prestacion_tabla: str = "prestacion_definicion"
    prestacion_id: str = "id"
    prestacion_codigo: str = "codigo"
    prestacion_nombre: str = "nombre"
    prestacion_modalidad: str = "modalidad"
    prestacion_activa: str = "activa"
    prestacion_activa_valores: str = ""
    prestacion_codigo_nomenclador: str = "codigo_nomenclador"  # "" = DIM keeps only its own code
    turno_tabla: str = "turno"
    turno_id: str = "id"
    turno_paciente_id: str = "paciente_id"
    turno_prestacion_id: str = "prestacion_id"
    turno_fecha_hora: str = "fecha_hora"
    turno_estado: str = "estado"
    adjunto_tabla: str = "turno_archivo"  # DIM's upload/attachment table of a turno
    adjunto_id: str = "id"
    adjunto_turno_id: str = "turno_id"
    adjunto_nombre_archivo: str = "nombre_archivo"
    adjunto_mime: str = "mime"
    adjunto_tamano: str = "tamano"
    adjunto_sha256: str = "sha256"
    adjunto_contenido: str = "contenido"
    adjunto_origen_id: str = "origen_adjunto_id"
    adjunto_fecha_alta: str = "fecha_alta"


@dataclass(frozen=True)
class BusquedaSettings:
    # Learn from what operators choose (issue #14): record each confirmed pick, rank it higher.
    aprender: bool = True
    vida_media_dias: float = 30.0  # a pick's weight halves every this many days
    ventana_dias: float = 180.0  # picks older than this are not read
    lexico: str = ""  # DIM's own lexicon file, added to resources/lexico.txt (read at start)


@dataclass(frozen=True)
class LecturaSettings:
    # Offline reading of the uploaded orders (issue 15): proposals and checks, never automatic.
    activa: bool = True
    hilos: int = 1  # onnxruntime threads; the reading thread also runs at a lower priority
    timeout_segundos: float = 30.0  # per file; past it the file is stored as "agotada"
    lado_maximo: int = 1280  # px: bigger photos are downscaled before reading
    validez_dias: int = 30  # "orden emitida hace N días" beyond this
    lote: int = 10  # files per round of the service's job
    cada_segundos: float = 20.0  # the service looks for new uploads this often (0: never)
    proceso_aparte: bool = True  # OCR in a child process (memory, crashes, GIL); false: here


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
    servicio: ServicioSettings = field(default_factory=ServicioSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    dim: DimSettings = field(default_factory=DimSettings)
    busqueda: BusquedaSettings = field(default_factory=BusquedaSettings)
    lectura: LecturaSettings = field(default_factory=LecturaSettings)

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
                    f"Variable de entorno mal formada: {name} (usá {ENV_PREFIX}SECCION__CLAVE)."
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
    machine_file: Path | None = None,
) -> Settings:
    return load_layers(config_file, environ, cli, machine_file).settings


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings and the files they came from, lowest precedence first."""

    settings: Settings
    files_read: tuple[Path, ...]  # the ones that exist and were read
    files_considered: tuple[Path, ...]  # machine file (if any), then the user's


def config_files(
    config_file: Path, environ: Mapping[str, str] | None = None, machine_file: Path | None = None
) -> tuple[Path | None, Path]:
    """(machine file, user file) after the DIM_REVISION_MACHINE_CONFIG / DIM_REVISION_CONFIG
    overrides; the machine file is None when there is none to read."""
    env = os.environ if environ is None else environ
    user = Path(env[ENV_CONFIG_FILE]) if env.get(ENV_CONFIG_FILE) else config_file
    machine = (
        Path(env[ENV_MACHINE_CONFIG_FILE]) if env.get(ENV_MACHINE_CONFIG_FILE) else machine_file
    )
    return machine, user


def load_layers(
    config_file: Path,
    environ: Mapping[str, str] | None = None,
    cli: Mapping[str, Mapping[str, Any]] | None = None,
    machine_file: Path | None = None,
) -> LoadedSettings:
    """defaults < machine file < user file < environment < command line."""
    env = os.environ if environ is None else environ
    machine, user = config_files(config_file, env, machine_file)
    considered = (*([machine] if machine is not None else []), user)
    layers = [read_config_file(path) for path in considered]
    settings = _build(merge(*layers, env_overrides(env), cli or {}))
    return LoadedSettings(settings, tuple(p for p in considered if p.exists()), considered)


def write_config_file(path: Path, values: Mapping[str, Mapping[str, Any]]) -> None:
    """Validate, then write atomically (a half-written config must never be left behind)."""
    _build(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(tomli_w.dumps({k: dict(v) for k, v in values.items()}).encode("utf-8"))
    tmp.replace(path)
