"""Start the Qt application on an `AppContext` built by the core's composition root."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from dim_revision.bootstrap import AppContext
from ui.main_window import MainWindow


def run_gui(ctx: AppContext) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("DIM Revisión")
    app.setOrganizationName("DIM")
    window = MainWindow(ctx)
    window.show()
    return int(app.exec())
