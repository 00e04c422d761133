"""The grid's columns and how a queue row looks in each (text, tooltip, colours), per Qt role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from dim_revision.clock import to_local
from dim_revision.domain.enums import etiqueta_envio
from dim_revision.services.queue import QueueRow

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
TAKEN_ROLE = int(Qt.ItemDataRole.UserRole) + 2


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort: str | None  # key of services.queue.SORT_KEYS, None: not sortable
    width: int
    tip: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("fecha_subida", "Fecha de subida", "fecha_subida", 110),
    Column("espera", "Espera", "fecha_subida", 70, "Tiempo desde que el paciente subió la orden"),
    Column("nombre", "Nombre", "nombre", 170),
    Column("dni", "DNI", "dni", 80),
    Column("telefono_verificado", "Tel. verif.", "telefono_verificado", 65, "Teléfono verificado"),
    Column("telefono_movil", "Teléfono móvil", "telefono_movil", 115),
    Column("email", "Email", "email", 160),
    Column("obra_social", "Obra social", "obra_social", 110),
    Column("plan", "Plan", "plan", 70),
    Column("fecha_contacto", "Fecha contacto", "fecha_contacto", 105),
    Column("usuario_contacto", "Usuario contacto", "usuario_contacto", 95),
    Column("resuelto", "Resuelto", "resuelto", 65),
    Column("estado_envio", "Envío", None, 110, "Estado del mensaje de WhatsApp"),
    Column("tomado_por", "Tomada por", None, 90, "Operador que la está trabajando"),
    Column("turno", "Turno", "id_turno_destino", 60, "Turno que tomó el paciente con el link"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
CENTERED = {"telefono_verificado", "resuelto", "turno", "espera"}

# Age colours (unresolved rows): how long the patient has been waiting.
AGE_STEPS: tuple[tuple[timedelta, QColor], ...] = (
    (timedelta(hours=8), QColor("#f4c7c3")),
    (timedelta(hours=2), QColor("#fbe3b5")),
    (timedelta(minutes=30), QColor("#fdf5c9")),
)
TAKEN_FOREGROUND = QColor("#8a8a8a")
ATENCION_BACKGROUND = QColor("#f8d0cc")  # «Requiere atención» (issue 13.2)
# One brush per colour, made once (a paint asks for every visible cell's colours).
_AGE_BRUSHES = tuple((limit, QBrush(colour)) for limit, colour in AGE_STEPS)
TAKEN_BRUSH = QBrush(TAKEN_FOREGROUND)
_ATENCION_BRUSH = QBrush(ATENCION_BACKGROUND)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def format_age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)  # by hand: strftime imports `time` on every call (a shiboken hook)
    return f"{local.day:02d}/{local.month:02d} {local.hour:02d}:{local.minute:02d}"


def header(section: int, role: int) -> str | None:
    """The grid's column titles, with a tooltip that explains the short ones."""
    if not 0 <= section < len(COLUMNS):
        return None
    column = COLUMNS[section]
    if role == Qt.ItemDataRole.DisplayRole:
        return column.title
    if role == Qt.ItemDataRole.ToolTipRole:
        return column.tip or column.title
    return None


def taken_by_other(row: QueueRow, me: str) -> bool:
    """Someone else's live lease: shown greyed with its owner, not workable here."""
    return row.tomado_clave is not None and row.tomado_clave != me


def cell(row: QueueRow, key: str, role: int, now: datetime, me: str) -> Any:
    """What the model answers for one cell and role (None: nothing special)."""
    if role == Qt.ItemDataRole.DisplayRole:
        return DISPLAY[key](row, now, me)
    if role == ID_ROLE:
        return row.id
    if role == TAKEN_ROLE:
        return taken_by_other(row, me)
    handler = _ROLES.get(role)
    return handler(row, key, now, me) if handler else None


def taken_tooltip(row: QueueRow) -> str:
    """Every cell's tooltip while someone else holds the row's lease."""
    since = f" desde las {to_local(row.tomado_desde):%H:%M}" if row.tomado_desde else ""
    return f"La está trabajando {row.tomado_por}{since}: no se puede tomar mientras tanto."


def _tooltip(row: QueueRow, key: str, now: datetime, me: str) -> str | None:
    return taken_tooltip(row) if taken_by_other(row, me) else tooltip(row, key, now, me)


def tooltip(row: QueueRow, key: str, now: datetime, me: str) -> str | None:
    """A cell's own tooltip (`taken_tooltip` covers rows leased by someone else)."""
    if key == "espera":
        at = to_local(row.fecha_subida)
        return (
            f"Subida el {at.day:02d}/{at.month:02d}/{at.year} a las {at.hour:02d}:{at.minute:02d}"
        )
    if key == "telefono_verificado":
        return (
            "El paciente confirmó el teléfono"
            if row.telefono_verificado
            else "Teléfono sin verificar"
        )
    if key == "email":
        return "Email verificado" if row.email_verificado else "Email sin verificar"
    if key == "estado_envio" and row.atencion:
        return (
            "Requiere atención: el WhatsApp no salió o no se sabe si salió. Abrila para ver el "
            "motivo: corregí el celular y confirmá de nuevo, o marcala resuelta."
        )
    if key == "estado_envio" and row.respondio:
        return "El paciente respondió el mensaje: mirá «Respuestas del paciente» en la ficha."
    if key == "estado_envio" and row.estado_entrega == "error_entrega":
        return "WhatsApp no pudo entregar el mensaje: revisá el número del paciente."
    return None


def _foreground(row: QueueRow, key: str, now: datetime, me: str) -> QBrush | None:
    return TAKEN_BRUSH if taken_by_other(row, me) else None


def background(row: QueueRow, key: str, now: datetime, me: str) -> QBrush | None:
    if row.atencion and key in ("estado_envio", "espera"):
        return _ATENCION_BRUSH
    if key != "espera" or row.resuelto:
        return None
    age = now - row.fecha_subida
    for limit, brush in _AGE_BRUSHES:
        if age >= limit:
            return brush
    return None


_FONTS: dict[str, QFont] = {}  # made on first use (a QFont wants the application)


def styled(style: str) -> QFont:
    font = _FONTS.get(style)
    if font is None:
        font = _FONTS[style] = QFont()
        font.setBold(style == "bold")
        font.setItalic(style == "italic")
    return font


def _font(row: QueueRow, key: str, now: datetime, me: str) -> QFont | None:
    if key == "estado_envio" and row.respondio and not taken_by_other(row, me):
        return styled("bold")
    return styled("italic") if taken_by_other(row, me) else None


def _alignment(row: QueueRow, key: str, now: datetime, me: str) -> int | None:
    return _CENTER if key in CENTERED else None


def _estado_envio_con_entrega(row: QueueRow) -> str:
    """Programado / Enviado / Entregado / Leído / Error de entrega / Incierto, and a mark when
    the patient answered the message (issue #12)."""
    text = etiqueta_envio(row.estado_envio, row.estado_entrega) if row.estado_envio else ""
    if row.atencion:
        text = f"⚠ {text}: requiere atención"
    return f"{text} · respondió" if row.respondio else text


def _tomado(row: QueueRow, now: datetime, me: str) -> str:
    if row.tomado_clave is None:
        return ""
    return "Vos" if row.tomado_clave == me else (row.tomado_por or "")


DISPLAY: dict[str, Callable[[QueueRow, datetime, str], str]] = {
    "fecha_subida": lambda r, now, me: format_datetime(r.fecha_subida),
    "espera": lambda r, now, me: "" if r.resuelto else format_age(now - r.fecha_subida),
    "nombre": lambda r, now, me: r.nombre,
    "dni": lambda r, now, me: r.dni,
    "telefono_verificado": lambda r, now, me: "✓" if r.telefono_verificado else "✗",
    "telefono_movil": lambda r, now, me: r.telefono_movil or "",
    "email": lambda r, now, me: r.email or "",
    "obra_social": lambda r, now, me: r.obra_social or "",
    "plan": lambda r, now, me: r.plan or "",
    "fecha_contacto": lambda r, now, me: format_datetime(r.fecha_contacto),
    "usuario_contacto": lambda r, now, me: r.usuario_contacto or "",
    "resuelto": lambda r, now, me: "Sí" if r.resuelto else "No",
    "estado_envio": lambda r, now, me: _estado_envio_con_entrega(r),
    "tomado_por": _tomado,
    "turno": lambda r, now, me: "" if r.id_turno_destino is None else f"#{r.id_turno_destino}",
}

_ROLES: dict[int, Callable[[QueueRow, str, datetime, str], Any]] = {
    int(Qt.ItemDataRole.ToolTipRole): _tooltip,
    int(Qt.ItemDataRole.ForegroundRole): _foreground,
    int(Qt.ItemDataRole.BackgroundRole): background,
    int(Qt.ItemDataRole.FontRole): _font,
    int(Qt.ItemDataRole.TextAlignmentRole): _alignment,
}
