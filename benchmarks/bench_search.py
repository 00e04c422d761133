"""Prestación search per keystroke and its hit rate, against QCompleter + QStringListModel."""

from __future__ import annotations

import random
import time
from pathlib import Path

from benchmarks.common import Options, Row, median, percentile, qt_app
from dim_revision.demo.catalog import generate_catalog
from dim_revision.domain.search_index import SearchIndex

QUERIES = Path(__file__).with_name("queries.tsv")
SHOWN = 20  # rows the popup shows


def load_queries() -> list[tuple[str, str]]:
    """(query, exact catalog name it means), from the labelled data file."""
    out = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, target = line.split("\t")
            out.append((query, target))
    return out


def keystrokes(queries: list[str]) -> list[str]:
    """Every prefix of every query, in typing order: what the field sees key by key."""
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


class _Completer:
    """The peer: a QCompleter over the names with MatchContains, as a quick Qt app would do it."""

    def __init__(self, names: list[str]) -> None:
        from PySide6.QtCore import QStringListModel, Qt
        from PySide6.QtWidgets import QCompleter

        qt_app()
        self.model = QStringListModel(names)
        self.completer = QCompleter()
        self.completer.setModel(self.model)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)

    def close(self) -> None:
        """Drop the Qt objects now, in order (letting GC do it at exit can crash PySide)."""
        self.completer.setModel(None)  # type: ignore[arg-type]
        del self.completer
        del self.model

    def top(self, prefix: str, n: int) -> list[str]:
        self.completer.setCompletionPrefix(prefix)
        count = self.completer.completionCount()
        model = self.completer.completionModel()
        return [model.index(i, 0).data() for i in range(min(n, count))]


def run(opts: Options) -> list[Row]:
    size = 500 if opts.quick else 10_000
    catalog = generate_catalog(size, random.Random(opts.seed))
    names = [p.nombre for p in catalog]
    ids = {name: i for i, name in enumerate(names, start=1)}
    labelled = [(q, t) for q, t in load_queries() if t in ids]
    typed = keystrokes([q for q, _ in labelled])
    if opts.quick:
        typed = typed[:60]

    index = SearchIndex.build(list(enumerate(names, start=1)))
    peer = _Completer(names)

    ours_ms: list[float] = []
    for prefix in typed:
        start = time.perf_counter()
        index.search(prefix, limit=SHOWN)
        ours_ms.append((time.perf_counter() - start) * 1000)
    peer_ms: list[float] = []
    for prefix in typed:
        start = time.perf_counter()
        peer.top(prefix, SHOWN)
        peer_ms.append((time.perf_counter() - start) * 1000)

    med, p99 = median(ours_ms), percentile(ours_ms, 99)
    rows = [
        Row(
            "search: keystroke (core)",
            "ms",
            med,
            p99,
            "p99",
            median(peer_ms),
            "med≤1 p99≤5",
            med <= 1.0 and p99 <= 5.0,
            f"{len(typed)} keystrokes, {len(names)} items; peer p99 {percentile(peer_ms, 99):.2f}",
        )
    ]

    for k in (1, 5):
        ours_hits = sum(ids[t] in [m.id for m in index.search(q, limit=k)] for q, t in labelled)
        peer_hits = sum(t in peer.top(q, k) for q, t in labelled)
        rows.append(
            Row(
                f"search quality: top-{k}",
                "%",
                100.0 * ours_hits / len(labelled),
                None,
                "",
                100.0 * peer_hits / len(labelled),
                "—",
                None,
                f"{len(labelled)} labelled queries (benchmarks/queries.tsv)",
            )
        )
    peer.close()
    return rows
