"""What every benchmark case shares: timing helpers, the result row and the run options."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Options:
    quick: bool  # tiny data: the smoke test's mode, figures mean nothing
    full: bool = False  # also the 1 000 000-request queue (generation ~2 min the first time)
    seed: int = 20260310


@dataclass(frozen=True)
class Row:
    """One line of the table. `unit` is "ms", "s" or "%" (hit rates: higher is better)."""

    case: str
    unit: str
    ours: float
    tail: float | None  # our p95/p99 (see `tail_kind`)
    tail_kind: str  # "p95", "p99" or ""
    peer: float | None  # the peer's median, same run
    budget: str  # human-readable, e.g. "med≤1 p99≤5"
    passed: bool | None  # against the budget; None when there is no budget
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        return out


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); enough for a few hundred samples."""
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def time_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def repeat_ms(fn: Callable[[], object], times: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    return [time_ms(fn) for _ in range(times)]


# PySide6 6.x: QTableWidget.setItem / QStandardItemModel.setItem drop a reference to None on every
# call (refcount bug in the binding); tens of thousands of calls free None and abort the process.
# The peers make that many calls, so we hold back the references they lose.
_NONE_REFS: list[None] = []


def prepay_none(calls: int) -> None:
    """Take `calls` extra references to None, before making that many leaking calls (~1 ms/300k)."""
    _NONE_REFS.extend([None] * calls)


def restore_none(before: int) -> None:
    """Re-add the references to None lost since `sys.getrefcount(None)` was `before`."""
    lost = before - sys.getrefcount(None)
    if lost > 0:
        _NONE_REFS.extend([None] * lost)


def none_refs() -> int:
    return sys.getrefcount(None)


def qt_app() -> Any:
    """The process's QApplication (offscreen in `make bench`), created on first use."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])
