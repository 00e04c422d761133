"""What operators chose before: normalized query → prestación weights, with decay.

Every confirmed send records, for each prestación the operator added from the search field, the
query typed just before (`eleccion_prestacion`). At start the picks are folded into two maps:

- **exact**: the query as typed (normalized) → {prestación id: weight};
- **prefix**: every start of those queries (from 3 characters) → the same ids, weighted by how
  much of the query was typed, so "eco ti" already prefers what "eco tiroides" led to.

A pick's weight halves every `half_life_days`, so a habit that changed fades within weeks while
what DIM does every day stays on top. The index turns a weight into a bounded boost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

MIN_PREFIX = 3


@dataclass(frozen=True)
class Pick:
    consulta: str  # normalized (`search_index.normalize_query`)
    prestacion_id: int
    fecha: datetime


class Learned:
    def __init__(
        self, exact: dict[str, dict[int, float]], prefix: dict[str, dict[int, float]]
    ) -> None:
        self._exact = exact
        self._prefix = prefix

    @classmethod
    def build(cls, picks: Iterable[Pick], now: datetime, half_life_days: float = 30.0) -> Learned:
        exact: dict[str, dict[int, float]] = {}
        half_life = max(half_life_days, 0.01) * 86400.0
        for pick in picks:
            if not pick.consulta:
                continue
            age = max((now - pick.fecha).total_seconds(), 0.0)
            weight = 0.5 ** (age / half_life)
            per = exact.setdefault(pick.consulta, {})
            per[pick.prestacion_id] = per.get(pick.prestacion_id, 0.0) + weight
        prefix: dict[str, dict[int, float]] = {}
        for consulta, per in exact.items():
            n = len(consulta)
            for length in range(MIN_PREFIX, n):
                share = length / n
                slot = prefix.setdefault(consulta[:length], {})
                for ident, weight in per.items():
                    slot[ident] = slot.get(ident, 0.0) + weight * share
        return cls(exact, prefix)

    def __bool__(self) -> bool:
        return bool(self._exact)

    def weights(self, consulta: str) -> dict[int, float]:
        """Id → weight for a normalized query: its own picks, else those of longer queries."""
        return self._exact.get(consulta) or self._prefix.get(consulta) or {}

    def __len__(self) -> int:
        return len(self._exact)
