"""Ranking: resolved typed words → (entry, composite score) best first, without scoring the catalog.

composite = the typed words' scores in the entry − the entry's penalty (length, variant weights,
prior order) + the weights given back for variants the query names (`Lift`). One typed word
merges its presorted postings and stops at `limit`; several, when all are common, walk the
rarest word's entries best first and stop early (`search_walk`), else intersect its hits with
the others' (dict keys, dense arrays for words that reach most of the catalog, or one entry at a
time for very common words). When none has every word, `search_partial` ranks the subsets.
Operators' earlier picks are added on top (`boost`).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING

from dim_revision.domain.learning import Learned
from dim_revision.domain.search_build import Ordered, Postings
from dim_revision.domain.search_codes import normalize_query
from dim_revision.domain.search_scores import (
    DENSE_MIN,
    DENSE_RATIO,
    DENSE_SHARE,
    LEARN_CANDIDATES,
    LEARN_HALF,
    LEARN_MAX,
    LIFT_RESCORE,
    LIFT_VECTOR,
    LOOKUP_RATIO,
    MEMO_WORDS,
    RANKED_WALK_CAP,
    VECTOR_MIN,
    WALK_CAP,
    WALK_MIN,
    WHOLE_REAL,
    WHOLE_VIRTUAL,
)
from dim_revision.domain.search_tokens import EntryScorer, Resolver, Token
from dim_revision.domain.search_variants import Lift
from dim_revision.domain.search_walk import Check, best_first, offer, walk

if TYPE_CHECKING:  # numpy is imported with the first index, not with this module
    from dim_revision.domain.search_dense import VectorRanker

Ranked = list[tuple[int, float]]  # (entry, composite), best first


class Ranker:
    """Ranks resolved tokens over one catalog; keeps the one-word tops between keystrokes."""

    def __init__(
        self,
        penalty: tuple[float, ...],
        postings: Postings,
        resolver: Resolver,
        vectors: VectorRanker | None = None,
    ) -> None:
        self._penalty = penalty
        self._p = postings
        self._resolver = resolver
        self._vectors = vectors  # common words only (see `search_dense`); None: never
        self._singles: dict[tuple[str, bool, int], Ranked] = {}  # one-word queries

    def rank(self, tokens: list[Token], limit: int, lift: Lift) -> Ranked:
        """Entries with every token, best first."""
        if len(tokens) == 1:
            if lift:
                if self._vectors is not None and lift.reach() > LIFT_VECTOR:
                    return self._vectors.rank(tokens, limit, lift)  # "con contraste": 20k
                return self._single_lifted(tokens[0], limit, lift)
            key = (tokens[0].text, tokens[0].fuzzy_applied, limit)
            top = self._singles.get(key)
            if top is None:
                top = self._top_single(tokens[0], limit)
                if len(self._singles) >= MEMO_WORDS:
                    self._singles.clear()
                self._singles[key] = top
            return top
        resolver = self._resolver
        typing = tokens[-1]  # the word being typed: the others stay the same for a while
        tokens = sorted(tokens, key=lambda t: len(t.hits) if t.hits is not None else t.estimate)
        rarest = tokens[0]
        if (
            self._vectors is not None
            and (len(rarest.hits) if rarest.hits is not None else rarest.estimate) >= VECTOR_MIN
        ):
            return self._vectors.rank(tokens, limit, lift)
        if tokens[0].ranked is not None or tokens[0].estimate >= WALK_MIN:  # common words
            walked = self._walk(tokens, limit, lift)
            if walked is not None:
                return walked
        driver = resolver.hits(tokens[0])
        maps: list[dict[int, float]] = []
        arrays: list[array[float]] = []
        scorers: list[EntryScorer] = []
        dense_at = max(DENSE_MIN, len(self._penalty) // DENSE_SHARE)
        for t in tokens[1:]:
            kept = resolver.dense_known(t) if t.hits is None else None
            if kept is not None:
                arrays.append(kept)
            elif t.hits is not None:
                maps.append(t.hits)
            elif t.estimate >= dense_at:  # an array, unless scoring the candidates costs less
                if t.estimate <= DENSE_RATIO * len(driver):
                    arrays.append(resolver.dense(t))
                else:
                    scorers.append(EntryScorer(t, self._p.terms))
            elif t.estimate <= LOOKUP_RATIO * len(driver):
                maps.append(resolver.hits(t))
            else:  # a very common word: score it only on the few candidates left
                scorers.append(EntryScorer(t, self._p.terms))
        candidates: Iterable[int] = driver.keys()
        for m in maps:
            candidates = m.keys() & candidates  # set intersection, in C
        penalty = self._penalty
        if (
            arrays
            and not maps
            and not scorers
            and not lift
            and (len(driver) >= dense_at or (len(driver) >= WALK_MIN and tokens[0] is not typing))
        ):  # sorting the driver pays off when it is huge or will drive the next keys too
            return self._top_over_arrays(tokens[0], driver, arrays, limit)
        if not scorers and not lift and len(maps) + len(arrays) == 1:  # two-word queries
            if maps:
                other = maps[0]
                pairs = [(e, driver[e] + other[e] - penalty[e]) for e in candidates]
            else:
                arr = arrays[0]
                pairs = [(e, d + arr[e] - penalty[e]) for e, d in driver.items() if arr[e]]
            return heapq.nlargest(limit, pairs, key=itemgetter(1))
        totals: Ranked = []
        for e in candidates:
            score = driver[e] - penalty[e] + lift.get(e, 0.0)
            for m in maps:
                score += m[e]
            for arr in arrays:
                s = arr[e]
                if not s:
                    break
                score += s
            else:
                for scorer in scorers:
                    s = scorer(e)
                    if not s:
                        break
                    score += s
                else:
                    totals.append((e, score))
        return heapq.nlargest(limit, totals, key=itemgetter(1))

    def boost(
        self,
        learned: Learned | None,
        entry_of: dict[int, int],
        query: str,
        tokens: list[Token],
        best: Ranked,
        limit: int,
        lift: Lift,
    ) -> Ranked:
        """Raise what operators chose before for this query (or one it starts)."""
        if learned is None:
            return best
        weights = learned.weights(normalize_query(query))
        if not weights:
            return best
        chosen = heapq.nlargest(LEARN_CANDIDATES, weights.items(), key=itemgetter(1))
        scores = dict(best)
        scorers: list[EntryScorer] | None = None
        for ident, w in chosen:
            e = entry_of.get(ident)
            if e is None:
                continue
            base = scores.get(e)
            if base is None:  # not in the first few: score it on its own, if it matches
                if scorers is None:
                    scorers = [EntryScorer(t, self._p.terms) for t in tokens]
                parts = [scorer(e) for scorer in scorers]
                if not all(parts):
                    continue
                base = sum(parts) - self._penalty[e] + lift.get(e, 0.0)
            scores[e] = base + LEARN_MAX * w / (w + LEARN_HALF)
        return heapq.nlargest(limit, scores.items(), key=itemgetter(1))

    def _single_lifted(self, token: Token, limit: int, lift: Lift) -> Ranked:
        """One typed word that names a variant ("paaf"): the usual top, with the few entries
        carrying a named variant re-scored (lift only moves those)."""
        lifted = lift.entries()
        penalty = self._penalty
        if len(lifted) > LIFT_RESCORE:  # a common variant ("con contraste"): score them all…
            hits = self._resolver.hits(token)
            weights = lift.weights()
            pairs = [(e, hits[e] - penalty[e] + w) for e, w in weights.items() if e in hits]
            seen: set[int] = set()
            others = 0
            for key, e in self._ordered(token):  # …and the best of the others, in order
                if e not in weights and e not in seen:
                    seen.add(e)
                    pairs.append((e, -key))
                    others += 1
                    if others == limit:
                        break
            return heapq.nlargest(limit, pairs, key=itemgetter(1))
        scores = dict(self._top_single(token, limit + len(lifted)))
        scorer = EntryScorer(token, self._p.terms)
        for e in lifted:
            s = scorer(e)
            if s:
                scores[e] = s - penalty[e] + lift.get(e, 0.0)
            else:
                scores.pop(e, None)
        return heapq.nlargest(limit, scores.items(), key=itemgetter(1))

    def _walk(self, tokens: list[Token], limit: int, lift: Lift) -> Ranked | None:
        """The first token's entries best first, the others checked on each (a kept hit map or
        dense array if there is one, else the entry's own words): see `search_walk`."""
        resolver = self._resolver
        checks: list[Check] = []
        for t in tokens[1:]:
            if t.hits is not None:
                checks.append(t.hits.get)
            else:
                arr = resolver.dense_known(t)
                checks.append(EntryScorer(t, self._p.terms) if arr is None else arr.__getitem__)
        ceiling = sum(resolver.ceiling(t) for t in tokens[1:]) + lift.ceiling()
        ranked = tokens[0].ranked  # sorted once (see `_top_over_arrays`): cheaper to walk
        if ranked is not None:
            ordered: Iterable[tuple[float, int]] = ((-base, e) for base, e in ranked)
            return walk(ordered, checks, ceiling, lift, limit, RANKED_WALK_CAP)
        return walk(self._ordered(tokens[0]), checks, ceiling, lift, limit, WALK_CAP)

    def _ordered(self, token: Token) -> Iterator[tuple[float, int]]:
        """(penalty - score, entry) of every posting the token reaches, ascending (an entry's
        first appearance is its best): its words' presorted postings merged."""
        streams = []
        for vi, whole, drop in token.sources():
            real, virtual = self._p.order[vi]
            streams.append(self._stream(real, (WHOLE_REAL if whole else 0.0) - drop))
            streams.append(self._stream(virtual, (WHOLE_VIRTUAL if whole else 0.0) - drop))
        return heapq.merge(*streams)

    def _top_single(self, token: Token, limit: int) -> Ranked:
        """One typed word: merge the presorted postings of its words and take the first few."""
        out: Ranked = []
        seen: set[int] = set()
        for key, e in self._ordered(token):
            if e not in seen:  # an entry's first appearance is its best
                seen.add(e)
                out.append((e, -key))
                if len(out) == limit:
                    break
        return out

    def _stream(self, postings: Ordered, delta: float) -> Iterator[tuple[float, int]]:
        """(penalty - score - delta, entry) for some postings, ascending, built in C."""
        entries, scores = postings
        base = map(float.__sub__, map(self._penalty.__getitem__, entries), scores)
        return zip(map(float.__sub__, base, repeat(delta)), entries, strict=True)

    def _top_over_arrays(
        self, driver_token: Token, driver: dict[int, float], arrays: list[array[float]], limit: int
    ) -> Ranked:
        """A common word ("rmn") and words that reach most of the catalog ("rmn de c"): walk the
        common word's entries best first and stop once nothing left can enter the top."""
        ranked = driver_token.ranked
        if ranked is None:
            penalty = self._penalty
            ranked = sorted(((s - penalty[e], e) for e, s in driver.items()), reverse=True)
            driver_token.ranked = ranked
        ceiling = sum(self._resolver.dense_max(arr) for arr in arrays)
        heap: list[tuple[float, int]] = []
        for base, e in ranked:
            if len(heap) == limit and base + ceiling <= heap[0][0]:
                break
            total = base
            for arr in arrays:
                s = arr[e]
                if not s:
                    break
                total += s
            else:
                offer(heap, limit, total, e)
        return best_first(heap)
