"""Prestación search: what the operator types → ranked catalog entries, in about a millisecond.

Every typed word must match some word of the name, in any order, by one of:

1. **prefix** of a real word of the name (accent/case folded): ``rodi`` → RODILLA;
2. **synonym**: at build time each name also gets the *virtual* words of the other forms of any
   synonym group it contains (see `search_text.SINONIMOS`), so ``rmn`` finds RESONANCIA
   MAGNÉTICA and ``resonancia`` finds "RMN DE CODO";
3. **typo** (rapidfuzz, optimal string alignment): the typed word against the *vocabulary* of
   distinct words truncated to about the typed length (so unfinished words count), bucketed by
   first letter and length, so a query compares a few dozen strings, never the catalog.

Ranking: a tier per typed word (prefix > synonym > typo; a whole-word hit gets a small bonus),
then earlier word positions and shorter names, then the catalog's own order (a popularity prior:
the caller lists the most-requested studies first, or passes an explicit `rank`), then name.
The tier steps are larger than all the tie-breakers together. Everything that depends only on the catalog is computed in
`build`: postings are grouped by score so a word's hit map is assembled with C-level dict
updates, and presorted by final rank so a one-word query merges streams and stops early.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dim_revision.domain.search_text import (
    SINONIMOS,
    STOPWORDS,
    Analyzed,
    Synonyms,
    analyze_folded,
    fold,
    fold_with_origin,
    query_words,
)

__all__ = ["SINONIMOS", "Match", "SearchIndex", "fold"]

_REAL, _VIRTUAL = 100.0, 90.0
_FUZZY_DROP, _FUZZY_PER_EDIT = 20.0, 5.0  # a typo ranks below any prefix/synonym hit
_WHOLE_WORD = 2.0
_POS_STEP, _POS_CAP = 0.1, 8
_LEN_STEP, _LEN_CAP = 0.25, 10
_FUZZY_MIN_LEN = 4
_MEMO_WORDS = 256  # resolved typed words kept between keystrokes
_MEMO_HITS = 400_000  # and at most this many entries in their hit maps (~20 MB)
_MEMO_SHOWN = 2048  # names split into words, kept for highlighting the next keystroke
_LOOKUP_RATIO = 8  # build a word's full hit map only if it is within this factor of the driver's
_TOP = "\U0010ffff"

# Base score of a word by its position; every posting points at one of these few floats.
_REAL_SCORES = tuple(_REAL - _POS_STEP * pos for pos in range(_POS_CAP + 1))
_VIRTUAL_SCORES = tuple(_VIRTUAL - _POS_STEP * pos for pos in range(_POS_CAP + 1))

Span = tuple[int, int]


@dataclass(frozen=True)
class Match:
    id: int
    nombre: str
    score: float
    spans: tuple[Span, ...]  # (start, end) in `nombre`, sorted and non-overlapping


@dataclass
class _Token:
    """One typed word resolved against the vocabulary (memoized per index)."""

    text: str
    lo: int  # vocabulary range of the words starting with `text`
    hi: int
    whole: int  # vocabulary index equal to `text`, or -1
    fuzzy: dict[int, float]  # vocabulary index → score drop, near misses outside [lo, hi)
    fuzzy_applied: bool  # near misses were looked for
    estimate: int  # postings behind this word: decides which word drives a query
    hits: dict[int, float] | None = field(default=None, repr=False)  # entry → best score

    def sources(self) -> Iterator[tuple[int, float]]:
        """(vocabulary index, score adjustment) of every word this typed word reaches."""
        for vi in range(self.lo, self.hi):
            yield vi, _WHOLE_WORD if vi == self.whole else 0.0
        for vi, drop in self.fuzzy.items():
            yield vi, -drop


@dataclass(frozen=True)
class _Postings:
    """Everything precomputed from the catalog (see `SearchIndex.build`)."""

    vocab: list[str]  # sorted distinct words, real and virtual
    groups: list[tuple[tuple[float, tuple[int, ...]], ...]]  # per word: (score, entries), asc
    order: list[tuple[tuple[int, ...], tuple[float, ...]]]  # per word: entries best-rank first
    cumulative: list[int]  # postings before each vocabulary index
    terms: list[tuple[tuple[int, ...], tuple[float, ...]]]  # per entry: sorted words, scores
    buckets: dict[tuple[str, int], list[str]]  # fuzzy candidates by (first letter, length)


class SearchIndex:
    """Immutable after `build` (apart from a memo of resolved words); safe to query from threads."""

    def __init__(
        self,
        ids: list[int],
        nombres: list[str],
        folded: list[tuple[str, list[int] | None]],
        penalty: list[float],
        rank_eps: list[float],
        postings: _Postings,
        synonyms: Synonyms,
    ) -> None:
        self._ids = ids
        self._nombres = nombres
        self._folded = folded
        self._penalty = penalty  # length penalty + prior-order epsilon: one float to sort on
        self._rank_eps = rank_eps
        self._p = postings
        self._synonyms = synonyms
        self._memo: dict[tuple[str, bool], _Token] = {}
        self._memo_hits = 0
        # Entries recently shown, split into words (and their synonyms), for highlighting.
        self._shown: dict[int, _Shown] = {}

    # -- build --------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[int, str]],
        sinonimos: Sequence[Sequence[str]] = SINONIMOS,
        *,
        rank: Mapping[int, float] | None = None,
    ) -> SearchIndex:
        """Index `items` (id, name). Among equally good textual matches, the entry with the lower
        `rank[id]` wins (a popularity prior; ids missing from `rank` go last); without `rank`, the
        input order is the prior, so a catalog listed most-requested first needs nothing else.
        """
        synonyms = Synonyms.build(sinonimos)
        ids: list[int] = []
        nombres: list[str] = []
        folded: list[tuple[str, list[int] | None]] = []
        length_penalty: list[float] = []
        per_entry: list[dict[str, float]] = []  # word → best score in that entry
        seen: set[int] = set()
        for ident, nombre in items:
            if ident in seen:
                raise ValueError(f"duplicate prestación id {ident}")
            seen.add(ident)
            ids.append(ident)
            nombres.append(nombre)
            folded.append(fold_with_origin(nombre))
            words = analyze_folded(*folded[-1]).words
            content = sum(1 for w in words if w[0] not in STOPWORDS)
            length_penalty.append(_LEN_STEP * min(content, _LEN_CAP))
            scores: dict[str, float] = {}
            for text, pos, _, _ in words:
                _keep_best(scores, text, _REAL_SCORES[min(pos, _POS_CAP)])
            for text, pos, _, _ in synonyms.virtual(words):
                _keep_best(scores, text, _VIRTUAL_SCORES[min(pos, _POS_CAP)])
            per_entry.append(scores)

        n = len(ids)
        prior: list[float] = (
            [float(e) for e in range(n)]
            if rank is None
            else [rank.get(ids[e], float("inf")) for e in range(n)]
        )
        order = sorted(range(n), key=lambda e: (prior[e], folded[e][0], nombres[e], ids[e]))
        eps = 0.01 / max(n, 1)  # the prior only breaks ties: all of it is below one score step
        rank_eps = [0.0] * n
        for r, e in enumerate(order):
            rank_eps[e] = r * eps
        penalty = [length_penalty[e] + rank_eps[e] for e in range(n)]
        return cls(ids, nombres, folded, penalty, rank_eps, _postings(per_entry, penalty), synonyms)

    def __len__(self) -> int:
        return len(self._ids)

    # -- search -------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[Match]:
        """Best entries first; every typed word (stopwords aside) must match."""
        words = query_words(query)
        if not words or limit <= 0:
            return []
        required = [w for w in words if w not in STOPWORDS] or words
        optional = [w for w in words if w not in required]
        tokens = [self._token(w, False) for w in required]
        best = self._rank(tokens, limit)
        if len(best) < limit and any(_fuzzy_worthy(t.text) and not t.fuzzy_applied for t in tokens):
            # Few results: a typed word may be a typo that happens to prefix another word
            # ("rx mamo" for "rx mano"); let every word also reach its near misses.
            tokens = [self._token(w, True) for w in required]
            best = self._rank(tokens, limit)
        texts = [(text, _word_start(text)) for text in [t.text for t in tokens] + optional]
        fuzzy_words = frozenset(self._p.vocab[vi] for t in tokens for vi in t.fuzzy)
        return [
            Match(
                id=self._ids[e],
                nombre=self._nombres[e],
                score=round(composite + self._rank_eps[e], 4),
                spans=self._spans(e, texts, fuzzy_words),
            )
            for e, composite in best
        ]

    def _rank(self, tokens: list[_Token], limit: int) -> list[tuple[int, float]]:
        """(entry, composite) best first; composite = score - length penalty - ε·prior order."""
        if len(tokens) == 1:
            return self._top_single(tokens[0], limit)
        tokens = sorted(tokens, key=lambda t: len(t.hits) if t.hits is not None else t.estimate)
        driver = self._hits(tokens[0])
        maps: list[dict[int, float]] = []
        scorers: list[_EntryScorer] = []
        for t in tokens[1:]:
            if t.hits is not None or t.estimate <= _LOOKUP_RATIO * len(driver):
                maps.append(self._hits(t))
            else:  # a very common word: score it only on the few candidates left
                scorers.append(_EntryScorer(t, self._p.terms))
        candidates: Iterable[int] = driver.keys()
        for m in maps:
            candidates = m.keys() & candidates  # set intersection, in C
        penalty = self._penalty
        if len(maps) == 1 and not scorers:  # the common two-word query, as one comprehension
            other = maps[0]
            pairs = [(e, driver[e] + other[e] - penalty[e]) for e in candidates]
            return heapq.nlargest(limit, pairs, key=itemgetter(1))
        totals: list[tuple[int, float]] = []
        for e in candidates:
            score = driver[e] - penalty[e]
            for m in maps:
                score += m[e]
            for scorer in scorers:
                s = scorer(e)
                if not s:
                    break
                score += s
            else:
                totals.append((e, score))
        return heapq.nlargest(limit, totals, key=itemgetter(1))

    def _top_single(self, token: _Token, limit: int) -> list[tuple[int, float]]:
        """One typed word: merge the presorted postings of its words and take the first few."""
        streams = [self._stream(vi, delta) for vi, delta in token.sources()]
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        for key, e in heapq.merge(*streams):
            if e not in seen:  # an entry's first appearance is its best
                seen.add(e)
                out.append((e, -key))
                if len(out) == limit:
                    break
        return out

    def _stream(self, vi: int, delta: float) -> Iterator[tuple[float, int]]:
        """(penalty - score - delta, entry) for one word's postings, ascending, built in C."""
        entries, scores = self._p.order[vi]
        base = map(float.__sub__, map(self._penalty.__getitem__, entries), scores)
        return zip(map(float.__sub__, base, repeat(delta)), entries, strict=True)

    def _hits(self, token: _Token) -> dict[int, float]:
        """Entry → best score of this typed word (built once per resolved word).

        Every posting group has one score, so applying the groups in ascending score order with
        `dict.update` leaves each entry's maximum: the whole map is built in C.
        """
        if token.hits is None:
            parts = [
                (score + delta, entries)
                for vi, delta in token.sources()
                for score, entries in self._p.groups[vi]
            ]
            parts.sort(key=itemgetter(0))
            hits: dict[int, float] = {}
            for score, entries in parts:
                hits.update(zip(entries, repeat(score)))
            if self._memo_hits + len(hits) > _MEMO_HITS:
                self._memo.clear()
                self._memo_hits = 0
            self._memo_hits += len(hits)
            token.hits = hits
        return token.hits

    def _token(self, text: str, fuzzy_all: bool) -> _Token:
        key = (text, fuzzy_all and _fuzzy_worthy(text))
        token = self._memo.get(key)
        if token is None:
            vocab = self._p.vocab
            lo = bisect_left(vocab, text)
            hi = bisect_left(vocab, text + _TOP, lo)
            fuzzy: dict[int, float] = {}
            applied = _fuzzy_worthy(text) and (key[1] or lo == hi)
            if applied:
                for vi, distance in self._near_misses(text).items():
                    if not lo <= vi < hi:
                        fuzzy[vi] = _FUZZY_DROP + _FUZZY_PER_EDIT * (distance - 1)
            cum = self._p.cumulative
            estimate = cum[hi] - cum[lo] + sum(cum[vi + 1] - cum[vi] for vi in fuzzy)
            whole = lo if lo < hi and vocab[lo] == text else -1
            token = _Token(text, lo, hi, whole, fuzzy, applied, estimate)
            if len(self._memo) >= _MEMO_WORDS:
                self._memo.clear()  # only a memo: dropping it is always safe
                self._memo_hits = 0
            self._memo[key] = token
        return token

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
                hi = bisect_left(vocab, start + _TOP, lo)
                for vi in range(lo, hi):
                    if distance < found.get(vi, max_distance + 1):
                        found[vi] = int(distance)
        return found

    # -- highlighting (only for the few entries returned) -------------------------------------

    def _spans(
        self, e: int, texts: list[tuple[str, re.Pattern[str]]], fuzzy_words: frozenset[str]
    ) -> tuple[Span, ...]:
        folded, origin = self._folded[e]
        shown: _Shown | None = None
        spans: list[Span] = []
        for text, pattern in texts:
            n = len(text)
            prefix = [_span(origin, m.start(), m.start() + n) for m in pattern.finditer(folded)]
            if prefix:
                spans.extend(prefix)
                continue
            if shown is None:
                shown = self._shown.get(e)
                if shown is None:
                    if len(self._shown) >= _MEMO_SHOWN:
                        self._shown.clear()
                    shown = self._shown[e] = _Shown(analyze_folded(folded, origin))
            virtual = shown.virtual(self._synonyms)
            via = [span for w, span in virtual if w.startswith(text)]
            if not via:  # reached through a typo: mark the whole word
                via = [
                    _span(origin, s, end)
                    for w, _, s, end in shown.analyzed.words
                    if w in fuzzy_words
                ]
                via += [span for w, span in virtual if w in fuzzy_words]
            spans.extend(via)
        return _merge(spans)


@dataclass
class _Shown:
    """A name split into words, and (computed on first need) its synonym words with spans."""

    analyzed: Analyzed
    _virtual: list[tuple[str, Span]] | None = None

    def virtual(self, synonyms: Synonyms) -> list[tuple[str, Span]]:
        if self._virtual is None:
            words = self.analyzed.words
            self._virtual = [
                (text, self.analyzed.span(words[first][2], words[last][3]))
                for text, _, first, last in synonyms.virtual(words)
            ]
        return self._virtual


class _EntryScorer:
    """Score of one typed word in one entry, from the entry's own sorted word indices.

    Used instead of a full hit map when the word is common (``c``, ``con``) and another word of
    the query already narrowed the candidates: two bisects per candidate, no big map.
    """

    __slots__ = ("_fuzzy", "_hi", "_lo", "_terms", "_whole")

    def __init__(
        self, token: _Token, terms: list[tuple[tuple[int, ...], tuple[float, ...]]]
    ) -> None:
        self._lo, self._hi, self._whole, self._fuzzy = token.lo, token.hi, token.whole, token.fuzzy
        self._terms = terms

    def __call__(self, e: int) -> float:
        vis, scores = self._terms[e]
        i = bisect_left(vis, self._lo)
        j = bisect_left(vis, self._hi, i)
        best = 0.0
        for k in range(i, j):
            s = scores[k] + (_WHOLE_WORD if vis[k] == self._whole else 0.0)
            if s > best:
                best = s
        if self._fuzzy:
            for k, vi in enumerate(vis):
                drop = self._fuzzy.get(vi)
                if drop is not None and scores[k] - drop > best:
                    best = scores[k] - drop
        return best


def _postings(per_entry: list[dict[str, float]], penalty: list[float]) -> _Postings:
    vocab = sorted({w for scores in per_entry for w in scores})
    vi_of = {w: i for i, w in enumerate(vocab)}
    by_word: list[list[tuple[int, float]]] = [[] for _ in vocab]
    terms: list[tuple[tuple[int, ...], tuple[float, ...]]] = []
    for e, scores in enumerate(per_entry):
        pairs = sorted((vi_of[w], s) for w, s in scores.items())
        terms.append((tuple(vi for vi, _ in pairs), tuple(s for _, s in pairs)))
        for vi, s in pairs:
            by_word[vi].append((e, s))
    groups: list[tuple[tuple[float, tuple[int, ...]], ...]] = []
    order: list[tuple[tuple[int, ...], tuple[float, ...]]] = []
    cumulative = [0]
    for plist in by_word:
        grouped: dict[float, list[int]] = {}
        for e, s in plist:
            grouped.setdefault(s, []).append(e)
        groups.append(tuple((s, tuple(es)) for s, es in sorted(grouped.items())))
        plist.sort(key=lambda es: penalty[es[0]] - es[1])
        order.append((tuple(e for e, _ in plist), tuple(s for _, s in plist)))
        cumulative.append(cumulative[-1] + len(plist))
    return _Postings(vocab, groups, order, cumulative, terms, _buckets(vocab))


def _keep_best(scores: dict[str, float], word: str, score: float) -> None:
    if score > scores.get(word, 0.0):
        scores[word] = score


def _buckets(vocab: list[str]) -> dict[tuple[str, int], list[str]]:
    """(first letter, length) → distinct word starts of that length; a whole word also stands in
    for the two lengths past its end, so a typed extra letter still finds it."""
    buckets: dict[tuple[str, int], set[str]] = {}
    for word in vocab:
        if len(word) < _FUZZY_MIN_LEN - 1 or not word.isalpha():
            continue
        first = word[0]
        for length in range(_FUZZY_MIN_LEN - 1, len(word) + 1):
            buckets.setdefault((first, length), set()).add(word[:length])
        for length in (len(word) + 1, len(word) + 2):
            buckets.setdefault((first, length), set()).add(word)
    return {k: sorted(v) for k, v in buckets.items()}


def _fuzzy_worthy(text: str) -> bool:
    return len(text) >= _FUZZY_MIN_LEN and text.isalpha()


def _word_start(text: str) -> re.Pattern[str]:
    """`text` where a word starts, in a folded name (the same word rule as `search_text`)."""
    return re.compile(r"(?<![^\W_])" + re.escape(text))


def _span(origin: list[int] | None, fstart: int, fend: int) -> Span:
    if origin is None:
        return fstart, fend
    return origin[fstart], origin[fend - 1] + 1


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)
