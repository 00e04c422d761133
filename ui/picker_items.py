"""The picker's pieces: its two list models, their row painting, and a list view with an empty text.

Both models are flat lists that pass `qtmodeltester`; the chosen list moves rows with
`beginMoveRows` so views keep the selection on the moved prestación.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

TAKEN = "ya agregada"
MISSING = "sin coincidencia: {}"

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SPANS_ROLE = Qt.ItemDataRole.UserRole + 2
TAKEN_ROLE = Qt.ItemDataRole.UserRole + 3
CODE_ROLE = Qt.ItemDataRole.UserRole + 4
MISSING_ROLE = Qt.ItemDataRole.UserRole + 5

AnyIndex = QModelIndex | QPersistentModelIndex
Span = tuple[int, int]


@dataclass(frozen=True)
class Suggestion:
    id: int
    nombre: str
    spans: tuple[Span, ...]
    taken: bool  # already chosen: shown greyed out, never added twice
    codigo: str | None = None  # shown at the right of the name and in the tooltip
    sin_coincidencia: tuple[str, ...] = ()  # typed words this entry lacks (partial match)

    def tooltip(self) -> str:
        lines = [self.nombre]
        if self.codigo:
            lines.append(f"Código: {self.codigo}")
        if self.sin_coincidencia:
            lines.append(MISSING.format(", ".join(self.sin_coincidencia)))
        return "\n".join(lines)


class SuggestionModel(QAbstractListModel):
    """The ranked suggestions for the current query; taken rows are disabled."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Suggestion] = []

    def set_rows(self, rows: Sequence[Suggestion]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Suggestion | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return s.nombre
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.tooltip()
        if role == ID_ROLE:
            return s.id
        if role == SPANS_ROLE:
            return list(s.spans)
        if role == TAKEN_ROLE:
            return s.taken
        if role == CODE_ROLE:
            return s.codigo
        if role == MISSING_ROLE:
            return list(s.sin_coincidencia)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemNeverHasChildren
        if self._rows[index.row()].taken:
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChosenModel(QAbstractListModel):
    """The prestaciones picked for the request, in the order they will be sent."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[int, str]] = []

    def items(self) -> list[tuple[int, str]]:
        return list(self._items)

    def ids(self) -> list[int]:
        return [pid for pid, _ in self._items]

    def set_items(self, items: Iterable[tuple[int, str]]) -> None:
        unique: dict[int, str] = {}
        for pid, nombre in items:
            unique.setdefault(int(pid), nombre)
        self.beginResetModel()
        self._items = list(unique.items())
        self.endResetModel()

    def append(self, pid: int, nombre: str) -> bool:
        if pid in self.ids():
            return False
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append((pid, nombre))
        self.endInsertRows()
        return True

    def remove(self, row: int) -> bool:
        if not 0 <= row < len(self._items):
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()
        return True

    def move(self, row: int, delta: int) -> bool:
        """Move one row up (-1) or down (+1)."""
        target = row + delta
        if (
            delta not in (-1, 1)
            or not 0 <= row < len(self._items)
            or not 0 <= target < len(self._items)
        ):
            return False
        # beginMoveRows takes the destination *before* which the row lands, in pre-move numbering.
        dest = target if delta < 0 else target + 1
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
        self._items.insert(target, self._items.pop(row))
        self.endMoveRows()
        return True

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        pid, nombre = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return nombre
        if role == ID_ROLE:
            return pid
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def _segments(text: str, spans: Iterable[Span]) -> list[tuple[str, bool]]:
    """Split `text` into (piece, bold) runs; spans may overlap or fall outside the text."""
    bold = [False] * len(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(text), end)):
            bold[i] = True
    runs: list[tuple[str, bool]] = []
    for ch, b in zip(text, bold, strict=True):
        if runs and runs[-1][1] == b:
            runs[-1] = (runs[-1][0] + ch, b)
        else:
            runs.append((ch, b))
    return runs


def _text_color(opt: QStyleOptionViewItem) -> QPalette.ColorRole:
    selected = bool(opt.state & QStyle.StateFlag.State_Selected)
    return QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text


class _RowDelegate(QStyledItemDelegate):
    """Shared painting: the style's row background, then our own text runs."""

    PAD = 10  # vertical breathing room per row; text starts PAD // 2 + INDENT from the edge
    INDENT = 4

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(
            size.width(), max(size.height(), QFontMetrics(option.font).height()) + self.PAD
        )

    def _background(
        self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex
    ) -> tuple[QStyleOptionViewItem, QRect]:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        return opt, rect.adjusted(self.PAD // 2 + self.INDENT, 0, -self.PAD // 2, 0)

    @staticmethod
    def _draw_runs(
        painter: QPainter, rect: QRect, runs: list[tuple[str, bool]], base: QFont
    ) -> None:
        """Draw runs left to right, eliding the one that overflows."""
        x = rect.left()
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        for piece, bold in runs:
            font = QFont(base)
            font.setBold(bold)
            fm = QFontMetrics(font)
            room = rect.right() - x
            if room <= 0:
                break
            width = fm.horizontalAdvance(piece)
            text = (
                piece if width <= room else fm.elidedText(piece, Qt.TextElideMode.ElideRight, room)
            )
            painter.setFont(font)
            painter.drawText(QRect(x, rect.top(), room + 1, rect.height()), flags, text)
            if width > room:
                break
            x += width


class SuggestionDelegate(_RowDelegate):
    """A suggestion with the matched parts in bold, wrapped so the whole name shows (never a
    "…" hiding "EN RESONADOR ABIERTO"); its code on the right; a partial match says which typed
    words it lacks on a second, grey line; taken rows say so."""

    GAP = 12

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = self._text_width(option, index)
        fm = QFontMetrics(option.font)
        lines = len(self._layout(self._runs(index), option.font, width))
        if index.data(MISSING_ROLE):
            lines += 1
        return QSize(width, lines * fm.height() + self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt, rect = self._background(painter, option, index)
        painter.save()
        taken = bool(index.data(TAKEN_ROLE))
        group = QPalette.ColorGroup.Disabled if taken else QPalette.ColorGroup.Normal
        palette = opt.palette
        role = _text_color(opt)
        fm = QFontMetrics(opt.font)
        line_h = fm.height()
        top = rect.top() + (rect.height() - self._lines_height(index, opt, rect.width())) // 2
        side = self._side_text(index)
        if side:
            small = QFont(opt.font)
            small.setItalic(taken)
            side_w = QFontMetrics(small).horizontalAdvance(side)
            secondary = (
                QPalette.ColorRole.PlaceholderText if role == QPalette.ColorRole.Text else role
            )
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorGroup.Normal, secondary))
            painter.drawText(
                QRect(rect.right() - side_w, top, side_w + 1, line_h),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                side,
            )
            rect = rect.adjusted(0, 0, -(side_w + self.GAP), 0)
        painter.setPen(palette.color(group, role))
        lines = self._layout(self._runs(index), opt.font, rect.width())
        for n, line in enumerate(lines):
            y = top + n * line_h
            for x, piece, bold in line:
                font = QFont(opt.font)
                font.setBold(bold)
                painter.setFont(font)
                painter.drawText(
                    QRect(rect.left() + x, y, rect.width() - x + 1, line_h),
                    int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                    piece,
                )
        missing = index.data(MISSING_ROLE)
        if missing:
            hint = QFont(opt.font)
            hint.setItalic(True)
            painter.setFont(hint)
            painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            painter.drawText(
                QRect(rect.left(), top + len(lines) * line_h, rect.width(), line_h),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                MISSING.format(", ".join(missing)),
            )
        painter.restore()

    def _lines_height(self, index: AnyIndex, opt: QStyleOptionViewItem, width: int) -> int:
        side = self._side_text(index)
        if side:
            width -= QFontMetrics(opt.font).horizontalAdvance(side) + self.GAP
        lines = len(self._layout(self._runs(index), opt.font, width))
        if index.data(MISSING_ROLE):
            lines += 1
        return lines * QFontMetrics(opt.font).height()

    @staticmethod
    def _side_text(index: AnyIndex) -> str:
        parts = []
        if index.data(TAKEN_ROLE):
            parts.append(TAKEN)
        code = index.data(CODE_ROLE)
        if code:
            parts.append(str(code))
        return " · ".join(parts)

    @staticmethod
    def _runs(index: AnyIndex) -> list[tuple[str, bool]]:
        return _segments(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""), index.data(SPANS_ROLE) or []
        )

    def _text_width(self, option: QStyleOptionViewItem, index: AnyIndex) -> int:
        """Room for the name: the view's width minus paddings and the code on the right."""
        widget = option.widget
        total = widget.viewport().width() if isinstance(widget, QListView) else option.rect.width()
        width = total - self.PAD - self.INDENT * 2 - 8
        side = self._side_text(index)
        if side:
            width -= QFontMetrics(option.font).horizontalAdvance(side) + self.GAP
        return max(width, 40)

    @staticmethod
    def _layout(
        runs: list[tuple[str, bool]], base: QFont, width: int
    ) -> list[list[tuple[int, str, bool]]]:
        """Word-wrap bold/regular runs into lines of (x, piece, bold); a word longer than the
        line is broken where it overflows (rare in a catalog)."""
        bold_font = QFont(base)
        bold_font.setBold(True)
        metrics = {False: QFontMetrics(base), True: QFontMetrics(bold_font)}
        lines: list[list[tuple[int, str, bool]]] = [[]]
        x = 0
        for text, bold in runs:
            fm = metrics[bold]
            for piece in re.findall(r"\s+|\S+", text):
                if piece.isspace():
                    if x:
                        x += fm.horizontalAdvance(" ")
                    continue
                w = fm.horizontalAdvance(piece)
                if x and x + w > width:
                    lines.append([])
                    x = 0
                while w > width and len(piece) > 1:  # one word wider than the line
                    cut = len(piece) - 1
                    while cut > 1 and fm.horizontalAdvance(piece[:cut]) > width - x:
                        cut -= 1
                    lines[-1].append((x, piece[:cut], bold))
                    lines.append([])
                    x = 0
                    piece = piece[cut:]
                    w = fm.horizontalAdvance(piece)
                lines[-1].append((x, piece, bold))
                x += w
        return lines


class ChosenDelegate(_RowDelegate):
    """'1.  NAME  ✕' — the number is the send order; the ✕ removes the row with the mouse."""

    remove_clicked = Signal(int)
    CLOSE = "✕"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.read_only = False

    def _close_rect(self, rect: QRect, font: QFont) -> QRect:
        w = QFontMetrics(font).horizontalAdvance(self.CLOSE) + self.PAD * 2
        return QRect(rect.right() - w, rect.top(), w, rect.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt, rect = self._background(painter, option, index)
        painter.save()
        palette = opt.palette
        font = QFont(opt.font)
        role = _text_color(opt)
        number = f"{index.row() + 1}."
        num_w = QFontMetrics(font).horizontalAdvance("00.") + self.PAD
        painter.setFont(font)
        secondary = QPalette.ColorRole.PlaceholderText if role == QPalette.ColorRole.Text else role
        painter.setPen(palette.color(secondary))
        painter.drawText(
            QRect(rect.left(), rect.top(), num_w - self.PAD, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            number,
        )
        text_rect = rect.adjusted(num_w, 0, 0, 0)
        if not self.read_only:
            close = self._close_rect(opt.rect, font)
            painter.drawText(close, Qt.AlignmentFlag.AlignCenter, self.CLOSE)
            text_rect.setRight(close.left() - self.PAD)
        painter.setPen(palette.color(role))
        self._draw_runs(
            painter, text_rect, [(str(index.data(Qt.ItemDataRole.DisplayRole) or ""), False)], font
        )
        painter.restore()

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if (
            not self.read_only
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and self._close_rect(option.rect, option.font).contains(event.position().toPoint())
        ):
            self.remove_clicked.emit(index.row())
            return True
        return super().editorEvent(event, model, option, index)


class HintListView(QListView):
    """A list view that shows a grey sentence in its viewport when it has no rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty_text = ""

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.viewport().update()

    def empty_text(self) -> str:
        return self._empty_text

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self._empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(
                self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            )
            area = self.viewport().rect().adjusted(10, 8, -10, -8)
            flags = (
                Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
            )
            painter.drawText(area, int(flags), self._empty_text)
            painter.end()
