"""The Envíos list for supervisors: every recent send, and the three manual moves on it.

Reintentar (fallido/incierto), Marcar enviado (incierto) and Cancelar (programado) go through
`services/envios_supervision.py` in a background task, each after a confirmation. The service
checks the role and the move re-checks the state in its UPDATE, so a list that went stale (the
worker moved the row meanwhile) ends in a Spanish refusal, shown in the banner, and a fresh list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dim_revision.clock import Clock, to_local
from dim_revision.domain.enums import EstadoEnvio as E
from dim_revision.services import envios_supervision
from dim_revision.services.actor import Actor
from dim_revision.services.base import Database
from dim_revision.services.envios_supervision import EnvioFila
from ui.banner import Banner
from ui.db_errors import db_task
from ui.tasks import TaskFailure, TaskRunner

LIMITE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1

Confirm = Callable[[QWidget, str, str], bool]
AnyIndex = QModelIndex | QPersistentModelIndex


def _fecha(value: datetime | None) -> str:
    return f"{to_local(value):%d/%m %H:%M}" if value is not None else ""


@dataclass(frozen=True)
class Columna:
    title: str
    value: Callable[[EnvioFila], str]


COLUMNAS: tuple[Columna, ...] = (
    Columna("Envío", lambda f: str(f.id)),
    Columna("Solicitud", lambda f: str(f.solicitud_id)),
    Columna("Estado", lambda f: f.estado.etiqueta),
    Columna("Intentos", lambda f: str(f.intentos)),
    Columna("Último error", lambda f: f.ultimo_error or ""),
    Columna("Id Botmaker", lambda f: f.proveedor_id or ""),
    Columna("Confirmó", lambda f: f.creado_por),
    Columna("Confirmado", lambda f: _fecha(f.creado)),
    Columna("Enviado", lambda f: _fecha(f.enviado_en)),
    Columna("Teléfono", lambda f: f.telefono),
)


class EnviosModel(QAbstractTableModel):
    """Read-only rows of `EnvioFila`, replaced as a whole on every refresh."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[EnvioFila] = []

    def set_rows(self, rows: list[EnvioFila]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def fila(self, row: int) -> EnvioFila | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, envio_id: int) -> int | None:
        return next((i for i, f in enumerate(self._rows) if f.id == envio_id), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNAS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        fila = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNAS[index.column()].value(fila)
        if role == ID_ROLE:
            return fila.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNAS)
        ):
            return COLUMNAS[section].title
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class Accion:
    """One manual move: from which states it is offered, how it is asked, what it runs."""

    name: str
    text: str
    desde: tuple[E, ...]
    question: str  # formatted with the envío id
    run: Callable[[Database, Actor, datetime, int], None]
    done: str


ACCIONES: tuple[Accion, ...] = (
    Accion(
        "reintentar",
        "Reintentar",
        (E.FALLIDO, E.INCIERTO),
        "¿Reintentar el envío {id}? Vuelve a la cola y se manda enseguida.",
        envios_supervision.reintentar,
        "El envío {id} se programó para reintentarse.",
    ),
    Accion(
        "marcar_enviado",
        "Marcar enviado",
        (E.INCIERTO,),
        "¿Marcar el envío {id} como enviado? Hacelo sólo si comprobaste en Botmaker que llegó.",
        envios_supervision.marcar_enviado,
        "El envío {id} quedó marcado como enviado.",
    ),
    Accion(
        "cancelar",
        "Cancelar envío",
        (E.PROGRAMADO,),
        "¿Cancelar el envío {id}? El paciente no recibirá el mensaje.",
        envios_supervision.cancelar,
        "El envío {id} se canceló.",
    ),
)


def ask(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def cargar(db: Database) -> list[EnvioFila]:
    return envios_supervision.listar(db, limit=LIMITE)


def ejecutar(accion: Accion, db: Database, envio_id: int, actor: Actor, now: datetime) -> None:
    """The service checks the role again: the panel is hidden for operators, but that is not a
    rule."""
    accion.run(db, actor, now, envio_id)


class EnviosView(QWidget):
    """Table + action buttons + a banner for results and refusals."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        confirm: Confirm = ask,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enviosView")
        self.db, self.actor, self.clock, self.runner = db, actor, clock, runner
        self.confirm = confirm
        self.model = EnviosModel(self)
        self.banner = Banner(self)
        self.table = QTableView(self)
        self.table.setObjectName("enviosTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for accion in ACCIONES:
            button = QPushButton(accion.text, self)
            button.setObjectName(f"envio_{accion.name}")
            button.clicked.connect(lambda _c=False, a=accion: self.trigger(a))
            row.addWidget(button)
            self.buttons[accion.name] = button
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self._busy = False
        self._update_buttons()

    def selected(self) -> EnvioFila | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.fila(rows[0].row()) if rows else None

    def select_envio(self, envio_id: int) -> None:
        row = self.model.row_of(envio_id)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        fila = self.selected()
        for accion in ACCIONES:
            ok = not self._busy and fila is not None and fila.estado in accion.desde
            self.buttons[accion.name].setEnabled(ok)

    def refresh(self) -> None:
        self.runner.submit(
            db_task(cargar),
            self.db,
            on_done=self._on_rows,
            on_error=self._on_error,
            key="supervisor-envios",
        )

    def _on_rows(self, rows: list[EnvioFila]) -> None:
        keep = self.selected()
        self.model.set_rows(rows)
        if keep is not None:
            self.select_envio(keep.id)

    def trigger(self, accion: Accion) -> None:
        fila = self.selected()
        if fila is None or self._busy or fila.estado not in accion.desde:
            return
        if not self.confirm(self, accion.text, accion.question.format(id=fila.id)):
            return
        self._set_busy(True)
        self.runner.submit(
            db_task(ejecutar),
            accion,
            self.db,
            fila.id,
            self.actor,
            self.clock(),
            on_done=lambda _r: self._on_done(accion.done.format(id=fila.id)),
            on_error=self._on_action_error,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _on_done(self, text: str) -> None:
        self._set_busy(False)
        self.banner.show_message(text, "info")
        self.refresh()

    def _on_action_error(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self.banner.show_message(failure.message, "error")
        self.refresh()

    def _on_error(self, failure: TaskFailure) -> None:
        self.banner.show_message(failure.message, "error")
