"""Operators and their role (issue #6): who is a supervisor.

Users absent from the `operador` table are ordinary operators, so a fresh install (empty table)
works without setup; only supervisors need to be registered. A disabled row counts as an
ordinary operator too: disabling a supervisor takes the powers away without blocking their work.

Managing the table needs a supervisor once one exists; while there is none (first setup) anyone
with access to the database may register the first supervisor.

Issue 13.9: once DIM registers its operators too (an *operator registry*: at least one active
row with the operador role), an unregistered or disabled user is refused at the workstation's
start and in the CLI (`exigir_registrado`). Exportar and Configuración are for supervisors
(`requerir_supervisor`, `exigir_configurador`); while no supervisor exists, anyone may configure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session

from dim_revision.db.models import Operador
from dim_revision.db.uow import Database
from dim_revision.errors import NotFound, PermissionDenied, ValidationError
from dim_revision.services.actor import Actor
from dim_revision.services.audit import registrar_evento

MAX_USUARIO = 60
MAX_NOMBRE = 120


class Rol(StrEnum):
    OPERADOR = "operador"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class OperadorInfo:
    usuario: str
    nombre: str
    rol: Rol
    activo: bool
    creado: datetime


def _usuario(texto: str) -> str:
    usuario = texto.strip()
    if not usuario:
        raise ValidationError("Indicá el usuario del operador.")
    if len(usuario) > MAX_USUARIO or any(ch.isspace() for ch in usuario) or "@" in usuario:
        raise ValidationError(
            f"Usuario inválido «{texto}»: sin espacios ni «@», hasta {MAX_USUARIO} caracteres."
        )
    return usuario


def _autorizar_gestion(session: Session, actor: Actor) -> None:
    activos = select(Operador.usuario).where(
        Operador.rol == Rol.SUPERVISOR.value, Operador.activo == true()
    )
    supervisores = set(session.scalars(activos))
    if supervisores and actor.usuario not in supervisores:
        raise PermissionDenied(
            f"Sólo un supervisor puede administrar operadores y «{actor.usuario}» no lo es."
        )


def agregar(
    db: Database, actor: Actor, now: datetime, *, usuario: str, nombre: str, rol: Rol
) -> OperadorInfo:
    """Register a user (or re-enable and update one that exists); audited."""
    login = _usuario(usuario)
    nombre = nombre.strip()
    if not nombre:
        raise ValidationError("Indicá el nombre del operador.")
    if len(nombre) > MAX_NOMBRE:
        raise ValidationError(f"El nombre supera los {MAX_NOMBRE} caracteres.")
    rol = Rol(rol)
    with db.uow() as uow:
        s = uow.session
        _autorizar_gestion(s, actor)
        row = s.scalars(select(Operador).where(Operador.usuario == login)).first()
        if row is None:
            row = Operador(usuario=login, nombre=nombre, rol=rol.value, activo=True, creado=now)
            s.add(row)
        else:
            row.nombre, row.rol, row.activo = nombre, rol.value, True
        registrar_evento(
            s, actor, "operador_agregado", now, detalle={"usuario": login, "rol": rol.value}
        )
        s.flush()
        info = _info(row)
        uow.commit()
    return info


def listar(db: Database, *, incluir_inactivos: bool = True) -> list[OperadorInfo]:
    with db.uow() as uow:
        stmt = select(Operador).order_by(Operador.usuario)
        if not incluir_inactivos:
            stmt = stmt.where(Operador.activo == true())
        return [_info(o) for o in uow.session.scalars(stmt)]


def deshabilitar(db: Database, actor: Actor, now: datetime, *, usuario: str) -> None:
    login = _usuario(usuario)
    with db.uow() as uow:
        s = uow.session
        _autorizar_gestion(s, actor)
        result = s.execute(
            update(Operador)
            .where(Operador.usuario == login)
            .values(activo=False)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"No hay un operador registrado con el usuario «{login}».")
        registrar_evento(s, actor, "operador_deshabilitado", now, detalle={"usuario": login})
        uow.commit()


def rol_de(db: Database, usuario: str) -> Rol | None:
    """The active role of a registered user; None when not registered or disabled."""
    with db.uow() as uow:
        row = uow.session.execute(
            select(Operador.rol).where(Operador.usuario == usuario, Operador.activo == true())
        ).first()
    return Rol(row.rol) if row is not None else None


def es_supervisor(db: Database, usuario: str) -> bool:
    return rol_de(db, usuario) is Rol.SUPERVISOR


def requerir_supervisor(db: Database, actor: Actor) -> None:
    if not es_supervisor(db, actor.usuario):
        raise PermissionDenied(
            f"Esta acción es sólo para supervisores y «{actor.usuario}» no lo es. "
            "Pedile a un supervisor que la haga o que te registre con "
            "«dim-revision operadores add USUARIO --nombre N --supervisor»."
        )


def hay_registro(db: Database) -> bool:
    """Whether DIM registers its operators (not only supervisors): then only they may work."""
    with db.uow() as uow:
        row = uow.session.execute(
            select(Operador.id)
            .where(Operador.rol == Rol.OPERADOR.value, Operador.activo == true())
            .limit(1)
        ).first()
    return row is not None


def exigir_registrado(db: Database, actor: Actor) -> None:
    """Refuse an unregistered (or disabled) user once an operator registry exists."""
    if rol_de(db, actor.usuario) is not None or not hay_registro(db):
        return
    raise PermissionDenied(
        f"El usuario «{actor.usuario}» no está registrado como operador de DIM Revisión. "
        "Pedile a un supervisor que te registre con "
        f'«dim-revision operadores add {actor.usuario} --nombre "Tu nombre"».'
    )


def puede_configurar(db: Database, usuario: str) -> bool:
    """Configuración: supervisors, or anyone while no supervisor is registered (first setup)."""
    with db.uow() as uow:
        supervisores = set(
            uow.session.scalars(
                select(Operador.usuario).where(
                    Operador.rol == Rol.SUPERVISOR.value, Operador.activo == true()
                )
            )
        )
    return not supervisores or usuario in supervisores


def exigir_configurador(db: Database, actor: Actor) -> None:
    if not puede_configurar(db, actor.usuario):
        raise PermissionDenied(
            f"La configuración es sólo para supervisores y «{actor.usuario}» no lo es. "
            "Pedile a un supervisor que la cambie."
        )


@dataclass(frozen=True)
class Permisos:
    """What the window shows to this user (the services check again on every call)."""

    supervisor: bool
    configurar: bool


def permisos(db: Database, usuario: str) -> Permisos:
    return Permisos(es_supervisor(db, usuario), puede_configurar(db, usuario))


def _info(row: Operador) -> OperadorInfo:
    return OperadorInfo(row.usuario, row.nombre, Rol(row.rol), bool(row.activo), row.creado)
