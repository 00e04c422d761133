"""The picker per keystroke: key event → the suggestion list painted with the new rows.

The real `PrestacionPicker` (lexicon, codes, a learning table) at 10 000 and 50 000 names, every
labelled query typed key by key. A sample ends when the list's viewport has finished painting the
new rows (a key that leaves the rows as they were repaints nothing: it ends when the key has been
handled). The peer is what a competent Qt developer writes: `QLineEdit` + `QCompleter`
(MatchContains) over folded names with uniform item sizes, timed the same way on its popup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from benchmarks.bench_search import build_index, catalog_names, learned_history, load_queries
from benchmarks.common import Options, Row, median, percentile, qt_app
from benchmarks.paint import PaintWatch

BUDGET_MS = 16.0


def _type(
    edit: Any,
    viewport: Any,
    queries: list[str],
    limit: int,
    changed: Callable[[], int],
    cpu: list[float] | None = None,
) -> list[float]:
    """Per key: ms from sending the key event to the end of the paint that shows its rows."""
    from PySide6.QtCore import QEvent, QEventLoop, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    watch = PaintWatch(viewport)
    samples: list[float] = []
    for query in queries:
        edit.setText("")
        QApplication.processEvents()
        for ch in query:
            if len(samples) == limit:
                return samples
            before = changed()
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch
            )
            start, start_cpu = time.perf_counter(), time.thread_time()
            QApplication.sendEvent(edit, event)
            if changed() != before and viewport.isVisible():
                end = watch.wait(start, lambda: True)
            else:  # same rows (or no list): nothing to repaint, only the key to handle
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
                end = time.perf_counter()
            samples.append((end - start) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - start_cpu) * 1000)
    return samples


def _ours(entries: list[tuple[str, str]], queries: list[str], limit: int, seed: int) -> Any:
    """The picker with the collector as in the app (`run_gui`): `RuntimeGuard` collects on its
    GUI timer, so a collection can land inside a sample, and the index is frozen once it is in
    (`freeze_long_lived`)."""
    import gc

    from ui.picker import PrestacionPicker
    from ui.runtime_guard import RuntimeGuard

    guard = RuntimeGuard()
    picker = PrestacionPicker()
    picker.resize(700, 500)
    picker.show()
    plain = build_index(entries)  # as in the app: lexicon, codes and a learning table
    picker.set_index(build_index(entries, learned_history(plain, queries, seed)))
    del plain
    guard.freeze_startup()
    resets = [0]
    picker.suggestions.modelReset.connect(lambda: resets.__setitem__(0, resets[0] + 1))
    cpu: list[float] = []
    try:
        ms = _type(
            picker.search_edit, picker.popup.viewport(), queries, limit, lambda: resets[0], cpu
        )
    finally:
        gc.unfreeze()  # the later cases start as they did
        guard.uninstall()
        guard.deleteLater()
        picker.deleteLater()
    return ms, cpu


def _peer(names: list[str], queries: list[str], limit: int) -> list[float]:
    from PySide6.QtCore import QStringListModel, Qt
    from PySide6.QtWidgets import QCompleter, QLineEdit, QListView

    from dim_revision.domain.search_text import fold

    edit = QLineEdit()
    model = QStringListModel([fold(n) for n in names])  # accents and case folded once
    completer = QCompleter(model, edit)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    popup = completer.popup()
    assert isinstance(popup, QListView)
    popup.setUniformItemSizes(True)  # what a competent Qt developer sets for 10 000 rows
    edit.setCompleter(completer)
    edit.resize(700, 30)
    edit.show()
    keys = [0]
    edit.textChanged.connect(lambda _t: keys.__setitem__(0, keys[0] + 1))
    ms = _type(edit, popup.viewport(), queries, limit, lambda: keys[0])
    edit.setCompleter(None)  # type: ignore[arg-type]
    edit.deleteLater()
    return ms


def picker_rows(opts: Options) -> list[Row]:
    qt_app()
    queries = [q for q, _ in load_queries()]
    limit = 60 if opts.quick else 10**9
    rows = []
    for size in (500,) if opts.quick else (10_000, 50_000):
        entries = catalog_names(size, opts.seed)
        ours, cpu = _ours(entries, queries, limit, opts.seed)
        peer = _peer([n for _, n in entries], queries, len(ours))
        med, p99 = median(ours), percentile(ours, 99)
        rows.append(
            Row(
                f"picker: keystroke → suggestions painted ({size / 1000:g}k)",
                "ms",
                med,
                p99,
                "p99",
                median(peer),
                f"p99≤{BUDGET_MS:g}",
                p99 <= BUDGET_MS,
                f"ui.picker.PrestacionPicker, {len(ours)} key events, {size} names, lexicon + "
                f"learning, key event → list viewport painted; CPU med {median(cpu):.2f} "
                f"p99 {percentile(cpu, 99):.1f}; peer = QLineEdit+QCompleter(MatchContains) "
                f"over folded names, uniform item sizes, popup painted p99 "
                f"{percentile(peer, 99):.1f}",
            )
        )
    return rows
