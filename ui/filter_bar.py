"""Filters over the grid: date range (typed dd/mm/aaaa), state (opens on «Pendientes»: today
plus every earlier unresolved request), free text (Enter or ↓ opens the first match), counts."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from dim_revision.domain.enums import EstadoFiltro
from dim_revision.domain.texto_usuario import MAX_BUSQUEDA
from dim_revision.services.queue import QueueCounts, QueueFilter
from ui.shortcuts import SPEC_BY_NAME, button_text

ESTADOS = (
    (EstadoFiltro.PENDIENTES_TODAS, "Pendientes (hoy y anteriores)"),
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


DATE_FORMAT = "%d/%m/%Y"


def parse_date(text: str) -> date:
    """dd/mm/aaaa (also d/m/aa, with - or . between); ValueError with a Spanish message."""
    raw = text.strip().replace("-", "/").replace(".", "/")
    parts = raw.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in parts)
        if len(parts[2]) <= 2:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise ValueError(
        f"«{text.strip()}» no es una fecha válida: escribila como dd/mm/aaaa (por ejemplo "
        f"{datetime(2026, 12, 1):{DATE_FORMAT}})."
    )


class DateField(QLineEdit):
    """A date typed as dd/mm/aaaa (applied with Enter or on leaving the field), ↑/↓ move a day,
    and a calendar button for the mouse. A bad date keeps the last good one and says why."""

    dateChanged = Signal(QDate)
    invalid = Signal(str)  # Spanish message, "" once the text is valid again

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"filtro{name}")
        self.setPlaceholderText("dd/mm/aaaa")
        self.setToolTip(f"{name}: escribí la fecha (dd/mm/aaaa) y Enter; ↑/↓ cambian el día")
        self.setMaxLength(10)
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 16)
        self._date = QDate.currentDate()
        self.setText(self._date.toString("dd/MM/yyyy"))
        self.editingFinished.connect(self._commit)
        self.calendar_button = QToolButton(parent)
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip(f"{name}: elegir en el calendario")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.calendar_button)
        self.calendar = QCalendarWidget(menu)
        picker = QWidgetAction(menu)
        picker.setDefaultWidget(self.calendar)
        menu.addAction(picker)
        menu.aboutToShow.connect(lambda: self.calendar.setSelectedDate(self._date))
        self.calendar.clicked.connect(lambda d: self._picked(menu, d))
        self.calendar_button.setMenu(menu)

    def _picked(self, menu: QMenu, value: QDate) -> None:
        menu.close()
        self.setDate(value)

    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        self.setText(value.toString("dd/MM/yyyy"))
        self.invalid.emit("")
        if value != self._date:
            self._date = QDate(value)
            self.dateChanged.emit(QDate(value))

    def _commit(self) -> None:
        if self.text().strip() == self._date.toString("dd/MM/yyyy"):
            self.invalid.emit("")
            return
        try:
            self.setDate(_qdate(parse_date(self.text())))
        except ValueError as exc:
            self.invalid.emit(str(exc))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            self.setDate(self._date.addDays(1 if event.key() == Qt.Key.Key_Up else -1))
            self.selectAll()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        QTimer.singleShot(0, self.selectAll)


class FilterBar(QWidget):
    """Emits `filter_changed(QueueFilter)`; typing is debounced so SQL runs once per pause."""

    filter_changed = Signal(object)
    open_first = Signal(bool)  # Enter (True: then work it) or ↓ (False: then walk the list)

    def __init__(self, today: date, refresh: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._today = today
        self.desde = DateField("Desde", self)
        self.hasta = DateField("Hasta", self)
        self.date_error = QLabel(self)
        self.date_error.setObjectName("filtroFechaError")
        self.date_error.setStyleSheet("QLabel#filtroFechaError { color: #b42318; }")
        self.date_error.setWordWrap(True)
        self.date_error.hide()
        for edit in (self.desde, self.hasta):
            edit.invalid.connect(self._show_date_error)
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
            self.desde.calendar_button,
            QLabel("Hasta", self),
            self.hasta,
            self.hasta.calendar_button,
            self.hoy_button,
            QLabel("Estado", self),
            self.estado,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.texto, 1)
        layout.addWidget(self.date_error)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.counts_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(TEXT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self._quiet = False
        self.set_filter(QueueFilter(today, today, EstadoFiltro.PENDIENTES_TODAS))
        self.desde.dateChanged.connect(self._on_desde)
        self.hasta.dateChanged.connect(self._on_hasta)
        self.estado.currentIndexChanged.connect(self._emit)
        self.estado.currentIndexChanged.connect(lambda _i: self._sync_desde())
        self.texto.textChanged.connect(lambda _text: self._debounce.start())
        self.texto.returnPressed.connect(self._on_return)
        self.texto.installEventFilter(self)
        self._sync_desde()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.texto
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self._emit()
            self.open_first.emit(False)
            return True
        return super().eventFilter(watched, event)

    def _on_return(self) -> None:
        self._emit()
        self.open_first.emit(True)

    def _show_date_error(self, text: str) -> None:
        self.date_error.setText(text)
        self.date_error.setVisible(bool(text))

    def _sync_desde(self) -> None:
        """«Pendientes» reaches back to every earlier day: Desde only bounds the resolved count."""
        todas = self.estado.currentData() == EstadoFiltro.PENDIENTES_TODAS.value
        self.desde.setToolTip(
            "Con «Pendientes» se ven también las sin resolver de días anteriores; Desde sólo "
            "cuenta las resueltas."
            if todas
            else "Desde: escribí la fecha (dd/mm/aaaa) y Enter; ↑/↓ cambian el día"
        )

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
            self._sync_desde()
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
        if counts.tope is not None:  # a text matched too many requests: counting stopped
            tope = f"{counts.tope:,}".replace(",", ".")
            self.counts_label.setText(
                f"<b>más de {tope}</b> coincidencias · escribí más para acotar"
            )
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
