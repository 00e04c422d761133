"""Time as a dependency: services take a `Clock` so tests inject time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

LOCAL_TZ = ZoneInfo("America/Argentina/Buenos_Aires")


def utcnow() -> datetime:
    """The real clock: an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes as UTC (that is how the database stores them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    return to_local(now).date()


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC [start, end) covering the Buenos Aires calendar days first..last inclusive."""
    start = datetime.combine(first, time.min, LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ).astimezone(UTC)
    return start, end


class FakeClock:
    """A settable clock for tests and benchmarks (no sleeps)."""

    def __init__(self, start: datetime) -> None:
        self.now = as_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now
