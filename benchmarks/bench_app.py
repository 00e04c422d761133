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
        check=True,
        timeout=1200,
    )
    wall = time.perf_counter() - start
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


def run(opts: Options) -> list[Row]:
    from benchmarks import datasets

    rows = _picker(opts)
    n, catalog, fotos = (2_000, 500, 24) if opts.quick else (100_000, 10_000, 210)
    runs, confirms, opens, filters = (2, 3, 3, 2) if opts.quick else (5, 30, 20, 10)
    visits = 20 if opts.quick else 200
    px = (800, 600) if opts.quick else (4000, 3000)
    source = datasets.queue_db(n, catalog=catalog, fotos=fotos, foto_px=px)
    work = Path(tempfile.mkdtemp(prefix="dimrev-bench-app-"))
    saved_home = os.environ.get("DIM_REVISION_HOME")
    os.environ["DIM_REVISION_HOME"] = str(work / "home")  # the window's ini, the index cache
    where = f"real MainWindow, polling on (5 s), {n} requests, {catalog} prestaciones, 12 MP photos"
    try:
        db = datasets.working_copy(source, work)
        startup: list[float] = []
        inside: list[float] = []
        # The first start builds and caches the catalog index; the timed ones find it.
        _probe("warm", str(db))
        for _ in range(runs):
            out, wall = _probe("startup", str(db))
            startup.append(wall)
            inside.append(out["in_process"])
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
                f"after imports med {median(inside):.2f} s",
            )
        )
        out, _ = _probe("confirm", str(db), str(confirms))
        ms = out["ms"]
        rows.append(
            _ms_row(
                "app: Confirmar → next record + image painted",
                ms,
                100,
                f"{where}; preview off, {len(ms)} confirms at operator pace (next prefetched)",
            )
        )
        rows.append(
            _ms_row(
                "app: prefetched next record painted",
                ms,
                50,
                "the same confirms: the next record and its image were read ahead",
            )
        )
        out, _ = _probe("open", str(db), str(opens))
        rows.append(
            _ms_row(
                "app: 12 MP record opened cold → painted",
                out["ms"],
                120,
                f"{where}; not prefetched, {len(out['ms'])} records",
            )
        )
        out, _ = _probe("filter", str(db), str(filters))
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
        out, _ = _probe("memory", str(db), str(visits))
        first, last, first_n = out["rss_first"], out["rss_last"], int(out["first_n"])
        rows.append(
            Row(
                f"memory: RSS after {int(out['visited'])} records",
                "MB",
                float(last),
                None,
                "",
                float(first),
                f"≤450, ≤+50 vs {first_n}",
                bool(last <= 450 and last - first <= 50),
                f"{where}; peer column = RSS after {first_n} records; peak {out['peak']:.0f} MB",
            )
        )
    finally:
        if saved_home is None:
            os.environ.pop("DIM_REVISION_HOME", None)
        else:
            os.environ["DIM_REVISION_HOME"] = saved_home
        shutil.rmtree(work, ignore_errors=True)
    return rows
