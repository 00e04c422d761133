"""Prestación search: what the operator types → ranked catalog entries, in about a millisecond.

A typed word matches a word of the name, in any order, by one of:

1. **prefix** of a real word of the name (accent/case folded): ``rodi`` → RODILLA;
2. **synonym**: at build time each name also gets the *virtual* words of the other forms of any
   synonym group of the lexicon (`lexicon.py`, `resources/lexico.txt`) it contains, so ``rmn``
   finds RESONANCIA MAGNÉTICA and ``resonancia`` finds "RMN DE CODO";
3. **typo** (rapidfuzz, optimal string alignment): the typed word against the *vocabulary* of
   distinct words truncated to about the typed length (so unfinished words count), bucketed by
   first letter and length, so a query compares a few dozen strings, never the catalog.

Ranking: a tier per typed word (whole real word > whole synonym form > prefix of a real word >
prefix of a synonym > typo), so ``eco`` (a whole form of ECOGRAFÍA) beats the start of ECOGUIADA
and ``s/c`` (sin contraste) beats the start of SCREENING. Then the lexicon's *variant* weights:
an invasive, guided or specialised study (PAAF, infiltración, transesofágico, screening…) ranks
below the plain one unless the query names it, and the usual study of a family gets a fraction of
a point. Then earlier word positions and shorter names, then the catalog's own order (a
popularity prior), then name. On top, what operators chose before for this query or a query it
starts (`learning.Learned`), and codes: a query that is the start of an entry's code lists that
entry first.

When no entry has every typed word, the entries that have the most of them are returned, each
saying which typed words it lacks (`Match.sin_coincidencia`): the list never empties because of
one unknown word.

Everything that depends only on the catalog is computed in `build`: postings are grouped by score
so a word's hit map is assembled with C-level dict updates, and presorted by final rank so a
one-word query merges streams and stops early.
"""

from __future__ import annotations

import copy
import heapq
import re
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, repeat
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dim_revision.domain.learning import Learned
from dim_revision.domain.lexicon import Lexicon, default_lexicon
from dim_revision.domain.search_text import (
    STOPWORDS,
    Analyzed,
    Synonyms,
    analyze_folded,
    fold,
    fold_with_origin,
    query_words,
)

__all__ = ["Match", "SearchIndex", "fold", "normalize_code", "normalize_query"]

_REAL, _VIRTUAL, _PART = 100.0, 90.0, 85.0  # real word, synonym, one word of a longer synonym
_WHOLE_REAL = 5.0  # typed word == a real word of the name: above any length/minor-variant gap
_WHOLE_VIRTUAL = 14.0  # typed word == a synonym form: just below a real whole word
_FUZZY_DROP, _FUZZY_PER_EDIT = 20.0, 5.0  # a typo ranks below any prefix/synonym hit
_POS_STEP, _POS_CAP = 0.1, 8
_LEN_STEP, _LEN_CAP = 0.25, 10
_FUZZY_MIN_LEN = 4
_NAMES_VARIANT_MIN = 4  # a typed word this long (or the whole word) names a variant
_PARTIAL_FIRST_WORD = 10.0  # partial matches: lacking the first typed word costs this more…
_PARTIAL_PER_CHAR, _PARTIAL_WORD_CAP = 1.0, 15.0  # …and any lacking word 1 per letter, up to 15
_PARTIAL_MAX_WORDS = 8  # beyond this many typed words, partial matching drops words greedily
_LEARN_MAX, _LEARN_HALF = 60.0, 4.0  # boost = MAX·w/(w+HALF): 1 pick ≈ 12, 10 picks ≈ 43
_LEARN_CANDIDATES = 24
_LIFT_RESCORE = 400  # up to this many entries carrying a named variant are re-scored one by one
_CODE_SCORE = 1000.0
_MEMO_WORDS = 256  # resolved typed words kept between keystrokes
_MEMO_HITS = 400_000  # and at most this many entries in their hit maps (~20 MB)
_MEMO_SHOWN = 2048  # names split into words, kept for highlighting the next keystroke
_LOOKUP_RATIO = 8  # build a word's full hit map only if it is within this factor of the driver's
_DENSE_SHARE = 4  # a typed word reaching more postings than entries/4 is scored from an array
_DENSE_MIN = 1500
_DENSE_KEEP = 64  # such arrays kept between keystrokes (8 bytes per entry each), LRU
_TOP = "\U0010ffff"
_CODE_CHARS = re.compile(r"[^0-9a-z]")

# Base score of a word by its position; every posting points at one of these few floats.
_REAL_SCORES = tuple(_REAL - _POS_STEP * pos for pos in range(_POS_CAP + 1))
_VIRTUAL_SCORES = tuple(_VIRTUAL - _POS_STEP * pos for pos in range(_POS_CAP + 1))
_PART_SCORES = tuple(_PART - _POS_STEP * pos for pos in range(_POS_CAP + 1))
_REAL_MIN = _REAL_SCORES[-1]

Span = tuple[int, int]


def normalize_query(query: str) -> str:
    """The form a query is remembered under by the learning table: folded words, one space."""
    return " ".join(query_words(query))


def normalize_code(code: str) -> str:
    """Codes compare without case, accents, dots, dashes or spaces: "34.50.01" → "345001"."""
    return _CODE_CHARS.sub("", fold(code))


def _whole_bonus(score: float) -> float:
    return _WHOLE_REAL if score >= _REAL_MIN else _WHOLE_VIRTUAL


@dataclass(frozen=True)
class Match:
    id: int
    nombre: str
    score: float
    spans: tuple[Span, ...]  # (start, end) in `nombre`, sorted and non-overlapping
    codigo: str | None = None  # the entry's code, to show beside the name
    sin_coincidencia: tuple[str, ...] = ()  # typed words this entry does not match


@dataclass(eq=False)  # identity: tokens are memoized objects
class _Token:
    """One typed word resolved against the vocabulary (memoized per index)."""

    text: str  # as typed (folded)
    stem: str  # what is looked up: `text`, or its singular when only that matches
    lo: int  # vocabulary range of the words starting with `stem`
    hi: int
    whole: int  # vocabulary index equal to `stem`, or -1
    fuzzy: dict[int, float]  # vocabulary index → score drop, near misses outside [lo, hi)
    fuzzy_applied: bool  # near misses were looked for
    estimate: int  # postings behind this word: decides which word drives a query
    names: frozenset[str]  # variant words this typed word names (see `SearchIndex._lift`)
    hits: dict[int, float] | None = field(default=None, repr=False)  # entry → best score
    # (score - penalty, entry), best first: for a common word driving a query (see `_rank`)
    ranked: list[tuple[float, int]] | None = field(default=None, repr=False)
    memo_key: tuple[str, bool] = ("", False)

    def sources(self) -> Iterator[tuple[int, bool, float]]:
        """(vocabulary index, is the whole word, score drop) of every word this one reaches."""
        for vi in range(self.lo, self.hi):
            yield vi, vi == self.whole, 0.0
        for vi, drop in self.fuzzy.items():
            yield vi, False, drop


@dataclass(frozen=True)
class _Postings:
    """Everything precomputed from the catalog (see `SearchIndex.build`)."""

    vocab: list[str]  # sorted distinct words, real and virtual
    groups: list[tuple[tuple[float, tuple[int, ...]], ...]]  # per word: (score, entries), asc
    # per word, real postings then virtual ones, each presorted best-rank first
    order: list[tuple[tuple[tuple[int, ...], tuple[float, ...]], ...]]
    cumulative: list[int]  # postings before each vocabulary index
    terms: list[tuple[tuple[int, ...], tuple[float, ...]]]  # per entry: sorted words, scores
    buckets: dict[tuple[str, int], list[str]]  # fuzzy candidates by (first letter, length)


@dataclass(frozen=True)
class _Variants:
    """The lexicon's variant weights resolved against the catalog."""

    weights: tuple[float, ...]  # per variant (a line of the lexicon)
    forms: tuple[tuple[int, frozenset[str]], ...]  # per form: (its variant, its words)
    words: tuple[str, ...]  # every word of every form
    entries: tuple[tuple[int, ...], ...]  # per variant: entries it weighs on
    form_entries: tuple[tuple[int, ...], ...]  # per form: entries weighed on through it
    of_entry: list[tuple[int, ...]]  # per entry: the forms that weigh on it


class SearchIndex:
    """Immutable after `build` (apart from memos); safe to query from threads."""

    def __init__(
        self,
        ids: list[int],
        nombres: list[str],
        folded: list[tuple[str, list[int] | None]],
        penalty: list[float],
        rank_eps: list[float],
        postings: _Postings,
        synonyms: Synonyms,
        variants: _Variants,
        codigos: list[str | None],
        codes: list[tuple[str, int, str]],
        learned: Learned | None,
    ) -> None:
        self._ids = ids
        self._entry = {ident: e for e, ident in enumerate(ids)}
        self._nombres = nombres
        self._folded = folded
        self._penalty = penalty  # length + variant weights + prior-order epsilon: one float
        self._rank_eps = rank_eps
        self._p = postings
        self._synonyms = synonyms
        self._variants = variants
        self._codigos = codigos
        self._codes = codes  # (normalized code, entry, code as written), sorted
        self._code_keys = [c for c, _, _ in codes]
        self._learned = learned
        self._reset_memos()

    def _reset_memos(self) -> None:
        self._memo: dict[tuple[str, bool], _Token] = {}
        self._memo_hits = 0
        # Typed words that reach most of the catalog ("c", "rmn"): entry → score as a flat list.
        self._dense: dict[tuple[str, bool], list[float]] = {}
        self._dense_max: dict[int, float] = {}  # id(array) → its largest score
        self._singles: dict[tuple[str, bool, int], list[tuple[int, float]]] = {}  # one-word queries
        # Entries recently shown, split into words (and their synonyms), for highlighting.
        self._shown: dict[int, _Shown] = {}

    # -- disk cache (services/catalogo.py): the built index without memos or learning ----------

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for memo in ("_memo", "_memo_hits", "_dense", "_dense_max", "_singles", "_shown"):
            state.pop(memo, None)
        state["_learned"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._reset_memos()

    def with_learned(self, learned: Learned | None) -> SearchIndex:
        """The same catalog index with other learning (a cached index gets today's)."""
        clone = copy.copy(self)
        clone._learned = learned
        clone._reset_memos()
        return clone

    # -- build --------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[int, str]],
        lexicon: Lexicon | None = None,
        *,
        rank: Mapping[int, float] | None = None,
        codigos: Mapping[int, Sequence[str]] | None = None,
        learned: Learned | None = None,
    ) -> SearchIndex:
        """Index `items` (id, name) with `lexicon` (default: the reviewed `resources/lexico.txt`).

        Among equally good textual matches, the entry with the lower `rank[id]` wins (a
        popularity prior; ids missing from `rank` go last); without `rank`, the input order is
        the prior, so a catalog listed most-requested first needs nothing else. `codigos` maps an
        id to its codes (DIM's own first, then the nomenclador's); `learned`, what operators
        chose before.
        """
        lexicon = default_lexicon() if lexicon is None else lexicon
        synonyms = Synonyms.build(lexicon.sinonimos)
        ids: list[int] = []
        nombres: list[str] = []
        folded: list[tuple[str, list[int] | None]] = []
        base_penalty: list[float] = []
        per_entry: list[dict[str, float]] = []  # word → best score in that entry
        variant_entries: list[list[int]] = [[] for _ in lexicon.variantes]
        all_forms = [(v, f) for v, variant in enumerate(lexicon.variantes) for f in variant.formas]
        form_entries: list[list[int]] = [[] for _ in all_forms]
        variant_forms: dict[str, list[tuple[int, tuple[str, ...]]]] = {}  # by first word
        for f, (_, form) in enumerate(all_forms):
            variant_forms.setdefault(form[0], []).append((f, form))
        of_entry: list[tuple[int, ...]] = []
        seen: set[int] = set()
        for ident, nombre in items:
            if ident in seen:
                raise ValueError(f"duplicate prestación id {ident}")
            seen.add(ident)
            e = len(ids)
            ids.append(ident)
            nombres.append(nombre)
            folded.append(fold_with_origin(nombre))
            words = analyze_folded(*folded[-1]).words
            content = [w[0] for w in words if w[0] not in STOPWORDS]
            extra = 0.0
            carried: list[int] = []
            for f in sorted(_forms_in(content, variant_forms)):
                v = all_forms[f][0]
                context = lexicon.variantes[v].contexto
                if not context or all(w in content for w in context):
                    carried.append(f)
                    form_entries[f].append(e)
                    if not variant_entries[v] or variant_entries[v][-1] != e:
                        variant_entries[v].append(e)  # a line weighs once per name
                        extra += lexicon.variantes[v].peso
            of_entry.append(tuple(carried))
            base_penalty.append(_LEN_STEP * min(len(content), _LEN_CAP) + extra)
            scores: dict[str, float] = {}
            for text, pos, _, _ in words:
                _keep_best(scores, text, _REAL_SCORES[min(pos, _POS_CAP)])
            for text, pos, _, _, part in synonyms.virtual(words):
                table = _PART_SCORES if part else _VIRTUAL_SCORES
                _keep_best(scores, text, table[min(pos, _POS_CAP)])
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
        penalty = [base_penalty[e] + rank_eps[e] for e in range(n)]
        variants = _Variants(
            tuple(v.peso for v in lexicon.variantes),
            tuple((v, frozenset(form)) for v, form in all_forms),
            tuple(sorted({w for _, form in all_forms for w in form})),
            tuple(tuple(es) for es in variant_entries),
            tuple(tuple(es) for es in form_entries),
            of_entry,
        )
        shown_code: list[str | None] = [None] * n
        codes: list[tuple[str, int, str]] = []
        entry_of = {ident: e for e, ident in enumerate(ids)}
        for ident, values in (codigos or {}).items():
            entry = entry_of.get(ident)
            if entry is None:
                continue
            for value in values:
                if value and value.strip():
                    if shown_code[entry] is None:
                        shown_code[entry] = value.strip()
                    key = normalize_code(value)
                    if key:
                        codes.append((key, entry, value.strip()))
        codes.sort()
        return cls(
            ids,
            nombres,
            folded,
            penalty,
            rank_eps,
            _postings(per_entry, penalty),
            synonyms,
            variants,
            shown_code,
            codes,
            learned,
        )

    def __len__(self) -> int:
        return len(self._ids)

    # -- search -------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[Match]:
        """Best entries first: codes, then entries with every typed word (stopwords aside), or,
        when there are none, the entries with the most of them."""
        words = query_words(query)
        if not words or limit <= 0:
            return []
        coded = self._code_hits(query, limit)
        content = [w for w in words if w not in STOPWORDS]
        optional = [w for w in words if w not in content] if content else []
        required = self._synonyms.join(content) if content else words
        tokens = [self._token(w, False) for w in required]
        lift = self._lift(tokens)
        best = self._rank(tokens, limit, lift)
        if len(best) < limit and any(_fuzzy_worthy(t.text) and not t.fuzzy_applied for t in tokens):
            # Few results: a typed word may be a typo that happens to prefix another word
            # ("rx mamo" for "rx mano"); let every word also reach its near misses.
            tokens = [self._token(w, True) for w in required]
            lift = self._lift(tokens)
            best = self._rank(tokens, limit, lift)
        missing: dict[int, tuple[str, ...]] = {}
        if best:
            best = self._boost(query, tokens, best, limit, lift)
        elif len(tokens) > 1:
            best, missing = self._partial(tokens, limit, lift)
        if coded:
            taken = set(coded)
            best = [(e, _CODE_SCORE - i) for i, e in enumerate(coded)] + [
                (e, s) for e, s in best if e not in taken
            ]
            best = best[:limit]
        texts = [(t.stem, _word_start(t.stem)) for t in tokens]
        texts += [(text, _word_start(text)) for text in optional]
        fuzzy_words = frozenset(self._p.vocab[vi] for t in tokens for vi in t.fuzzy)
        return [
            Match(
                id=self._ids[e],
                nombre=self._nombres[e],
                score=round(composite + self._rank_eps[e], 4),
                spans=self._spans(e, texts, fuzzy_words),
                codigo=coded.get(e, self._codigos[e]),
                sin_coincidencia=missing.get(e, ()),
            )
            for e, composite in best
        ]

    def _code_hits(self, query: str, limit: int) -> dict[int, str]:
        """Entry → matched code, for the codes starting with the query (exact first), if the
        query has a digit (DIM's code or the nomenclador's)."""
        if not self._codes or not any(c.isdigit() for c in query):
            return {}
        key = normalize_code(query)
        if len(key) < 2:
            return {}
        lo = bisect_left(self._code_keys, key)
        hi = bisect_left(self._code_keys, key + "\x7f", lo)
        # sorted by code, so the exact code (if any) comes first, then the longer ones in order
        found: dict[int, str] = {}
        for _, e, written in self._codes[lo : min(hi, lo + 4 * limit)]:
            found.setdefault(e, written)
            if len(found) == limit:
                break
        return found

    def _lift(self, tokens: list[_Token]) -> _Lift:
        """The variant weights to give back where the query names the form that put them there
        (every word of the form is named by a typed word): "paaf" lifts PAAF, not biopsias."""
        typed = {w for t in tokens for w in t.names}
        if not typed:
            return _NO_LIFT
        named = frozenset(f for f, (_, words) in enumerate(self._variants.forms) if words <= typed)
        if not named:
            return _NO_LIFT
        return _Lift(named, self._variants)

    def _rank(self, tokens: list[_Token], limit: int, lift: _Lift) -> list[tuple[int, float]]:
        """(entry, composite) best first; composite = score - penalty (+ lifted weights)."""
        if len(tokens) == 1:
            if lift:
                return self._single_lifted(tokens[0], limit, lift)
            key = (tokens[0].text, tokens[0].fuzzy_applied, limit)
            top = self._singles.get(key)
            if top is None:
                top = self._top_single(tokens[0], limit)
                if len(self._singles) >= _MEMO_WORDS:
                    self._singles.clear()
                self._singles[key] = top
            return top
        tokens = sorted(tokens, key=lambda t: len(t.hits) if t.hits is not None else t.estimate)
        driver = self._hits(tokens[0])
        maps: list[dict[int, float]] = []
        arrays: list[list[float]] = []
        scorers: list[_EntryScorer] = []
        dense_at = max(_DENSE_MIN, len(self._ids) // _DENSE_SHARE)
        for t in tokens[1:]:
            if t.estimate >= dense_at and t.hits is None:
                arrays.append(self._dense_scores(t))
            elif t.hits is not None or t.estimate <= _LOOKUP_RATIO * len(driver):
                maps.append(self._hits(t))
            else:  # a very common word: score it only on the few candidates left
                scorers.append(_EntryScorer(t, self._p.terms))
        candidates: Iterable[int] = driver.keys()
        for m in maps:
            candidates = m.keys() & candidates  # set intersection, in C
        penalty = self._penalty
        if arrays and not maps and not scorers and not lift and len(driver) >= dense_at:
            return self._top_over_arrays(tokens[0], driver, arrays, limit)
        if not scorers and not lift and len(maps) + len(arrays) == 1:  # two-word queries
            if maps:
                other = maps[0]
                pairs = [(e, driver[e] + other[e] - penalty[e]) for e in candidates]
            else:
                arr = arrays[0]
                pairs = [(e, d + arr[e] - penalty[e]) for e, d in driver.items() if arr[e]]
            return heapq.nlargest(limit, pairs, key=itemgetter(1))
        totals: list[tuple[int, float]] = []
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

    def _single_lifted(self, token: _Token, limit: int, lift: _Lift) -> list[tuple[int, float]]:
        """One typed word that names a variant ("paaf"): the usual top, with the few entries
        carrying a named variant re-scored (lift only moves those)."""
        lifted = lift.entries()
        penalty = self._penalty
        if len(lifted) > _LIFT_RESCORE:  # a common variant ("con contraste"): score them all
            hits = self._hits(token)
            pairs = [(e, s - penalty[e] + lift.get(e, 0.0)) for e, s in hits.items()]
            return heapq.nlargest(limit, pairs, key=itemgetter(1))
        scores = dict(self._top_single(token, limit + len(lifted)))
        scorer = _EntryScorer(token, self._p.terms)
        for e in lifted:
            s = scorer(e)
            if s:
                scores[e] = s - penalty[e] + lift.get(e, 0.0)
            else:
                scores.pop(e, None)
        return heapq.nlargest(limit, scores.items(), key=itemgetter(1))

    def _top_over_arrays(
        self,
        driver_token: _Token,
        driver: dict[int, float],
        arrays: list[list[float]],
        limit: int,
    ) -> list[tuple[int, float]]:
        """A common word ("rmn") and words that reach most of the catalog ("rmn de c"): walk the
        common word's entries best first and stop once nothing left can enter the top."""
        ranked = driver_token.ranked
        if ranked is None:
            penalty = self._penalty
            ranked = sorted(((s - penalty[e], e) for e, s in driver.items()), reverse=True)
            driver_token.ranked = ranked
        ceiling = sum(self._dense_max[id(arr)] for arr in arrays)
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
                if len(heap) < limit:
                    heapq.heappush(heap, (total, e))
                elif total > heap[0][0]:
                    heapq.heapreplace(heap, (total, e))
        return [(e, total) for total, e in sorted(heap, reverse=True)]

    def _dense_scores(self, token: _Token) -> list[float]:
        """Entry → best score of a typed word that reaches most of the catalog, as a list."""
        key = (token.text, token.fuzzy_applied)
        arr = self._dense.pop(key, None)
        if arr is not None:
            self._dense[key] = arr  # most recently used last
        else:
            arr = [0.0] * len(self._ids)
            parts = [
                (score + (_whole_bonus(score) if whole else 0.0) - drop, entries)
                for vi, whole, drop in token.sources()
                for score, entries in self._p.groups[vi]
            ]
            parts.sort(key=itemgetter(0))
            setitem = arr.__setitem__
            for score, entries in parts:  # ascending: the last write is each entry's best
                deque(map(setitem, entries, repeat(score)), maxlen=0)
            if len(self._dense) >= _DENSE_KEEP:
                old = self._dense.pop(next(iter(self._dense)))
                self._dense_max.pop(id(old), None)
            self._dense[key] = arr
            self._dense_max[id(arr)] = max(arr, default=0.0)
        return arr

    def _partial(
        self, tokens: list[_Token], limit: int, lift: _Lift
    ) -> tuple[list[tuple[int, float]], dict[int, tuple[str, ...]]]:
        """No entry has every typed word: the entries with the most of them, best first."""
        live = [t for t in tokens if t.estimate > 0]
        dead = tuple(t.text for t in tokens if t.estimate == 0)
        while len(live) > _PARTIAL_MAX_WORDS:  # very long queries: leave out the commonest words
            live.remove(max(live, key=lambda t: t.estimate))
        for size in range(len(live), 0, -1):
            found: dict[int, tuple[float, tuple[str, ...]]] = {}
            for subset in combinations(live, size):
                if size == len(live) and len(live) == len(tokens):
                    continue  # that is the full query, already empty
                kept = {id(t) for t in subset}
                lacking = dead + tuple(t.text for t in live if id(t) not in kept)
                cost = sum(_lacking_cost(t, t is tokens[0]) for t in live if id(t) not in kept)
                for e, score in self._rank(list(subset), limit, lift):
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

    def _boost(
        self,
        query: str,
        tokens: list[_Token],
        best: list[tuple[int, float]],
        limit: int,
        lift: _Lift,
    ) -> list[tuple[int, float]]:
        """Raise what operators chose before for this query (or one it starts)."""
        if self._learned is None:
            return best
        weights = self._learned.weights(normalize_query(query))
        if not weights:
            return best
        chosen = heapq.nlargest(_LEARN_CANDIDATES, weights.items(), key=itemgetter(1))
        scores = dict(best)
        scorers: list[_EntryScorer] | None = None
        for ident, w in chosen:
            e = self._entry.get(ident)
            if e is None:
                continue
            base = scores.get(e)
            if base is None:  # not in the first few: score it on its own, if it matches
                if scorers is None:
                    scorers = [_EntryScorer(t, self._p.terms) for t in tokens]
                parts = [scorer(e) for scorer in scorers]
                if not all(parts):
                    continue
                base = sum(parts) - self._penalty[e] + lift.get(e, 0.0)
            scores[e] = base + _LEARN_MAX * w / (w + _LEARN_HALF)
        return heapq.nlargest(limit, scores.items(), key=itemgetter(1))

    def _top_single(self, token: _Token, limit: int) -> list[tuple[int, float]]:
        """One typed word: merge the presorted postings of its words and take the first few."""
        streams = []
        for vi, whole, drop in token.sources():
            real, virtual = self._p.order[vi]
            streams.append(self._stream(real, (_WHOLE_REAL if whole else 0.0) - drop))
            streams.append(self._stream(virtual, (_WHOLE_VIRTUAL if whole else 0.0) - drop))
        out: list[tuple[int, float]] = []
        seen: set[int] = set()
        for key, e in heapq.merge(*streams):
            if e not in seen:  # an entry's first appearance is its best
                seen.add(e)
                out.append((e, -key))
                if len(out) == limit:
                    break
        return out

    def _stream(
        self, postings: tuple[tuple[int, ...], tuple[float, ...]], delta: float
    ) -> Iterator[tuple[float, int]]:
        """(penalty - score - delta, entry) for some postings, ascending, built in C."""
        entries, scores = postings
        base = map(float.__sub__, map(self._penalty.__getitem__, entries), scores)
        return zip(map(float.__sub__, base, repeat(delta)), entries, strict=True)

    def _hits(self, token: _Token) -> dict[int, float]:
        """Entry → best score of this typed word (built once per resolved word).

        Every posting group has one score, so applying the groups in ascending score order with
        `dict.update` leaves each entry's maximum: the whole map is built in C.
        """
        if token.hits is None:
            parts = [
                (score + (_whole_bonus(score) if whole else 0.0) - drop, entries)
                for vi, whole, drop in token.sources()
                for score, entries in self._p.groups[vi]
            ]
            parts.sort(key=itemgetter(0))
            hits: dict[int, float] = {}
            for score, entries in parts:
                hits.update(zip(entries, repeat(score)))
            self._evict(len(hits))
            token.hits = hits
            if self._memo.get(token.memo_key) is token:
                self._memo_hits += len(hits)
        return token.hits

    def _evict(self, hits: int) -> None:
        """Drop the least recently used words until there is room (only a memo: always safe)."""
        memo = self._memo
        while memo and (len(memo) >= _MEMO_WORDS or self._memo_hits + hits > _MEMO_HITS):
            old = memo.pop(next(iter(memo)))
            if old.hits is not None:
                self._memo_hits -= len(old.hits)

    def _token(self, text: str, fuzzy_all: bool) -> _Token:
        key = (text, fuzzy_all and _fuzzy_worthy(text))
        token = self._memo.pop(key, None)
        if token is not None:
            self._memo[key] = token  # most recently used last
        else:
            vocab = self._p.vocab
            stem = text
            lo = bisect_left(vocab, stem)
            hi = bisect_left(vocab, stem + _TOP, lo)
            if lo == hi and len(text) >= _FUZZY_MIN_LEN and text.endswith("s"):
                # a plural the names only have in the singular ("rodillas", "mamas")
                for cut in (1, 2) if text.endswith("es") else (1,):
                    candidate = text[:-cut]
                    c_lo = bisect_left(vocab, candidate)
                    c_hi = bisect_left(vocab, candidate + _TOP, c_lo)
                    if c_lo < c_hi:
                        stem, lo, hi = candidate, c_lo, c_hi
                        break
            fuzzy: dict[int, float] = {}
            applied = _fuzzy_worthy(text) and (key[1] or lo == hi)
            if applied:
                for vi, distance in self._near_misses(text).items():
                    if not lo <= vi < hi:
                        fuzzy[vi] = _FUZZY_DROP + _FUZZY_PER_EDIT * (distance - 1)
            cum = self._p.cumulative
            estimate = cum[hi] - cum[lo] + sum(cum[vi + 1] - cum[vi] for vi in fuzzy)
            whole = lo if lo < hi and vocab[lo] == stem else -1
            names = frozenset(
                w
                for w in self._variants.words
                if w.startswith(stem) and len(stem) >= min(len(w), _NAMES_VARIANT_MIN)
            )
            token = _Token(text, stem, lo, hi, whole, fuzzy, applied, estimate, names, memo_key=key)
            self._evict(0)
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


def _lacking_cost(token: _Token, first: bool) -> float:
    """What leaving a typed word out costs a partial match: a longer word says more than the two
    letters being typed ("marcacion co" keeps showing MARCACIÓN…), and orders name the study
    first ("tac de abdomen superior" is a TC before it is an "abdomen superior")."""
    return min(len(token.text) * _PARTIAL_PER_CHAR, _PARTIAL_WORD_CAP) + (
        _PARTIAL_FIRST_WORD if first else 0.0
    )


def _in_order(tokens: list[_Token], lacking: tuple[str, ...]) -> tuple[str, ...]:
    wanted = set(lacking)
    return tuple(t.text for t in tokens if t.text in wanted)


class _Lift:
    """Entry → the weight to give back for the variant forms the query names, computed only for
    the entries a query looks at."""

    __slots__ = ("_named", "_variants")

    def __init__(self, named: frozenset[int], variants: _Variants | None) -> None:
        self._named, self._variants = named, variants

    def __bool__(self) -> bool:
        return bool(self._named)

    def entries(self) -> set[int]:
        """The entries a named form weighs on."""
        if self._variants is None:
            return set()
        per_form = self._variants.form_entries
        return {e for f in self._named for e in per_form[f]}

    def get(self, e: int, default: float = 0.0) -> float:
        variants = self._variants
        if variants is None or not variants.of_entry[e]:
            return default
        lines = {variants.forms[f][0] for f in variants.of_entry[e] if f in self._named}
        return sum(variants.weights[v] for v in lines) if lines else default


_NO_LIFT = _Lift(frozenset(), None)


def _forms_in(content: list[str], forms: dict[str, list[tuple[int, tuple[str, ...]]]]) -> set[int]:
    """The variant forms present, as consecutive words, in a name's content words."""
    found: set[int] = set()
    for i, word in enumerate(content):
        for f, form in forms.get(word, ()):
            if f not in found and tuple(content[i : i + len(form)]) == form:
                found.add(f)
    return found


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
                for text, _, first, last, _ in synonyms.virtual(words)
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
            s = scores[k] + (_whole_bonus(scores[k]) if vis[k] == self._whole else 0.0)
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
    order: list[tuple[tuple[tuple[int, ...], tuple[float, ...]], ...]] = []
    cumulative = [0]
    for plist in by_word:
        grouped: dict[float, list[int]] = {}
        for e, s in plist:
            grouped.setdefault(s, []).append(e)
        groups.append(tuple((s, tuple(es)) for s, es in sorted(grouped.items())))
        plist.sort(key=lambda es: penalty[es[0]] - es[1])
        real = [p for p in plist if p[1] >= _REAL_MIN]
        virtual = [p for p in plist if p[1] < _REAL_MIN]
        order.append(
            tuple(
                (tuple(e for e, _ in part), tuple(s for _, s in part)) for part in (real, virtual)
            )
        )
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
