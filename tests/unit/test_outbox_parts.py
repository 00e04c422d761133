"""Outbox pieces that need no database: the claim SQL on SQL Server, the rate limiter, masking."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.dialects.mssql import pyodbc as mssql_pyodbc

from dim_revision.envio.por_worker import sentencia_tomar
from dim_revision.outbox.status import OutboxCounts, WorkerStatus
from dim_revision.outbox.worker import RateLimiter, RunReport, worker_owner
from dim_revision.shared.masking import redact_phones
from tests.conftest import FIXED_NOW


def test_claim_is_a_plain_conditional_update_on_sql_server() -> None:
    stmt = sentencia_tomar(7, 3, "outbox@pc-01#1-abc", FIXED_NOW + timedelta(minutes=1))
    sql = " ".join(str(stmt.compile(dialect=mssql_pyodbc.dialect(paramstyle="qmark"))).split())
    assert sql.startswith("UPDATE envio SET estado=?, intentos=(envio.intentos + ?), ")
    assert "version=(envio.version + ?)" in sql
    assert sql.endswith("WHERE envio.id = ? AND envio.estado = ? AND envio.version = ?")
    for lock_hint in ("FOR UPDATE", "UPDLOCK", "ROWLOCK", "READPAST", "WITH ("):
        assert lock_hint not in sql.upper()


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_sends_without_real_waiting() -> None:
    t = FakeTime()
    limiter = RateLimiter(4.0, monotonic=t.monotonic, sleep=t.sleep)
    for _ in range(5):
        limiter.wait()
    assert t.slept == [0.25, 0.25, 0.25, 0.25]  # 5 sends in 1 s at 4/s
    t.now += 10  # idle for a while: no burst credit is owed, but no wait either
    assert limiter.wait() == 0.0


def test_rate_limiter_off() -> None:
    t = FakeTime()
    limiter = RateLimiter(0, monotonic=t.monotonic, sleep=t.sleep)
    for _ in range(100):
        limiter.wait()
    assert t.slept == []


def test_owner_token_is_unique_and_fits_the_column() -> None:
    a, b = worker_owner("pc-01"), worker_owner("pc-01")
    assert a != b and a.startswith("outbox@pc-01#")
    long = worker_owner("x" * 200)
    assert len(long) == 60 and "#" in long  # the unique suffix survives truncation


def test_phones_in_free_text_are_masked() -> None:
    text = redact_phones("contactId 5491123456789 invalid; also +54 9 11 2345-6789")
    assert "5491123456789" not in text and "2345-6789" not in text
    assert text.count("6789") == 2


def test_status_line_texts() -> None:
    paused = WorkerStatus(pausado=True, motivo="sin crédito")
    assert paused.texto == "Envíos en pausa: sin crédito"
    counts = OutboxCounts(programados=3, enviando=1, enviados_hoy=12, fallidos=2, inciertos=1)
    text = WorkerStatus(conteos=counts, ultima_corrida=FIXED_NOW).texto
    assert "4 programados · 12 enviados hoy · 2 fallidos · 1 inciertos" in text
    assert "10:00:00" in text  # Buenos Aires time
    assert "5 tomados, 5 enviados" in RunReport(tomados=5, enviados=5).resumen()
