"""Retry policy as a value: how long to wait before attempt N+1, or give up.

Pure and frozen (the outbox worker asks it, tests table-drive it). Jitter spreads the retries of
many workstations that failed at the same moment; the random source is injectable so tests are
deterministic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

Jitter = Literal["full", "equal", "none"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``min(cap, base * factor ** (attempt - 1))``, then jitter.

    * ``full``: uniform in ``[0, delay]`` (spreads best; AWS "full jitter").
    * ``equal``: ``delay / 2`` plus uniform in ``[0, delay / 2]`` (never retries at once).
    * ``none``: the plain delay.

    A server's ``Retry-After`` is honoured (never sooner), clamped to ``max_retry_after`` so a
    broken header cannot park a message for days.
    """

    base: float = 5.0
    factor: float = 2.0
    cap: float = 600.0
    max_attempts: int = 6
    jitter: Jitter = "full"
    max_retry_after: float = 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.base > 0 and math.isfinite(self.base)):
            raise ValueError("base must be a positive number of seconds")
        if not (self.factor >= 1 and math.isfinite(self.factor)):
            raise ValueError("factor must be >= 1")
        if not (self.cap >= self.base and math.isfinite(self.cap)):
            raise ValueError("cap must be >= base")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.jitter not in ("full", "equal", "none"):
            raise ValueError(f"unknown jitter {self.jitter!r}")
        if not (self.max_retry_after >= 0 and math.isfinite(self.max_retry_after)):
            raise ValueError("max_retry_after must be >= 0")

    @classmethod
    def escalonada(
        cls, intentos: int, inicial: float, maximo: float, rng: random.Random | None = None
    ) -> RetryPolicy:
        """The outbox's policy from `[outbox]` (issue 13.2): doubling from `inicial` seconds up
        to `maximo`, "equal" jitter so a wait is never under half its step, and `intentos`
        attempts in all; a realistic outage (minutes to hours) does not exhaust it."""
        return cls(
            base=inicial,
            factor=2.0,
            cap=maximo,
            max_attempts=intentos,
            jitter="equal",
            rng=rng or random.Random(),
        )

    def span(self) -> tuple[float, float]:
        """(shortest, longest) seconds from the first failed attempt to giving up, ignoring
        Retry-After: what an outage must outlast to turn a send into *fallido*."""
        steps = [self.backoff(n) for n in range(1, self.max_attempts)]
        total = sum(steps)
        lowest = {"full": 0.0, "equal": total / 2, "none": total}[self.jitter]
        return lowest, total

    def backoff(self, attempt: int) -> float:
        """The delay before jitter after `attempt` failed attempts (1 = the first one failed)."""
        if attempt < 1:
            raise ValueError("attempt counts failed attempts and starts at 1")
        exponent = attempt - 1
        if self.factor > 1:
            # Past this exponent the cap applies anyway; avoids float overflow for huge attempts.
            exponent = min(exponent, math.ceil(math.log(self.cap / self.base, self.factor)) + 1)
        return min(self.cap, self.base * self.factor**exponent)

    def next_delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after `attempt` failed attempts; None when the budget is spent."""
        if attempt >= self.max_attempts:
            return None
        delay = self._jittered(self.backoff(attempt))
        if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay

    def _jittered(self, delay: float) -> float:
        if self.jitter == "full":
            return self.rng.uniform(0.0, delay)
        if self.jitter == "equal":
            return delay / 2 + self.rng.uniform(0.0, delay / 2)
        return delay
