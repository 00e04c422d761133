"""Every move in the table, driven through the function the code calls, on a real database: from
each state it starts from it lands where the table says and writes the table's event once;
from any other state it is refused and changes nothing (issue #16)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dim_revision.clock import FakeClock
from dim_revision.db.models import Envio, Evento
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio import por_botmaker, por_persona, por_worker
from dim_revision.envio.estados import MOVIMIENTOS, Mov
from dim_revision.envio.por_worker import ClaimedEnvio
from dim_revision.errors import UserError
from dim_revision.shared.actor import Actor
from tests import factories

OWNER = Actor("outbox@pc-01#1-abc", "pc-01")
PERSONA = Actor("supervisora", "pc-sup")

Move = Callable[[Session, ClaimedEnvio, datetime], Any]


def _claimed(e: Envio) -> ClaimedEnvio:
    return ClaimedEnvio(
        e.id,
        e.solicitud_id,
        e.telefono,
        e.plantilla,
        e.parametros,
        e.intentos,
        e.version - 1,
        e.enviar_desde,
    )


MOVES: dict[Mov, Move] = {
    Mov.EDITAR: lambda s, c, now: por_persona.editar(
        s, c.id, PERSONA, now, {"enviar_desde": now}, {"prestaciones": [1]}
    ),
    Mov.ADELANTAR: lambda s, c, now: por_persona.adelantar(s, c.id, PERSONA, now),
    Mov.CANCELAR: lambda s, c, now: por_persona.cancelar(s, c.id, PERSONA, now),
    Mov.REINTENTAR: lambda s, c, now: por_persona.reintentar(s, c.id, PERSONA, now),
    Mov.MARCAR_ENVIADO: lambda s, c, now: por_persona.marcar_enviado(s, c.id, PERSONA, now),
    Mov.TOMAR: lambda s, c, now: por_worker.tomar(s, now, OWNER, timedelta(minutes=1), 5),
    Mov.EMPEZAR: lambda s, c, now: por_worker.empezar(s, c, OWNER, now, now),
    Mov.FIRMAR: lambda s, c, now: por_worker.firmar(s, c, OWNER, now, {"token_id": "j"}, "j"),
    Mov.ACEPTADO: lambda s, c, now: por_worker.aceptado(s, c, OWNER, now, "tx-1"),
    Mov.REPROGRAMAR: lambda s, c, now: por_worker.reprogramar(s, c, OWNER, now, now, "503"),
    Mov.FALLAR: lambda s, c, now: por_worker.fallar(s, c, OWNER, now, "400"),
    Mov.DEJAR_INCIERTO: lambda s, c, now: por_worker.incierto(s, c, OWNER, now, "timeout"),
    Mov.LIBERAR: lambda s, c, now: por_worker.liberar(s, c, OWNER, now, "pausa"),
    Mov.DEVOLVER_POR_PAUSA: lambda s, c, now: por_worker.devolver_por_pausa(
        s, c, OWNER, now, "pausa"
    ),
    Mov.CONFIRMAR_BOTMAKER: lambda s, c, now: por_botmaker.confirmar_incierto(
        s, c.id, c.solicitud_id, now, OWNER, "consulta"
    ),
    Mov.REENCOLAR_BOTMAKER: lambda s, c, now: por_botmaker.reencolar(
        s, c.id, c.solicitud_id, now, OWNER
    ),
}


def test_every_move_but_the_rows_birth_is_driven_here() -> None:
    assert set(MOVES) | {Mov.PROGRAMAR} == set(Mov)  # PROGRAMAR: test_envios.py confirms


def _row(db: Database, now: datetime, estado: E) -> Envio:
    with db.uow() as uow:
        s = uow.session
        sol = factories.solicitud(s, factories.paciente(s), now - timedelta(hours=1), files=0)
        e = factories.envio(s, sol, now - timedelta(minutes=1), estado=estado.value, intentos=1)
        e.tomado_por, e.tomado_hasta = OWNER.usuario, now + timedelta(minutes=1)
        e.iniciado_en = now if estado is not E.PROGRAMADO else None
        e.token_id = ""  # servicio mode, not signed yet (FIRMAR)
        uow.commit()
        s.refresh(e)
        s.expunge(e)
        return e


def _state(db: Database, envio_id: int) -> tuple[str, int, int]:
    with db.uow() as uow:
        e = uow.session.get(Envio, envio_id)
        assert e is not None
        n = uow.session.scalar(select(func.count()).where(Evento.envio_id == envio_id))
        return e.estado, e.version, int(n or 0)


@pytest.mark.parametrize("mov", list(MOVES), ids=str)
@pytest.mark.parametrize("desde", list(E), ids=str)
def test_the_move_does_what_the_table_says_from_every_state(
    sqlite_db: Database, clock: FakeClock, mov: Mov, desde: E
) -> None:
    m = MOVIMIENTOS[mov]
    e = _row(sqlite_db, clock(), desde)
    before = _state(sqlite_db, e.id)
    with sqlite_db.uow() as uow:
        try:
            result = MOVES[mov](uow.session, _claimed(e), clock())
        except UserError:
            result = False
        uow.commit()
    if isinstance(result, list):  # TOMAR: the batch it claimed
        won = bool(result)
    elif isinstance(result, bool):  # the sender's moves: False when the row was not as expected
        won = result
    else:  # a person's move returns the row it moved, or raises the Spanish reason
        won = True
    estado, version, events = _state(sqlite_db, e.id)
    if desde in m.desde:
        assert won, f"{mov} from {desde} refused"
        assert estado == m.hacia.value
        assert version == before[1] + (1 if m.versiona else 0)
        with sqlite_db.uow() as uow:
            written = uow.session.scalars(
                select(Evento.accion).where(Evento.envio_id == e.id)
            ).all()
        assert written[before[2] :] == ([m.evento] if m.evento else [])
    else:
        assert not won
        assert (estado, version, events) == before
