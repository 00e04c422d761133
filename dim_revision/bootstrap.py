"""Composition root: the only place that builds engines, clients and threads from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dim_revision.clock import Clock, utcnow
from dim_revision.config import LoadedSettings, Settings, load_layers
from dim_revision.db.engine import create_db_engine, sqlite_url
from dim_revision.db.uow import Database
from dim_revision.paths import AppPaths
from dim_revision.secrets import KeyringStore, SecretStore
from dim_revision.services.actor import Actor

if TYPE_CHECKING:
    from dim_revision.outbox.worker import OutboxWorker


@dataclass
class AppContext:
    """Everything a command or the GUI needs, built once and passed down."""

    settings: Settings
    paths: AppPaths
    secrets: SecretStore
    actor: Actor
    clock: Clock = utcnow
    _db: Database | None = field(default=None, repr=False)
    extras: dict[str, Any] = field(default_factory=dict)  # demo mode: the fake Botmaker server
    # Which config files were considered and read (`config show`, `doctor`); None when a test
    # built the context by hand.
    loaded: LoadedSettings | None = None

    @property
    def db_url(self) -> str:
        return self.settings.database.url or sqlite_url(self.paths.demo_db)

    @property
    def db(self) -> Database:
        """Built on first use so commands that need no database (config, secrets) never touch it."""
        if self._db is None:
            engine = create_db_engine(self.db_url, self.secrets, echo=self.settings.database.echo)
            self._db = Database(engine, self.settings.dim)
        return self._db

    def verified_db(self) -> Database:
        """The database, after checking once that the `[dim]` mapping matches it: commands that
        write (and the GUI) never start against a half-mapped database."""
        db = self.db
        if not self.extras.get("dim_verificada"):
            from sqlalchemy.exc import DBAPIError

            from dim_revision.db.dim_check import exigir_mapeo
            from dim_revision.db.engine import describe_db_error
            from dim_revision.errors import DatabaseUnavailable

            try:
                exigir_mapeo(db)
            except DBAPIError as exc:
                raise DatabaseUnavailable(describe_db_error(db.engine, exc)) from None
            self.extras["dim_verificada"] = True
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        self.extras.pop("dim_verificada", None)


def build_context(
    cli_overrides: dict[str, dict[str, Any]] | None = None,
    paths: AppPaths | None = None,
    secrets: SecretStore | None = None,
    clock: Clock = utcnow,
) -> AppContext:
    paths = paths or AppPaths.for_user()
    loaded = load_layers(paths.config_file, cli=cli_overrides, machine_file=paths.machine_config)
    settings = loaded.settings
    actor = Actor.from_os(settings.operador.usuario, settings.operador.estacion)
    ctx = AppContext(settings, paths, secrets or KeyringStore(), actor, clock, loaded=loaded)
    if clock is utcnow:
        # Time that decides is the database server's (DESIGN §6); this PC's clock only shows.
        from dim_revision.db.sql_time import DatabaseClock

        ctx.clock = DatabaseClock.for_engine(lambda: ctx.db.engine)
    return ctx


def build_outbox_worker(ctx: AppContext) -> OutboxWorker:
    """The outbox worker of this workstation (or of the headless `outbox run`): its own HTTP
    session and a lease owner token unique to this process. Imports are local so commands that
    never send (config, secrets) don't pay for `requests` at start-up."""
    import requests

    from dim_revision.outbox.botmaker import BotmakerClient
    from dim_revision.outbox.signing import LinkSigner
    from dim_revision.outbox.worker import OutboxWorker, worker_owner

    botmaker = ctx.settings.botmaker
    client = BotmakerClient(botmaker, ctx.secrets, requests.Session(), clock=ctx.clock)
    owner = Actor(worker_owner(ctx.actor.estacion), ctx.actor.estacion[:60])
    return OutboxWorker(
        ctx.verified_db(),
        client,
        retry_policy(ctx.settings),
        ctx.clock,
        owner,
        botmaker,
        signer=LinkSigner(ctx.settings, ctx.secrets),
    )


def retry_policy(settings: Settings) -> Any:
    """The outbox's retry policy from `[outbox]` (a bad value is a Spanish ConfigError)."""
    from dim_revision.domain.retry import RetryPolicy
    from dim_revision.errors import ConfigError

    o = settings.outbox
    try:
        return RetryPolicy.escalonada(
            o.reintentos, o.reintento_inicial_segundos, o.reintento_maximo_minutos * 60
        )
    except ValueError:
        raise ConfigError(
            "[outbox] reintentos debe ser ≥ 1, reintento_inicial_segundos > 0 y "
            "reintento_maximo_minutos ≥ reintento_inicial_segundos / 60."
        ) from None


def sends_here(ctx: AppContext) -> bool:
    """Whether this workstation runs the outbox worker: not in `[outbox] modo = "servicio"`,
    where only `dim-revision serve` sends and holds the Botmaker token and the link key."""
    return ctx.settings.outbox.modo != "servicio"


def build_service(ctx: AppContext) -> Any:
    """`dim-revision serve` (and the demo's in-process equivalent): the sender, the
    reconciliation and the HTTP app over the same database and settings."""
    from dim_revision.api.runtime import ServiceRuntime

    return ServiceRuntime.build(ctx, build_outbox_worker(ctx))


def build_lector(ctx: AppContext) -> Any:
    """This process's order reader (issue 15): one engine, one low-priority thread, built on
    first use and shared; None when `[lectura] activa = false` or the engine is not installed.
    The engine runs in a child process of its own (issue 19) unless `proceso_aparte = false`."""
    if not ctx.settings.lectura.activa:
        return None
    if "lector" not in ctx.extras:
        from dim_revision.lectura.lector import Lector

        cfg = ctx.settings.lectura
        motor: Any = None
        if cfg.proceso_aparte:
            from dim_revision.lectura.motor import instalado
            from dim_revision.lectura.proceso import MotorEnProceso

            motor = MotorEnProceso(cfg.hilos) if instalado() is None else None
        else:
            from dim_revision.lectura.motor import RapidOcr, disponible

            motor = RapidOcr(cfg.hilos) if disponible() is None else None
        ctx.extras["lector"] = (
            None
            if motor is None
            else Lector(motor, timeout=cfg.timeout_segundos, lado=cfg.lado_maximo)
        )
    return ctx.extras["lector"]
