"""The array ranking (`search_dense`) gives exactly the suggestions of the per-entry ranking it
replaces for common words: every prefix of every labelled query (`benchmarks/quality.tsv` and
`benchmarks/queries.tsv`), typed key by key, at the 10 000 and 50 000 catalogs of `make bench`.

The reference is the same index with the array path switched off (its thresholds out of reach),
which is the code that ranked every query before it: ids, order, scores, highlighted spans and
the words a partial match lacks must all agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_search import SHOWN, build_index, catalog_names, keystrokes, load_cases
from dim_revision.domain import search_dense, search_rank
from dim_revision.domain.learning import Learned
from dim_revision.domain.search_index import Match, SearchIndex

SEED = 20260310  # the benchmark's
NEVER = 10**9


def _listed() -> list[str]:
    lines = Path("benchmarks/queries.tsv").read_text(encoding="utf-8").splitlines()
    return [ln.split("\t")[0] for ln in lines if ln.strip() and not ln.startswith("#")]


def _typed() -> list[str]:
    return keystrokes([c.query for c in load_cases()] + _listed())


def _suggestions(
    index: SearchIndex, typed: list[str], learned: Learned | None = None
) -> list[list[Match]]:
    fresh = index.with_learned(learned)  # empty memos: both runs see the same keys
    return [fresh.search(prefix, SHOWN) for prefix in typed]


def _without_arrays(
    monkeypatch: pytest.MonkeyPatch,
    index: SearchIndex,
    typed: list[str],
    learned: Learned | None = None,
) -> list[list[Match]]:
    with monkeypatch.context() as m:
        m.setattr(search_rank, "VECTOR_MIN", NEVER)
        m.setattr(search_rank, "LIFT_VECTOR", NEVER)
        return _suggestions(index, typed, learned)


def _count_array_rankings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = search_dense.VectorRanker.rank

    def counting(
        self: search_dense.VectorRanker, *args: object, **kwargs: object
    ) -> search_dense.Ranked:
        calls[0] += 1
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search_dense.VectorRanker, "rank", counting)
    return calls


def _assert_same(typed: list[str], got: list[list[Match]], want: list[list[Match]]) -> None:
    wrong = [(p, g[:3], w[:3]) for p, g, w in zip(typed, got, want, strict=True) if g != w]
    assert not wrong, f"{len(wrong)} keystrokes differ, first: {wrong[0]}"


@pytest.fixture(scope="module")
def typed() -> list[str]:
    return _typed()


@pytest.fixture(scope="module")
def index_10k() -> SearchIndex:
    return build_index(catalog_names(10_000, SEED))


@pytest.fixture(scope="module")
def index_50k() -> SearchIndex:
    return build_index(catalog_names(50_000, SEED))


def test_every_ranked_query_by_arrays_matches_the_per_entry_ranking_at_10k(
    monkeypatch: pytest.MonkeyPatch, index_10k: SearchIndex, typed: list[str]
) -> None:
    """Arrays for every query with words (rare ones, typos, plurals, variant lifts, partial
    matches) against the per-entry ranking: a wrong whole-word bonus, typo drop, lift or
    penalty in `search_dense` shows up here."""
    want = _without_arrays(monkeypatch, index_10k, typed)
    calls = _count_array_rankings(monkeypatch)
    monkeypatch.setattr(search_rank, "VECTOR_MIN", 0)
    monkeypatch.setattr(search_rank, "LIFT_VECTOR", -1)
    got = _suggestions(index_10k, typed)
    assert calls[0] > len(typed) // 2
    _assert_same(typed, got, want)


def test_the_suggestions_at_50k_are_the_same_as_before_arrays(
    monkeypatch: pytest.MonkeyPatch, index_50k: SearchIndex, typed: list[str]
) -> None:
    want = _without_arrays(monkeypatch, index_50k, typed)
    calls = _count_array_rankings(monkeypatch)
    got = _suggestions(index_50k, typed)
    assert calls[0] > 500  # the short, common words of the slow keystrokes ("rmn d", "rx co")
    _assert_same(typed, got, want)


def test_with_operators_learning_the_suggestions_are_the_same_too(
    monkeypatch: pytest.MonkeyPatch, index_10k: SearchIndex
) -> None:
    """Learning is added after the ranking: `queries.tsv` typed key by key is enough here."""
    from benchmarks.bench_search import learned_history

    typed = keystrokes(_listed())
    learned: Learned = learned_history(index_10k, [c.query for c in load_cases()], SEED)
    want = _without_arrays(monkeypatch, index_10k, typed, learned)
    got = _suggestions(index_10k, typed, learned)
    _assert_same(typed, got, want)
