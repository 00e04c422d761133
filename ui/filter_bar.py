"""Filters over the grid: date range (opens on today), state (opens on unresolved), free text, counts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from dim_revision.domain.enums import EstadoFiltro
from dim_revision.domain.texto_usuario import MAX_BUSQUEDA
from dim_revision.services.queue import QueueCounts, QueueFilter
from ui.shortcuts import SPEC_BY_NAME, button_text

ESTADOS = (
    (EstadoFiltro.PENDIENTES, "Sin resolver"),
    (EstadoFiltro.ATENCION, "Requiere atención"),  # issue 13.2
    (EstadoFiltro.RESUELTAS, "Resueltas"),
    (EstadoFiltro.TODAS, "Todas"),
)
TEXT_DEBOUNCE_MS = 250


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class FilterBar(QWidget):
    """Emits `filter_changed(QueueFilter)`; typing is debounced so SQL runs once per pause."""

    filter_changed = Signal(object)

    def __init__(self, today: date, refresh: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._today = today
        self.desde = self._date_edit("Desde")
        self.hasta = self._date_edit("Hasta")
        self.hoy_button = QPushButton("Hoy", self)
        self.hoy_button.setToolTip("Volver a la fecha de hoy")
        self.hoy_button.clicked.connect(self.reset_dates)
        self.estado = QComboBox(self)
        self.estado.setObjectName("filtroEstado")
        for value, label in ESTADOS:
            self.estado.addItem(label, value.value)
        self.texto = QLineEdit(self)
        self.texto.setObjectName("filtroTexto")
        self.texto.setPlaceholderText("Buscar por DNI, nombre o teléfono  (Ctrl+F)")
        self.texto.setClearButtonEnabled(True)
        self.texto.setMaxLength(MAX_BUSQUEDA)
        self.texto.setMinimumWidth(220)
        self.refresh_button = QPushButton(button_text(SPEC_BY_NAME["actualizar"]), self)
        self.refresh_button.setToolTip(refresh.toolTip())
        self.refresh_button.clicked.connect(refresh.trigger)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("queueCounts")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        for widget in (
            QLabel("Desde", self),
            self.desde,
            QLabel("Hasta", self),
            self.hasta,
            self.hoy_button,
            QLabel("Estado", self),
            self.estado,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.texto, 1)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.counts_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(TEXT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self._quiet = False
        self.set_filter(QueueFilter(today, today))
        self.desde.dateChanged.connect(self._on_desde)
        self.hasta.dateChanged.connect(self._on_hasta)
        self.estado.currentIndexChanged.connect(self._emit)
        self.texto.textChanged.connect(lambda _text: self._debounce.start())
        self.texto.returnPressed.connect(self._emit)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(f"filtro{name}")
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setToolTip(f"{name} (día de Buenos Aires)")
        return edit

    def filtro(self) -> QueueFilter:
        return QueueFilter(
            _pydate(self.desde.date()),
            _pydate(self.hasta.date()),
            EstadoFiltro(self.estado.currentData()),
            self.texto.text().strip(),
        )

    def set_filter(self, filtro: QueueFilter) -> None:
        """Show `filtro` without emitting (the caller already applies it)."""
        self._quiet = True
        try:
            self.desde.setDate(_qdate(filtro.desde))
            self.hasta.setDate(_qdate(filtro.hasta))
            self.estado.setCurrentIndex(max(0, self.estado.findData(filtro.estado.value)))
            self.texto.setText(filtro.texto)
            self._debounce.stop()
        finally:
            self._quiet = False

    def set_today(self, today: date) -> None:
        self._today = today

    def reset_dates(self) -> None:
        self._quiet = True
        try:
            self.desde.setDate(_qdate(self._today))
            self.hasta.setDate(_qdate(self._today))
        finally:
            self._quiet = False
        self._emit()

    def focus_search(self) -> None:
        self.texto.setFocus()
        self.texto.selectAll()

    def set_counts(self, counts: QueueCounts | None) -> None:
        if counts is None:
            self.counts_label.setText("")
            return
        atencion = (
            f' · <b style="color:#b3261e">{counts.atencion}</b> requieren atención'
            if counts.atencion
            else ""
        )
        self.counts_label.setText(
            f"<b>{counts.pendientes}</b> sin resolver{atencion} · "
            f"<b>{counts.resueltas}</b> resueltas"
        )

    def _on_desde(self, value: QDate) -> None:
        if value > self.hasta.date():
            self._quiet = True
            self.hasta.setDate(value)
            self._quiet = False
        self._emit()

    def _on_hasta(self, value: QDate) -> None:
        if value < self.desde.date():
            self._quiet = True
            self.desde.setDate(value)
            self._quiet = False
        self._emit()

    def _emit(self) -> None:
        if self._quiet:
            return
        self._debounce.stop()
        self.filter_changed.emit(self.filtro())
