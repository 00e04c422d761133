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

This module is the façade; the parts live beside it: `search_scores` (the numbers),
`search_codes` (query and code normalisation), `search_build` (catalog → postings, vocabulary,
buckets), `search_variants` (variant weights and their lift), `search_tokens` (typed word →
vocabulary range, typos, hit maps), `search_rank` and `search_walk` (ranking, learning boost),
`search_dense` (queries whose every word is common, ranked with numpy arrays), `search_partial`
(entries with the most of the typed words) and `search_spans` (highlighting).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dim_revision.domain.learning import Learned
from dim_revision.domain.lexicon import Lexicon, default_lexicon
from dim_revision.domain.search_build import Catalog, build_catalog
from dim_revision.domain.search_codes import normalize_code, normalize_query
from dim_revision.domain.search_partial import partial
from dim_revision.domain.search_rank import Ranker
from dim_revision.domain.search_scores import CODE_SCORE, MEMO_LIFTS, fuzzy_worthy
from dim_revision.domain.search_spans import Highlighter, Span, word_start
from dim_revision.domain.search_text import STOPWORDS, fold, query_words
from dim_revision.domain.search_tokens import Resolver, Token
from dim_revision.domain.search_variants import Lift, Variants

__all__ = ["STOPWORDS", "Match", "SearchIndex", "Span", "fold", "normalize_code", "normalize_query"]


@dataclass(frozen=True)
class Match:
    id: int
    nombre: str
    score: float
    spans: tuple[Span, ...]  # (start, end) in `nombre`, sorted and non-overlapping
    codigo: str | None = None  # the entry's code, to show beside the name
    sin_coincidencia: tuple[str, ...] = ()  # typed words this entry does not match


class SearchIndex:
    """Immutable after `build` (apart from memos); safe to query from threads."""

    def __init__(self, catalog: Catalog, learned: Learned | None) -> None:
        self._catalog = catalog
        self._learned = learned
        self._setup()

    def _setup(self) -> None:
        from dim_revision.domain.search_dense import FlatPostings  # numpy: not at start-up

        c = self._catalog
        self._entry = {ident: e for e, ident in enumerate(c.ids)}
        self._variants: Variants = c.variants
        self._flat = FlatPostings(c.postings, c.penalty)  # shared by clones (`with_learned`)
        self._reset_memos()

    def _reset_memos(self) -> None:
        """Memos, empty for each clone and after loading from disk."""
        from dim_revision.domain.search_dense import VectorRanker

        c = self._catalog
        self._resolver = Resolver(c.postings, c.variants.words)
        vectors = VectorRanker(self._flat, c.variants)
        self._ranker = Ranker(c.penalty, c.postings, self._resolver, vectors)
        self._highlighter = Highlighter(c.folded, c.synonyms)
        self._lifts: dict[frozenset[int], Lift] = {}  # kept: a lift caches its weights

    def _lift(self, tokens: list[Token]) -> Lift:
        """The variant weights the typed words give back (see `search_variants.Lift`)."""
        lift = Lift.named_by((w for t in tokens for w in t.names), self._catalog.variants)
        if not lift:
            return lift
        kept = self._lifts.get(lift.named)
        if kept is None:
            if len(self._lifts) >= MEMO_LIFTS:
                self._lifts.clear()
            kept = self._lifts[lift.named] = lift
        return kept

    # -- disk cache (services/catalogo.py): the built catalog without memos or learning --------

    def __getstate__(self) -> dict[str, object]:
        return {"catalog": self._catalog}

    def __setstate__(self, state: dict[str, object]) -> None:
        catalog = state["catalog"]
        assert isinstance(catalog, Catalog)
        self._catalog = catalog
        self._learned = None
        self._setup()

    def with_learned(self, learned: Learned | None) -> SearchIndex:
        """The same catalog index with other learning (a cached index gets today's)."""
        clone = copy.copy(self)
        clone._learned = learned
        clone._reset_memos()
        return clone

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
        return cls(build_catalog(items, lexicon, rank, codigos), learned)

    def __len__(self) -> int:
        return len(self._catalog.ids)

    def search(self, query: str, limit: int = 20) -> list[Match]:
        """Best entries first: codes, then entries with every typed word (stopwords aside), or,
        when there are none, the entries with the most of them."""
        words = query_words(query)
        if not words or limit <= 0:
            return []
        c = self._catalog
        coded = c.codes.hits(query, limit)
        content = [w for w in words if w not in STOPWORDS]
        optional = [w for w in words if w not in content] if content else []
        required = c.synonyms.join(content) if content else words
        resolver, ranker = self._resolver, self._ranker
        tokens = [resolver.token(w, False) for w in required]
        lift = self._lift(tokens)
        best = ranker.rank(tokens, limit, lift)
        if len(best) < limit and any(fuzzy_worthy(t.text) and not t.fuzzy_applied for t in tokens):
            # Few results: a typed word may be a typo that happens to prefix another word
            # ("rx mamo" for "rx mano"); let every word also reach its near misses.
            tokens = [resolver.token(w, True) for w in required]
            lift = self._lift(tokens)
            best = ranker.rank(tokens, limit, lift)
        missing: dict[int, tuple[str, ...]] = {}
        if best:
            best = ranker.boost(self._learned, self._entry, query, tokens, best, limit, lift)
        elif len(tokens) > 1:
            best, missing = partial(ranker.rank, tokens, limit, lift)
        if coded:
            taken = set(coded)
            best = [(e, CODE_SCORE - i) for i, e in enumerate(coded)] + [
                (e, s) for e, s in best if e not in taken
            ]
            best = best[:limit]
        texts = [(t.stem, word_start(t.stem)) for t in tokens]
        texts += [(text, word_start(text)) for text in optional]
        fuzzy_words = frozenset(c.postings.vocab[vi] for t in tokens for vi in t.fuzzy)
        spans = self._highlighter.spans
        return [
            Match(
                id=c.ids[e],
                nombre=c.nombres[e],
                score=round(composite + c.rank_eps[e], 4),
                spans=spans(e, texts, fuzzy_words),
                codigo=coded.get(e, c.codes.shown[e]),
                sin_coincidencia=missing.get(e, ()),
            )
            for e, composite in best
        ]
