"""The outbox worker: claim due Envios, send each once, record every outcome.

`run_once(now)` is the whole algorithm and runs without threads (tests and `outbox run --once`
call it directly); `OutboxThread` only loops it in the background. Each step is its own short
transaction: reserve the batch (the claim lease covers all of it); for each one, once the whole
request but its last byte is written, re-check ownership and record "POST begun" (`iniciado_en`,
lease stretched to cover this send); then let the last byte go and record the result.

A crash before "begun" leaves a reservation that expires back to *programado* (provably never
sent); a crash after it leaves a begun send that expires into *incierto* — never a silent resend.
"""

from __future__ import annotations

import logging
import os
import secrets as _random
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dim_revision.clock import Clock
from dim_revision.config import BotmakerSettings
from dim_revision.db.uow import Database
from dim_revision.domain.phones import enmascarar
from dim_revision.domain.retry import RetryPolicy
from dim_revision.envio import por_worker
from dim_revision.envio.por_worker import ClaimedEnvio
from dim_revision.outbox.botmaker import (
    Accepted,
    Ambiguous,
    MensajeWhatsApp,
    NotSent,
    Permanent,
    Retryable,
    SendResult,
    StopWorker,
    describe,
)
from dim_revision.outbox.pacing import RateLimiter
from dim_revision.outbox.status import OutboxCounts, RunReport, WorkerStatus
from dim_revision.shared.actor import Actor

log = logging.getLogger(__name__)

# Extra time on top of the HTTP timeouts before a lease counts as abandoned.
LEASE_MARGIN = timedelta(seconds=30)


class Sender(Protocol):
    def send(
        self, msg: MensajeWhatsApp, before_send: Callable[[], bool] | None = None
    ) -> SendResult: ...

    def close(self) -> None: ...


# (session, envio id, owner, now) → the signed template variables, or None if already signed.
LinkSignerFn = Callable[[Any, int, Actor, datetime], dict[str, Any] | None]


def worker_owner(estacion: str) -> str:
    """A lease owner token unique to this worker instance (fits `tomado_por`, 60 chars)."""
    suffix = f"#{os.getpid()}-{_random.token_hex(3)}"
    return f"outbox@{estacion}"[: 60 - len(suffix)] + suffix


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        client: Sender,
        policy: RetryPolicy,
        clock: Clock,
        owner: Actor,
        settings: BotmakerSettings,
        *,
        limiter: RateLimiter | None = None,
        signer: LinkSignerFn | None = None,
    ) -> None:
        """`owner.usuario` is the lease owner token (see `worker_owner`); `signer` signs the link
        of an Envio confirmed without one (servicio mode, see `outbox/signing.py`)."""
        self._signer = signer
        self._db = db
        self._client = client
        self._policy = policy
        self._clock = clock
        self.owner = owner
        self.batch = max(1, settings.lote)
        # `lease` covers one send (both timeouts) plus the wait for the rate limiter: a begun
        # send's lease is stretched to it. The claim (reservation) lease covers the whole batch.
        rate_wait = 1.0 / settings.envios_por_segundo if settings.envios_por_segundo > 0 else 0.0
        per_send = timedelta(seconds=settings.connect_timeout + settings.read_timeout + rate_wait)
        self.lease = per_send + LEASE_MARGIN
        self.claim_lease = per_send * self.batch + LEASE_MARGIN
        self._stop = threading.Event()
        self._limiter = limiter or RateLimiter(settings.envios_por_segundo, sleep=self._stop.wait)
        self._lock = threading.Lock()
        self._status = WorkerStatus()
        # Consecutive sends that failed with the same permanent error (a wrong template/line).
        self.pause_after = max(0, settings.pausa_tras_errores_iguales)
        self._streak: list[ClaimedEnvio] = []
        # Outcomes not yet written because the database failed; retried first on the next run.
        self._pending: list[tuple[ClaimedEnvio, SendResult, bool]] = []
        self._streak_reason: str | None = None

    # --- control -----------------------------------------------------------------------------

    @property
    def status(self) -> WorkerStatus:
        with self._lock:
            return self._status

    def _set_status(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    @property
    def paused(self) -> bool:
        return self.status.pausado

    def pause(self, motivo: str) -> None:
        log.warning("Envíos en pausa: %s", motivo)
        self._set_status(pausado=True, motivo=motivo)

    def resume(self) -> None:
        if self.paused:
            log.info("Envíos reanudados")
        self._streak, self._streak_reason = [], None
        self._set_status(pausado=False, motivo=None)

    def now(self) -> datetime:
        return self._clock()

    def set_counts(self, conteos: OutboxCounts) -> None:
        self._set_status(conteos=conteos)

    def set_failure(self, mensaje: str) -> None:
        """An unexpected failure of a whole run (e.g. the database is down), for the status bar."""
        self._set_status(ultimo_error=mensaje)

    def request_stop(self) -> None:
        """Finish the request in flight, record it, return the rest of the batch, then return."""
        self._stop.set()

    def clear_stop(self) -> None:
        self._stop.clear()

    def close(self) -> None:
        """Release the HTTP session (the database belongs to the caller)."""
        self._client.close()

    # --- the algorithm -----------------------------------------------------------------------

    def run_once(self, now: datetime | None = None) -> RunReport:
        """One batch. Commits: one transaction for the whole batch's claim (expired leases
        returned, the batch reserved, servicio-mode links signed), then at most two per message
        (the "POST begun" mark, the result); `tests/integration/test_sender_commits.py` counts."""
        now = now or self._clock()
        report = RunReport()
        self._record_pending(report)
        paused = self.paused or self._stop.is_set()
        with self._db.uow() as uow:
            report.expirados = len(por_worker.vencer_reservas(uow.session, now, self.owner))
            claimed: list[ClaimedEnvio] = []
            signed: dict[int, dict[str, Any] | None] = {}
            sign_error: str | None = None
            if not paused:
                claimed = por_worker.tomar(
                    uow.session, now, self.owner, self.claim_lease, self.batch
                )
                signed, sign_error = self._sign_all(uow.session, claimed, now)
            uow.commit()
        if paused:
            report.pausado = self.status.motivo
            self._set_status(ultima_corrida=now, ultimo_error=None)
            return report
        report.tomados = len(claimed)
        pending = list(claimed)
        try:
            while pending:
                if self._stop.is_set() or self.paused:
                    break
                self._limiter.wait()
                if self._stop.is_set():
                    break
                item = pending.pop(0)
                try:
                    variables = item.variables()
                except ValueError:
                    self._record(
                        item,
                        Permanent("Los parámetros guardados del envío están dañados."),
                        report,
                        from_botmaker=False,
                    )
                    continue
                if self._signer is not None:  # servicio mode: the link was signed at the claim
                    if item.id not in signed:  # no link key: released unsent, the sender pauses
                        reason = sign_error or "no se pudo firmar el link"
                        self._record(item, StopWorker(reason), report, from_botmaker=False)
                        continue
                    variables = signed[item.id] or variables
                self._send(item, variables, report)
        finally:
            if pending:
                motivo = self.status.motivo or "el puesto detuvo los envíos"
                report.liberados += self._release(pending, motivo)
        report.pausado = self.status.motivo
        self._set_status(
            ultima_corrida=now,
            ultimo_error=None,
            enviados=self.status.enviados + report.enviados,
        )
        return report

    def _begin(self, item: ClaimedEnvio, holder: ExitStack) -> bool:
        """Called by the client with the whole request but its last byte written: make "POST
        begun" durable (ownership re-checked, lease stretched). False: do not send.

        The unit of work is closed by `holder` only after the send: returning the connection to
        the pool costs a round trip (a reset), which must not sit between the durable "begun"
        and the last byte (a kill -9 there would leave a begun send that never left)."""
        now = self._clock()
        # A connection of our own, closed (reset and returned to the pool) only by `holder`.
        connection = holder.enter_context(self._db.engine.connect())
        with Session(bind=connection) as session:
            still_mine = por_worker.empezar(session, item, self.owner, now, now + self.lease)
            session.commit()
        if not still_mine:
            log.warning("Envío %s: ya no es de este puesto; no se envía", item.id)
        return still_mine

    def _sign_all(
        self, session: Session, claimed: list[ClaimedEnvio], now: datetime
    ) -> tuple[dict[int, dict[str, Any] | None], str | None]:
        """Servicio mode: sign the batch's links in the claim's own transaction. Returns the new
        variables by Envio id (None: already signed) and, if this process holds no link key,
        why the rest could not be signed (those are released unsent and the sender pauses)."""
        from dim_revision.errors import UserError

        signed: dict[int, dict[str, Any] | None] = {}
        if self._signer is None:
            return signed, None
        for item in claimed:
            try:
                signed[item.id] = self._signer(session, item.id, self.owner, now)
            except UserError as exc:
                return signed, str(exc)
        return signed, None

    def _send(self, item: ClaimedEnvio, variables: dict[str, Any], report: RunReport) -> None:
        msg = MensajeWhatsApp(item.id, item.telefono, item.plantilla, variables)
        with ExitStack() as holder:
            try:
                result = self._client.send(msg, before_send=lambda: self._begin(item, holder))
            except Exception as exc:  # a bug after the request may have gone out: assume it did
                log.exception("Envío %s: error inesperado del cliente de Botmaker", item.id)
                result = Ambiguous(f"Error inesperado al enviar: {type(exc).__name__}")
        self._record(item, result, report)

    def _record_pending(self, report: RunReport) -> None:
        """Results the database refused to take (it was down) are recorded first, before any
        lease expires: a send Botmaker accepted becomes enviado, not incierto, and one abandoned
        before its last byte goes back to the queue instead of looking begun."""
        while self._pending:
            item, result, from_botmaker = self._pending.pop(0)
            self._record(item, result, report, from_botmaker=from_botmaker)

    def _record(
        self,
        item: ClaimedEnvio,
        result: SendResult,
        report: RunReport,
        *,
        from_botmaker: bool = True,
    ) -> None:
        try:
            self._record_now(item, result, report, from_botmaker=from_botmaker)
        except DBAPIError:
            self._pending.insert(0, (item, result, from_botmaker))
            raise

    def _record_now(
        self,
        item: ClaimedEnvio,
        result: SendResult,
        report: RunReport,
        *,
        from_botmaker: bool = True,
    ) -> None:
        now = self._clock()
        with self._db.uow() as uow:
            s = uow.session
            if isinstance(result, Accepted):
                ok = por_worker.aceptado(s, item, self.owner, now, result.provider_id)
                report.enviados += ok
            elif isinstance(result, Retryable):
                delay = self._policy.next_delay(item.intentos, result.retry_after)
                if delay is None:
                    error = f"{result.reason} Se agotaron los reintentos ({item.intentos})."
                    ok = por_worker.fallar(s, item, self.owner, now, error)
                    report.fallidos += ok
                else:
                    when = now + timedelta(seconds=delay)
                    ok = por_worker.reprogramar(s, item, self.owner, now, when, result.reason)
                    report.reintentos += ok
            elif isinstance(result, Permanent):
                ok = por_worker.fallar(s, item, self.owner, now, result.reason)
                report.fallidos += ok
            elif isinstance(result, NotSent):
                # The request was abandoned before its last byte: provably not sent. If we
                # still hold it (the hook failed, e.g. a database hiccup), return it unsent;
                # if not (another PC took it back), there is nothing of ours to record.
                ok = por_worker.liberar(s, item, self.owner, now, result.reason)
                report.liberados += ok
                report.perdidos += not ok
                ok = True
            elif isinstance(result, StopWorker):
                # Botmaker refused it before doing anything: not an attempt, not a failure.
                ok = por_worker.liberar(s, item, self.owner, now, result.reason)
                report.liberados += ok
                self.pause(result.reason)
            else:
                ok = por_worker.incierto(s, item, self.owner, now, result.reason)
                report.inciertos += ok
            uow.commit()
        if from_botmaker:
            self._track_permanent(item, result, report, ok)
        if not ok:
            log.error(
                "Envío %s a %s: el resultado (%s) no se pudo registrar porque el envío ya no "
                "pertenece a este puesto",
                item.id,
                enmascarar(item.telefono),
                describe(result),
            )

    def _track_permanent(
        self, item: ClaimedEnvio, result: SendResult, report: RunReport, recorded: bool
    ) -> None:
        """The same permanent error N times in a row stops the sender, not the queue: pause and
        put those N back to programado (they will go out once the template/line is fixed)."""
        if isinstance(result, Accepted):
            self._streak, self._streak_reason = [], None
        if not isinstance(result, Permanent) or not recorded or self.pause_after == 0:
            return
        if result.reason != self._streak_reason:
            self._streak, self._streak_reason = [], result.reason
        self._streak.append(item)
        if len(self._streak) < self.pause_after:
            return
        motivo = (
            f"Botmaker rechazó {len(self._streak)} envíos seguidos con el mismo error "
            f"({result.reason}). Revisá la plantilla y la línea configuradas en [botmaker] "
            "(«dim-revision doctor» las verifica) y reanudá los envíos."
        )
        devueltos = 0
        with self._db.uow() as uow:
            for fallido in self._streak:
                devueltos += por_worker.devolver_por_pausa(
                    uow.session, fallido, self.owner, self._clock(), motivo
                )
            uow.commit()
        report.fallidos = max(0, report.fallidos - devueltos)
        report.liberados += devueltos
        self._streak, self._streak_reason = [], None
        self.pause(motivo)

    def _release(self, items: list[ClaimedEnvio], motivo: str) -> int:
        released = 0
        try:
            with self._db.uow() as uow:
                for item in items:
                    released += por_worker.liberar(
                        uow.session, item, self.owner, self._clock(), motivo
                    )
                uow.commit()
        except Exception:  # database down: the leases will expire (to incierto) instead
            log.exception("No se pudieron devolver %d envíos a la cola", len(items))
            return 0
        return released


class OutboxThread:
    """Runs `worker.run_once()` in a background thread: immediately again after a full batch,
    otherwise after an idle delay that doubles up to `idle_max`; `wake()` cuts the wait short."""

    def __init__(
        self,
        worker: OutboxWorker,
        *,
        idle_min: float = 2.0,
        idle_max: float = 30.0,
        counts: Callable[[datetime], OutboxCounts] | None = None,
        on_status: Callable[[WorkerStatus], None] | None = None,
    ) -> None:
        self.worker = worker
        self.idle_min = idle_min
        self.idle_max = idle_max
        self._counts = counts
        self._on_status = on_status
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # completed loop iterations (tests and diagnostics)

    def listen(self, on_status: Callable[[WorkerStatus], None]) -> None:
        """Hear the status after each pass (called on this thread; set before `start`)."""
        self._on_status = on_status

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self.worker.clear_stop()
        self._thread = threading.Thread(target=self._loop, name="outbox-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Send now (after a local Confirmar envío / "enviar ahora", or after resume)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        self.worker.request_stop()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.is_alive()

    def _loop(self) -> None:
        delay = self.idle_min
        while not self._stopping.is_set():
            report: RunReport | None = None
            try:
                report = self.worker.run_once()
                if self._counts is not None:
                    self.worker.set_counts(self._counts(self.worker.now()))
            except Exception as exc:
                log.exception("El trabajador de envíos falló; se reintenta en %.0f s", delay)
                self.worker.set_failure(_describe_failure(exc))
            self.runs += 1
            if self._on_status is not None:
                try:
                    self._on_status(self.worker.status)
                except Exception:
                    log.exception("on_status falló")
            if report is not None and report.tomados >= self.worker.batch and not report.pausado:
                delay = 0.0  # more may be due right now
            elif report is not None and report.hizo_algo:
                delay = self.idle_min
            else:
                delay = min(max(delay * 2, self.idle_min), self.idle_max)
            if delay > 0:
                self._wake.wait(delay)
            self._wake.clear()


def _describe_failure(exc: Exception) -> str:
    if isinstance(exc, DBAPIError):
        return "no se pudo usar la base de datos; se reintenta automáticamente."
    return f"error inesperado ({type(exc).__name__}); se reintenta automáticamente."
