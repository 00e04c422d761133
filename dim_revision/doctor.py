"""`dim-revision doctor`: one check per thing IT must get right, each with the fix in words.

Every check is a small function returning a `Resultado`, so tests (and support) can run them one
by one; `run_all` chains them for a context, skipping what cannot be checked (no database → no
schema check).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from dim_revision.clock import Clock
from dim_revision.config import BotmakerSettings, read_config_file
from dim_revision.db import migrate
from dim_revision.db.engine import (
    MSSQL_DEFAULT_DRIVER,
    check_connection,
    mask_url,
)
from dim_revision.db.uow import Database
from dim_revision.doctor_botmaker import check_botmaker, check_plantilla_y_linea
from dim_revision.doctor_result import AVISO, FALLA, OK, Estado, Resultado, first_line
from dim_revision.errors import UserError
from dim_revision.outbox.botmaker import TOKEN_SECRET
from dim_revision.outbox.status import outbox_counts
from dim_revision.secrets import SecretStore, keyring_usable

__all__ = [
    "AVISO",
    "FALLA",
    "OK",
    "Estado",
    "Resultado",
    "check_botmaker",
    "check_plantilla_y_linea",
]

MIN_LINK_KEY_BYTES = 32
MAX_CLOCK_SKEW_SECONDS = 30.0  # the workstation's banner threshold too (db/sql_time.py)


# --- configuration and secrets -------------------------------------------------------------


def check_config(config_file: Path, machine_file: Path | None = None) -> Resultado:
    """The user's file and, when there is one, IT's machine-wide file both read."""
    nombre = "Configuración"
    present = [p for p in (machine_file, config_file) if p is not None and p.exists()]
    for path in present:
        try:
            read_config_file(path)
        except UserError as exc:
            return Resultado(nombre, FALLA, str(exc), f"Corregí o reemplazá {path}.")
    if not present:
        return Resultado(
            nombre,
            AVISO,
            f"no existe {config_file}; se usan los valores por defecto",
            f"Cree {config_file} (ver docs/install.md); «dim-revision config show» muestra los valores efectivos.",
        )
    return Resultado(nombre, OK, " y ".join(f"{p} se lee bien" for p in present))


def needs_db_password(db_url: str) -> bool:
    """SQL login without a password in the URL and without integrated security."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return False
    if url.get_backend_name() == "sqlite" or not url.username or url.password is not None:
        return False
    query = {k.lower(): str(v).lower() for k, v in url.query.items()}
    return query.get("trusted_connection") != "yes"


def check_secrets(
    store: SecretStore,
    db_url: str,
    keyring_check: Callable[[], tuple[bool, str]] | None = keyring_usable,
    sends: bool = True,
) -> Resultado:
    """The keyring works and every secret this configuration needs is there.

    `keyring_check` is None when the store is not the OS keyring (tests, demo). `sends` is False
    for a workstation in [outbox] modo = "servicio": the Botmaker token and the link key live with
    `dim-revision serve`, and with integrated security the PC needs no secret at all."""
    nombre = "Llavero y secretos"
    required = [TOKEN_SECRET, "link-key"] if sends else []
    if needs_db_password(db_url):
        required.append("db-password")
    if not required:
        return Resultado(
            nombre, OK, "esta PC no necesita secretos (envíos por el servicio, seguridad integrada)"
        )
    if keyring_check is not None:
        usable, backend = keyring_check()
        if not usable:
            return Resultado(
                nombre,
                FALLA,
                backend,
                "Usá una sesión de Windows con el Administrador de credenciales disponible.",
            )
    try:
        missing = [name for name in required if not store.get(name)]
    except UserError as exc:
        return Resultado(nombre, FALLA, str(exc), "Revisá el llavero del sistema.")
    if missing:
        return Resultado(
            nombre,
            FALLA,
            f"faltan: {', '.join(missing)}",
            " ; ".join(f"dim-revision secrets set {name}" for name in missing),
        )
    return Resultado(nombre, OK, f"cargados: {', '.join(required)}")


def check_link_key(store: SecretStore) -> Resultado:
    nombre = "Clave de los links"
    try:
        value = store.get("link-key")
    except UserError as exc:
        return Resultado(nombre, FALLA, str(exc), "Revisá el llavero del sistema.")
    if not value:
        return Resultado(
            nombre,
            FALLA,
            "no está cargada",
            "Cargá la misma clave que usa el portal: dim-revision secrets set link-key",
        )
    size = len(value.encode("utf-8"))
    if size < MIN_LINK_KEY_BYTES:
        return Resultado(
            nombre,
            FALLA,
            f"tiene {size} bytes; se necesitan al menos {MIN_LINK_KEY_BYTES}",
            "Genere una clave larga, cárguela aquí y en el portal "
            "(dim-revision secrets set link-key).",
        )
    return Resultado(nombre, OK, f"{size} bytes")


# --- database ------------------------------------------------------------------------------


def check_odbc_driver(
    db_url: str, drivers: Callable[[], list[str]] | None = None
) -> Resultado | None:
    """Only for SQL Server URLs (None otherwise): the ODBC driver named in the URL is installed."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "mssql":
        return None
    nombre = "Driver ODBC"
    if "odbc_connect" in url.query:
        return Resultado(nombre, OK, "la URL usa odbc_connect; el driver lo indica esa cadena")
    wanted = str(url.query.get("driver", MSSQL_DEFAULT_DRIVER))
    if drivers is None:
        try:
            import pyodbc
        except ImportError as exc:
            return Resultado(
                nombre,
                FALLA,
                f"no se pudo cargar pyodbc ({exc})",
                "Reinstalá DIM Revisión; en Linux instalá unixODBC.",
            )
        drivers = pyodbc.drivers
    present = drivers()
    if wanted not in present:
        return Resultado(
            nombre,
            FALLA,
            f"falta «{wanted}» (presentes: {', '.join(present) or 'ninguno'})",
            "Instalá «Microsoft ODBC Driver 18 for SQL Server» (x64) o corregí driver= en la URL.",
        )
    return Resultado(nombre, OK, wanted)


def check_database(engine: Engine) -> Resultado:
    nombre = "Base de datos"
    try:
        check_connection(engine)
    except UserError as exc:
        return Resultado(
            nombre,
            FALLA,
            str(exc),
            "Revisá la URL ([database] url), la red, el usuario y que el servidor esté encendido.",
        )
    return Resultado(nombre, OK, f"conectada a {mask_url(engine.url)}")


def check_schema(engine: Engine | Database) -> Resultado:
    nombre = "Esquema"
    try:
        current = migrate.current_revision(engine)
    except DBAPIError as exc:
        return Resultado(nombre, FALLA, first_line(exc), "Revisá los permisos del usuario.")
    head = migrate.head_revision()
    if current == head:
        return Resultado(nombre, OK, f"al día ({head})")
    return Resultado(
        nombre,
        FALLA,
        f"en {current or 'sin esquema'}, la última es {head}",
        "Ejecutá «dim-revision db upgrade» (o pedile al DBA el SQL de «db upgrade --sql»).",
    )


def check_dim(db: Database) -> Resultado:
    """The `[dim]` mapping against the live database (the whole report: `db check-dim`)."""
    from dim_revision.db.dim_check import revisar

    nombre = "Tablas de DIM"
    try:
        hallazgos = revisar(db)
    except DBAPIError as exc:
        return Resultado(nombre, FALLA, first_line(exc), "Revisá los permisos del usuario.")
    if not hallazgos:
        return Resultado(nombre, OK, f"mapeo [dim] completo (modo {db.dim_settings.modo})")
    return Resultado(
        nombre,
        FALLA,
        "; ".join(h.mensaje for h in hallazgos),
        "Corregí la sección [dim] de la configuración (o pedile al DBA las vistas de "
        "docs/database.md) y ejecutá «dim-revision db check-dim».",
    )


def database_utc_now(engine: Engine) -> datetime:
    """The database server's clock as aware UTC, whatever the dialect returns."""
    from dim_revision.db.sql_time import read_db_now

    return read_db_now(engine)


def check_clock(engine: Engine, clock: Clock) -> Resultado:
    nombre = "Reloj"
    try:
        db_now = database_utc_now(engine)
    except DBAPIError as exc:
        return Resultado(nombre, AVISO, f"no se pudo leer la hora del servidor: {first_line(exc)}")
    skew = (clock() - db_now).total_seconds()
    detalle = f"diferencia con el servidor de base de datos: {skew:+.0f} s"
    if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
        return Resultado(
            nombre,
            AVISO,
            detalle,
            "Sincronice la hora de Windows (w32tm /resync) en esta PC o en el servidor: "
            "los bloqueos de solicitudes y los envíos programados dependen de la hora.",
        )
    return Resultado(nombre, OK, detalle)


def check_outbox(db: Database, clock: Clock) -> Resultado:
    """The pause state lives in each worker process; what the database shows is the backlog."""
    nombre = "Envíos"
    try:
        c = outbox_counts(db, clock())
    except DBAPIError as exc:
        return Resultado(nombre, AVISO, f"no se pudo leer la cola: {first_line(exc)}")
    detalle = (
        f"{c.programados} programados, {c.enviando} enviando, "
        f"{c.fallidos} fallidos, {c.inciertos} inciertos"
    )
    if c.requieren_atencion:
        return Resultado(
            nombre,
            AVISO,
            detalle,
            "Un supervisor debe revisarlos: «dim-revision outbox list --estado fallido» / "
            "«--estado incierto» (reintentar, cancelar o marcar enviado).",
        )
    return Resultado(nombre, OK, detalle)


# --- all together ----------------------------------------------------------------------------


def run_all(
    *,
    config_file: Path,
    db_url: str,
    get_db: Callable[[], Database],
    secrets: SecretStore,
    botmaker: BotmakerSettings,
    clock: Clock,
    keyring_check: Callable[[], tuple[bool, str]] | None,
    session: requests.Session | None = None,
    machine_config_file: Path | None = None,
    modo: str = "estaciones",
) -> list[Resultado]:
    """`modo` is [outbox] modo: in "servicio" this PC never sends, so neither the sending secrets
    nor Botmaker are checked here (`dim-revision doctor` on the service's PC checks them)."""
    results = [check_config(config_file, machine_config_file)]
    odbc = check_odbc_driver(db_url)
    if odbc is not None:
        results.append(odbc)
    try:
        db: Database | None = get_db()
    except UserError as exc:
        db = None
        results.append(
            Resultado(
                "Base de datos", FALLA, str(exc), "Revisá [database] url y el driver instalado."
            )
        )
    db_ok = False
    if db is not None:
        results.append(check_database(db.engine))
        db_ok = results[-1].estado == OK
        if db_ok:
            results += [check_schema(db), check_clock(db.engine, clock)]
            if results[-2].estado == OK:
                results += [check_dim(db), check_outbox(db, clock)]
    # A workstation in servicio mode never sends; the service's own PC (same mode, holding the
    # Botmaker token) is checked as a sender.
    sends = modo != "servicio" or _holds_sender_token(secrets)
    results.append(check_secrets(secrets, db_url, keyring_check, sends=sends))
    if sends:
        results += [check_link_key(secrets), check_botmaker(botmaker, secrets, session)]
        if results[-1].estado == OK:
            results.append(check_plantilla_y_linea(botmaker, secrets, session))
    else:
        results.append(
            Resultado(
                "Envíos de WhatsApp",
                OK,
                "modo servicio: esta PC no envía; el token de Botmaker y la clave de los links "
                "los tiene el servicio (dim-revision serve)",
            )
        )
    if db is not None and db_ok and any(r.nombre == "Esquema" and r.estado == OK for r in results):
        results.append(check_key_fingerprint(db, secrets, clock))
    return results


def _holds_sender_token(store: SecretStore) -> bool:
    try:
        return bool(store.get(TOKEN_SECRET))
    except UserError:
        return False


def check_key_fingerprint(db: Database, secrets: SecretStore, clock: Clock) -> Resultado:
    """Compare this PC's link-key fingerprint with the service's and other senders' (issue #12):
    the fingerprints are in the database (`servicio_latido`); the keys never leave their PC."""
    from dim_revision.secrets import key_fingerprint
    from dim_revision.services import latido

    nombre = "Huella de la clave de links"
    try:
        propia = key_fingerprint(secrets.get("link-key"))
        vistos = latido.recientes(db, clock())
    except (UserError, DBAPIError) as exc:
        return Resultado(nombre, AVISO, first_line(exc))
    cmp = latido.comparar(propia, "", vistos, clock())
    if not cmp.ok:
        return Resultado(
            nombre,
            FALLA,
            cmp.texto,
            "Todas las PCs que envían, el servicio y el portal deben tener la misma link-key: "
            "cárguela con dim-revision secrets set link-key.",
        )
    return Resultado(nombre, OK, cmp.texto)


def exit_code(results: list[Resultado]) -> int:
    return 1 if any(r.estado == FALLA for r in results) else 0


def check_lectura(activa: bool, db: Database | None) -> Resultado:
    """The order reader (issue 15): off, engine missing (no proposals), or ready with its count."""
    nombre = "Lectura de órdenes"
    if not activa:
        return Resultado(nombre, OK, "desactivada ([lectura] activa = false): sin propuestas")
    from dim_revision.lectura.motor import RapidOcr, disponible

    falta = disponible()
    if falta is not None:
        return Resultado(
            nombre,
            AVISO,
            f"{falta}: los registros no tendrán propuestas",
            "Instalá rapidocr-onnxruntime (pip install 'dim-revision[ocr]') o reinstalá el programa.",
        )
    detalle = RapidOcr().version()
    if db is not None:
        try:
            from dim_revision.services.lecturas import contar_lecturas

            leidos, pendientes = contar_lecturas(db)
            detalle += f"; {leidos} archivos leídos, {pendientes} sin leer"
        except Exception as exc:  # schema not upgraded yet: the schema check says so
            detalle += f" (sin datos de lectura: {first_line(exc)})"
    return Resultado(nombre, OK, detalle)
