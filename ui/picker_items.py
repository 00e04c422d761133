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
ROW_ROLE = Qt.ItemDataRole.UserRole + 6  # the whole Suggestion (one call for the delegate)

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
        if role == ROW_ROLE:
            return s
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


@dataclass(frozen=True)
class _RowLayout:
    """A suggestion laid out for one width: wrapped name pieces, the side text, the height."""

    lines: tuple[tuple[tuple[int, str, bool], ...], ...]  # per line: (x, piece, bold)
    side: str  # "ya agregada · 34.50.01"
    side_width: int
    missing: str  # "sin coincidencia: cte", or ""
    text_height: int  # all lines, hint included


class SuggestionDelegate(_RowDelegate):
    """A suggestion with the matched parts in bold, wrapped so the whole name shows (never a
    "…" hiding "EN RESONADOR ABIERTO"); its code on the right; a partial match says which typed
    words it lacks on a second, grey line; taken rows say so. Layouts are cached per row content
    and width: sizeHint and paint run many times per keystroke."""

    GAP = 12
    CACHE = 512

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layouts: dict[tuple[object, ...], _RowLayout] = {}
        self._metrics: dict[tuple[str, bool], QFontMetrics] = {}
        self._widths: dict[tuple[str, bool, str], int] = {}  # word widths, shared by all rows

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        widget = option.widget
        total = widget.viewport().width() if isinstance(widget, QListView) else option.rect.width()
        layout = self._layout_for(index, option.font, total - self.PAD - 2 * self.INDENT - 8)
        return QSize(max(total, 1), layout.text_height + self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt, rect = self._background(painter, option, index)
        layout = self._layout_for(index, opt.font, rect.width())
        painter.save()
        taken = layout.side.startswith(TAKEN)
        group = QPalette.ColorGroup.Disabled if taken else QPalette.ColorGroup.Normal
        palette = opt.palette
        role = _text_color(opt)
        line_h = self._fm(opt.font, False).height()
        top = rect.top() + (rect.height() - layout.text_height) // 2
        left_flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        if layout.side:
            secondary = (
                QPalette.ColorRole.PlaceholderText if role == QPalette.ColorRole.Text else role
            )
            painter.setFont(opt.font)
            painter.setPen(palette.color(QPalette.ColorGroup.Normal, secondary))
            painter.drawText(
                QRect(rect.right() - layout.side_width, top, layout.side_width + 1, line_h),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                layout.side,
            )
        painter.setPen(palette.color(group, role))
        fonts = {False: QFont(opt.font), True: QFont(opt.font)}
        fonts[True].setBold(True)
        for n, line in enumerate(layout.lines):
            y = top + n * line_h
            for x, piece, bold in line:
                painter.setFont(fonts[bold])
                painter.drawText(QRect(rect.left() + x, y, rect.width(), line_h), left_flags, piece)
        if layout.missing:
            hint = QFont(opt.font)
            hint.setItalic(True)
            painter.setFont(hint)
            painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            y = top + len(layout.lines) * line_h
            painter.drawText(
                QRect(rect.left(), y, rect.width(), line_h), left_flags, layout.missing
            )
        painter.restore()

    def _fm(self, font: QFont, bold: bool, font_key: str | None = None) -> QFontMetrics:
        key = (font.key() if font_key is None else font_key, bold)
        fm = self._metrics.get(key)
        if fm is None:
            styled = QFont(font)
            styled.setBold(bold)
            fm = self._metrics[key] = QFontMetrics(styled)
        return fm

    def _layout_for(self, index: AnyIndex, font: QFont, width: int) -> _RowLayout:
        """The row laid out in `width` pixels (name + code on the right), cached."""
        row = index.data(ROW_ROLE)
        if not isinstance(row, Suggestion):  # another model: read the roles
            row = Suggestion(
                0,
                str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                tuple(tuple(sp) for sp in index.data(SPANS_ROLE) or ()),
                bool(index.data(TAKEN_ROLE)),
                index.data(CODE_ROLE),
                tuple(index.data(MISSING_ROLE) or ()),
            )
        font_key = font.key()
        key = (row.nombre, row.spans, row.taken, row.codigo, row.sin_coincidencia, width, font_key)
        layout = self._layouts.get(key)
        if layout is None:
            taken, code, missing = row.taken, row.codigo, row.sin_coincidencia
            side = " · ".join(p for p in (TAKEN if taken else "", str(code or "")) if p)
            regular = self._fm(font, False, font_key)
            side_width = regular.horizontalAdvance(side) if side else 0
            room = max(width - (side_width + self.GAP if side else 0), 40)
            lines = self._wrap(_segments(row.nombre, row.spans), font, room, font_key)
            hint = MISSING.format(", ".join(missing)) if missing else ""
            height = (len(lines) + (1 if hint else 0)) * regular.height()
            layout = _RowLayout(lines, side, side_width, hint, height)
            if len(self._layouts) >= self.CACHE:
                self._layouts.clear()
            self._layouts[key] = layout
        return layout

    def _wrap(
        self, runs: list[tuple[str, bool]], font: QFont, width: int, font_key: str
    ) -> tuple[tuple[tuple[int, str, bool], ...], ...]:
        """Word-wrap bold/regular runs into lines of (x, text, bold), neighbouring words of the
        same weight drawn as one text; a word longer than the line is broken where it overflows
        (rare in a catalog)."""
        lines: list[list[tuple[int, str, bool]]] = [[]]
        x = 0
        pending_space = False
        widths = self._widths
        for text, bold in runs:
            fm = self._fm(font, bold, font_key)
            space = self._width(" ", bold, fm, font_key)
            for piece in re.findall(r"\s+|\S+", text):
                if piece.isspace():
                    pending_space = bool(x)
                    continue
                key = (piece, bold, font_key)
                w = widths.get(key)
                if w is None:
                    w = widths[key] = fm.horizontalAdvance(piece)
                gap = space if pending_space else 0
                pending_space = False
                if x and x + gap + w > width:
                    lines.append([])
                    x, gap = 0, 0
                while w > width and len(piece) > 1:  # one word wider than the line
                    cut = len(piece) - 1
                    while cut > 1 and fm.horizontalAdvance(piece[:cut]) > width - x:
                        cut -= 1
                    lines[-1].append((x, piece[:cut], bold))
                    lines.append([])
                    x, gap = 0, 0
                    piece = piece[cut:]
                    w = fm.horizontalAdvance(piece)
                line = lines[-1]
                if line and line[-1][2] == bold:  # same weight: extend the previous text
                    start, previous, _ = line[-1]
                    line[-1] = (start, previous + (" " if gap else "") + piece, bold)
                else:
                    line.append((x + gap, piece, bold))
                x += gap + w
        if len(widths) > 20_000:
            widths.clear()
        return tuple(tuple(line) for line in lines)

    def _width(self, text: str, bold: bool, fm: QFontMetrics, font_key: str) -> int:
        key = (text, bold, font_key)
        w = self._widths.get(key)
        if w is None:
            w = self._widths[key] = fm.horizontalAdvance(text)
        return w


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
