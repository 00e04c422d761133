"""Log files, masking of personal data and secrets, and crash reports."""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from dim_revision.config import Settings
from dim_revision.logging_setup import (
    CrashHandler,
    MaskingFilter,
    active_log_file,
    config_summary,
    configure_logging,
    mask_text,
)

SECRET = "tok-super-secreto-123"


def _ours(lg: logging.Logger) -> list[logging.Handler]:
    """Our file handlers (pytest's logging plugin may add capture handlers of its own)."""
    return [h for h in lg.handlers if isinstance(h, RotatingFileHandler)]


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A private logger tree, so the root logger of the test run is never touched."""
    lg = logging.getLogger(f"dimtest.{uuid.uuid4().hex}")
    lg.propagate = False
    yield lg
    for h in list(lg.handlers):
        lg.removeHandler(h)
        h.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DNI 30123456 cargado", "DNI ******** cargado"),
        ("DNI 1234567.", "DNI *******."),
        ("dni 30.123.456", "dni ********"),
        ("tel 5491123456789", "tel *********6789"),
        ("tel +54 9 11 2345-6789", "tel *********6789"),
        ("tel 011 15-2345-6789", "tel *********6789"),
        ("envío 42 de la solicitud 1234", "envío 42 de la solicitud 1234"),
        ("el 2026-03-10 13:00:05", "el 2026-03-10 13:00:05"),
        ("id a1234567890bcdef", "id a1234567890bcdef"),
        ("id 1234567890abcdef", "id 1234567890abcdef"),
    ],
)
def test_mask_text_hides_dni_and_phones_but_not_ids_or_dates(raw: str, expected: str) -> None:
    assert mask_text(raw) == expected


def test_mask_text_replaces_secret_values() -> None:
    assert mask_text(f"token={SECRET}; ok", [SECRET, None, ""]) == "token=***; ok"


def test_log_file_has_one_masked_line_per_event(tmp_path: Path, logger: logging.Logger) -> None:
    path = configure_logging(tmp_path / "logs", [SECRET], logger=logger)
    assert path == tmp_path / "logs" / "dim-revision.log"
    child = logger.getChild("outbox")
    child.info("Envío a %s con token %s, DNI %d", "5491123456789", SECRET, 30123456)
    try:
        raise ValueError(f"falló {SECRET} para 30123456")
    except ValueError:
        child.exception("Error al enviar a %s", "+54 9 11 2345-6789")
    for h in logger.handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert "30123456" not in text and "5491123456789" not in text and "2345-6789" not in text
    first = text.splitlines()[0]
    assert " INFO " in first and f"{child.name}:" in first
    assert "Envío a *********6789 con token ***, DNI ********" in first
    assert "ValueError: falló *** para ********" in text


def test_configure_logging_is_idempotent_and_follows_the_folder(
    tmp_path: Path, logger: logging.Logger
) -> None:
    first = configure_logging(tmp_path / "a", logger=logger)
    for _ in range(3):
        assert configure_logging(tmp_path / "a", ["nuevo-secreto"], logger=logger) == first
    assert len(_ours(logger)) == 1
    logger.warning("clave nuevo-secreto")  # a secret learnt on a later call is masked too
    _ours(logger)[0].flush()
    assert "clave ***" in (tmp_path / "a" / "dim-revision.log").read_text(encoding="utf-8")

    second = configure_logging(tmp_path / "b", logger=logger)
    assert len(_ours(logger)) == 1
    assert active_log_file(logger) == second == tmp_path / "b" / "dim-revision.log"


def test_unwritable_log_folder_skips_logging(tmp_path: Path, logger: logging.Logger) -> None:
    blocker = tmp_path / "archivo"
    blocker.write_text("no soy una carpeta")
    assert configure_logging(blocker / "logs", logger=logger) is None
    assert _ours(logger) == []


def test_filter_folds_args_into_the_masked_message() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "a %s b %s", ("30123456", SECRET), None
    )
    MaskingFilter([SECRET]).filter(record)
    assert record.args is None
    assert record.getMessage() == "a ******** b ***"


def _raise_in(func_text: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise RuntimeError(func_text)
    except RuntimeError:
        info = sys.exc_info()
        assert info[0] is not None and info[1] is not None
        return info[0], info[1], info[2]


def test_crash_report_has_traceback_version_and_masked_config(tmp_path: Path) -> None:
    shown: list[str] = []
    settings = Settings().replace(
        "database", url="mssql+pyodbc://app:clave-db@srv/DIM?driver=ODBC+Driver+18+for+SQL+Server"
    )
    handler = CrashHandler(
        tmp_path / "logs",
        "9.9.9",
        config_summary=lambda: config_summary(settings),
        secrets=lambda: [SECRET],
        show=shown.append,
    )
    exc_type, exc, tb = _raise_in(f"paciente 30123456 token {SECRET}")
    path = handler.report(exc_type, exc, tb)  # type: ignore[arg-type]
    assert path is not None and path.parent == tmp_path / "logs"
    body = path.read_text(encoding="utf-8")
    assert "Versión: 9.9.9" in body
    assert "RuntimeError: paciente ******** token ***" in body
    assert "[database] url = 'mssql+pyodbc://app:***@srv/DIM" in body
    assert "clave-db" not in body and SECRET not in body
    assert shown == [f"Ocurrió un error inesperado. Se guardó un informe en {path}"]


def test_thread_excepthook_writes_a_report(tmp_path: Path) -> None:
    shown: list[str] = []
    handler = CrashHandler(tmp_path, "1.0", show=shown.append)

    def boom() -> None:
        raise KeyError("hilo")

    thread = threading.Thread(target=boom)
    previous = threading.excepthook
    threading.excepthook = handler.thread_excepthook
    try:
        thread.start()
        thread.join()
    finally:
        threading.excepthook = previous
    reports = list(tmp_path.glob("error-*.txt"))
    assert len(reports) == 1 and "KeyError: 'hilo'" in reports[0].read_text(encoding="utf-8")
    assert shown and str(reports[0]) in shown[0]


def test_a_failing_show_callable_falls_back_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_msg: str) -> None:
        raise RuntimeError("sin pantalla")

    handler = CrashHandler(tmp_path, "1.0", show=broken)
    path = handler.report(*_raise_in("x"))  # type: ignore[arg-type]
    assert f"Se guardó un informe en {path}" in capsys.readouterr().err
