"""The soak harness runs end to end (tiny size): fault injection and kill -9 on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import soak


def test_soak_quick_run_meets_the_targets(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    code = soak.main(
        [
            "--n",
            "25",
            "--backends",
            "sqlite",
            "--scenarios",
            "tls-alert,5xx-after-processing,kill-9",
            "--json",
            str(out),
        ]
    )
    results = json.loads(out.read_text())
    assert [r["scenario"] for r in results] == ["tls-alert", "5xx-after-processing", "kill-9"]
    for r in results:
        assert (r["duplicates"], r["lost"], r["incierto_never_sent"]) == (0, 0, 0), r
        # Asking Botmaker's record settles inciertos: none that never arrived is left.
        assert r["never_sent_after"] == 0 and r["incierto_after"] <= r["incierto"], r
        assert r["requests"] >= r["sends"]
    assert code == 0
