"""`dim-revision outbox …`, `botmaker-fake` and demo mode's fake server, end to end."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest
import requests
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock, utcnow
from dim_revision.config import Settings, write_config_file
from dim_revision.db.models import Envio, Evento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.outbox.fake_server import FakeBotmaker
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services import operadores
from dim_revision.services.actor import Actor
from dim_revision.services.operadores import Rol
from tests import factories
from tests.layouts import dim_config_values
from tests.processes import python_process, sender_env

TOKEN = "token-de-prueba"
SUPERVISORA = Actor("supervisora", "pc-sup")
PHONE = "5491123456789"


@pytest.fixture
def fake() -> Iterator[FakeBotmaker]:
    with FakeBotmaker(TOKEN, slow_seconds=2.0) as server:
        yield server


class Cli:
    """Runs `main` in-process against the test database, fake Botmaker and clock."""

    def __init__(
        self,
        db: Database,
        clock: FakeClock,
        fake: FakeBotmaker,
        secrets: MemoryStore,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.db, self.clock, self.capsys, self.secrets = db, clock, capsys, secrets
        self.settings = Settings().replace(
            "botmaker", base_url=fake.url, canal="canal-prueba", envios_por_segundo=0
        )

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        ctx = AppContext(
            self.settings, AppPaths.for_user(), self.secrets, SUPERVISORA, self.clock, _db=self.db
        )
        code = main(list(argv), context=ctx)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(
    database: Database,
    clock: FakeClock,
    fake: FakeBotmaker,
    secrets: MemoryStore,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    # The supervisor's moves check the role in the service, as the GUI does.
    operadores.agregar(
        database, SUPERVISORA, clock(), usuario="supervisora", nombre="Sara", rol=Rol.SUPERVISOR
    )
    return Cli(database, clock, fake, secrets, capsys)


def seed(db: Database, clock: FakeClock, *estados: E) -> list[int]:
    ids = []
    with db.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        for estado in estados:
            sol = factories.solicitud(s, pac, clock() - timedelta(hours=1), files=0)
            e = factories.envio(s, sol, clock(), estado=estado.value, telefono=PHONE)
            if estado is E.FALLIDO:
                e.ultimo_error, e.intentos = f"Botmaker rechazó {PHONE} (400)", 1
            ids.append(e.id)
        uow.commit()
    return ids


def snapshot(db: Database) -> tuple[list[tuple[int, str, int]], int]:
    with db.uow() as uow:
        envios = [
            (r.id, r.estado, r.version)
            for r in uow.session.execute(
                select(Envio.id, Envio.estado, Envio.version).order_by(Envio.id)
            )
        ]
        eventos = uow.session.scalar(select(func.count()).select_from(Evento)) or 0
    return envios, eventos


def estado(db: Database, envio_id: int) -> str:
    with db.uow() as uow:
        return str(uow.session.scalar(select(Envio.estado).where(Envio.id == envio_id)))


# --- list -------------------------------------------------------------------------------------


def test_list_masks_phones_and_never_shows_links_or_tokens(
    cli: Cli, database: Database, clock: FakeClock
) -> None:
    seed(database, clock, E.PROGRAMADO, E.FALLIDO, E.INCIERTO)
    code, out, _ = cli("outbox", "list")
    assert code == 0
    assert out.count("*********6789") == 4  # three phone cells and the echo in the 400 error
    assert PHONE not in out and "portal.example" not in out and "tok" not in out
    assert "Fallido" in out and "Incierto" in out and "10/03/2026 10:00" in out

    code, out, _ = cli("outbox", "list", "--estado", "fallido", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["estado"] == "fallido" and row["telefono"] == "*********6789"
    assert "link" not in row and "parametros" not in row and "token_id" not in row
    assert PHONE not in out and "*********6789 (400)" in row["ultimo_error"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--estado", "perdido"], "Estado de envío desconocido «perdido»"),
        (["--limite", "0"], "El límite debe ser un número entero positivo"),
        (["--limite", "muchos"], "El límite debe ser un número entero positivo"),
    ],
)
def test_list_bad_input(cli: Cli, argv: list[str], message: str) -> None:
    code, out, err = cli("outbox", "list", *argv)
    assert code == 2 and message in err and out == ""


# --- supervisor actions -----------------------------------------------------------------------


def test_cancel_retry_and_mark_sent_are_audited(
    cli: Cli, database: Database, clock: FakeClock
) -> None:
    programado, fallido, incierto = seed(database, clock, E.PROGRAMADO, E.FALLIDO, E.INCIERTO)
    assert cli("outbox", "cancel", str(programado))[0] == 0
    assert cli("outbox", "retry", str(fallido))[0] == 0
    code, out, _ = cli("outbox", "mark-sent", str(incierto))
    assert code == 0 and "marcado como enviado" in out
    assert estado(database, programado) == E.CANCELADO
    assert estado(database, fallido) == E.PROGRAMADO
    assert estado(database, incierto) == E.ENVIADO
    with database.uow() as uow:
        evs = uow.session.execute(
            select(Evento.envio_id, Evento.accion, Evento.usuario, Evento.detalle)
            .where(Evento.envio_id.is_not(None))
            .order_by(Evento.id)
        ).all()
    assert [(e.envio_id, e.accion, e.usuario) for e in evs] == [
        (programado, "envio_cancelado", "supervisora"),
        (fallido, "envio_reintentado", "supervisora"),
        (incierto, "envio_marcado_enviado", "supervisora"),
    ]
    retry_detail = json.loads(evs[1].detalle)
    assert retry_detail["desde"] == "fallido" and retry_detail["intentos_anteriores"] == 1


def test_a_retried_send_really_goes_out_again(
    cli: Cli, database: Database, clock: FakeClock, fake: FakeBotmaker
) -> None:
    [fallido] = seed(database, clock, E.FALLIDO)
    assert cli("outbox", "retry", str(fallido))[0] == 0
    code, out, _ = cli("outbox", "run", "--once")
    assert code == 0 and "1 enviados" in out
    assert estado(database, fallido) == E.ENVIADO
    assert len(fake.received_for(fallido)) == 1


@pytest.mark.parametrize(
    ("action", "estado_inicial", "message"),
    [
        ("cancel", E.ENVIANDO, "ya fue tomado para enviarse a Botmaker: no se puede cancelar"),
        ("cancel", E.ENVIADO, "ya está «Enviado» y no admite cambios"),
        ("cancel", E.CANCELADO, "ya está «Cancelado»"),
        ("retry", E.PROGRAMADO, "No se puede reintentar el envío 1: el envío ya está «Programado»"),
        ("retry", E.ENVIADO, "ya está «Enviado»"),
        ("retry", E.ENVIANDO, "se está enviando a Botmaker en este momento"),
        ("mark-sent", E.FALLIDO, "sólo puede pasar a «Programado»"),
        ("mark-sent", E.PROGRAMADO, "sólo puede pasar a «Cancelado»"),
    ],
)
def test_wrong_state_is_refused_and_nothing_changes(
    cli: Cli,
    database: Database,
    clock: FakeClock,
    action: str,
    estado_inicial: E,
    message: str,
) -> None:
    [envio_id] = seed(database, clock, estado_inicial)
    before = snapshot(database)
    code, _out, err = cli("outbox", action, str(envio_id))
    assert code == 2 and err.startswith("Error: ") and message in err, err
    assert snapshot(database) == before


@pytest.mark.parametrize("action", ["cancel", "retry", "mark-sent"])
@pytest.mark.parametrize(
    ("raw", "message"),
    [("999", "No existe el envío 999"), ("abc", "número entero positivo"), ("-3", "positivo")],
)
def test_bad_ids_are_refused_and_nothing_changes(
    cli: Cli, database: Database, clock: FakeClock, action: str, raw: str, message: str
) -> None:
    seed(database, clock, E.PROGRAMADO, E.FALLIDO, E.INCIERTO)
    before = snapshot(database)
    code, _, err = cli("outbox", action, raw)
    assert code == 2 and message in err
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("action", "estado"),
    [("cancel", E.PROGRAMADO), ("retry", E.FALLIDO), ("mark-sent", E.INCIERTO)],
)
def test_an_operator_is_refused_the_supervisors_moves_as_in_the_gui(
    cli: Cli, database: Database, clock: FakeClock, action: str, estado: E
) -> None:
    """The role check is the service's: the CLI refuses an operator like the hidden panel."""
    operador = Actor("operador", "pc-02")
    operadores.agregar(
        database, SUPERVISORA, clock(), usuario="operador", nombre="Oscar", rol=Rol.OPERADOR
    )
    [envio_id] = seed(database, clock, estado)
    before = snapshot(database)
    ctx = AppContext(cli.settings, AppPaths.for_user(), cli.secrets, operador, clock, _db=database)
    code = main(["outbox", action, str(envio_id)], context=ctx)
    err = cli.capsys.readouterr().err
    assert code == 2 and "sólo para supervisores" in err and "«operador»" in err, err
    assert snapshot(database) == before


# --- run ----------------------------------------------------------------------------------------


def test_run_once_sends_one_batch_and_drain_empties_the_queue(
    cli: Cli, database: Database, clock: FakeClock, fake: FakeBotmaker
) -> None:
    ids = seed(database, clock, *[E.PROGRAMADO] * 5)
    cli.settings = cli.settings.replace("botmaker", lote=2)
    code, out, _ = cli("outbox", "run", "--once")
    assert code == 0 and "2 tomados, 2 enviados" in out
    code, out, _ = cli("outbox", "run", "--drain")
    assert code == 0 and out.count("enviados") == 3  # 2 + 1 + an empty pass
    assert {str(i) for i in ids} == {r.envio_id for r in fake.received}
    assert len(fake.received) == 5


def test_run_pauses_on_a_bad_token_and_fails_nothing(
    cli: Cli, database: Database, clock: FakeClock, fake: FakeBotmaker
) -> None:
    ids = seed(database, clock, E.PROGRAMADO, E.PROGRAMADO)
    fake.script("401")
    code, out, err = cli("outbox", "run", "--drain")
    assert code == 1
    assert "Envíos en pausa: Botmaker rechazó el token de acceso (401)" in err
    assert {estado(database, i) for i in ids} == {E.PROGRAMADO}
    assert TOKEN not in out + err


def _read_until(stream: IO[str], needle: str, limit: int = 200) -> list[str]:
    lines = []
    for _ in range(limit):
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not printed; got {lines}")


RUN_SCRIPT = """
import os, sys
from dim_revision.bootstrap import build_context
from dim_revision.cli import main
from dim_revision.secrets import MemoryStore
ctx = build_context(secrets=MemoryStore({"botmaker-token": os.environ["TEST_BOTMAKER_TOKEN"]}))
sys.exit(main(["outbox", "run"], context=ctx))
"""


def test_headless_run_sends_and_stops_cleanly_on_ctrl_c(
    sqlite_db: Database, fake: FakeBotmaker, tmp_path: Path
) -> None:
    clock = FakeClock(utcnow())
    [envio_id] = seed(sqlite_db, clock, E.PROGRAMADO)
    config = tmp_path / "config.toml"  # the layout's [dim] section, as a real install has it
    write_config_file(config, dim_config_values(sqlite_db.dim_settings))
    db_url = sqlite_db.engine.url.render_as_string(hide_password=False)
    env = sender_env(db_url, fake.url, TOKEN) | {"DIM_REVISION_CONFIG": str(config)}
    with python_process(["-c", RUN_SCRIPT], env) as proc:
        assert proc.stdout is not None
        _read_until(proc.stdout, "1 enviados hoy")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Detenido. 1 mensajes enviados" in out
    assert len(fake.received_for(envio_id)) == 1
    assert estado(sqlite_db, envio_id) == E.ENVIADO


# --- botmaker-fake and demo mode ----------------------------------------------------------------


def test_botmaker_fake_command_serves_both_apis_with_scripted_faults() -> None:
    fake_args = ["-m", "dim_revision", "botmaker-fake", "--token", "t0k", "--fault", "503:1"]
    with python_process(fake_args) as proc:
        assert proc.stdout is not None
        first = _read_until(proc.stdout, "escuchando en")[-1]
        url = first.rsplit(" ", 1)[-1].strip()
        body = {
            "chat": {"channelId": "c", "contactId": PHONE},
            "intentIdOrName": "t",
            "variables": {},
            "webhookPayload": "1",
        }
        v2 = url + "/v2.0/chats-actions/trigger-intent"
        answers = [
            requests.post(v2, json=body, headers={"access-token": "t0k"}, timeout=5).status_code,
            requests.post(v2, json=body, headers={"access-token": "t0k"}, timeout=5).status_code,
            requests.post(v2, json=body, headers={"access-token": "mal"}, timeout=5).status_code,
            requests.post(
                v2, json={"chat": 1}, headers={"access-token": "t0k"}, timeout=5
            ).status_code,
        ]
        v1 = requests.post(
            url + "/api/v1.0/intent/v2",
            json={
                "chatPlatform": "whatsapp",
                "chatChannelNumber": "c",
                "platformContactId": PHONE,
                "ruleNameOrId": "t",
                "params": {},
            },
            headers={"access-token": "t0k"},
            timeout=5,
        )
        assert answers == [503, 202, 401, 400]
        assert v1.status_code == 200 and v1.json()["problems"] is None
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Pedidos recibidos: 5" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault", "418"], "Falla desconocida «418»"),
        (["--port", "70000"], "Puerto inválido"),
        (["--lento", "-1"], "Demora inválido"),
    ],
)
def test_botmaker_fake_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = AppContext(Settings(), AppPaths.for_user(), MemoryStore(), SUPERVISORA)
    assert main(["botmaker-fake", *argv], context=ctx) == 2
    assert message in capsys.readouterr().err


def test_demo_mode_points_botmaker_at_a_local_fake_while_the_gui_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dim_revision.commands import demo, gui

    seen: dict[str, Any] = {}

    def fake_gui(_args: Any, ctx: AppContext) -> int:
        server = ctx.extras["botmaker_fake"]
        seen["url"] = ctx.settings.botmaker.base_url
        seen["same"] = ctx.settings.botmaker.base_url == server.url
        response = requests.post(
            server.url + "/v2.0/chats-actions/trigger-intent",
            json={
                "chat": {"channelId": ctx.settings.botmaker.canal, "contactId": PHONE},
                "intentIdOrName": "t",
            },
            headers={"access-token": ctx.secrets.get("botmaker-token") or ""},
            timeout=5,
        )
        seen["status"] = response.status_code
        return 0

    monkeypatch.setattr(gui, "run", fake_gui)
    ctx = AppContext(Settings(), AppPaths.for_user(), MemoryStore(), SUPERVISORA)
    path = tmp_path / "demo.sqlite3"
    path.touch()  # an existing (empty) demo database: migrated, not seeded
    assert main(["demo", "--db", str(path)], context=ctx) == 0
    ctx.close()
    assert seen["same"] and seen["status"] == 202
    assert "botmaker_fake" not in ctx.extras
    with pytest.raises(requests.ConnectionError):  # stopped when the GUI returned
        requests.post(seen["url"] + "/v2.0/chats-actions/trigger-intent", json={}, timeout=2)
    assert demo.DEMO_BOTMAKER_TOKEN == "demo-token"


# --- issue #17: smaller defects ---------------------------------------------------------------


def test_a_row_with_an_unknown_estado_is_listed_not_a_crash(
    cli: Cli, database: Database, clock: FakeClock
) -> None:
    from sqlalchemy import update

    [envio_id] = seed(database, clock, E.FALLIDO)
    with database.uow() as uow:
        uow.session.execute(update(Envio).where(Envio.id == envio_id).values(estado="rarisimo"))
        uow.commit()
    code, out, _ = cli("outbox", "list")
    assert code == 0 and "Desconocido (rarisimo)" in out
    code, out, _ = cli("outbox", "list", "--json")
    assert code == 0 and json.loads(out)[0]["estado"] == "rarisimo"
    code, _, err = cli("outbox", "retry", str(envio_id))
    assert code == 2 and "estado desconocido" in err
    assert estado(database, envio_id) == "rarisimo"


def test_a_supervisors_cancel_reopens_the_request_like_the_operators(
    cli: Cli, database: Database, clock: FakeClock
) -> None:
    from dim_revision.db.models import SolicitudAsistencia

    [programado] = seed(database, clock, E.PROGRAMADO)
    with database.uow() as uow:
        envio = uow.session.get(Envio, programado)
        assert envio is not None
        sol = uow.session.get(SolicitudAsistencia, envio.solicitud_id)
        assert sol is not None
        sol.resuelto, sol.usuario_resuelto, sol.fecha_resuelto = True, "operador", clock()
        uow.commit()
        sol_id, version = sol.id, sol.version
    assert cli("outbox", "cancel", str(programado))[0] == 0
    with database.uow() as uow:
        sol = uow.session.get(SolicitudAsistencia, sol_id)
        assert sol is not None
        assert (sol.resuelto, sol.usuario_resuelto, sol.fecha_resuelto) == (False, None, None)
        assert sol.version == version + 1  # an open screen reloads it


def test_a_db_url_with_a_non_numeric_port_gets_the_usual_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--db", "postgresql://u:secreta@servidor:abc/base", "db", "current"])
    err = capsys.readouterr().err
    assert code == 2 and "no es válida" in err and "secreta" not in err
