"""Roles, second pass (issue 13.9): Exportar and Configuración for supervisors (service and
CLI), an operator registry refuses unregistered users, and a workstation frees the leases its
own previous session left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento, SolicitudAsistencia
from dim_revision.db.uow import Database
from dim_revision.errors import PermissionDenied
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services import claims, operadores
from dim_revision.services.actor import Actor
from dim_revision.services.exportar import exportar
from dim_revision.services.queue import QueueFilter
from tests import factories

ANA = Actor("ana", "pc-01")
MARTA = Actor("marta", "pc-sup")


def _registrar(
    db: Database, usuario: str, *, supervisor: bool = False, activo: bool = True
) -> None:
    with db.uow() as uow:
        factories.operador(uow.session, usuario, supervisor=supervisor, activo=activo)
        uow.commit()


def test_export_is_for_supervisors_and_writes_nothing_otherwise(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    with pytest.raises(PermissionDenied, match="sólo para supervisores"):
        exportar(database, ANA, clock(), QueueFilter.today(clock()), out, "csv")
    assert not out.exists()
    _registrar(database, "marta", supervisor=True)
    assert exportar(database, MARTA, clock(), QueueFilter.today(clock()), out, "csv").filas == 0


def test_an_operator_registry_refuses_unregistered_users(database: Database) -> None:
    operadores.exigir_registrado(database, ANA)  # fresh install: everyone works
    _registrar(database, "marta", supervisor=True)
    operadores.exigir_registrado(database, ANA)  # only supervisors registered: still open
    _registrar(database, "luis")
    _registrar(database, "pepe", activo=False)
    with pytest.raises(PermissionDenied, match="no está registrado como operador"):
        operadores.exigir_registrado(database, ANA)
    with pytest.raises(PermissionDenied, match="no está registrado"):
        operadores.exigir_registrado(database, Actor("pepe", "pc-9"))
    operadores.exigir_registrado(database, Actor("luis", "pc-2"))
    operadores.exigir_registrado(database, MARTA)


def test_configuration_is_for_supervisors_once_one_exists(database: Database) -> None:
    assert operadores.puede_configurar(database, "ana")  # first setup: anyone
    _registrar(database, "marta", supervisor=True)
    assert not operadores.puede_configurar(database, "ana")
    assert operadores.permisos(database, "marta") == operadores.Permisos(True, True)
    with pytest.raises(PermissionDenied, match="configuración es sólo para supervisores"):
        operadores.exigir_configurador(database, ANA)


def test_a_workstation_frees_only_its_own_previous_leases(
    database: Database, clock: FakeClock
) -> None:
    with database.uow() as uow:
        s = uow.session
        pac = factories.paciente(s)
        sids = [factories.solicitud(s, pac, clock() - timedelta(hours=1)).id for _ in range(4)]
        uow.commit()
    lease = timedelta(minutes=10)
    claims.claim(database, ANA, clock(), sids[0], lease)
    claims.claim(database, ANA, clock(), sids[1], lease)
    claims.claim(database, Actor("ana", "pc-02"), clock(), sids[2], lease)  # same user, other PC
    claims.claim(database, Actor("luis", "pc-01"), clock(), sids[3], lease)  # same PC, other user
    clock.advance(minutes=2)  # the crashed session's leases are still live
    assert claims.liberar_propias(database, ANA, clock()) == sids[:2]
    with database.uow() as uow:
        held = dict(
            uow.session.execute(
                select(SolicitudAsistencia.id, SolicitudAsistencia.tomado_por).order_by(
                    SolicitudAsistencia.id
                )
            ).all()
        )
        eventos = uow.session.scalar(
            select(func.count())
            .select_from(Evento)
            .where(Evento.accion == "bloqueo_propio_liberado")
        )
    assert held == {sids[0]: None, sids[1]: None, sids[2]: "ana@pc-02", sids[3]: "luis@pc-01"}
    assert eventos == 2
    assert claims.liberar_propias(database, ANA, clock()) == []


def _cli(
    db: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    actor: Actor,
    settings: Settings,
    *argv: str,
) -> int:
    ctx = AppContext(settings, AppPaths.for_user(), secrets, actor, clock, _db=db)
    return main(list(argv), context=ctx)


def test_cli_refuses_export_and_configuration_to_operators(
    database: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _registrar(database, "marta", supervisor=True)
    _registrar(database, "luis")
    out = tmp_path / "x.csv"
    settings = Settings().replace("database", url="sqlite:///configurada.db")
    assert _cli(database, clock, secrets, ANA, settings, "export", "-o", str(out)) == 2
    assert "no está registrado como operador" in capsys.readouterr().err and not out.exists()
    luis = Actor("luis", "pc-2")
    assert _cli(database, clock, secrets, luis, settings, "export", "-o", str(out)) == 2
    assert "sólo para supervisores" in capsys.readouterr().err and not out.exists()
    machine = AppPaths.for_user().machine_config
    assert machine is not None
    code = _cli(database, clock, secrets, luis, settings, "config", "machine", "--modo", "servicio")
    assert code == 2 and "sólo para supervisores" in capsys.readouterr().err
    assert not machine.exists()
    code = _cli(
        database, clock, secrets, MARTA, settings, "config", "machine", "--modo", "servicio"
    )
    assert code == 0 and machine.exists()
    assert _cli(database, clock, secrets, MARTA, settings, "export", "-o", str(out)) == 0


def test_cli_with_a_real_context_refuses_an_unregistered_user(
    sqlite_db: Database,
    layout: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command line on a context built like a real run (user from the environment)."""
    if layout != "standins":
        pytest.skip("a context from the default settings maps the stand-in layout")
    from tests.contexts import new_context

    _registrar(sqlite_db, "marta", supervisor=True)
    _registrar(sqlite_db, "luis")
    path = str(sqlite_db.engine.url.database)
    out = tmp_path / "x.csv"
    monkeypatch.setenv("DIM_REVISION__OPERADOR__USUARIO", "ana")
    assert main(["--db", path, "export", "-o", str(out)], context=new_context(MemoryStore())) == 2
    err = capsys.readouterr().err
    assert "«ana» no está registrado como operador" in err and "Pedile a un supervisor" in err
    assert not out.exists()
    monkeypatch.setenv("DIM_REVISION__OPERADOR__USUARIO", "marta")
    assert main(["--db", path, "export", "-o", str(out)], context=new_context(MemoryStore())) == 0
    assert out.exists()
