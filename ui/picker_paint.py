"""Painting the picker's rows: a suggestion (bold matches, wrapped, code on the right), a chosen
prestación ("1.  NAME  ✕"), and a list view that shows a grey sentence when it has no rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.picker_layout import RowLayout, RowLayouts
from ui.picker_models import (
    CODE_ROLE,
    MISSING_ROLE,
    ROW_ROLE,
    SPANS_ROLE,
    TAKEN,
    TAKEN_ROLE,
    AnyIndex,
    Suggestion,
    SuggestionModel,
)


def text_color(opt: QStyleOptionViewItem) -> QPalette.ColorRole:
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
    words it lacks on a second, grey line; taken rows say so. Layouts are cached per row content
    and width: sizeHint and paint run many times per keystroke."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layouts = RowLayouts()
        # (id of the row, width) → size: the view asks for every row's size several times per
        # keystroke (reset, current row, geometry). Rows are immutable and kept by the model
        # until it resets, so the picker calls `forget_sizes` then (and on a font change).
        self._sizes: dict[tuple[int, int], QSize] = {}

    def forget_sizes(self) -> None:
        self._sizes.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        widget = option.widget
        total = widget.viewport().width() if isinstance(widget, QListView) else option.rect.width()
        row = self._row(index)
        key = (id(row), total)
        size = self._sizes.get(key)
        if size is None:
            layout = self._layouts.layout(row, option.font, total - self.PAD - 2 * self.INDENT - 8)
            size = QSize(max(total, 1), layout.text_height + self.PAD)
            if isinstance(index.model(), SuggestionModel):  # rows it keeps: safe by identity
                if len(self._sizes) >= RowLayouts.CACHE:
                    self._sizes.clear()
                self._sizes[key] = size
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt, rect = self._background(painter, option, index)
        layout = self._layout_for(index, opt.font, rect.width())
        painter.save()
        taken = layout.side.startswith(TAKEN)
        group = QPalette.ColorGroup.Disabled if taken else QPalette.ColorGroup.Normal
        palette = opt.palette
        role = text_color(opt)
        line_h = self._layouts.metrics(opt.font, False).height()
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
        regular, bold_font, italic = self._layouts.fonts(opt.font)
        fonts = {False: regular, True: bold_font}
        for n, line in enumerate(layout.lines):
            y = top + n * line_h
            for x, piece, bold in line:
                painter.setFont(fonts[bold])
                painter.drawText(QRect(rect.left() + x, y, rect.width(), line_h), left_flags, piece)
        if layout.missing:
            painter.setFont(italic)
            painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            y = top + len(layout.lines) * line_h
            painter.drawText(
                QRect(rect.left(), y, rect.width(), line_h), left_flags, layout.missing
            )
        painter.restore()

    def _layout_for(self, index: AnyIndex, font: QFont, width: int) -> RowLayout:
        """The row laid out in `width` pixels (name + code on the right), cached."""
        return self._layouts.layout(self._row(index), font, width)

    @staticmethod
    def _row(index: AnyIndex) -> Suggestion:
        model = index.model()
        if isinstance(model, SuggestionModel):  # ours: the row itself, no role round-trips
            found = model.row_at(index.row())
            if found is not None:
                return found
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
        return row


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
        role = text_color(opt)
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            delegate = self.itemDelegate()
            if isinstance(delegate, SuggestionDelegate):
                delegate.forget_sizes()
        super().changeEvent(event)

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
