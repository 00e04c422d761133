"""Importing the CLI and the Qt app module in a fresh interpreter (the import share of a start).

The window's own start — process → first record with its image painted — is measured by
`benchmarks.bench_app` (`app_probe startup`); these rows say how much of it is imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.common import Options, Row, median


def _import_ms(module: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)
    return (time.perf_counter() - start) * 1000


def run(opts: Options) -> list[Row]:
    runs = 1 if opts.quick else 5
    rows = []
    for module in ("dim_revision.cli", "ui.app"):
        _import_ms(module)  # warm the OS file cache: we measure "cold interpreter", not cold disk
        samples = [_import_ms(module) for _ in range(runs)]
        baseline = median([_import_ms("sys") for _ in range(runs)])
        rows.append(
            Row(
                f"cold start: import {module}",
                "ms",
                median(samples),
                max(samples),
                "max",
                baseline,
                "≤2000",
                median(samples) <= 2000,
                "proxy (new interpreter + import); peer = bare interpreter",
            )
        )
    return rows
