"""A failing statement is not a lost connection: only real connection errors show "offline"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from ui.db_errors import is_connection_error


def test_sqlite_pattern_too_complex_is_a_query_error_not_offline(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn, pytest.raises(OperationalError) as info:
        conn.execute(text("SELECT 'a' LIKE :p"), {"p": "%a" * 60_000})
    assert "too complex" in str(info.value)
    assert not is_connection_error(info.value)
    engine.dispose()


def test_unreachable_database_is_offline(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}")
    with pytest.raises(OperationalError) as info:
        engine.connect()
    assert isinstance(info.value.orig, sqlite3.OperationalError)
    assert is_connection_error(info.value)
    engine.dispose()
