"""Typed words resolved against the vocabulary: prefix range, plural, typos, and their hit maps.

A typed word reaches the vocabulary words it starts (a sorted range), or, when it is long enough,
the words whose start is within one or two edits of it (rapidfuzz OSA over the buckets of the
same first letter and about the same length). Resolved words and their hit maps are memoized
between keystrokes (LRU, bounded by word count and by total hit-map size).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dim_revision.domain.search_build import Postings
from dim_revision.domain.search_scores import (
    DENSE_KEEP,
    FUZZY_DROP,
    FUZZY_MIN_LEN,
    FUZZY_PER_EDIT,
    MEMO_HITS,
    MEMO_WORDS,
    NAMES_VARIANT_MIN,
    TOP,
    fuzzy_worthy,
    whole_bonus,
)


@dataclass(eq=False)  # identity: tokens are memoized objects
class Token:
    """One typed word resolved against the vocabulary (memoized per index)."""

    text: str  # as typed (folded)
    stem: str  # what is looked up: `text`, or its singular when only that matches
    lo: int  # vocabulary range of the words starting with `stem`
    hi: int
    whole: int  # vocabulary index equal to `stem`, or -1
    fuzzy: dict[int, float]  # vocabulary index → score drop, near misses outside [lo, hi)
    fuzzy_applied: bool  # near misses were looked for
    estimate: int  # postings behind this word: decides which word drives a query
    names: frozenset[str]  # variant words this typed word names (see `search_variants.Lift`)
    hits: dict[int, float] | None = field(default=None, repr=False)  # entry → best score
    ceiling: float | None = field(default=None, repr=False)  # its best score in any entry
    # (score - penalty, entry), best first: for a common word driving a query (see `search_rank`)
    ranked: list[tuple[float, int]] | None = field(default=None, repr=False)
    memo_key: tuple[str, bool] = ("", False)

    def sources(self) -> Iterator[tuple[int, bool, float]]:
        """(vocabulary index, is the whole word, score drop) of every word this one reaches."""
        for vi in range(self.lo, self.hi):
            yield vi, vi == self.whole, 0.0
        for vi, drop in self.fuzzy.items():
            yield vi, False, drop


class Resolver:
    """Typed word → `Token`, and a token's scores per entry (a dict, or a dense list for words
    that reach most of the catalog), memoized."""

    def __init__(self, postings: Postings, variant_words: tuple[str, ...]) -> None:
        self._p = postings
        self._variant_words = variant_words
        self._memo: dict[tuple[str, bool], Token] = {}
        self._memo_hits = 0
        # Typed words that reach most of the catalog ("c", "rmn"): entry → score as a flat array
        # of doubles (not a list: the garbage collector would walk every element).
        self._dense: dict[tuple[str, bool], array[float]] = {}
        self._dense_max: dict[int, float] = {}  # id(array) → its largest score

    def token(self, text: str, fuzzy_all: bool) -> Token:
        key = (text, fuzzy_all and fuzzy_worthy(text))
        token = self._memo.pop(key, None)
        if token is not None:
            self._memo[key] = token  # most recently used last
            return token
        vocab = self._p.vocab
        stem = text
        lo = bisect_left(vocab, stem)
        hi = bisect_left(vocab, stem + TOP, lo)
        if lo == hi and len(text) >= FUZZY_MIN_LEN and text.endswith("s"):
            # a plural the names only have in the singular ("rodillas", "mamas")
            for cut in (1, 2) if text.endswith("es") else (1,):
                candidate = text[:-cut]
                c_lo = bisect_left(vocab, candidate)
                c_hi = bisect_left(vocab, candidate + TOP, c_lo)
                if c_lo < c_hi:
                    stem, lo, hi = candidate, c_lo, c_hi
                    break
        fuzzy: dict[int, float] = {}
        applied = fuzzy_worthy(text) and (key[1] or lo == hi)
        if applied:
            for vi, distance in self._near_misses(text).items():
                if not lo <= vi < hi:
                    fuzzy[vi] = FUZZY_DROP + FUZZY_PER_EDIT * (distance - 1)
        cum = self._p.cumulative
        estimate = cum[hi] - cum[lo] + sum(cum[vi + 1] - cum[vi] for vi in fuzzy)
        whole = lo if lo < hi and vocab[lo] == stem else -1
        names = frozenset(
            w
            for w in self._variant_words
            if w.startswith(stem) and len(stem) >= min(len(w), NAMES_VARIANT_MIN)
        )
        token = Token(text, stem, lo, hi, whole, fuzzy, applied, estimate, names, memo_key=key)
        self._evict(0)
        self._memo[key] = token
        return token

    def hits(self, token: Token) -> dict[int, float]:
        """Entry → best score of this typed word (built once per resolved word).

        Every posting group has one score, so applying the groups in ascending score order with
        `dict.update` leaves each entry's maximum: the whole map is built in C.
        """
        if token.hits is None:
            hits: dict[int, float] = {}
            for score, entries in self._parts(token):
                hits.update(zip(entries, repeat(score)))
            self._evict(len(hits))
            token.hits = hits
            if self._memo.get(token.memo_key) is token:
                self._memo_hits += len(hits)
        return token.hits

    def dense(self, token: Token) -> array[float]:
        """Entry → best score of a typed word that reaches most of the catalog, as an array."""
        key = (token.text, token.fuzzy_applied)
        arr = self._dense.pop(key, None)
        if arr is not None:
            self._dense[key] = arr  # most recently used last
            return arr
        arr = array("d", bytes(8 * len(self._p.terms)))
        setitem = arr.__setitem__
        for score, entries in self._parts(token):  # ascending: the last write is each best
            deque(map(setitem, entries, repeat(score)), maxlen=0)
        if len(self._dense) >= DENSE_KEEP:
            old = self._dense.pop(next(iter(self._dense)))
            self._dense_max.pop(id(old), None)
        self._dense[key] = arr
        self._dense_max[id(arr)] = max(arr, default=0.0)
        return arr

    def dense_known(self, token: Token) -> array[float] | None:
        """The token's dense array if one is kept (never builds one)."""
        return self._dense.get((token.text, token.fuzzy_applied))

    def ceiling(self, token: Token) -> float:
        """The best score this token reaches in any entry (an upper bound for early stopping)."""
        if token.ceiling is None:
            best = 0.0
            groups = self._p.groups
            for vi, whole, drop in token.sources():
                if whole:  # the bonus depends on the score: look at every group
                    for score, _ in groups[vi]:
                        best = max(best, score + whole_bonus(score) - drop)
                elif groups[vi]:
                    best = max(best, groups[vi][-1][0] - drop)  # ascending: the last is best
            token.ceiling = best
        return token.ceiling

    def dense_max(self, arr: array[float]) -> float:
        """The largest score of an array `dense` returned (and still keeps)."""
        return self._dense_max[id(arr)]

    def _parts(self, token: Token) -> list[tuple[float, tuple[int, ...]]]:
        """(score, entries) of every posting group the token reaches, ascending by score."""
        parts = [
            (score + (whole_bonus(score) if whole else 0.0) - drop, entries)
            for vi, whole, drop in token.sources()
            for score, entries in self._p.groups[vi]
        ]
        parts.sort(key=itemgetter(0))
        return parts

    def _evict(self, hits: int) -> None:
        """Drop the least recently used words until there is room (only a memo: always safe)."""
        memo = self._memo
        while memo and (len(memo) >= MEMO_WORDS or self._memo_hits + hits > MEMO_HITS):
            old = memo.pop(next(iter(memo)))
            if old.hits is not None:
                self._memo_hits -= len(old.hits)

    def _near_misses(self, text: str) -> dict[int, int]:
        """Vocabulary index → edit distance, for words whose start is a typo of `text`."""
        vocab = self._p.vocab
        n = len(text)
        max_distance = 1 if n <= 6 else 2
        found: dict[int, int] = {}
        for length in (n - 1, n, n + 1):
            choices = self._p.buckets.get((text[0], length))
            if not choices:
                continue
            for start, distance, _ in process.extract(
                text, choices, scorer=OSA.distance, score_cutoff=max_distance, limit=None
            ):
                lo = bisect_left(vocab, start)
                hi = bisect_left(vocab, start + TOP, lo)
                for vi in range(lo, hi):
                    if distance < found.get(vi, max_distance + 1):
                        found[vi] = int(distance)
        return found


class EntryScorer:
    """Score of one typed word in one entry, from the entry's own sorted word indices.

    Used instead of a full hit map when the word is common (``c``, ``con``) and another word of
    the query already narrowed the candidates: two bisects per candidate, no big map.
    """

    __slots__ = ("_fuzzy", "_hi", "_lo", "_terms", "_whole")

    def __init__(
        self, token: Token, terms: tuple[tuple[tuple[int, ...], tuple[float, ...]], ...]
    ) -> None:
        self._lo, self._hi, self._whole, self._fuzzy = token.lo, token.hi, token.whole, token.fuzzy
        self._terms = terms

    def __call__(self, e: int) -> float:
        vis, scores = self._terms[e]
        i = bisect_left(vis, self._lo)
        j = bisect_left(vis, self._hi, i)
        best = 0.0
        for k in range(i, j):
            s = scores[k] + (whole_bonus(scores[k]) if vis[k] == self._whole else 0.0)
            if s > best:
                best = s
        if self._fuzzy:
            for k, vi in enumerate(vis):
                drop = self._fuzzy.get(vi)
                if drop is not None and scores[k] - drop > best:
                    best = scores[k] - drop
        return best
