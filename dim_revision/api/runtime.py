"""The running service: the single sender, the reconciliation, the key heartbeat and the HTTP app.

`start()` begins the background work, `serve()` runs uvicorn until SIGTERM/SIGINT (uvicorn's own
graceful shutdown), then `stop()`: the sender finishes the request in flight and records it, the
rest of its batch goes back to the queue, the reconciliation stops between queries. Nothing is
lost: every state lives in the database, written before and after each POST.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from dim_revision.api.auth import Credentials
from dim_revision.api.metrics import Metrics
from dim_revision.db import migrate
from dim_revision.outbox.reconcile import Reconciler, ReconcileThread
from dim_revision.outbox.status import WorkerStatus, outbox_counts
from dim_revision.outbox.worker import OutboxThread, OutboxWorker
from dim_revision.secrets import key_fingerprint
from dim_revision.services import latido
from dim_revision.services.lectura_job import iniciar_lectura

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dim_revision.bootstrap import AppContext

log = logging.getLogger(__name__)


@dataclass
class ServiceRuntime:
    ctx: AppContext
    worker: OutboxWorker | None  # None: this process does not send (the demo's GUI does)
    reconciler: Reconciler | None
    credentials: Credentials
    metrics: Metrics = field(default_factory=Metrics)
    nombre: str = field(default_factory=lambda: f"servicio@{socket.gethostname()}"[:60])
    _stop: threading.Event = field(default_factory=threading.Event)
    _outbox: OutboxThread | None = None
    _reconcile: ReconcileThread | None = None
    _heartbeat: threading.Thread | None = None
    _writer: ThreadPoolExecutor | None = None
    _lectura: Any = None  # the order reader's job (issue 15), when [lectura] is on

    @classmethod
    def build(cls, ctx: AppContext, worker: OutboxWorker | None) -> ServiceRuntime:
        import requests

        from dim_revision.outbox.results import ResultsClient

        stop = threading.Event()
        s = ctx.settings.servicio
        reconciler = None
        if s.conciliar_cada_segundos > 0:
            client = ResultsClient(ctx.settings.botmaker, ctx.secrets, requests.Session())
            reconciler = Reconciler(ctx.db, client, ctx.clock, s, stop=stop)
        credentials = Credentials(ctx.secrets, Credentials.parse_clientes(s.clientes))
        return cls(ctx, worker, reconciler, credentials, _stop=stop)

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        if self.worker is not None:
            db = self.ctx.db
            self._outbox = OutboxThread(
                self.worker,
                counts=lambda now: outbox_counts(db, now),
                on_status=self._on_sender_status,
            )
            self._outbox.start()
        if self.reconciler is not None:
            period = self.ctx.settings.servicio.conciliar_cada_segundos
            self._reconcile = ReconcileThread(self.reconciler, period, self._stop)
            self._reconcile.start()
        self._heartbeat = threading.Thread(target=self._beat_loop, name="latido", daemon=True)
        self._heartbeat.start()
        self._lectura = iniciar_lectura(self.ctx, self._stop)

    def stop(self, timeout: float | None = 60.0) -> None:
        """Finish the send in flight, return the rest, stop the loops (idempotent)."""
        self._stop.set()
        if self._outbox is not None:
            self._outbox.stop(timeout)
            log.info(
                "Envíos detenidos: %d enviados en esta sesión",
                self.worker.status.enviados if self.worker else 0,
            )
        if self._reconcile is not None:
            self._reconcile.stop(timeout)
        if self._heartbeat is not None:
            self._heartbeat.join(timeout)
        if self._lectura is not None:
            self._lectura.stop(timeout)
        if self.worker is not None:
            self.worker.close()
        if self.reconciler is not None:
            self.reconciler.close()
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def _on_sender_status(self, status: WorkerStatus) -> None:
        """A new incierto: the reconciliation starts its settle time now, not a period later."""
        if status.conteos is not None and status.conteos.inciertos:
            self.wake_reconciler()

    def wake_sender(self) -> None:
        if self._outbox is not None:
            self._outbox.wake()

    def wake_reconciler(self) -> None:
        if self._reconcile is not None:
            self._reconcile.wake()

    def _beat_loop(self) -> None:
        period = max(1.0, self.ctx.settings.servicio.latido_segundos)
        while not self._stop.is_set():
            try:
                self.beat()
            except Exception:
                log.warning("No se pudo registrar el latido del servicio", exc_info=True)
            self._stop.wait(period)

    def beat(self) -> None:
        latido.registrar(
            self.ctx.db,
            nombre=self.nombre,
            rol="servicio",
            modo=self.ctx.settings.outbox.modo,
            huella=self.fingerprint(),
            now=self.ctx.clock(),
        )

    def fingerprint(self) -> str | None:
        try:
            return key_fingerprint(self.ctx.secrets.get("link-key"))
        except Exception:
            return None

    # --- health --------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        db_ok = schema_ok = False
        schema: str | None = None
        try:
            with self.ctx.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db_ok = True
            schema = migrate.current_revision(self.ctx.db.engine)
            schema_ok = schema == migrate.head_revision()
        except Exception as exc:
            log.warning("healthz: la base no responde (%s)", type(exc).__name__)
        sending = self.worker is not None
        alive = bool(self._outbox and self._outbox.is_alive()) if sending else True
        paused = bool(self.worker and self.worker.paused)
        own = self.fingerprint()
        match: latido.Comparacion | None = None
        if db_ok:
            try:
                vistos = latido.recientes(self.ctx.db, self.ctx.clock())
                match = latido.comparar(own, self.nombre, vistos, self.ctx.clock())
            except Exception:
                match = None
        keys, webhook = self.credentials.configured()
        ok = db_ok and schema_ok and alive and not paused and (match is None or match.ok)
        return {
            "estado": "ok" if ok else "degradado",
            "version": _version(),
            "modo": self.ctx.settings.outbox.modo,
            "base_de_datos": db_ok,
            "esquema_al_dia": schema_ok,
            "esquema": schema,
            "enviador": sending,
            "enviador_vivo": alive,
            "enviador_pausado": paused,
            "enviador_motivo": self.worker.status.motivo if self.worker else None,
            "conciliacion_viva": bool(self._reconcile and self._reconcile.is_alive()),
            "huella_clave_link": own,
            "huella_coincide": match.ok if match else None,
            "huella_detalle": match.texto if match else None,
            "clientes_con_clave": keys,
            "webhook_configurado": webhook,
        }

    # --- HTTP ------------------------------------------------------------------------------------

    def writer(self) -> ThreadPoolExecutor:
        if self._writer is None:
            sqlite = self.ctx.db.engine.dialect.name == "sqlite"
            self._writer = ThreadPoolExecutor(1 if sqlite else 8, thread_name_prefix="webhook")
        return self._writer

    def app(self) -> FastAPI:
        from dim_revision.api.app import ApiServices, create_app

        return create_app(
            ApiServices(
                db=self.ctx.db,
                settings=self.ctx.settings,
                secrets=self.ctx.secrets,
                credentials=self.credentials,
                metrics=self.metrics,
                clock=self.ctx.clock,
                health=self.health,
                estacion=self.nombre,
                writer=self.writer(),
            )
        )

    def server(self, host: str, port: int) -> Any:
        import uvicorn

        # Only our access log (masked, no query string): uvicorn's would print raw paths and
        # query strings, which may carry a DNI or a token.
        uvicorn_access = logging.getLogger("uvicorn.access")
        uvicorn_access.handlers = []
        uvicorn_access.propagate = False
        uvicorn_access.disabled = True
        config = uvicorn.Config(
            self.app(),
            host=host,
            port=port,
            log_config=None,  # our logging (masked file); our own access log
            access_log=False,
            timeout_graceful_shutdown=10,
            lifespan="off",
        )
        return uvicorn.Server(config)

    def serve(self, host: str, port: int, on_ready: Callable[[Any], None] | None = None) -> None:
        """Blocking: start, serve until SIGTERM/SIGINT, then stop cleanly."""
        server = self.server(host, port)
        previous = _own_exit_signals(server)
        self.start()
        try:
            if on_ready is not None:
                threading.Thread(target=_wait_started, args=(server, on_ready), daemon=True).start()
            server.run()
        finally:
            self.stop()
            _restore_signals(previous)


def _own_exit_signals(server: Any) -> dict[int, Any]:
    """Our own SIGTERM/SIGINT handlers under uvicorn's: after its graceful shutdown uvicorn
    re-raises the signal to the handler it found, which must not kill the process before
    `stop()` has recorded the send in flight."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return {}

    def exit_requested(_sig: int, _frame: Any) -> None:
        server.should_exit = True

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, exit_requested)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    import signal

    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _wait_started(server: Any, on_ready: Callable[[Any], None]) -> None:
    import time

    for _ in range(600):
        if getattr(server, "started", False):
            on_ready(server)
            return
        time.sleep(0.05)


def _version() -> str:
    from dim_revision import __version__

    return __version__


class ServiceThread:
    """The service's HTTP server in a background thread (demo mode, tests); uvicorn installs no
    signal handlers outside the main thread."""

    def __init__(self, runtime: ServiceRuntime, host: str = "127.0.0.1", port: int = 0) -> None:
        self.runtime = runtime
        self._server = runtime.server(host, port)
        self._thread = threading.Thread(target=self._server.run, name="servicio-http", daemon=True)

    def start(self, timeout: float = 15.0) -> ServiceThread:
        self.runtime.start()
        self._thread.start()
        import time

        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("el servicio no arrancó")
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(15)
        self.runtime.stop()
