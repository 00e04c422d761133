"""`dim-revision doctor`: each check on its own with its failure provoked, then the whole command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from dim_revision import doctor
from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock, utcnow
from dim_revision.config import BotmakerSettings, Settings
from dim_revision.db import migrate
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests import factories

TOKEN = "token-de-prueba"
ACTOR = Actor("soporte", "pc-it")


@pytest.fixture
def fake(secrets: MemoryStore) -> Iterator[FakeBotmaker]:
    with FakeBotmaker(secrets.values["botmaker-token"]) as server:
        yield server


def botmaker_settings(base_url: str, **kw: object) -> BotmakerSettings:
    return Settings().replace("botmaker", base_url=base_url, canal="canal-prueba", **kw).botmaker


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- configuration ---------------------------------------------------------------------------


def test_config_missing_is_a_warning_and_broken_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert doctor.check_config(path).estado == doctor.AVISO
    path.write_text('[database]\nurl = "sqlite:///x"\n', encoding="utf-8")
    assert doctor.check_config(path).estado == doctor.OK
    path.write_text("[database\nurl = ", encoding="utf-8")
    result = doctor.check_config(path)
    assert result.estado == doctor.FALLA and "dañado" in result.detalle


# --- database --------------------------------------------------------------------------------


def test_reachable_database_with_current_schema(database: Database) -> None:
    assert doctor.check_database(database.engine).estado == doctor.OK
    schema = doctor.check_schema(database.engine)
    assert schema.estado == doctor.OK and f"({migrate.head_revision()})" in schema.detalle


def test_unreachable_postgres_fails_with_the_fix() -> None:
    engine = create_db_engine(f"postgresql+psycopg://nadie:clave@127.0.0.1:{free_port()}/nada")
    try:
        result = doctor.check_database(engine)
    finally:
        engine.dispose()
    assert result.estado == doctor.FALLA
    assert "No se pudo conectar" in result.detalle and "clave" not in result.detalle
    assert "[database] url" in result.arreglo


def test_schema_behind_fails(tmp_path: Path) -> None:
    engine = create_db_engine(sqlite_url(tmp_path / "viejo.sqlite3"))
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        result = doctor.check_schema(engine)
    finally:
        engine.dispose()
    assert result.estado == doctor.FALLA
    assert "sin esquema" in result.detalle and "dim-revision db upgrade" in result.arreglo


def test_clock_skew_against_the_database(database: Database) -> None:
    assert doctor.check_clock(database.engine, utcnow).estado == doctor.OK
    late = FakeClock(utcnow() - timedelta(minutes=5))
    result = doctor.check_clock(database.engine, late)
    assert result.estado == doctor.AVISO
    assert re.search(r": -(29\d|30\d) s$", result.detalle)  # about -300 s (SQLite: whole seconds)


def test_database_clock_is_aware_utc(database: Database) -> None:
    db_now = doctor.database_utc_now(database.engine)
    assert db_now.utcoffset() == timedelta(0)
    assert abs((db_now - utcnow()).total_seconds()) < 60


def test_outbox_counts_failed_and_uncertain_as_a_warning(
    database: Database, clock: FakeClock
) -> None:
    assert doctor.check_outbox(database, clock).estado == doctor.OK
    with database.uow() as uow:
        pac = factories.paciente(uow.session)
        for estado in (E.FALLIDO, E.INCIERTO, E.PROGRAMADO):
            sol = factories.solicitud(uow.session, pac, clock() - timedelta(hours=1), files=0)
            factories.envio(uow.session, sol, clock(), estado=estado.value)
        uow.commit()
    result = doctor.check_outbox(database, clock)
    assert result.estado == doctor.AVISO
    assert "1 programados" in result.detalle and "1 fallidos, 1 inciertos" in result.detalle


def test_odbc_driver_only_checked_for_sql_server() -> None:
    assert doctor.check_odbc_driver("sqlite:///x.sqlite3") is None
    assert doctor.check_odbc_driver("postgresql://u@h/db") is None
    missing = doctor.check_odbc_driver(
        "mssql+pyodbc://srv/DIM?driver=ODBC+Driver+18+for+SQL+Server&trusted_connection=yes",
        drivers=lambda: ["SQL Server"],
    )
    assert missing is not None and missing.estado == doctor.FALLA
    assert "ODBC Driver 18 for SQL Server" in missing.detalle
    present = doctor.check_odbc_driver(
        "mssql+pyodbc://srv/DIM?driver=ODBC+Driver+18+for+SQL+Server",
        drivers=lambda: ["ODBC Driver 18 for SQL Server"],
    )
    assert present is not None and present.estado == doctor.OK


def test_odbc_driver_against_the_real_driver_list() -> None:
    """This machine's pyodbc: a made-up driver name is never installed."""
    result = doctor.check_odbc_driver("mssql+pyodbc://srv/DIM?driver=Driver+Que+No+Existe")
    assert result is not None and result.estado == doctor.FALLA


# --- secrets ---------------------------------------------------------------------------------


def test_secrets_present(secrets: MemoryStore) -> None:
    assert doctor.check_secrets(secrets, "sqlite:///x", None).estado == doctor.OK


def test_missing_secret_fails_naming_the_command(secrets: MemoryStore) -> None:
    del secrets.values["botmaker-token"]
    result = doctor.check_secrets(secrets, "sqlite:///x", None)
    assert result.estado == doctor.FALLA and "botmaker-token" in result.detalle
    assert "dim-revision secrets set botmaker-token" in result.arreglo


@pytest.mark.parametrize(
    ("url", "needed"),
    [
        ("mssql+pyodbc://app@srv/DIM?driver=ODBC+Driver+18+for+SQL+Server", True),
        ("mssql+pyodbc://app:pw@srv/DIM", False),
        ("mssql+pyodbc://app@srv/DIM?trusted_connection=yes", False),
        ("mssql+pyodbc://srv/DIM?trusted_connection=yes", False),
        ("sqlite:///x.sqlite3", False),
    ],
)
def test_db_password_required_only_for_sql_login_without_password(
    secrets: MemoryStore, url: str, needed: bool
) -> None:
    result = doctor.check_secrets(secrets, url, None)
    assert (result.estado == doctor.FALLA) is needed
    if needed:
        assert "db-password" in result.detalle


def test_unusable_keyring_fails() -> None:
    result = doctor.check_secrets(MemoryStore(), "sqlite:///x", lambda: (False, "no hay llavero"))
    assert result.estado == doctor.FALLA and "no hay llavero" in result.detalle


def test_short_link_key_fails(secrets: MemoryStore) -> None:
    assert doctor.check_link_key(secrets).estado == doctor.OK
    secrets.values["link-key"] = "corta"
    result = doctor.check_link_key(secrets)
    assert result.estado == doctor.FALLA and "5 bytes" in result.detalle
    del secrets.values["link-key"]
    assert doctor.check_link_key(secrets).estado == doctor.FALLA


# --- Botmaker --------------------------------------------------------------------------------


def test_botmaker_accepts_the_token(fake: FakeBotmaker, secrets: MemoryStore) -> None:
    result = doctor.check_botmaker(botmaker_settings(fake.url), secrets)
    assert result.estado == doctor.OK
    assert fake.received == []  # a read: nothing was sent


def test_bad_token_is_401_and_fails(fake: FakeBotmaker, secrets: MemoryStore) -> None:
    secrets.values["botmaker-token"] = "token-vencido"
    result = doctor.check_botmaker(botmaker_settings(fake.url), secrets)
    assert result.estado == doctor.FALLA and "401" in result.detalle
    assert "secrets set botmaker-token" in result.arreglo


def test_botmaker_down_fails(secrets: MemoryStore) -> None:
    result = doctor.check_botmaker(botmaker_settings(f"http://127.0.0.1:{free_port()}"), secrets)
    assert result.estado == doctor.FALLA and "no responde" in result.detalle


def test_botmaker_without_line_or_token_fails(fake: FakeBotmaker, secrets: MemoryStore) -> None:
    no_line = Settings().replace("botmaker", base_url=fake.url).botmaker
    assert "canal" in doctor.check_botmaker(no_line, secrets).arreglo
    del secrets.values["botmaker-token"]
    assert doctor.check_botmaker(botmaker_settings(fake.url), secrets).estado == doctor.FALLA
    assert fake.received == []


@pytest.mark.parametrize(
    ("templates", "canal", "fragment"),
    [
        ({"dim_link_turno": "APPROVED"}, "fake-channel", None),
        ({}, "fake-channel", "no existe en Botmaker"),
        ({"dim_link_turno": "PENDING"}, "fake-channel", "está PENDING, no APPROVED"),
        ({"dim_link_turno": "APPROVED"}, "otra-linea", "la línea «otra-linea» no existe"),
    ],
)
def test_doctor_checks_the_template_is_approved_and_the_line_exists(
    fake: FakeBotmaker,
    secrets: MemoryStore,
    templates: dict[str, str],
    canal: str,
    fragment: str | None,
) -> None:
    fake.templates = templates
    result = doctor.check_plantilla_y_linea(
        Settings().replace("botmaker", base_url=fake.url, canal=canal).botmaker, secrets
    )
    if fragment is None:
        assert result.estado == doctor.OK, result
    else:
        assert result.estado == doctor.FALLA and fragment in result.detalle, result
    assert fake.received == []  # reads only: nothing is ever sent


def test_fake_server_channels_endpoint(fake: FakeBotmaker) -> None:
    ok = requests.get(fake.url + "/v2.0/channels", headers={"access-token": TOKEN}, timeout=5)
    bad = requests.get(fake.url + "/v2.0/channels", headers={"access-token": "x"}, timeout=5)
    assert (ok.status_code, bad.status_code) == (200, 401)


# --- the command -----------------------------------------------------------------------------


def run_cli(
    argv: list[str],
    settings: Settings,
    secrets: MemoryStore,
    capsys: pytest.CaptureFixture[str],
    db: Database | None = None,
) -> tuple[int, str, str]:
    ctx = AppContext(settings, AppPaths.for_user(), secrets, ACTOR, utcnow, _db=db)
    try:
        code = main(argv, context=ctx)
    finally:
        if db is None:
            ctx.close()
    out, err = capsys.readouterr()
    return code, out, err


def test_doctor_all_ok(
    database: Database,
    fake: FakeBotmaker,
    secrets: MemoryStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings().replace("botmaker", base_url=fake.url, canal="fake-channel")
    code, out, _ = run_cli(["doctor"], settings, secrets, capsys, db=database)
    assert code == 0, out
    assert "[FALLA]" not in out
    for name in (
        "Base de datos",
        "Esquema",
        "Reloj",
        "Envíos",
        "Llavero",
        "Botmaker",
        "Plantilla y línea",
    ):
        assert f"[OK] {name}" in out
    assert "Todo en orden." in out


def test_doctor_reports_every_failure_and_exits_1(
    tmp_path: Path, secrets: MemoryStore, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "archivo"
    blocker.write_text("no soy una carpeta")
    settings = (
        Settings()
        .replace("database", url=sqlite_url(blocker / "sub" / "x.sqlite3"))
        .replace("botmaker", base_url=f"http://127.0.0.1:{free_port()}", canal="c")
    )
    secrets.values["link-key"] = "corta"
    code, out, _ = run_cli(["doctor"], settings, secrets, capsys)
    assert code == 1
    assert "[FALLA] Base de datos" in out
    assert "[FALLA] Clave de los links" in out
    assert "[FALLA] Botmaker" in out
    assert "Esquema" not in out  # not checked without a database
    assert "→" in out


def test_logs_command_prints_the_folder_and_file(
    secrets: MemoryStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["logs"], Settings(), secrets, capsys)
    log_dir = AppPaths.for_user().log_dir
    assert code == 0
    assert f"Carpeta de registros: {log_dir}" in out
    assert f"Registro actual: {log_dir / 'dim-revision.log'}" in out


class ExplodingStore(MemoryStore):
    def get(self, name: str) -> str | None:
        raise RuntimeError(f"fallo inesperado leyendo {name} del DNI 30123456")


def test_unexpected_error_writes_a_report_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(["doctor"], Settings(), ExplodingStore(), capsys)
    assert code == 1
    assert "Ocurrió un error inesperado. Se guardó un informe en" in err
    assert "Traceback" not in err
    reports = list(AppPaths.for_user().log_dir.glob("error-*.txt"))
    assert len(reports) == 1
    body = reports[0].read_text(encoding="utf-8")
    assert "RuntimeError: fallo inesperado" in body and "30123456" not in body
    assert str(reports[0]) in err


# --- link-key fingerprints (issue #12) ----------------------------------------------------------


def test_key_fingerprint_matches_and_mismatches(
    database: Database, secrets: MemoryStore, clock: FakeClock
) -> None:
    from dim_revision.secrets import key_fingerprint
    from dim_revision.services import latido

    own = key_fingerprint(secrets.values["link-key"])
    assert own is not None and len(own) == 8
    latido.registrar(
        database, nombre="servicio@srv", rol="servicio", modo="servicio", huella=own, now=clock()
    )
    ok = doctor.check_key_fingerprint(database, secrets, clock)
    assert ok.estado == doctor.OK and own in ok.detalle
    latido.registrar(
        database,
        nombre="estacion@pc-07",
        rol="estacion",
        modo="estaciones",
        huella="0badc0de",
        now=clock(),
    )
    bad = doctor.check_key_fingerprint(database, secrets, clock)
    assert bad.estado == doctor.FALLA and "pc-07" in bad.detalle and "0badc0de" in bad.detalle
    assert secrets.values["link-key"] not in bad.detalle + bad.arreglo
