"""Run every benchmark case and print one table (DESIGN §7); `--json PATH` writes the figures.

QT_QPA_PLATFORM=offscreen python -m benchmarks.run [--quick] [--full] [--json build/bench.json]

`--full` adds the 1 000 000-request queue (its file is generated once, ~1.5 min, then cached in
build/bench-data/). The load average is recorded before and after every case: on a shared
machine the wall-clock tails measure the neighbours too. A case that crashes is reported
(traceback on stderr, its name under "crashed" in the JSON), the others still run and their
figures are written; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_app,
    bench_image,
    bench_ocr,
    bench_outbox,
    bench_queue,
    bench_search,
    bench_startup,
    bench_webhook,
)
from benchmarks.common import Options, Row, none_refs, restore_none

CASES: dict[str, Callable[[Options], list[Row]]] = {
    "search": bench_search.run,
    "queue": bench_queue.run,
    "image": bench_image.run,
    "outbox": bench_outbox.run,
    "startup": bench_startup.run,
    "app": bench_app.run,
    "webhook": bench_webhook.run,
    "ocr": bench_ocr.run,  # reading the orders (issue 15)
}


def _num(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def format_table(rows: list[Row]) -> str:
    header = ("case", "unit", "ours med", "ours tail", "peer med", "ratio", "budget", "result")
    lines = [header]
    for r in rows:
        tail = f"{_num(r.tail, r.unit)} {r.tail_kind}" if r.tail is not None else "—"
        ratio = f"{r.ratio:.2g}×" if r.ratio is not None else "—"
        result = "—" if r.passed is None else "PASS" if r.passed else "FAIL"
        lines.append(
            (
                r.case,
                r.unit,
                _num(r.ours, r.unit),
                tail,
                _num(r.peer, r.unit),
                ratio,
                r.budget,
                result,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.case}: {r.note}" for r in rows if r.note]
    return "\n".join(out + (["", "notes:", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny data (smoke test)")
    parser.add_argument("--full", action="store_true", help="also the 1M-request queue")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="run these cases")
    args = parser.parse_args(argv)
    opts = Options(quick=args.quick, full=args.full)
    rows: list[Row] = []
    load: dict[str, list[float]] = {}
    crashed: dict[str, str] = {}  # case → the error's last line
    started = time.perf_counter()
    for name, case in CASES.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        before_load = os.getloadavg()[0]
        before = none_refs()
        try:
            rows += case(opts)
        except Exception as exc:  # one broken case must not lose the others' figures
            traceback.print_exc(file=sys.stderr)
            crashed[name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        restore_none(before)
        load[name] = [round(before_load, 2), round(os.getloadavg()[0], 2)]
        print(
            f"[{name}: {time.perf_counter() - t0:.1f} s, load {load[name][0]:.1f} → "
            f"{load[name][1]:.1f}]",
            file=sys.stderr,
            flush=True,
        )
    print(format_table(rows))
    print(
        "\nload average (1 min) before → after each case, "
        f"{os.cpu_count()} CPUs: " + ", ".join(f"{k} {a:.1f}→{b:.1f}" for k, (a, b) in load.items())
    )
    for name, error in crashed.items():
        print(f"CRASHED {name}: {error}", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "quick": args.quick,
            "python": platform.python_version(),
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
            "seconds": round(time.perf_counter() - started, 1),
            "full": args.full,
            "loadavg": load,
            "crashed": crashed,
            "rows": [_clean(r.as_json()) for r in rows],
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if crashed or any(r.passed is False for r in rows) else 0


def _clean(row: dict[str, object]) -> dict[str, object]:
    """NaN (a skipped line) is not JSON: write null."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # PySide6 can abort while garbage-collecting Qt objects at interpreter exit
    # ("none_dealloc"): the figures are out, so leave without finalization.
    os._exit(code)
