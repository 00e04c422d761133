"""`benchmarks.run`: a case that crashes does not lose the figures of the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.common import Options, Row


def _fine(_opts: Options) -> list[Row]:
    return [Row("fine: one line", "ms", 1.0, 2.0, "p95", None, "≤10", True)]


def _broken(_opts: Options) -> list[Row]:
    raise RuntimeError("benchmarks.app_probe startup failed: NoPhoto: la solicitud 7")


def test_a_crashed_case_keeps_the_others_json_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run, "CASES", {"broken": _broken, "fine": _fine})
    out = tmp_path / "bench.json"

    assert run.main(["--quick", "--json", str(out)]) == 1

    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["case"] for r in data["rows"]] == ["fine: one line"]
    assert data["crashed"]["broken"].startswith("RuntimeError: benchmarks.app_probe startup")
    assert set(data["loadavg"]) == {"broken", "fine"}
    err = capsys.readouterr().err
    assert "Traceback" in err and "CRASHED broken" in err


def test_a_run_without_crashes_reports_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "CASES", {"fine": _fine})
    out = tmp_path / "bench.json"

    assert run.main(["--quick", "--json", str(out)]) == 0

    assert json.loads(out.read_text(encoding="utf-8"))["crashed"] == {}
