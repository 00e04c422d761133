"""The supervisor's moves on a send — reintentar, marcar enviado, cancelar — and the Envíos list.

One place for the role check: the supervisor panel, `dim-revision outbox …` and the HTTP service
call these, so an operator is refused the same way everywhere. The moves themselves are in
`dim_revision/envio/por_persona.py`.
"""

from __future__ import annotations

from datetime import datetime

from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio
from dim_revision.envio import por_persona
from dim_revision.outbox import store
from dim_revision.outbox.store import EnvioFila
from dim_revision.services.operadores import requerir_supervisor
from dim_revision.shared.actor import Actor

__all__ = ["EnvioFila", "cancelar", "listar", "marcar_enviado", "reintentar"]


def listar(db: Database, estado: EstadoEnvio | None = None, limit: int = 50) -> list[EnvioFila]:
    """Newest first; phones masked, links and parameters never read."""
    with db.uow() as uow:
        return store.list_envios(uow.session, estado, limit)


def reintentar(db: Database, actor: Actor, now: datetime, envio_id: int) -> None:
    """fallido/incierto → programado, due now, with a fresh retry budget."""
    requerir_supervisor(db, actor)
    with db.uow() as uow:
        por_persona.reintentar(uow.session, envio_id, actor, now)
        uow.commit()


def marcar_enviado(db: Database, actor: Actor, now: datetime, envio_id: int) -> None:
    """incierto → enviado, after checking Botmaker's console."""
    requerir_supervisor(db, actor)
    with db.uow() as uow:
        por_persona.marcar_enviado(uow.session, envio_id, actor, now)
        uow.commit()


def cancelar(db: Database, actor: Actor, now: datetime, envio_id: int) -> None:
    """programado → cancelado; the request goes back to the operators' queue."""
    requerir_supervisor(db, actor)
    with db.uow() as uow:
        por_persona.cancelar(uow.session, envio_id, actor, now)
        uow.commit()
