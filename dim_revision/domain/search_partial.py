"""Partial matches: no entry has every typed word, so the entries with the most of them.

The list never empties because of one unknown word: every subset of the typed words is ranked,
largest first, each result paying for the words it lacks (`Match.sin_coincidencia`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import combinations

from dim_revision.domain.search_scores import (
    PARTIAL_FIRST_WORD,
    PARTIAL_MAX_WORDS,
    PARTIAL_PER_CHAR,
    PARTIAL_WORD_CAP,
)
from dim_revision.domain.search_tokens import Token
from dim_revision.domain.search_variants import Lift

Ranked = list[tuple[int, float]]  # (entry, composite), best first
RankFn = Callable[[list[Token], int, Lift], Ranked]  # `Ranker.rank`


def partial(
    rank: RankFn, tokens: list[Token], limit: int, lift: Lift
) -> tuple[Ranked, dict[int, tuple[str, ...]]]:
    """No entry has every typed word: the entries with the most of them, best first, and the
    typed words each lacks."""
    live = [t for t in tokens if t.estimate > 0]
    dead = tuple(t.text for t in tokens if t.estimate == 0)
    while len(live) > PARTIAL_MAX_WORDS:  # very long queries: leave out the commonest words
        live.remove(max(live, key=lambda t: t.estimate))
    for size in range(len(live), 0, -1):
        found: dict[int, tuple[float, tuple[str, ...]]] = {}
        for subset in combinations(live, size):
            if size == len(live) and len(live) == len(tokens):
                continue  # that is the full query, already empty
            kept = {id(t) for t in subset}
            lacking = dead + tuple(t.text for t in live if id(t) not in kept)
            cost = sum(_lacking_cost(t, t is tokens[0]) for t in live if id(t) not in kept)
            for e, score in rank(list(subset), limit, lift):
                score -= cost
                if e not in found or score > found[e][0]:
                    found[e] = (score, lacking)
        if found:
            ranked = heapq.nlargest(limit, found.items(), key=lambda kv: kv[1][0])
            return (
                [(e, score) for e, (score, _) in ranked],
                {e: _in_order(tokens, lacking) for e, (_, lacking) in ranked},
            )
    return [], {}


def _lacking_cost(token: Token, first: bool) -> float:
    """What leaving a typed word out costs a partial match: a longer word says more than the two
    letters being typed ("marcacion co" keeps showing MARCACIÓN…), and orders name the study
    first ("tac de abdomen superior" is a TC before it is an "abdomen superior")."""
    return min(len(token.text) * PARTIAL_PER_CHAR, PARTIAL_WORD_CAP) + (
        PARTIAL_FIRST_WORD if first else 0.0
    )


def _in_order(tokens: list[Token], lacking: tuple[str, ...]) -> tuple[str, ...]:
    wanted = set(lacking)
    return tuple(t.text for t in tokens if t.text in wanted)
