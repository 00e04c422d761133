"""Roles (issue #6): who is a supervisor, managed from the CLI and audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dim_revision.bootstrap import AppContext
from dim_revision.cli import main
from dim_revision.clock import FakeClock
from dim_revision.config import Settings
from dim_revision.db.models import Evento, Operador
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, PermissionDenied, ValidationError
from dim_revision.paths import AppPaths
from dim_revision.secrets import MemoryStore
from dim_revision.services import operadores
from dim_revision.services.actor import Actor
from dim_revision.services.operadores import Rol

ADMIN = Actor("marta", "pc-sup")
LUIS = Actor("luis", "pc-02")


def _count(db: Database, model: type[Operador] | type[Evento]) -> int:
    with db.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_fresh_install_everyone_is_an_operator(database: Database) -> None:
    assert operadores.rol_de(database, "cualquiera") is None
    assert not operadores.es_supervisor(database, "cualquiera")
    with pytest.raises(PermissionDenied, match="sólo para supervisores"):
        operadores.requerir_supervisor(database, LUIS)


def test_first_supervisor_then_only_supervisors_manage(
    database: Database, clock: FakeClock
) -> None:
    info = operadores.agregar(
        database, ADMIN, clock(), usuario="marta", nombre="Marta Gómez", rol=Rol.SUPERVISOR
    )
    assert info.rol is Rol.SUPERVISOR and info.activo and info.creado == clock()
    assert operadores.es_supervisor(database, "marta")
    operadores.requerir_supervisor(database, ADMIN)  # no error

    before = (_count(database, Operador), _count(database, Evento))
    with pytest.raises(PermissionDenied, match="Sólo un supervisor"):
        operadores.agregar(
            database, LUIS, clock(), usuario="luis", nombre="Luis", rol=Rol.SUPERVISOR
        )
    assert (_count(database, Operador), _count(database, Evento)) == before

    operadores.agregar(database, ADMIN, clock(), usuario="luis", nombre="Luis", rol=Rol.OPERADOR)
    assert operadores.rol_de(database, "luis") is Rol.OPERADOR
    assert not operadores.es_supervisor(database, "luis")
    assert [o.usuario for o in operadores.listar(database)] == ["luis", "marta"]
    with database.uow() as uow:
        acciones = uow.session.scalars(select(Evento.accion).order_by(Evento.id)).all()
    assert acciones == ["operador_agregado", "operador_agregado"]


def test_disable_removes_the_role(database: Database, clock: FakeClock) -> None:
    operadores.agregar(
        database, ADMIN, clock(), usuario="marta", nombre="Marta", rol=Rol.SUPERVISOR
    )
    operadores.agregar(database, ADMIN, clock(), usuario="eva", nombre="Eva", rol=Rol.SUPERVISOR)
    operadores.deshabilitar(database, ADMIN, clock(), usuario="eva")
    assert operadores.rol_de(database, "eva") is None
    with pytest.raises(PermissionDenied):
        operadores.requerir_supervisor(database, Actor("eva", "pc"))
    assert [o.activo for o in operadores.listar(database)] == [False, True]
    assert [o.usuario for o in operadores.listar(database, incluir_inactivos=False)] == ["marta"]
    # Re-adding re-enables.
    operadores.agregar(database, ADMIN, clock(), usuario="eva", nombre="Eva B.", rol=Rol.SUPERVISOR)
    assert operadores.es_supervisor(database, "eva")
    with pytest.raises(NotFound, match="nadie"):
        operadores.deshabilitar(database, ADMIN, clock(), usuario="nadie")


@pytest.mark.parametrize(
    ("usuario", "nombre", "message"),
    [
        ("", "X", "Indicá el usuario"),
        ("juan perez", "X", "Usuario inválido"),
        ("juan@pc", "X", "Usuario inválido"),
        ("juan", "  ", "Indicá el nombre"),
        ("juan", "x" * 121, "supera"),
    ],
)
def test_bad_input_writes_nothing(
    database: Database, clock: FakeClock, usuario: str, nombre: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        operadores.agregar(
            database, ADMIN, clock(), usuario=usuario, nombre=nombre, rol=Rol.OPERADOR
        )
    assert _count(database, Operador) == 0 and _count(database, Evento) == 0


def _cli(db: Database, clock: FakeClock, secrets: MemoryStore, actor: Actor, *argv: str) -> int:
    ctx = AppContext(Settings(), AppPaths.for_user(), secrets, actor, clock, _db=db)
    return main(list(argv), context=ctx)


def test_cli_add_list_disable(
    database: Database,
    clock: FakeClock,
    secrets: MemoryStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = lambda actor, *a: _cli(database, clock, secrets, actor, *a)  # noqa: E731
    assert run(ADMIN, "operadores", "list") == 0
    assert "No hay operadores registrados" in capsys.readouterr().out
    assert run(ADMIN, "operadores", "add", "marta", "--nombre", "Marta Gómez", "--supervisor") == 0
    assert "registrado como supervisor" in capsys.readouterr().out
    assert run(ADMIN, "operadores", "add", "luis", "--nombre", "Luis Núñez") == 0
    capsys.readouterr()
    assert run(ADMIN, "operadores", "list", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["usuario"], d["nombre"], d["rol"], d["activo"]) for d in data] == [
        ("luis", "Luis Núñez", "operador", True),
        ("marta", "Marta Gómez", "supervisor", True),
    ]
    assert run(ADMIN, "operadores", "list") == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["Usuario", "Nombre", "Rol", "Activo", "Alta"]
    assert "10/03/2026 10:00" in table[1]  # local time

    assert run(LUIS, "operadores", "disable", "marta") == 2
    assert "Sólo un supervisor" in capsys.readouterr().err
    assert operadores.es_supervisor(database, "marta")
    assert run(ADMIN, "operadores", "disable", "luis") == 0
    assert "deshabilitado" in capsys.readouterr().out
    assert run(ADMIN, "operadores", "disable", "nadie") == 2
    assert "No hay un operador registrado" in capsys.readouterr().err
    with database.uow() as uow:
        acciones = uow.session.scalars(select(Evento.accion).order_by(Evento.id)).all()
    assert acciones == ["operador_agregado", "operador_agregado", "operador_deshabilitado"]
