"""The workstation's main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from dim_revision.bootstrap import AppContext
from dim_revision.db.engine import mask_url


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("DIM Revisión de órdenes")
        self.resize(1280, 800)
        label = QLabel(f"Conectado a {mask_url(ctx.db_url)} como {ctx.actor.usuario}")
        self.setCentralWidget(label)
        self.statusBar().showMessage(ctx.actor.usuario)
