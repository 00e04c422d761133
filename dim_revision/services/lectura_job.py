"""The service's background job (issue 15): read new uploads before any operator opens them.

`LecturaJob.run_once` reads up to `lote` unread files (tests call it without threads);
`LecturaThread` repeats it every `period` seconds, sooner while there is a backlog. Errors are
logged and the loop carries on: a reading is a nicety, never a reason to stop the service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from dim_revision.db.uow import Database
from dim_revision.lectura.lector import Lector
from dim_revision.services.lecturas import leer_pendientes

log = logging.getLogger(__name__)


class LecturaJob:
    def __init__(self, db: Database, lector: Lector, quien: str, lote: int = 10) -> None:
        self.db, self.lector, self.quien, self.lote = db, lector, quien, lote
        self.leidos = 0

    def run_once(self) -> int:
        hechos = leer_pendientes(self.db, self.lector, self.quien, self.lote)
        self.leidos += hechos
        return hechos


class LecturaThread:
    """Builds its job on the first round, one `period` after start: the engine (numpy,
    onnxruntime, the models) is never loaded by a service that stops before then."""

    def __init__(
        self, crear: Callable[[], LecturaJob | None], period: float, stop: threading.Event
    ) -> None:
        self.crear, self.period, self._stop = crear, period, stop
        self.job: LecturaJob | None = None
        self._thread = threading.Thread(target=self._loop, name="lectura-ordenes", daemon=True)
        self.errors = 0

    def start(self) -> LecturaThread:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)
        if self.job is not None:
            self.job.lector.cerrar()

    def _loop(self) -> None:
        espera = self.period
        while not self._stop.wait(espera):
            hechos = 0
            try:
                if self.job is None:
                    self.job = self.crear()
                    if self.job is None:
                        return  # the engine is not installed: nothing to do, ever
                hechos = self.job.run_once()
            except Exception:
                self.errors += 1
                log.warning("La lectura de órdenes falló en esta vuelta", exc_info=True)
            espera = 1.0 if self.job is not None and hechos >= self.job.lote else self.period


def iniciar_lectura(ctx: Any, stop: threading.Event) -> LecturaThread | None:
    """The job of `dim-revision serve`, if `[lectura]` is on and the engine is installed."""
    from dim_revision.bootstrap import build_lector

    cfg = ctx.settings.lectura
    if not cfg.activa or cfg.cada_segundos <= 0:
        return None

    def crear() -> LecturaJob | None:
        lector = build_lector(ctx)
        quien = f"servicio@{ctx.actor.estacion}"[:60]
        return None if lector is None else LecturaJob(ctx.db, lector, quien, cfg.lote)

    return LecturaThread(crear, cfg.cada_segundos, stop).start()
