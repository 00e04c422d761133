"""Reconciliation: ask Botmaker about what its webhooks did not tell us (issues #12 and #17).

`run_once(now)` (no threads; the service loops it on `[servicio] conciliar_cada_segundos`):

1. **Inciertos** first — an *incierto* is checked against Botmaker's own record before a person
   ever sees it: Botmaker has it → *enviado* (with its delivery state); Botmaker provably has no
   such message → back to *programado* (sent again, safely); unknown → it stays *incierto* for
   a supervisor. An incierto is asked about only after `incierto_espera_minutos` (Botmaker may
   still be processing the request that left it uncertain).
2. **Sent without a final delivery state** (not leído / error de entrega), older than
   `conciliar_espera_minutos` and younger than the link's validity: the results query fills in
   entregado / leído / error de entrega.

Queries are paced (`conciliar_por_segundo`, Botmaker's rate limit) and each queried Envio gets
`conciliado_en`, so a send is asked about at most once per schedule period.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update

from dim_revision.clock import Clock
from dim_revision.config import ServicioSettings
from dim_revision.db.models import Envio
from dim_revision.db.uow import Database
from dim_revision.domain.enums import ENTREGAS_FINALES
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.envio.por_botmaker import (
    REQUEUE_REASON,
    avanzar_entrega,
    confirmar_incierto,
    reencolar,
)
from dim_revision.outbox.pacing import RateLimiter
from dim_revision.outbox.results import Consulta, Desconocido, Encontrado, NoExiste
from dim_revision.shared.actor import Actor

log = logging.getLogger(__name__)

RECONCILER = Actor("conciliacion", "servicio")
MAX_AGE = timedelta(days=8)  # past the link's validity nobody needs the ticks any more
__all__ = ["RECONCILER", "REQUEUE_REASON", "ReconcileReport", "ReconcileThread", "Reconciler"]


class ResultsSource(Protocol):
    def by_notification(self, notification_id: str) -> Consulta: ...

    def by_payload(self, envio_id: int, since: datetime) -> Consulta: ...

    def close(self) -> None: ...


@dataclass
class ReconcileReport:
    consultados: int = 0
    confirmados: int = 0  # incierto → enviado
    reencolados: int = 0  # incierto → programado
    sin_respuesta: int = 0
    actualizados: int = 0  # delivery state moved forward

    def resumen(self) -> str:
        return (
            f"{self.consultados} consultados, {self.confirmados} inciertos confirmados, "
            f"{self.reencolados} reencolados, {self.actualizados} entregas actualizadas, "
            f"{self.sin_respuesta} sin respuesta."
        )


class Reconciler:
    def __init__(
        self,
        db: Database,
        source: ResultsSource,
        clock: Clock,
        settings: ServicioSettings,
        *,
        stop: threading.Event | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._db = db
        self._source = source
        self._clock = clock
        self._settings = settings
        self._stop = stop or threading.Event()
        self._limiter = limiter or RateLimiter(
            settings.conciliar_por_segundo, sleep=self._stop.wait
        )
        self.last_report: ReconcileReport | None = None
        self.inciertos_en_espera = 0  # seen, not yet due: the loop comes back sooner

    def close(self) -> None:
        self._source.close()

    def run_once(self, now: datetime | None = None) -> ReconcileReport:
        now = now or self._clock()
        report = ReconcileReport()
        budget = max(1, self._settings.conciliar_lote)
        for row in self._inciertos(now, budget):
            if self._stop.is_set():
                break
            self._limiter.wait()
            self._resolve_incierto(row, self._ask(row), report)
            budget -= 1
        if budget > 0:
            for row in self._sin_entrega_final(now, budget):
                if self._stop.is_set():
                    break
                self._limiter.wait()
                self._update_delivery(row, self._ask(row), report)
        self.last_report = report
        return report

    # --- selection ---------------------------------------------------------------------------

    def _inciertos(self, now: datetime, limit: int) -> list[Any]:
        espera = timedelta(minutes=self._settings.incierto_espera_minutos)
        with self._db.uow() as uow:
            s = uow.session
            # First sight starts the settle time (conciliado_en = when we first saw it incierto).
            s.execute(
                update(Envio)
                .where(Envio.estado == E.INCIERTO.value, Envio.conciliado_en.is_(None))
                .values(conciliado_en=now)
                .execution_options(synchronize_session=False)
            )
            rows = s.execute(
                select(Envio.id, Envio.solicitud_id, Envio.proveedor_id, Envio.creado, Envio.estado)
                .where(Envio.estado == E.INCIERTO.value, Envio.conciliado_en <= now - espera)
                .order_by(Envio.conciliado_en, Envio.id)
                .limit(limit)
            ).all()
            self.inciertos_en_espera = int(
                s.scalar(
                    select(func.count()).where(
                        Envio.estado == E.INCIERTO.value, Envio.conciliado_en > now - espera
                    )
                )
                or 0
            )
            uow.commit()
        return list(rows)

    def _sin_entrega_final(self, now: datetime, limit: int) -> list[Any]:
        espera = timedelta(minutes=self._settings.conciliar_espera_minutos)
        periodo = timedelta(seconds=max(1.0, self._settings.conciliar_cada_segundos))
        finales = [e.value for e in ENTREGAS_FINALES]
        with self._db.uow() as uow:
            rows = uow.session.execute(
                select(Envio.id, Envio.solicitud_id, Envio.proveedor_id, Envio.creado, Envio.estado)
                .where(
                    Envio.estado == E.ENVIADO.value,
                    or_(Envio.estado_entrega.is_(None), Envio.estado_entrega.not_in(finales)),
                    Envio.enviado_en <= now - espera,
                    Envio.enviado_en >= now - MAX_AGE,
                    or_(Envio.conciliado_en.is_(None), Envio.conciliado_en <= now - periodo),
                )
                .order_by(Envio.enviado_en, Envio.id)
                .limit(limit)
            ).all()
        return list(rows)

    # --- one envio ---------------------------------------------------------------------------

    def _ask(self, row: Any) -> Consulta:
        try:
            if row.proveedor_id:
                return self._source.by_notification(row.proveedor_id)
            return self._source.by_payload(row.id, row.creado - timedelta(minutes=5))
        except Exception as exc:  # a client bug must not stop the loop; nothing is concluded
            log.exception("Consulta de resultados a Botmaker falló (envío %s)", row.id)
            return Desconocido(type(exc).__name__)

    def _touch(self, s: Any, envio_id: int, now: datetime) -> None:
        s.execute(
            update(Envio)
            .where(Envio.id == envio_id)
            .values(conciliado_en=now)
            .execution_options(synchronize_session=False)
        )

    def _resolve_incierto(self, row: Any, answer: Consulta, report: ReconcileReport) -> None:
        report.consultados += 1
        now = self._clock()
        with self._db.uow() as uow:
            s = uow.session
            if isinstance(answer, Encontrado):
                if confirmar_incierto(s, row.id, row.solicitud_id, now, RECONCILER, "consulta"):
                    report.confirmados += 1
                    if answer.tx_id:
                        s.execute(
                            update(Envio)
                            .where(Envio.id == row.id, Envio.proveedor_id.is_(None))
                            .values(proveedor_id=answer.tx_id)
                            .execution_options(synchronize_session=False)
                        )
                    report.actualizados += _entrega(s, row, answer, now)
            elif isinstance(answer, NoExiste):
                if reencolar(s, row.id, row.solicitud_id, now, RECONCILER):
                    report.reencolados += 1
            else:
                report.sin_respuesta += 1
                log.info("Envío %s incierto: Botmaker no respondió (%s)", row.id, answer.motivo)
            self._touch(s, row.id, now)
            uow.commit()

    def _update_delivery(self, row: Any, answer: Consulta, report: ReconcileReport) -> None:
        report.consultados += 1
        now = self._clock()
        with self._db.uow() as uow:
            s = uow.session
            if isinstance(answer, Encontrado) and answer.estado is not None:
                report.actualizados += _entrega(s, row, answer, now)
            elif isinstance(answer, Desconocido):
                report.sin_respuesta += 1
            self._touch(s, row.id, now)
            uow.commit()


def _entrega(s: Any, row: Any, answer: Encontrado, now: datetime) -> bool:
    """Botmaker's record moves the delivery state forward (False: nothing new)."""
    if answer.estado is None:
        return False
    return avanzar_entrega(
        s,
        row.id,
        row.solicitud_id,
        answer.estado,
        answer.fecha or now,
        answer.motivo,
        now,
        RECONCILER,
        "consulta",
    )


# An incierto waiting for its settle time is asked about this soon, not a whole period later.
INCIERTO_RECHECK_SECONDS = 30.0


class ReconcileThread:
    """Loops `run_once` every `period` seconds until `stop()` (sooner while inciertos wait)."""

    def __init__(
        self,
        reconciler: Reconciler,
        period: float,
        stop: threading.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reconciler = reconciler
        self.period = period
        self._stop = stop
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.errors = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="conciliacion", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.reconciler.run_once()
            except Exception:
                self.errors += 1
                log.exception(
                    "La conciliación con Botmaker falló; se reintenta en el próximo ciclo"
                )
            self.runs += 1
            wait = self.period
            if self.reconciler.inciertos_en_espera:
                wait = min(wait, INCIERTO_RECHECK_SECONDS)
            self._wake.wait(wait)
            self._wake.clear()
