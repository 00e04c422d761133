"""Prestación search per keystroke and its quality, against QCompleter + QStringListModel.

Quality uses `benchmarks/quality.tsv`: queries written the way Argentine orders word a study, each
with the words the right top-1 must contain and the dangerous entries that must never be first.
Speed is every prefix of every query, typed key by key, at 10 000 and 50 000 entries, with the
reviewed lexicon and a learning table of a few thousand picks loaded (as in the app).
"""

from __future__ import annotations

import gc
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Options, Row, median, percentile, qt_app, time_ms
from dim_revision.demo.catalog import generate_catalog, max_prestaciones
from dim_revision.domain.learning import Learned, Pick
from dim_revision.domain.search_index import SearchIndex, normalize_query
from dim_revision.domain.search_text import fold

QUALITY = Path(__file__).with_name("quality.tsv")
SHOWN = 20  # rows the popup shows
NO_ANSWER = "-"


@dataclass(frozen=True)
class Case:
    query: str
    must: tuple[str, ...]  # folded phrases the top-1 must contain ("" → no answer expected)
    must_not: tuple[str, ...]
    dangerous: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.must or self.must_not)

    def right(self, nombre: str) -> bool:
        text = _words(nombre)
        return all(_has(text, p) for p in self.must) and not any(
            _has(text, p) for p in self.must_not
        )

    def danger(self, nombre: str) -> bool:
        text = _words(nombre)
        return any(_has(text, p) for p in self.dangerous)


def _words(nombre: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", fold(nombre))) + " "


def _has(text: str, phrase: str) -> bool:
    """The phrase's words, in order, each also in its plural ("cadera" is in "CADERAS")."""
    pattern = " " + " ".join(re.escape(w) + "(?:e?s)?" for w in phrase.split()) + " "
    return re.search(pattern, text) is not None


def _phrases(cell: str) -> list[str]:
    return [" ".join(re.findall(r"[^\W_]+", fold(p))) for p in cell.split(",") if p.strip()]


def load_cases() -> list[Case]:
    out = []
    for number, line in enumerate(QUALITY.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3:
            raise ValueError(f"quality.tsv line {number}: expected 3 tab-separated cells")
        query, must_cell, danger_cell = cells
        if must_cell.strip() == NO_ANSWER:
            out.append(Case(query, (), (), ()))
            continue
        must = [p for p in must_cell.split(",") if p.strip() and not p.strip().startswith("!")]
        must_not = [p.strip()[1:] for p in must_cell.split(",") if p.strip().startswith("!")]
        out.append(
            Case(
                query,
                tuple(_phrases(",".join(must))),
                tuple(_phrases(",".join(must_not))),
                tuple(_phrases(danger_cell)),
            )
        )
    return out


def load_queries() -> list[tuple[str, str]]:
    """(query, what it means) for the cases that have an answer (the picker benchmark types them)."""
    return [(c.query, ", ".join(c.must)) for c in load_cases() if c.answerable]


def keystrokes(queries: list[str]) -> list[str]:
    """Every prefix of every query, in typing order: what the field sees key by key."""
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


def catalog_names(size: int, seed: int) -> list[tuple[str, str]]:
    """(code, name): the demo catalog, and past its largest size more sites of the same studies."""
    base = generate_catalog(min(size, max_prestaciones()), random.Random(seed))
    out = [(p.codigo, p.nombre) for p in base]
    pool = [(p.codigo, p.nombre) for p in base if " - SEDE " not in p.nombre]
    site = 8
    while len(out) < size:
        for code, nombre in pool:
            if len(out) >= size:
                break
            out.append((f"{code}-S{site}", f"{nombre} - SEDE {site}"))
        site += 1
    return out


def learned_history(index: SearchIndex, queries: list[str], seed: int) -> Learned:
    """A few thousand picks over 90 days: for query prefixes, one of the first five results."""
    rng = random.Random(seed)
    now = datetime(2026, 3, 10, tzinfo=UTC)
    picks = []
    for _ in range(4000):
        query = rng.choice(queries)
        typed = query[: rng.randint(max(3, len(query) // 2), len(query))]
        results = index.search(typed, 5)
        if results:
            picks.append(
                Pick(
                    normalize_query(typed),
                    rng.choice(results).id,
                    now - timedelta(days=rng.uniform(0, 90)),
                )
            )
    return Learned.build(picks, now)


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


class _WordAnd:
    """Peer: the ten-line filter a developer writes first, done right: fold accents and case,
    every typed word must start a word of the name, shorter names first."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.words = [fold(n).replace(",", " ").split() for n in names]

    def top(self, query: str, n: int) -> list[str]:
        typed = fold(query).replace(",", " ").split()
        hits = [
            i
            for i, words in enumerate(self.words)
            if all(any(w.startswith(t) for w in words) for t in typed)
        ]
        hits.sort(key=lambda i: len(self.names[i]))
        return [self.names[i] for i in hits[:n]]


class _WRatio:
    """Peer: rapidfuzz's WRatio over folded names (the usual "fuzzy search" answer)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.folded = [fold(n) for n in names]

    def top(self, query: str, n: int) -> list[str]:
        from rapidfuzz import fuzz, process

        found = process.extract(fold(query), self.folded, scorer=fuzz.WRatio, limit=n)
        return [self.names[i] for _, _, i in found]


def build_index(entries: list[tuple[str, str]], learned: Learned | None = None) -> SearchIndex:
    return SearchIndex.build(
        [(i, nombre) for i, (_, nombre) in enumerate(entries, start=1)],
        codigos={i: [code] for i, (code, _) in enumerate(entries, start=1)},
        learned=learned,
    )


def _time(
    index: SearchIndex,
    typed: list[str],
    cpu: list[float] | None = None,
    pauses: list[float] | None = None,
) -> list[float]:
    """Wall ms per keystroke (the budget); `cpu` gets this thread's CPU ms, which a busy shared
    machine inflates much less.

    The collector runs as in the app: the built index is frozen out of it (`freeze_long_lived`
    in ui/app.py, once the index is in), automatic collection is off and the generations due are
    collected between keystrokes (`ui/runtime_guard.py` does it on a GUI timer, between events);
    those collections are timed apart, in `pauses`, not hidden.
    """
    out = []
    gc.collect()
    gc.freeze()
    enabled = gc.isenabled()
    gc.disable()
    thresholds = gc.get_threshold()
    try:
        for prefix in typed:
            start, start_cpu = time.perf_counter(), time.thread_time()
            index.search(prefix, limit=SHOWN)
            out.append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - start_cpu) * 1000)
            start = time.perf_counter()
            _collect_if_due(thresholds)
            if pauses is not None:
                pauses.append((time.perf_counter() - start) * 1000)
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()  # the bench's later cases start as they did
    return out


def _collect_if_due(thresholds: tuple[int, int, int]) -> None:
    """`RuntimeGuard.collect_if_due`: the oldest generation whose threshold was crossed."""
    counts = gc.get_count()
    due = [i for i in range(3) if counts[i] > thresholds[i]]
    if due:
        gc.collect(due[-1])


def run(opts: Options) -> list[Row]:
    size = 500 if opts.quick else 10_000
    entries = catalog_names(size, opts.seed)
    names = [n for _, n in entries]
    cases = load_cases()
    queries = [c.query for c in cases]
    typed = keystrokes(queries)
    if opts.quick:
        typed = typed[:60]

    plain = build_index(entries)  # quality: lexicon only, no learning (the labels never leak in)
    learned = learned_history(plain, queries, opts.seed)
    index = build_index(entries, learned)
    peer = _Completer(names)

    ours_cpu: list[float] = []
    pauses: list[float] = []
    ours_ms = _time(index, typed, ours_cpu, pauses)
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
            f"{len(typed)} keystrokes, {len(names)} items, lexicon + learning "
            f"({len(learned)} learned queries); CPU med {median(ours_cpu):.3f} "
            f"p99 {percentile(ours_cpu, 99):.2f}; peer p99 {percentile(peer_ms, 99):.2f}; "
            f"{_pauses(pauses)}",
        )
    ]
    rows += _catalog_curve(opts, typed, learned)

    answerable = [c for c in cases if c.answerable]
    ours = {c.query: [m.nombre for m in plain.search(c.query, limit=5)] for c in cases}
    theirs = {c.query: peer.top(c.query, 5) for c in cases}
    peer.close()
    word_and = _WordAnd(names)
    wratio = _WRatio(names)
    honest = {
        "folded word-AND": {c.query: word_and.top(c.query, 5) for c in cases},
        "rapidfuzz WRatio": {c.query: wratio.top(c.query, 5) for c in cases},
    }

    def rate(hits: int) -> float:
        return 100.0 * hits / len(answerable)

    for k in (1, 5):
        rows.append(
            Row(
                f"search quality: top-{k}",
                "%",
                rate(sum(any(c.right(n) for n in ours[c.query][:k]) for c in answerable)),
                None,
                "",
                rate(sum(any(c.right(n) for n in theirs[c.query][:k]) for c in answerable)),
                "≥95%" if k == 1 else "—",
                rate(sum(bool(ours[c.query]) and c.right(ours[c.query][0]) for c in answerable))
                >= 95.0
                if k == 1
                else None,
                f"{len(answerable)} labelled queries with an answer (benchmarks/quality.tsv)",
            )
        )
    for peer_name, results in honest.items():
        for k in (1, 5):
            rows.append(
                Row(
                    f"search quality: top-{k} vs {peer_name}",
                    "%",
                    rate(sum(any(c.right(n) for n in ours[c.query][:k]) for c in answerable)),
                    None,
                    "",
                    rate(sum(any(c.right(n) for n in results[c.query][:k]) for c in answerable)),
                    "—",
                    None,
                    f"peer: {peer_name} over the same {len(names)} names",
                )
            )
    empty_ours = sum(not ours[c.query] for c in answerable)
    empty_peer = sum(not theirs[c.query] for c in answerable)
    rows.append(
        Row(
            "search quality: empty result",
            "%",
            rate(empty_ours),
            None,
            "",
            rate(empty_peer),
            "0 with an answer",
            empty_ours == 0,
            f"{empty_ours} / {empty_peer} (peer) answerable queries got nothing",
        )
    )
    danger_ours = sum(bool(ours[c.query]) and c.danger(ours[c.query][0]) for c in cases)
    danger_peer = sum(bool(theirs[c.query]) and c.danger(theirs[c.query][0]) for c in cases)
    rows.append(
        Row(
            "search quality: dangerous top-1",
            "n",
            float(danger_ours),
            None,
            "",
            float(danger_peer),
            "0",
            danger_ours == 0,
            "queries whose first suggestion is an invasive/specialised entry they did not ask for",
        )
    )
    if opts.quick:  # tiny catalog: the quality lines mean nothing, never fail on them
        rows = [r if not r.case.startswith("search quality") else _no_budget(r) for r in rows]
    return rows


def _catalog_curve(opts: Options, typed: list[str], learned: Learned) -> list[Row]:
    """Per catalog size: index build, the on-disk cache's load, keystroke p99 (core)."""
    import pickle

    rows = []
    for size in (300, 500) if opts.quick else (1_500, 10_000, 50_000):
        entries = catalog_names(size, opts.seed)
        start = time.perf_counter()
        index = build_index(entries)
        built = (time.perf_counter() - start) * 1000
        blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        loads = [time_ms(lambda b=blob: pickle.loads(b)) for _ in range(3)]  # type: ignore[misc]
        index = index.with_learned(learned)
        cpu: list[float] = []
        pauses: list[float] = []
        ms = _time(index, typed, cpu, pauses)
        label = f"catalog {size / 1000:g}k"
        rows.append(
            Row(
                f"{label}: index build / cached load",
                "ms",
                median(loads),
                None,
                "",
                built,
                "—",
                None,
                f"ours = IndiceCache load ({len(blob) / 1e6:.0f} MB), peer = building it",
            )
        )
        rows.append(
            Row(
                f"{label}: keystroke (core)",
                "ms",
                median(ms),
                percentile(ms, 99),
                "p99",
                None,
                "p99≤5" if size == 50_000 else "—",
                percentile(ms, 99) <= 5.0 if size == 50_000 else None,
                f"{len(typed)} keystrokes; CPU p99 {percentile(cpu, 99):.2f}; {_pauses(pauses)}",
            )
        )
        del index, blob
    return rows


def _pauses(pauses: list[float]) -> str:
    """The collections between keystrokes (see `_time`): how many and the longest."""
    ran = [p for p in pauses if p >= 0.05]
    longest = max(pauses, default=0.0)
    return f"GC between keys (as the app's timer): {len(ran)} ≥0.05 ms, max {longest:.1f} ms"


def _no_budget(row: Row) -> Row:
    return Row(row.case, row.unit, row.ours, row.tail, row.tail_kind, row.peer, "—", None, row.note)


def misses(size: int = 10_000, seed: int = Options(quick=False).seed) -> list[str]:
    """The cases the top-1 gets wrong, for looking at (python -c 'from benchmarks…')."""
    entries = catalog_names(size, seed)
    index = build_index(entries)
    out = []
    for c in load_cases():
        results = index.search(c.query, 5)
        top = results[0].nombre if results else ""
        if (c.answerable and not (top and c.right(top))) or (top and c.danger(top)):
            out.append(f"{c.query!r}: {[m.nombre for m in results[:3]]}")
    return out
