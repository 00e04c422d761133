"""Retry policy: backoff table, jitter bounds, Retry-After, giving up."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dim_revision.domain.retry import RetryPolicy


class FixedRandom(random.Random):
    """`random()` always returns `value`, so `uniform(a, b)` is a known point of the range."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def policy(jitter: str = "none", r: float = 0.5, **kw: object) -> RetryPolicy:
    args: dict = {"base": 2.0, "factor": 3.0, "cap": 100.0, "max_attempts": 5, "jitter": jitter}
    args.update(kw)
    return RetryPolicy(rng=FixedRandom(r), **args)


@pytest.mark.parametrize(
    ("attempt", "esperado"),
    [(1, 2.0), (2, 6.0), (3, 18.0), (4, 54.0), (5, None), (6, None), (100, None)],
)
def test_backoff_sin_jitter(attempt: int, esperado: float | None) -> None:
    assert policy().next_delay(attempt) == esperado


@pytest.mark.parametrize(
    ("jitter", "r", "attempt", "esperado"),
    [
        ("full", 0.0, 1, 0.0),
        ("full", 0.5, 1, 1.0),
        ("full", 0.5, 3, 9.0),
        ("full", 0.25, 4, 13.5),
        ("equal", 0.0, 1, 1.0),
        ("equal", 0.5, 2, 4.5),
        ("equal", 0.0, 4, 27.0),
        ("equal", 0.5, 4, 40.5),
    ],
)
def test_jitter(jitter: str, r: float, attempt: int, esperado: float) -> None:
    assert policy(jitter, r).next_delay(attempt) == pytest.approx(esperado)


def test_tope() -> None:
    p = policy(max_attempts=50)
    assert p.backoff(5) == 100.0  # 2 * 3**4 = 162 → capped
    assert p.next_delay(49) == 100.0
    assert p.backoff(10_000) == 100.0  # no float overflow


@pytest.mark.parametrize(
    ("jitter", "retry_after", "esperado"),
    [
        ("none", None, 6.0),
        ("none", 1.0, 6.0),  # the backoff is already longer
        ("none", 30.0, 30.0),  # never sooner than the server asked
        ("full", 30.0, 30.0),
        ("none", 10_000.0, 3600.0),  # capped at a sane maximum
        ("none", 0.0, 6.0),
        ("none", -5.0, 6.0),
        ("none", math.nan, 6.0),
        ("none", math.inf, 6.0),
    ],
)
def test_retry_after(jitter: str, retry_after: float | None, esperado: float) -> None:
    assert policy(jitter).next_delay(2, retry_after) == esperado


def test_retry_after_no_revive_un_intento_agotado() -> None:
    assert policy().next_delay(5, retry_after=10.0) is None


def test_max_attempts_uno_no_reintenta() -> None:
    assert policy(max_attempts=1).next_delay(1) is None


@pytest.mark.parametrize(
    "kw",
    [
        {"base": 0},
        {"base": -1},
        {"factor": 0.5},
        {"cap": 1.0},
        {"max_attempts": 0},
        {"jitter": "mucho"},
        {"max_retry_after": -1},
        {"base": math.inf},
    ],
)
def test_parametros_invalidos(kw: dict) -> None:
    with pytest.raises(ValueError):
        policy(**kw)


def test_attempt_empieza_en_uno() -> None:
    with pytest.raises(ValueError):
        policy().next_delay(0)


def test_es_inmutable_y_determinista_con_semilla() -> None:
    p = RetryPolicy(rng=random.Random(7))
    q = RetryPolicy(rng=random.Random(7))
    assert [p.next_delay(a) for a in range(1, 6)] == [q.next_delay(a) for a in range(1, 6)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.base = 1.0  # type: ignore[misc]
    assert p == q  # the random source is not part of the value


@given(
    jitter=st.sampled_from(["full", "equal", "none"]),
    attempt=st.integers(1, 60),
    seed=st.integers(0, 2**32),
    retry_after=st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_siempre_dentro_de_los_limites(
    jitter: str, attempt: int, seed: int, retry_after: float | None
) -> None:
    p = RetryPolicy(max_attempts=50, jitter=jitter, rng=random.Random(seed))  # type: ignore[arg-type]
    delay = p.next_delay(attempt, retry_after)
    if attempt >= 50:
        assert delay is None
        return
    assert delay is not None
    low = p.backoff(attempt) / 2 if jitter == "equal" else 0.0
    if jitter == "none":
        low = p.backoff(attempt)
    assert low <= delay <= max(p.cap, p.max_retry_after)
    if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
        assert delay >= min(retry_after, p.max_retry_after)


def test_the_outbox_default_outlasts_a_realistic_outage() -> None:
    """Issue 13.2: `[outbox]` defaults give 8 attempts spread over hours (≥ 2 h even with the
    shortest jitter), where the old 6 retries were spent by a 90 s outage."""
    from dim_revision.bootstrap import retry_policy
    from dim_revision.config import Settings

    p = retry_policy(Settings())
    assert p.max_attempts == 8 and p.jitter == "equal"
    lowest, longest = p.span()
    assert lowest >= 2 * 3600 and longest <= 5 * 3600
    assert p.next_delay(1) is not None and p.next_delay(1) >= 90  # type: ignore[operator]
    assert p.next_delay(8) is None


def test_a_bad_outbox_retry_setting_is_a_spanish_config_error() -> None:
    from dim_revision.bootstrap import retry_policy
    from dim_revision.config import Settings
    from dim_revision.errors import ConfigError

    with pytest.raises(ConfigError, match="reintentos debe ser"):
        retry_policy(Settings().replace("outbox", reintentos=0))


def test_escalonada_waits_at_least_half_of_each_step() -> None:
    p = RetryPolicy.escalonada(4, 10.0, 30.0, rng=FixedRandom(0.0))
    assert [p.next_delay(n) for n in range(1, 5)] == [5.0, 10.0, 15.0, None]
    assert p.span() == (30.0, 60.0)
