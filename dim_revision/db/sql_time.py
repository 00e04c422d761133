"""The database server's clock: a dialect-aware UTC "now" for SQL, and a clock that follows it.

Time that decides (leases, due times, the 15-minute window) must be the server's, never a PC's
(DESIGN §6): `DatabaseClock` reads the server's UTC time, then extrapolates with the monotonic
clock (so a PC whose wall clock is wrong, or jumps, changes nothing) and re-reads it every
minute. `utc_now()` renders, per backend, the same UTC instant in the same form `UTCDateTime`
stores, so it can also be compared with our columns inside a statement.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Engine, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from dim_revision.clock import Clock, as_utc, utcnow

log = logging.getLogger(__name__)

RESYNC_SECONDS = 60.0
RETRY_SECONDS = 30.0


class utc_now(FunctionElement[datetime]):
    """The database server's current UTC time, naive, in the stored format of `UTCDateTime`."""

    type = DateTime()
    inherit_cache = True


@compiles(utc_now)
def _utc_now_default(element: Any, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(utc_now, "mssql")
def _utc_now_mssql(element: Any, compiler: Any, **kw: Any) -> str:
    return "SYSUTCDATETIME()"  # DATETIME2, like our columns


@compiles(utc_now, "postgresql")
def _utc_now_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "(now() AT TIME ZONE 'utc')"  # timestamp without time zone, like our columns


@compiles(utc_now, "sqlite")
def _utc_now_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores DATETIME on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff'; %f gives 'SS.SSS'.
    return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"


def read_db_now(engine: Engine) -> datetime:
    """The server's UTC time as an aware datetime, whatever the driver returns."""
    with engine.connect() as conn:
        value = conn.execute(select(utc_now())).scalar_one()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"unexpected clock value {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else as_utc(value)


MAX_SKEW_SECONDS = 30.0  # beyond this a workstation shows a banner (and doctor warns)


def pc_clock(clock: Clock) -> Clock:
    """This PC's own wall clock behind a `DatabaseClock` (for showing and measuring skew)."""
    return clock.wall if isinstance(clock, DatabaseClock) else clock


def skew_message(offset_seconds: float | None) -> str | None:
    """The workstation's banner text when this PC's clock is off by more than 30 s."""
    if offset_seconds is None or abs(offset_seconds) <= MAX_SKEW_SECONDS:
        return None
    minutos = abs(offset_seconds) / 60
    cuanto = f"{minutos:.0f} min" if minutos >= 1.5 else f"{abs(offset_seconds):.0f} s"
    sentido = "atrasada" if offset_seconds > 0 else "adelantada"
    return (
        f"La hora de esta PC está {sentido} {cuanto} respecto del servidor. Los plazos y "
        "bloqueos usan la hora del servidor, pero pedí a sistemas que sincronice el reloj "
        "(w32tm /resync): las horas que ves en pantalla pueden no coincidir."
    )


class DatabaseClock:
    """A `Clock` on the database server's time. Call `sync()` from a background thread to avoid
    I/O on the caller's; with `blocking=False` a stale clock re-syncs in a background thread and
    meanwhile keeps extrapolating. Until the first successful read it is the wall clock."""

    def __init__(
        self,
        read: Callable[[], datetime],
        *,
        wall: Clock = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        resync_seconds: float = RESYNC_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        blocking: bool = True,
    ) -> None:
        self._read = read
        self._wall = wall
        self._mono = monotonic
        self.resync_seconds = resync_seconds
        self.retry_seconds = retry_seconds
        self.blocking = blocking
        self._lock = threading.Lock()
        self._base: tuple[datetime, float] | None = None  # (server time, monotonic) at sync
        self._offset: float | None = None  # server minus this PC's wall clock, seconds
        self._next_try = float("-inf")
        self._syncing = False

    @classmethod
    def for_engine(cls, engine: Callable[[], Engine], **kwargs: Any) -> DatabaseClock:
        return cls(lambda: read_db_now(engine()), **kwargs)

    def __call__(self) -> datetime:
        if self._mono() >= self._next_try:
            if self.blocking:
                self.sync()
            else:
                self._sync_in_background()
        with self._lock:
            base = self._base
        if base is None:
            return self._wall()
        server, mono = base
        return server + timedelta(seconds=self._mono() - mono)

    @property
    def wall(self) -> Clock:
        return self._wall

    @property
    def offset_seconds(self) -> float | None:
        """Server time minus this PC's clock at the last read (None before any read)."""
        with self._lock:
            return self._offset

    def sync_if_due(self) -> bool:
        """`sync()` if the last reading is older than a minute (or a retry is due)."""
        if self._mono() >= self._next_try:
            return self.sync()
        return self._base is not None

    def sync(self) -> bool:
        """Read the server's time now; False (and the previous reading kept) if it failed."""
        before = self._mono()
        try:
            server = self._read()
        except Exception as exc:  # database down, engine not buildable: keep going on the last
            with self._lock:
                self._next_try = self._mono() + self.retry_seconds
            log.warning("No se pudo leer la hora del servidor de base de datos: %s", exc)
            return False
        after = self._mono()
        server = server + timedelta(seconds=(after - before) / 2)  # the read took some time
        with self._lock:
            self._base = (server, after)
            self._offset = (server - self._wall()).total_seconds()
            self._next_try = after + self.resync_seconds
        return True

    def _sync_in_background(self) -> None:
        with self._lock:
            if self._syncing:
                return
            self._syncing = True
            self._next_try = self._mono() + self.retry_seconds

        def run() -> None:
            try:
                self.sync()
            finally:
                with self._lock:
                    self._syncing = False

        threading.Thread(target=run, name="db-clock-sync", daemon=True).start()
