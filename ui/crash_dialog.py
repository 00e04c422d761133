"""Show the core's crash message ("Se guardó un informe en …") in a dialog, from any thread.

The core's `CrashHandler` (dim_revision/logging_setup.py) writes the report and calls `show`;
`threading.excepthook` may call it on a task thread, where no widget may be created, so the
message is queued to the GUI thread.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from dim_revision.bootstrap import AppContext


def critical_box(message: str) -> None:
    QMessageBox.critical(None, "DIM Revisión", message)


class CrashDialog(QObject):
    _requested = Signal(str)

    def __init__(
        self, parent: QObject | None = None, show: Callable[[str], None] = critical_box
    ) -> None:
        super().__init__(parent)
        self._show = show
        self._requested.connect(self._on_requested, Qt.ConnectionType.QueuedConnection)

    def __call__(self, message: str) -> None:
        print(message, file=sys.stderr)
        self._requested.emit(message)

    def _on_requested(self, message: str) -> None:
        self._show(message)


def install_crash_dialog(ctx: AppContext, parent: QWidget | QObject | None) -> CrashDialog | None:
    """Route the crash handler's message to a dialog; None when `cli.main` installed no handler."""
    handler = ctx.extras.get("crash_handler")
    if handler is None:
        return None
    dialog = CrashDialog(parent)
    handler.show = dialog
    return dialog
