"""Pacing: at most N requests a second to Botmaker (the sender's sends, the reconciliation's
queries), with time and sleep injected so tests never wait."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """At most `per_second` sends per second (0 or less: no limit). Time and sleep are injected so
    tests never wait; the worker's sleep is interruptible by `stop()`."""

    def __init__(
        self,
        per_second: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> float:
        """Block until the next send is allowed; returns the seconds waited."""
        if self.interval <= 0:
            return 0.0
        now = self._monotonic()
        waited = 0.0
        if self._next is not None and now < self._next:
            waited = self._next - now
            self._sleep(waited)
            now = self._next
        self._next = now + self.interval
        return waited
