"""The recording mode end to end: a pytest run whose tests execute a statement SQL Server would
reject fails, naming the statement and the test (and not the test whose statements are fine);
the switch turns it off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN = ("-p", "tests.tsql_recorder")

INNER_TESTS = """
import sqlalchemy as sa

meta = sa.MetaData()
t = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("flag", sa.Boolean))


def _engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'inner.sqlite3'}")
    meta.create_all(engine)
    return engine


def test_good(tmp_path):
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.insert(t).values(flag=False))
        assert conn.scalar(sa.select(sa.func.count()).where(t.c.flag == sa.false())) == 1
    engine.dispose()


def test_bad(tmp_path):
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        # SQLite accepts this; SQL Server does not ("Incorrect syntax near '0'").
        assert conn.scalar(sa.select(sa.func.count()).where(t.c.flag.is_(False))) == 0
        # Driver-level strings are recorded too (they skip SQLAlchemy's before_execute).
        assert conn.exec_driver_sql("SELECT id FROM t WHERE id = ? LIMIT 1", (1,)).all() == []
    engine.dispose()
"""


def _run(tmp_path: Path, check: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(REPO)
    env.pop("DIM_REVISION_TSQL_CHECK", None)
    if check is not None:
        env["DIM_REVISION_TSQL_CHECK"] = check
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *PLUGIN, "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_run_fails_naming_the_statement_and_the_test(tmp_path: Path) -> None:
    result = _run(tmp_path)
    out = result.stdout
    assert result.returncode == 1, out  # both tests passed; the recorder failed the run
    assert "2 passed" in out
    assert "issued by test_inner.py::test_bad:" in out
    assert "WHERE t.flag IS 0" in out
    assert "SELECT id FROM t WHERE id = @P1 LIMIT 1" in out  # LIMIT is not T-SQL
    assert "issued by test_inner.py::test_good" not in out  # `= 0`, the insert, the DDL: fine
    assert "2 rejected" in out


def test_the_switch_turns_it_off(tmp_path: Path) -> None:
    result = _run(tmp_path, check="0")
    assert result.returncode == 0, result.stdout
    assert "T-SQL:" not in result.stdout
