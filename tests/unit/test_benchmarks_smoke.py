"""`make bench` can't rot: the runner's quick mode produces every case with numbers.

No timing is asserted (speed is measured by `make bench`, DESIGN §7). Runs as a subprocess
because the runner leaves with os._exit (PySide6 may abort while finalizing Qt objects).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = (
    "search: keystroke",
    "search quality: top-1",
    "search quality: top-5",
    "search quality: top-1 vs folded word-AND",
    "search quality: top-1 vs rapidfuzz WRatio",
    "catalog 0.3k: index build",
    "catalog 0.5k: keystroke",
    "queue 2k: counts today",
    "queue 2k: first page",
    "queue 2k: page no match",
    "queue 2k: page at depth",
    "queue 2k: first rows painted",
    "queue 2k: filter «gonz» painted",
    "image:",
    "outbox:",
    "cold start: import dim_revision.cli",
    "cold start: import ui.app",
    "picker: keystroke",
    "app: Confirmar → next record",
    "app: prefetched next record painted",
    "app: 12 MP record opened cold",
    "app: filter «gonz» → grid painted",
    "cold start: process → first record",
    "memory: RSS after",
    "webhook[sqlite]:",
)


def test_quick_run_reports_every_case_with_numbers(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "DIM_REVISION_TEST_PG_URL"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["DIM_REVISION_BENCH_DATA"] = str(tmp_path / "bench-data")  # generated afresh, small
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1 = some budget missed: still a valid run
    data = json.loads(out.read_text(encoding="utf-8"))
    assert not data["crashed"], data["crashed"]
    cases = [row["case"] for row in data["rows"]]
    for prefix in EXPECTED:
        matching = [r for r in data["rows"] if r["case"].startswith(prefix)]
        assert matching, f"{prefix!r} missing from {cases}"
        for row in matching:
            assert isinstance(row["ours"], float) and math.isfinite(row["ours"]), row
            assert row["ours"] >= 0
            assert row["case"] in proc.stdout  # the same figures are in the printed table
    image_rows = [r for r in data["rows"] if r["case"].startswith("image:")]
    assert len(image_rows) == 2  # with and without EXIF orientation
    assert all(r["peer"] is not None for r in image_rows)
    outbox = next(r for r in data["rows"] if r["case"].startswith("outbox:"))
    assert outbox["passed"] is True, outbox["note"]  # every send received exactly once
