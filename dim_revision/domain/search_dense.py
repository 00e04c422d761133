"""Vectorized ranking for queries whose every typed word is common (``rmn d``, ``rx co``).

When even the rarest typed word reaches thousands of entries, ranking them one by one in Python
(hit maps, the best-first walk, per-entry scorers) costs several milliseconds at 50 000 entries,
and it is exactly the short, ambiguous keystrokes that do. Here each typed word becomes a dense
float64 array (entry → its best score, 0 where it lacks the word) built from the postings with
one `numpy.maximum.at` per vocabulary range, and the query is a few whole-array operations:
the entries with every word, composite = the words' scores − penalty + the variant lift, and
the top `limit` by `argpartition`. The composite is the same as `search_rank`'s (the same
floats added), so the result is the same top.

The postings are flattened once per index (`FlatPostings`, ~10 ms per 10 000 entries); the
per-word arrays are kept between keystrokes (LRU), as the previous word of a query stays the
same while the next one is typed.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import numpy.typing as npt

from dim_revision.domain.search_build import Postings
from dim_revision.domain.search_scores import (
    MEMO_LIFT_VECTORS,
    MEMO_VECTORS,
    REAL_MIN,
    WHOLE_REAL,
    WHOLE_VIRTUAL,
)
from dim_revision.domain.search_tokens import Token
from dim_revision.domain.search_variants import Lift, Variants

Ranked = list[tuple[int, float]]  # (entry, composite), best first
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]


class FlatPostings:
    """Every posting group of the catalog in three flat arrays (built once, shared by clones):
    the entries of all groups end to end, each group's score and start, each word's first group.
    """

    def __init__(self, postings: Postings, penalty: tuple[float, ...]) -> None:
        groups = postings.groups
        sizes = [len(es) for g in groups for _, es in g]
        total = sum(sizes)
        self.entries: Ints = np.fromiter(
            chain.from_iterable(es for g in groups for _, es in g), dtype=np.int32, count=total
        )
        self.scores: Floats = np.fromiter(
            (s for g in groups for s, _ in g), dtype=np.float64, count=len(sizes)
        )
        self.group_start = _offsets(sizes)  # group → its first posting in `entries`
        self.word_group = _offsets([len(g) for g in groups])  # word → its first group
        self.penalty: Floats = np.array(penalty, dtype=np.float64)
        self.size = len(penalty)


class VectorRanker:
    """Ranks tokens with whole-array operations; keeps each typed word's array for a while."""

    def __init__(self, flat: FlatPostings, variants: Variants) -> None:
        self._flat = flat
        self._variants = variants
        self._arrays: dict[tuple[str, bool], Floats] = {}
        self._lifts: dict[frozenset[int], Floats] = {}
        self._forms: dict[int, Ints] = {}  # variant form → the entries it weighs on

    def rank(self, tokens: list[Token], limit: int, lift: Lift) -> Ranked:
        """Entries with every token, best first (as `Ranker.rank`)."""
        arrays = [self.array(t) for t in tokens]
        total = arrays[0].copy()
        has_all = arrays[0] > 0.0
        for arr in arrays[1:]:
            total += arr
            has_all &= arr > 0.0
        total -= self._flat.penalty
        if lift:
            total += self._lift(lift)
        candidates = np.flatnonzero(has_all)
        if candidates.size == 0:
            return []
        scores = total[candidates]
        if candidates.size > limit:
            keep = np.argpartition(-scores, limit - 1)[:limit]
            candidates, scores = candidates[keep], scores[keep]
        pairs = list(zip(candidates.tolist(), scores.tolist(), strict=True))
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs

    def array(self, token: Token) -> Floats:
        """Entry → best score of the typed word (0 where the entry lacks it)."""
        key = (token.text, token.fuzzy_applied)
        arr = self._arrays.pop(key, None)
        if arr is None:
            arr = self._build(token)
            if len(self._arrays) >= MEMO_VECTORS:
                del self._arrays[next(iter(self._arrays))]
        self._arrays[key] = arr  # most recently used last
        return arr

    def _build(self, token: Token) -> Floats:
        flat = self._flat
        arr = np.zeros(flat.size, dtype=np.float64)
        if token.lo < token.hi:
            g_lo, g_hi = int(flat.word_group[token.lo]), int(flat.word_group[token.hi])
            group_scores = flat.scores[g_lo:g_hi].copy()
            if token.whole >= 0:  # typing a whole word: its groups get the whole-word bonus
                w_lo = int(flat.word_group[token.whole]) - g_lo
                w_hi = int(flat.word_group[token.whole + 1]) - g_lo
                whole = group_scores[w_lo:w_hi]
                whole += np.where(whole >= REAL_MIN, WHOLE_REAL, WHOLE_VIRTUAL)
            self._apply(arr, g_lo, g_hi, group_scores)
        for vi, drop in token.fuzzy.items():
            g_lo, g_hi = int(flat.word_group[vi]), int(flat.word_group[vi + 1])
            self._apply(arr, g_lo, g_hi, flat.scores[g_lo:g_hi] - drop)
        return arr

    def _apply(self, arr: Floats, g_lo: int, g_hi: int, group_scores: Floats) -> None:
        """Raise `arr` to the groups' scores over their entries (an entry keeps its best)."""
        if g_lo == g_hi:
            return
        starts = self._flat.group_start
        p_lo, p_hi = int(starts[g_lo]), int(starts[g_hi])
        per_posting = np.repeat(group_scores, np.diff(starts[g_lo : g_hi + 1]))
        np.maximum.at(arr, self._flat.entries[p_lo:p_hi], per_posting)

    def _lift(self, lift: Lift) -> Floats:
        """Entry → `lift.get(entry)`, as an array (kept per named set of variant forms)."""
        kept = self._lifts.get(lift.named)
        if kept is None:
            size = self._flat.size
            kept = np.zeros(size, dtype=np.float64)
            for line, forms in lift.lines().items():
                carries = np.zeros(size, dtype=np.bool_)
                for f in forms:
                    carries[self._form(f)] = True
                kept[carries] += self._variants.weights[line]
            if len(self._lifts) >= MEMO_LIFT_VECTORS:
                del self._lifts[next(iter(self._lifts))]
            self._lifts[lift.named] = kept
        return kept

    def _form(self, f: int) -> Ints:
        entries = self._forms.get(f)
        if entries is None:
            listed = self._variants.form_entries[f]
            entries = self._forms[f] = np.fromiter(listed, dtype=np.int32, count=len(listed))
        return entries


def _offsets(sizes: list[int]) -> npt.NDArray[np.intp]:
    """Where each of consecutive runs of `sizes` starts, and the total at the end."""
    out = np.zeros(len(sizes) + 1, dtype=np.intp)
    np.cumsum(sizes, out=out[1:])
    return out
