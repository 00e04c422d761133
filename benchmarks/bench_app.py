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

from benchmarks.common import Options, Row, median, percentile


def _picker(opts: Options) -> list[Row]:
    """Keystroke → suggestions painted, at 10 000 and 50 000 names (`benchmarks.bench_picker`)."""
    from benchmarks.bench_picker import picker_rows

    return picker_rows(opts)


def _probe(*args: str) -> tuple[dict[str, Any], float]:
    """Run `benchmarks.app_probe`; its JSON line and the wall time from spawn to that line.
    Bytecode is cached (outside the tree) as an installed app has it: the shell here sets
    PYTHONDONTWRITEBYTECODE, which would recompile every module at every start."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path("build/pycache").resolve()))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.app_probe", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:  # say why (e.g. app_probe.NoPhoto), not just the exit status
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        raise RuntimeError(f"benchmarks.app_probe {' '.join(args[:1])} failed: {tail[0]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def _ms_row(case: str, ms: list[float], budget: float, note: str, tail: str = "p95") -> Row:
    q = 95 if tail == "p95" else 99
    return Row(
        case,
        "ms",
        median(ms),
        percentile(ms, q),
        tail,
        None,
        f"{tail}≤{budget:g}",
        percentile(ms, q) <= budget,
        note,
    )


def _memory_rows(out: dict[str, Any], where: str) -> list[Row]:
    """The window's RSS after 50 and 200 records (the figure and the budget), then the order
    reader's own process at the same two moments and the sum of both (issue 19)."""
    first, last, first_n = out["rss_first"], out["rss_last"], int(out["first_n"])
    child = out.get("child") or {}
    c_first, c_last = out.get("child_first"), out.get("child_last")
    both = c_first is not None and c_last is not None
    tracker = float(child.get("tracker") or 0.0)  # counted in the sum (once: it stays the same)

    def mb(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f} MB"

    reader = (
        f"reader process {mb(c_first)} → {mb(c_last)} (peak {mb(child.get('peak'))}, "
        f"{child.get('pages')} pages read, {child.get('started')} started; multiprocessing's "
        f"resource tracker {mb(child.get('tracker'))}); window + reader "
        f"{mb(first + c_first + tracker) if both else '—'} → "
        f"{mb(last + c_last + tracker) if both else '—'}; "
        f"OCR modules in the window: {', '.join(out.get('ocr_in_window', [])) or 'none'}"
    )
    rows = [
        Row(
            f"memory: RSS after {int(out['visited'])} records",
            "MB",
            float(last),
            None,
            "",
            float(first),
            f"≤450, ≤+50 vs {first_n}",
            bool(last <= 450 and last - first <= 50),
            f"{where}; the window's process; peer column = RSS after {first_n} records; "
            f"peak {out['peak']:.0f} MB; {reader}",
        )
    ]
    if both:
        rows.append(
            Row(
                f"memory: reader process after {int(out['visited'])} records",
                "MB",
                float(c_last),
                None,
                "",
                float(c_first),
                f"≤+50 vs {first_n}",
                bool(c_last - c_first <= 50),
                f"the order reader's own process (OCR) in the same run, between pages (a page "
                f"in progress waited for; its peak apart); peer column = after "
                f"{first_n} records; peak {mb(child.get('peak'))}; {child.get('pages')} pages "
                "read (the 210 photos are 6 distinct files, each read once: the reader's "
                "flatness over 200 readings is the «ocr: reader process RSS» row)",
            )
        )
        rows.append(
            Row(
                f"memory: window + reader after {int(out['visited'])} records",
                "MB",
                float(last + c_last + tracker),
                None,
                "",
                float(first + c_first + tracker),
                "reported",
                None,
                f"sum of the two rows above and multiprocessing's resource tracker "
                f"({tracker:.0f} MB); peer column = after {first_n} records",
            )
        )
    return rows


def run(opts: Options) -> list[Row]:
    from benchmarks import datasets

    rows = _picker(opts)
    n, catalog, fotos = (2_000, 500, 24) if opts.quick else (100_000, 10_000, 210)
    runs, confirms, nexts, opens, filters = (2, 3, 3, 3, 2) if opts.quick else (5, 30, 30, 20, 10)
    visits = 20 if opts.quick else 200
    px = (800, 600) if opts.quick else (4000, 3000)
    source = datasets.queue_db(n, catalog=catalog, fotos=fotos, foto_px=px)
    work = Path(tempfile.mkdtemp(prefix="dimrev-bench-app-"))
    saved_home = os.environ.get("DIM_REVISION_HOME")
    os.environ["DIM_REVISION_HOME"] = str(work / "home")  # the window's ini, the index cache
    where = f"real MainWindow, polling on (5 s), {n} requests, {catalog} prestaciones, 12 MP photos"

    def fresh() -> str:
        """A new working copy: every probe starts on the first requests of the default view
        (the ones with photos), whatever the previous probe claimed or confirmed."""
        for old in work.glob("*.sqlite3*"):
            old.unlink()
        return str(datasets.working_copy(source, work))

    try:
        startup: list[float] = []
        inside: list[float] = []
        early: set[str] = set()
        # The first start builds and caches the catalog index; the timed ones find it.
        _probe("warm", fresh())
        for _ in range(runs):
            out, wall = _probe("startup", fresh())
            startup.append(wall)
            inside.append(out["in_process"])
            early.update(out.get("too_early", []))
        rows.append(
            Row(
                "cold start: process → first record + image painted",
                "s",
                median(startup),
                max(startup),
                "max",
                None,
                "≤1.5",
                median(startup) <= 1.5,
                f"{where}; new process, {runs} runs, index cached; "
                f"after imports med {median(inside):.2f} s; loaded before the first record: "
                f"{', '.join(sorted(early)) or 'none of app_probe.DEFERRED'}",
            )
        )
        out, _ = _probe("confirm", fresh(), str(confirms))
        ms = out["ms"]
        rows.append(
            _ms_row(
                "app: Confirmar → next record + image painted",
                ms,
                100,
                f"{where}; preview off, {len(ms)} confirms at operator pace (next record's "
                "data and image read ahead, background work done); ends when claimed, data and "
                "image painted",
            )
        )
        out, _ = _probe("next", fresh(), str(nexts))
        ms, again = out["ms"], out.get("fresh_ms") or [0.0]
        rows.append(
            _ms_row(
                "app: prefetched next record painted",
                ms,
                50,
                f"{where}; {len(ms)} × «siguiente» (↓, no write) onto a record whose data and "
                "image were read and decoded ahead; ends when its claim committed and data and "
                "image are painted; its committed detail, read again right after the claim "
                "(writes wait for it), in at med "
                f"{median(again):.0f} / p95 {percentile(again, 95):.0f} ms",
            )
        )
        out, _ = _probe("open", fresh(), str(opens))
        rows.append(
            _ms_row(
                "app: 12 MP record opened cold → painted",
                out["ms"],
                120,
                f"{where}; not prefetched, {len(out['ms'])} records",
            )
        )
        out, _ = _probe("filter", fresh(), str(filters))
        for label, ms in out["ms"].items():
            budget = 60.0
            rows.append(
                _ms_row(
                    f"app: filter «{label}» → grid painted",
                    ms,
                    budget,
                    f"{where}; from the end of the 250 ms typing pause",
                )
            )
        out, _ = _probe("memory", fresh(), str(visits))
        rows += _memory_rows(out, where)
    finally:
        if saved_home is None:
            os.environ.pop("DIM_REVISION_HOME", None)
        else:
            os.environ["DIM_REVISION_HOME"] = saved_home
        shutil.rmtree(work, ignore_errors=True)
    return rows
