"""The window itself (DESIGN §7): picker keystrokes, Confirmar → next record, cold start, memory.

The picker runs in this process (one widget); everything that needs the whole window runs in
`benchmarks.app_probe`, a process of its own, so start-up time and peak RSS are the app's alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_search import build_index, catalog_names, learned_history, load_queries
from benchmarks.common import Options, Row, median, percentile, qt_app


def _type_all(
    edit: Any, queries: list[str], limit: int, updated: list[int], cpu: list[float] | None = None
) -> list[float]:
    """Per key: send the key event with its text, process events; ms until the model was reset
    (`cpu` gets the GUI thread's CPU ms, less inflated by a busy shared machine)."""
    from PySide6.QtCore import QEvent, QEventLoop, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    samples: list[float] = []
    for query in queries:
        edit.setText("")
        QApplication.processEvents()
        for ch in query:
            if len(samples) == limit:
                return samples
            before = updated[0]
            event = QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch
            )
            start, start_cpu = time.perf_counter(), time.thread_time()
            QApplication.sendEvent(edit, event)
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
            samples.append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.thread_time() - start_cpu) * 1000)
            if updated[0] == before:
                raise AssertionError(f"the suggestions did not change after {ch!r}")
    return samples


def _picker(opts: Options) -> Row:
    from PySide6.QtCore import QStringListModel, Qt
    from PySide6.QtWidgets import QCompleter, QLineEdit

    from ui.picker import PrestacionPicker

    qt_app()
    size = 500 if opts.quick else 10_000
    entries = catalog_names(size, opts.seed)
    names = [n for _, n in entries]
    queries = [q for q, _ in load_queries()]
    limit = 60 if opts.quick else 10**9

    picker = PrestacionPicker()
    picker.resize(700, 500)
    picker.show()
    # as in the app: lexicon, codes and a learning table
    plain = build_index(entries)
    picker.set_index(build_index(entries, learned_history(plain, queries, opts.seed)))
    ours_updates = [0]
    for sig in (picker.suggestions.modelReset, picker.suggestions.layoutChanged):
        sig.connect(lambda: ours_updates.__setitem__(0, ours_updates[0] + 1))
    ours_cpu: list[float] = []
    ours = _type_all(picker.search_edit, queries, limit, ours_updates, ours_cpu)

    edit = QLineEdit()
    model = QStringListModel(names)
    completer = QCompleter(model, edit)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    edit.setCompleter(completer)
    edit.resize(700, 30)
    edit.show()
    peer_updates = [0]
    edit.textChanged.connect(lambda _t: peer_updates.__setitem__(0, peer_updates[0] + 1))
    peer = _type_all(edit, queries, len(ours), peer_updates)
    edit.setCompleter(None)  # type: ignore[arg-type]
    edit.deleteLater()
    picker.deleteLater()

    med, p99 = median(ours), percentile(ours, 99)
    return Row(
        "picker: keystroke → suggestions",
        "ms",
        med,
        p99,
        "p99",
        median(peer),
        "p99≤16",
        p99 <= 16.0,
        f"ui.picker.PrestacionPicker, {len(ours)} key events, {len(names)} items, lexicon + "
        f"learning; CPU med {median(ours_cpu):.2f} p99 {percentile(ours_cpu, 99):.1f}; "
        f"peer = QLineEdit+QCompleter(MatchContains) popup, p99 {percentile(peer, 99):.1f}",
    )


def _probe(*args: str) -> tuple[dict[str, Any], float]:
    """Run `benchmarks.app_probe`; its JSON line and the wall time from spawn to that line."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.app_probe", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    wall = time.perf_counter() - start
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def run(opts: Options) -> list[Row]:
    rows = [_picker(opts)]
    requests, runs = (20, 2) if opts.quick else (300, 5)
    confirms = 3 if opts.quick else 30
    queue_rows = 2_000 if opts.quick else 100_000
    work = Path(tempfile.mkdtemp(prefix="dimrev-bench-app-"))
    saved_home = os.environ.get("DIM_REVISION_HOME")
    os.environ["DIM_REVISION_HOME"] = str(work / "home")  # the seeder's images, the window's ini
    try:
        seeded = work / "seeded.sqlite3"
        _probe("seed", str(seeded), str(requests))

        db = work / "confirm.sqlite3"
        shutil.copyfile(seeded, db)
        out, _ = _probe("confirm", str(db), str(confirms))
        ms: list[float] = out["ms"]
        med, p95 = median(ms), percentile(ms, 95)
        rows.append(
            Row(
                "app: Confirmar → next record",
                "ms",
                med,
                p95,
                "p95",
                None,
                "≤100",
                p95 <= 100.0,
                f"real window on SQLite, {requests} requests, preview off, {len(ms)} confirms",
            )
        )

        startup: list[float] = []
        inside: list[float] = []
        for _ in range(runs):
            db = work / "startup.sqlite3"
            shutil.copyfile(seeded, db)
            out, wall = _probe("startup", str(db))
            startup.append(wall)
            inside.append(out["seconds"])
        rows.append(
            Row(
                "cold start: process → first record shown",
                "s",
                median(startup),
                max(startup),
                "max",
                None,
                "≤2",
                median(startup) <= 2.0,
                f"new process, SQLite with {requests} requests, {runs} runs; "
                f"in-process part (after interpreter start) med {median(inside):.2f} s",
            )
        )

        out, _ = _probe("memory", str(work / "memory.sqlite3"), str(queue_rows))
        rows.append(
            Row(
                "memory: peak RSS",
                "MB",
                float(out["mb"]),
                None,
                "",
                None,
                "—",
                None,
                f"ru_maxrss; {queue_rows} queue rows, {int(out['visited'])} records visited",
            )
        )
    finally:
        if saved_home is None:
            os.environ.pop("DIM_REVISION_HOME", None)
        else:
            os.environ["DIM_REVISION_HOME"] = saved_home
        shutil.rmtree(work, ignore_errors=True)
    return rows
