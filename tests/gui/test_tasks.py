"""TaskRunner: results on the GUI thread, stale results dropped by key, failures delivered."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from dim_revision.errors import NotFound
from ui.tasks import UNEXPECTED_MESSAGE, TaskFailure, TaskRunner

pytestmark = pytest.mark.gui

TIMEOUT = 5.0  # seconds a worker waits on an Event before giving up (only if the test is broken)


def test_work_runs_off_the_gui_thread_and_result_arrives_on_it(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    gui_thread = QThread.currentThread()
    seen: dict[str, Any] = {}

    def work(a: int, b: int) -> int:
        seen["worker_is_gui"] = QThread.currentThread() is gui_thread
        return a + b

    def done(result: int) -> None:
        seen["result"] = result
        seen["done_is_gui"] = QThread.currentThread() is gui_thread

    ticket = runner.submit(work, 2, 3, on_done=done)
    assert not ticket.finished
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker_is_gui": False, "result": 5, "done_is_gui": True}
    assert ticket.finished
    assert runner.is_idle()


def test_callbacks_never_run_synchronously_from_submit(qtbot: QtBot, runner: TaskRunner) -> None:
    calls: list[object] = []
    runner.submit(lambda: "x", on_done=calls.append)
    assert calls == []  # even if the worker is instant, delivery waits for the event loop
    qtbot.waitUntil(runner.is_idle)
    assert calls == ["x"]


def test_only_the_latest_submission_for_a_key_delivers(qtbot: QtBot, runner: TaskRunner) -> None:
    """The older task finishes LAST, as when the operator moves on and a slow query returns."""
    release_old = threading.Event()
    old_started = threading.Event()
    delivered: list[str] = []

    def old() -> str:
        old_started.set()
        assert release_old.wait(TIMEOUT)
        return "registro 1"

    def new() -> str:
        return "registro 2"

    runner.submit(old, on_done=delivered.append, key="detalle")
    assert old_started.wait(TIMEOUT)
    runner.submit(new, on_done=delivered.append, key="detalle")
    qtbot.waitUntil(lambda: delivered == ["registro 2"])
    release_old.set()
    qtbot.waitUntil(runner.is_idle)
    assert delivered == ["registro 2"]


def test_other_keys_and_unkeyed_tasks_are_not_affected(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    delivered: list[str] = []

    def slow(value: str) -> str:
        assert release.wait(TIMEOUT)
        return value

    runner.submit(slow, "a", on_done=delivered.append, key="detalle")
    runner.submit(slow, "b", on_done=delivered.append, key="imagen")
    runner.submit(slow, "c", on_done=delivered.append)
    release.set()
    qtbot.waitUntil(runner.is_idle)
    assert sorted(delivered) == ["a", "b", "c"]


def test_superseded_task_that_has_not_started_is_skipped(qtbot: QtBot, qapp: Any) -> None:
    one_thread = TaskRunner(max_threads=1)
    try:
        release = threading.Event()
        started = threading.Event()
        ran: list[str] = []
        delivered: list[str] = []

        def blocker() -> None:
            started.set()
            assert release.wait(TIMEOUT)

        def work(name: str) -> str:
            ran.append(name)
            return name

        one_thread.submit(blocker)
        assert started.wait(TIMEOUT)
        for name in ("fila 1", "fila 2", "fila 3"):
            one_thread.submit(work, name, on_done=delivered.append, key="detalle")
        release.set()
        qtbot.waitUntil(one_thread.is_idle)
        assert ran == ["fila 3"]
        assert delivered == ["fila 3"]
    finally:
        assert one_thread.shutdown(10_000)


def test_cancelled_ticket_does_not_deliver(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        assert release.wait(TIMEOUT)
        return "tarde"

    ticket = runner.submit(slow, on_done=delivered.append)
    ticket.cancel()
    release.set()
    qtbot.waitUntil(runner.is_idle)
    assert delivered == []
    assert ticket.finished


def test_user_error_reaches_on_error_with_its_message(qtbot: QtBot, runner: TaskRunner) -> None:
    failures: list[TaskFailure] = []

    def work() -> None:
        raise NotFound("La solicitud 42 ya no existe.")

    runner.submit(
        work, on_done=lambda _: pytest.fail("no debía terminar bien"), on_error=failures.append
    )
    qtbot.waitUntil(lambda: bool(failures))
    assert failures[0].message == "La solicitud 42 ya no existe."
    assert str(failures[0]) == "La solicitud 42 ya no existe."
    assert isinstance(failures[0].exception, NotFound)
    assert not failures[0].unexpected


def test_unexpected_error_is_logged_with_traceback_and_delivered(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[TaskFailure] = []

    def buggy() -> None:
        raise ZeroDivisionError("division by zero")

    with caplog.at_level(logging.ERROR, logger="ui.tasks"):
        runner.submit(buggy, on_error=failures.append)
        qtbot.waitUntil(lambda: bool(failures))
    assert failures[0].message == UNEXPECTED_MESSAGE
    assert failures[0].unexpected
    record = next(r for r in caplog.records if r.name == "ui.tasks")
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "buggy" in record.getMessage()


def test_a_failing_callback_is_logged_and_the_runner_keeps_working(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    delivered: list[int] = []

    def bad_callback(_: object) -> None:
        raise ValueError("bug en el widget")

    with caplog.at_level(logging.ERROR, logger="ui.tasks"):
        runner.submit(lambda: 1, on_done=bad_callback)
        runner.submit(lambda: 2, on_done=delivered.append)
        qtbot.waitUntil(runner.is_idle)
    assert delivered == [2]
    assert any("bug en el widget" in (r.exc_text or "") for r in caplog.records)


def test_callback_of_a_destroyed_widget_is_not_called(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    label = QLabel()
    runner.submit(lambda: (release.wait(TIMEOUT), "hola")[1], on_done=label.setText)
    label.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)  # the deferred delete happens now
    release.set()
    with caplog.at_level(logging.ERROR, logger="ui.tasks"):
        qtbot.waitUntil(runner.is_idle)
    # Calling it would raise "Internal C++ object already deleted" (logged as a callback failure).
    assert [r for r in caplog.records if r.name == "ui.tasks"] == []


def test_nothing_is_delivered_after_shutdown(qtbot: QtBot, qapp: Any) -> None:
    task_runner = TaskRunner()
    release = threading.Event()
    started = threading.Event()
    delivered: list[str] = []
    failures: list[TaskFailure] = []

    def slow() -> str:
        started.set()
        assert release.wait(TIMEOUT)
        return "demasiado tarde"

    task_runner.submit(slow, on_done=delivered.append, on_error=failures.append)
    assert started.wait(TIMEOUT)
    assert task_runner.shutdown(0) is False  # still running: shutdown reports the timeout
    release.set()
    assert task_runner.shutdown(10_000) is True
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, 0)
    assert delivered == [] and failures == []
    late = task_runner.submit(lambda: "nuevo", on_done=delivered.append)
    assert late.cancelled and late.finished
    QCoreApplication.processEvents()
    assert delivered == []
