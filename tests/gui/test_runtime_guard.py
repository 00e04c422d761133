"""The process-wide guards: cycle collection only on the GUI thread, singletons kept alive."""

from __future__ import annotations

import gc
import sys
import threading

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from ui.runtime_guard import RESERVE, SINGLETONS_AFFECTED, RuntimeGuard, top_up

pytestmark = pytest.mark.gui


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_cycles_made_on_a_worker_thread_are_collected_on_the_gui_thread(qapp: QApplication) -> None:
    guard = RuntimeGuard(interval_ms=10_000)
    try:
        assert not gc.isenabled()
        collected_on: list[str] = []

        def make_garbage() -> None:
            for _ in range(5_000):  # far past the generation-0 threshold
                _Cycle()
            collected_on.append(threading.current_thread().name)

        worker = threading.Thread(target=make_garbage, name="trabajador")
        worker.start()
        worker.join()
        assert gc.get_count()[0] > gc.get_threshold()[0]  # nothing collected on the worker
        assert guard.collect_if_due() > 0  # the GUI thread does it
        assert collected_on == ["trabajador"]
    finally:
        guard.uninstall()
        gc.disable()  # the autouse fixture re-enables it after the test


def test_the_singletons_are_topped_up_where_python_needs_it(qapp: QApplication) -> None:
    added = top_up()
    if SINGLETONS_AFFECTED:
        assert sys.getrefcount(None) >= RESERVE and sys.getrefcount(False) >= RESERVE
        assert top_up() == 0  # already there
    else:
        assert added == 0
    QObject().setObjectName("x")  # a void Qt call: the bug this guards against
    assert sys.getrefcount(None) > 0
