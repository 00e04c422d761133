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
        ms = out["ms"]
        rows.append(
            _ms_row(
                "app: prefetched next record painted",
                ms,
                50,
                f"{where}; {len(ms)} × «siguiente» (↓, no write) onto a record whose data and "
                "image were read and decoded ahead; ends when claimed, data and image painted",
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
