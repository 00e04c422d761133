"""Top-k by walking the rarest typed word's entries best first, stopping as soon as nothing left
can enter the top: a query whose words are all common ("resonancia magnetica d", "eco m") looks
at a few hundred entries instead of scoring the tens of thousands that have every word.

Each entry's composite is its driver score − penalty (the order of the walk) + the variant lift +
the other words' scores; an entry lacking a word is skipped. Since the others' scores and the lift
are bounded (`ceiling`), once the walk's own part plus that bound cannot beat the k-th best found,
the rest cannot either. The walk gives up (None) after `cap` entries, for the caller to score the
candidates the ordinary way: a few words whose best entries lack the others must not cost more
than that.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

from dim_revision.domain.search_variants import Lift

Ranked = list[tuple[int, float]]  # (entry, composite), best first
Check = Callable[[int], float | None]  # entry → a word's score there (0 or None: lacks it)


def walk(
    ordered: Iterable[tuple[float, int]],
    checks: list[Check],
    ceiling: float,
    lift: Lift,
    limit: int,
    cap: int,
) -> Ranked | None:
    """`ordered`: (−(score − penalty), entry) ascending, an entry possibly repeated (its first
    appearance is its best); `ceiling`: the most the checks and the lift can add together."""
    heap: list[tuple[float, int]] = []
    seen: set[int] = set()
    for key, e in ordered:
        if e in seen:
            continue
        base = -key
        if len(heap) == limit and base + ceiling <= heap[0][0]:
            break
        if len(seen) == cap:
            return None
        seen.add(e)
        total = base + lift.get(e, 0.0) if lift else base
        for check in checks:
            s = check(e)
            if not s:
                break
            total += s
        else:
            offer(heap, limit, total, e)
    return best_first(heap)


def offer(heap: list[tuple[float, int]], limit: int, total: float, e: int) -> None:
    """Keep entry `e` if its composite belongs in the top `limit` (a min-heap)."""
    if len(heap) < limit:
        heapq.heappush(heap, (total, e))
    elif total > heap[0][0]:
        heapq.heapreplace(heap, (total, e))


def best_first(heap: list[tuple[float, int]]) -> Ranked:
    return [(e, total) for total, e in sorted(heap, reverse=True)]
