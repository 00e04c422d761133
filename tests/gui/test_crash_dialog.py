"""A crash on a task thread reaches the operator as a dialog shown on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dim_revision.bootstrap import build_context
from dim_revision.logging_setup import CrashHandler
from dim_revision.secrets import MemoryStore
from ui.crash_dialog import CrashDialog, install_crash_dialog


def test_message_from_a_worker_thread_is_shown_on_the_gui_thread(
    qapp: QApplication, qtbot: QtBot
) -> None:
    shown: list[tuple[str, bool]] = []
    dialog = CrashDialog(show=lambda m: shown.append((m, QThread.currentThread() is qapp.thread())))
    worker = threading.Thread(
        target=dialog, args=("Ocurrió un error inesperado. Se guardó un informe en X",)
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [("Ocurrió un error inesperado. Se guardó un informe en X", True)]


def test_a_real_report_ends_in_the_dialog(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    ctx = build_context(secrets=MemoryStore())
    assert install_crash_dialog(ctx, qapp) is None  # no handler: nothing to route
    handler = CrashHandler(tmp_path, "0.0-test")
    ctx.extras["crash_handler"] = handler
    dialog = install_crash_dialog(ctx, qapp)
    assert dialog is not None and handler.show is dialog
    shown: list[str] = []
    dialog._show = shown.append
    try:
        raise RuntimeError("falla de prueba")
    except RuntimeError as exc:
        report = handler.report(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(shown))
    assert report is not None and report.exists()
    assert str(report) in shown[0] and "informe" in shown[0]
