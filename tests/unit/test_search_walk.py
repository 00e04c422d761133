"""The early-stopping paths of the ranking (walks, one-by-one scoring) give the same answers as
scoring every candidate, on a catalog big enough to take them."""

from __future__ import annotations

import random

import pytest

from dim_revision.domain import search_rank
from dim_revision.domain.search_index import SearchIndex

MODALIDADES = ["RESONANCIA MAGNÉTICA DE", "TC DE", "RADIOGRAFÍA DE", "ECOGRAFÍA DE", "RX DE"]
REGIONES = ["RODILLA", "HOMBRO", "CADERA", "CEREBRO", "TÓRAX", "PELVIS", "MANO", "PIE", "CUELLO"]
EXTRAS = ["", "DERECHA", "IZQUIERDA", "BILATERAL", "CON CONTRASTE", "SIN CONTRASTE", "CONTROL"]
QUERIES = [
    "rmn d",
    "rmn de c",
    "resonancia magnetica d",
    "rx de m",
    "tc c",
    "eco de cadera i",
    "rmn rodilla der",
    "tc torax con c",
    "rx pie b",
    "eco m",
    "rmn hombro iz",
    "rodilla d",
    "c d",
    "tc cerebro sin c",
]


def _catalog() -> list[tuple[int, str]]:
    rng = random.Random(11)
    names = [
        f"{rng.choice(MODALIDADES)} {rng.choice(REGIONES)} {rng.choice(EXTRAS)} - SEDE {n}".strip()
        for n in range(6000)
    ]
    return list(enumerate(names, start=1))


def _top(index: SearchIndex, query: str) -> list[tuple[int, float, tuple[tuple[int, int], ...]]]:
    return [(m.id, m.score, m.spans) for m in index.search(query, 20)]


@pytest.fixture(scope="module")
def catalog() -> list[tuple[int, str]]:
    return _catalog()


def test_walks_rank_like_scoring_every_candidate(
    catalog: list[tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    walked = SearchIndex.build(catalog)
    for query in QUERIES:  # typed key by key: the walks use what earlier keys kept
        for i in range(1, len(query) + 1):
            walked.search(query[:i])
    got = {q: _top(walked, q) for q in QUERIES}

    monkeypatch.setattr(search_rank, "WALK_MIN", 10**9)  # never walk…
    monkeypatch.setattr(search_rank, "DENSE_RATIO", 10**9)  # …and always build the arrays
    scored = SearchIndex.build(catalog)
    for query in QUERIES:
        assert got[query] == _top(scored, query), query
        assert got[query], query


def test_a_walk_that_gives_up_still_answers(
    catalog: list[tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = {q: _top(SearchIndex.build(catalog), q) for q in QUERIES}
    monkeypatch.setattr(search_rank, "WALK_CAP", 1)
    monkeypatch.setattr(search_rank, "RANKED_WALK_CAP", 1)
    capped = SearchIndex.build(catalog)
    for query in QUERIES:
        assert _top(capped, query) == full[query], query
