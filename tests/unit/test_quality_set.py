"""The labelled query set of `make bench` (benchmarks/quality.tsv): its shape, and the promise
that typing any of its queries never empties the suggestion list."""

from __future__ import annotations

import random

from benchmarks.bench_search import QUALITY, Case, load_cases
from dim_revision.demo.catalog import base_pool, generate_catalog
from dim_revision.domain.search_index import SearchIndex


def test_at_least_300_labelled_queries_with_danger_marks() -> None:
    cases = load_cases()
    answerable = [c for c in cases if c.answerable]
    assert len(answerable) >= 300
    assert len({c.query.lower() for c in cases}) == len(cases), "duplicate queries"
    assert sum(bool(c.dangerous) for c in cases) >= 100
    assert [c for c in cases if not c.answerable]  # a few with no answer in the catalog
    for line in QUALITY.read_text(encoding="utf-8").splitlines():
        assert line.startswith("#") or not line.strip() or line.count("\t") == 2, line


def test_the_checks_read_names_like_a_person() -> None:
    case = Case("rx de caderas", ("radiografia", "cadera"), ("derecha",), ("portatil",))
    assert case.right("RADIOGRAFÍA DE CADERAS (FRENTE Y LOWENSTEIN)")  # plural, accents
    assert not case.right("RADIOGRAFÍA DE CADERA DERECHA (FRENTE)")  # "!derecha"
    assert case.danger("RADIOGRAFÍA DE PELVIS (FRENTE) CON EQUIPO PORTÁTIL")
    assert not Case("x", ("rodilla",), (), ()).right("RESONANCIA DE RODILLERA")  # whole words


def test_typing_a_labelled_query_never_empties_the_list() -> None:
    catalog = generate_catalog(len(base_pool()), random.Random(7))
    index = SearchIndex.build(
        [(i, p.nombre) for i, p in enumerate(catalog)],
        codigos={i: [p.codigo] for i, p in enumerate(catalog)},
    )
    for case in load_cases():
        if not case.answerable:
            continue
        matched = False
        for i in range(1, len(case.query) + 1):
            results = index.search(case.query[:i], 5)
            assert results or not matched, f"{case.query[:i]!r} emptied the list"
            matched = matched or bool(results)
        assert matched, case.query
