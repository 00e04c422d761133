"""Render a `Reporte` as plain labels and small tables; no logic beyond formatting."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dim_revision.clock import to_local
from dim_revision.services.reportes import Reporte, Tiempos


def minutos(value: float | None) -> str:
    """ "1 h 05 min" / "12 min" / "—": supervisors read durations, not decimals."""
    if value is None:
        return "—"
    total = round(value)
    horas, mins = divmod(total, 60)
    return f"{horas} h {mins:02d} min" if horas else f"{mins} min"


def tiempos_texto(t: Tiempos) -> str:
    if t.cantidad == 0:
        return "sin datos"
    return f"mediana {minutos(t.mediana_min)} · p90 {minutos(t.p90_min)}\n({t.cantidad} {'solicitud' if t.cantidad == 1 else 'solicitudes'})"


def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


class ReportView(QWidget):
    """`values` maps a stable name to the label showing it (tests read the numbers from there)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportView")
        self.values: dict[str, QLabel] = {}
        self.title = QLabel("Calculando…", self)
        self.title.setProperty("role", "section")

        estados = self._form(
            "Solicitudes subidas en el rango",
            [
                ("total", "Total"),
                ("pendientes", "Sin resolver"),
                ("resueltas", "Resueltas"),
                ("con_envio", "  con WhatsApp"),
                ("sin_envio", "  sin envío"),
            ],
        )
        antiguedad = self._form(
            "Pendientes por antigüedad",
            [
                ("menos_1h", "Menos de 1 h"),
                ("de_1_a_4h", "De 1 a 4 h"),
                ("hoy_mas_4h", "Hoy, más de 4 h"),
                ("dias_anteriores", "De días anteriores"),
            ],
        )
        tiempos = self._form(
            "Tiempos",
            [("resolucion", "Subida → resolución"), ("envio", "Subida → WhatsApp enviado")],
        )
        envios = self._form(
            "Envíos",
            [
                ("programado", "Programados"),
                ("enviando", "Enviando"),
                ("enviado", "Enviados"),
                ("fallido", "Fallidos"),
                ("incierto", "Inciertos"),
                ("cancelado", "Cancelados"),
                ("entregado", "Entregados (WhatsApp)"),
                ("leido", "Leídos"),
                ("error_entrega", "Error de entrega"),
                ("respondieron", "Respondieron"),
            ],
        )
        self.errores = _table(self, ["Motivo de falla", "Cantidad"], "reportErrores")
        self.operadores = _table(
            self,
            ["Operador", "Confirmados", "Resueltos sin envío", "Contactos"],
            "reportOperadores",
        )

        grid = QGridLayout()
        grid.addWidget(estados, 0, 0)
        grid.addWidget(antiguedad, 0, 1)
        grid.addWidget(tiempos, 0, 2)
        grid.addWidget(envios, 0, 3)
        grid.addWidget(self._boxed("Principales motivos de falla", self.errores), 1, 0, 1, 2)
        grid.addWidget(self._boxed("Actividad por operador", self.operadores), 1, 2, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(grid, 1)

    def _form(self, title: str, fields: list[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        for name, text in fields:
            label = QLabel("—", box)
            label.setObjectName(f"report_{name}")
            label.setWordWrap(True)
            self.values[name] = label
            form.addRow(text, label)
        return box

    def _boxed(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title, self)
        layout = QVBoxLayout(box)
        layout.addWidget(widget)
        return box

    def show_report(self, r: Reporte) -> None:
        f = r.filtro
        rango = (
            f"{f.desde:%d/%m/%Y}"
            if f.desde == f.hasta
            else f"{f.desde:%d/%m/%Y} al {f.hasta:%d/%m/%Y}"
        )
        texto = f" · búsqueda «{f.texto}»" if f.texto else ""
        self.title.setText(
            f"Resumen del {rango}{texto} — calculado a las {to_local(r.generado):%H:%M}"
        )
        e, a, s = r.estados, r.antiguedad, r.envios
        numbers: dict[str, object] = {
            "total": e.total,
            "pendientes": e.pendientes,
            "resueltas": e.resueltas,
            "con_envio": e.con_envio,
            "sin_envio": e.sin_envio,
            "menos_1h": a.menos_1h,
            "de_1_a_4h": a.de_1_a_4h,
            "hoy_mas_4h": a.hoy_mas_4h,
            "dias_anteriores": a.dias_anteriores,
            "resolucion": tiempos_texto(r.subida_a_resolucion),
            "envio": tiempos_texto(r.subida_a_envio),
            "programado": s.programado,
            "enviando": s.enviando,
            "enviado": s.enviado,
            "fallido": s.fallido,
            "incierto": s.incierto,
            "cancelado": s.cancelado,
            "entregado": s.entregado,
            "leido": s.leido,
            "error_entrega": s.error_entrega,
            "respondieron": s.respondieron,
        }
        for name, value in numbers.items():
            self.values[name].setText(str(value))
        _fill(self.errores, [(m.motivo, str(m.cantidad)) for m in s.errores])
        _fill(
            self.operadores,
            [
                (o.usuario, str(o.confirmados), str(o.resueltos_sin_envio), str(o.contactos))
                for o in r.operadores
            ],
        )

    def show_error(self, text: str) -> None:
        self.title.setText(f"No se pudo calcular el resumen: {text}")
