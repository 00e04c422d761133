"""The build step of the prestación search: a catalog → postings, vocabulary, fuzzy buckets.

Everything that depends only on the catalog is computed here, once (or loaded from the disk
cache, `services/catalogo.py`): each name's words and synonym words with their base scores, the
sorted vocabulary of distinct words, per word its postings grouped by score (so a word's hit map
is assembled with C-level dict updates) and presorted by final rank (so a one-word query merges
streams and stops early), and the near-miss buckets the typo lookup compares against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dim_revision.domain.lexicon import Lexicon
from dim_revision.domain.search_codes import Codes
from dim_revision.domain.search_scores import (
    FUZZY_MIN_LEN,
    LEN_CAP,
    LEN_STEP,
    PART_SCORES,
    POS_CAP,
    REAL_MIN,
    REAL_SCORES,
    VIRTUAL_SCORES,
)
from dim_revision.domain.search_text import STOPWORDS, Synonyms, analyze_folded, fold_with_origin
from dim_revision.domain.search_variants import VariantFinder, Variants

# (entries, their scores) of one word, best final rank first
Ordered = tuple[tuple[int, ...], tuple[float, ...]]
Folded = tuple[str, tuple[int, ...] | None]  # a folded name, the original index of each char


@dataclass(frozen=True)
class Postings:
    """Per vocabulary word, the entries that have it; per entry, its words."""

    vocab: tuple[str, ...]  # sorted distinct words, real and virtual
    groups: tuple[tuple[tuple[float, tuple[int, ...]], ...], ...]  # per word: (score, entries)
    order: tuple[tuple[Ordered, ...], ...]  # per word: real postings, then virtual ones
    cumulative: tuple[int, ...]  # postings before each vocabulary index
    terms: tuple[tuple[tuple[int, ...], tuple[float, ...]], ...]  # per entry: words, scores
    buckets: dict[tuple[str, int], tuple[str, ...]]  # fuzzy candidates by (first letter, length)


@dataclass(frozen=True)
class Catalog:
    """The built catalog: what `SearchIndex` queries (and the disk cache stores). Tuples of
    plain values throughout, so the garbage collector never walks them (a list of 50 000 floats
    is traversed at every full collection; a tuple of them is untracked)."""

    ids: tuple[int, ...]
    nombres: tuple[str, ...]
    folded: tuple[Folded, ...]  # folded name, original index of each char
    penalty: tuple[float, ...]  # length + variant weights + prior-order epsilon: one float
    rank_eps: tuple[float, ...]  # the prior-order epsilon alone
    postings: Postings
    synonyms: Synonyms
    variants: Variants
    codes: Codes


def build_catalog(
    items: Iterable[tuple[int, str]],
    lexicon: Lexicon,
    rank: Mapping[int, float] | None,
    codigos: Mapping[int, Sequence[str]] | None,
) -> Catalog:
    """Index `items` (id, name); see `SearchIndex.build`."""
    synonyms = Synonyms.build(lexicon.sinonimos)
    finder = VariantFinder(lexicon.variantes)
    ids: list[int] = []
    nombres: list[str] = []
    folded: list[Folded] = []
    base_penalty: list[float] = []
    per_entry: list[dict[str, float]] = []  # word → best score in that entry
    seen: set[int] = set()
    for ident, nombre in items:
        if ident in seen:
            raise ValueError(f"duplicate prestación id {ident}")
        seen.add(ident)
        e = len(ids)
        ids.append(ident)
        nombres.append(nombre)
        text, origin = fold_with_origin(nombre)
        folded.append((text, None if origin is None else tuple(origin)))
        words = analyze_folded(*folded[-1]).words
        content = [w[0] for w in words if w[0] not in STOPWORDS]
        extra = finder.add(e, content)
        base_penalty.append(LEN_STEP * min(len(content), LEN_CAP) + extra)
        scores: dict[str, float] = {}
        for text, pos, _, _ in words:
            _keep_best(scores, text, REAL_SCORES[min(pos, POS_CAP)])
        for text, pos, _, _, part in synonyms.virtual(words):
            table = PART_SCORES if part else VIRTUAL_SCORES
            _keep_best(scores, text, table[min(pos, POS_CAP)])
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
    entry_of = {ident: e for e, ident in enumerate(ids)}
    return Catalog(
        tuple(ids),
        tuple(nombres),
        tuple(folded),
        tuple(penalty),
        tuple(rank_eps),
        _postings(per_entry, penalty),
        synonyms,
        finder.variants(),
        Codes.build(entry_of, codigos or {}),
    )


def _postings(per_entry: list[dict[str, float]], penalty: list[float]) -> Postings:
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
    order: list[tuple[Ordered, ...]] = []
    cumulative = [0]
    for plist in by_word:
        grouped: dict[float, list[int]] = {}
        for e, s in plist:
            grouped.setdefault(s, []).append(e)
        groups.append(tuple((s, tuple(es)) for s, es in sorted(grouped.items())))
        plist.sort(key=lambda es: penalty[es[0]] - es[1])
        real = [p for p in plist if p[1] >= REAL_MIN]
        virtual = [p for p in plist if p[1] < REAL_MIN]
        order.append(
            tuple(
                (tuple(e for e, _ in part), tuple(s for _, s in part)) for part in (real, virtual)
            )
        )
        cumulative.append(cumulative[-1] + len(plist))
    return Postings(
        tuple(vocab), tuple(groups), tuple(order), tuple(cumulative), tuple(terms), _buckets(vocab)
    )


def _keep_best(scores: dict[str, float], word: str, score: float) -> None:
    if score > scores.get(word, 0.0):
        scores[word] = score


def _buckets(vocab: list[str]) -> dict[tuple[str, int], tuple[str, ...]]:
    """(first letter, length) → distinct word starts of that length; a whole word also stands in
    for the two lengths past its end, so a typed extra letter still finds it."""
    buckets: dict[tuple[str, int], set[str]] = {}
    for word in vocab:
        if len(word) < FUZZY_MIN_LEN - 1 or not word.isalpha():
            continue
        first = word[0]
        for length in range(FUZZY_MIN_LEN - 1, len(word) + 1):
            buckets.setdefault((first, length), set()).add(word[:length])
        for length in (len(word) + 1, len(word) + 2):
            buckets.setdefault((first, length), set()).add(word)
    return {k: tuple(sorted(v)) for k, v in buckets.items()}
