"""What the status bar and `outbox list` show: a snapshot of the worker, cheap outbox counts, and
what one run of the worker did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from dim_revision.clock import local_day_bounds, local_today, to_local
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.domain.enums import EstadoEnvio as E


@dataclass(frozen=True)
class OutboxCounts:
    programados: int = 0
    enviando: int = 0
    enviados_hoy: int = 0  # Buenos Aires calendar day
    fallidos: int = 0
    inciertos: int = 0

    @property
    def requieren_atencion(self) -> int:
        return self.fallidos + self.inciertos


def outbox_counts(db: Database, now: datetime) -> OutboxCounts:
    """Two indexed queries: counts per live/problem state, and sends of today."""
    abiertos = (E.PROGRAMADO, E.ENVIANDO, E.FALLIDO, E.INCIERTO)
    start, end = local_day_bounds(local_today(now), local_today(now))
    with db.uow() as uow:
        por_estado = dict(
            uow.session.execute(
                select(Envio.estado, func.count())
                .where(Envio.estado.in_([e.value for e in abiertos]))
                .group_by(Envio.estado)
            ).all()
        )
        hoy = uow.session.scalar(
            select(func.count()).where(
                Envio.estado == E.ENVIADO.value, Envio.enviado_en >= start, Envio.enviado_en < end
            )
        )
    return OutboxCounts(
        programados=int(por_estado.get(E.PROGRAMADO.value, 0)),
        enviando=int(por_estado.get(E.ENVIANDO.value, 0)),
        enviados_hoy=int(hoy or 0),
        fallidos=int(por_estado.get(E.FALLIDO.value, 0)),
        inciertos=int(por_estado.get(E.INCIERTO.value, 0)),
    )


@dataclass(frozen=True)
class WorkerStatus:
    """Immutable snapshot, safe to hand to the GUI thread."""

    pausado: bool = False
    motivo: str | None = None  # why it is paused (Spanish, shown in a banner)
    ultima_corrida: datetime | None = None
    ultimo_error: str | None = None  # last unexpected failure (e.g. database down)
    enviados: int = 0  # by this worker since it started
    conteos: OutboxCounts | None = None

    @property
    def texto(self) -> str:
        """One line for the status bar."""
        if self.pausado:
            return f"Envíos en pausa: {self.motivo}"
        if self.ultimo_error:
            return f"Envíos con problemas: {self.ultimo_error}"
        partes = []
        if self.conteos is not None:
            c = self.conteos
            partes.append(
                f"{c.programados + c.enviando} programados · {c.enviados_hoy} enviados hoy"
            )
            if c.fallidos:
                partes.append(f"{c.fallidos} fallidos")
            if c.inciertos:
                partes.append(f"{c.inciertos} inciertos")
        if self.ultima_corrida is not None:
            partes.append(f"última revisión {to_local(self.ultima_corrida):%H:%M:%S}")
        return "Envíos: " + (" · ".join(partes) if partes else "sin actividad todavía")


@dataclass
class RunReport:
    expirados: int = 0  # abandoned leases turned into incierto
    tomados: int = 0
    enviados: int = 0
    reintentos: int = 0
    fallidos: int = 0
    inciertos: int = 0
    liberados: int = 0  # returned unsent (pause/stop)
    perdidos: int = 0  # ownership lost before sending (another PC expired our lease)
    pausado: str | None = None

    @property
    def hizo_algo(self) -> bool:
        return bool(self.expirados or self.tomados)

    def resumen(self) -> str:
        partes = [
            f"{self.tomados} tomados",
            f"{self.enviados} enviados",
            f"{self.reintentos} reintentos programados",
            f"{self.fallidos} fallidos",
            f"{self.inciertos} inciertos",
        ]
        if self.expirados:
            partes.append(f"{self.expirados} abandonados pasados a incierto")
        if self.liberados:
            partes.append(f"{self.liberados} devueltos a la cola")
        if self.perdidos:
            partes.append(f"{self.perdidos} ya no eran de este puesto")
        texto = ", ".join(partes)
        return texto + (f". En pausa: {self.pausado}" if self.pausado else ".")
