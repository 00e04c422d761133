"""The queue grid's view: a `QTableView` whose paint draws the plain cells itself (issue 19).

`QTableView` paints every visible cell through the delegate, which lays the cell's text out
twice on every paint. This view draws the cells that show nothing but their text, colours and
font from the row's looks (`queue_items.LOOKS_ROLE`, one read per row): the plain texts of a
column as one text layout drawn at once, the others laid out once per text (`queue_paint`);
the selected row, the row under the mouse and the current cell are painted by the stock style
and delegate, cell by cell, as `QTableView` paints them. Grid lines, alternating rows and
background brushes as `QTableView` draws them.

The view falls back to `QTableView.paintEvent` whenever it cannot promise the stock look: a model
without looks, a delegate other than the stock one (the skipped rows' marks), the view disabled,
right-to-left, word wrap or another elide mode, a translucent grid colour, or a style whose
drawing of sample cells differs from the fast path's (`queue_paint_check.matches_style`,
checked once per style, font and palette). Tooltips, accessibility and every role still come
from the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QLineF, QRect, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPaintEvent, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ui.queue_items import LOOKS_ROLE
from ui.queue_paint import TEXTS, CellGeometry, TextCache, text_colour
from ui.queue_paint_check import matches_style

_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate
_ROW_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewRow
_GRID_COLOUR = QStyle.StyleHint.SH_Table_GridLineColor
_CHANGES = (
    QEvent.Type.StyleChange,
    QEvent.Type.FontChange,
    QEvent.Type.PaletteChange,
    QEvent.Type.ApplicationFontChange,
    QEvent.Type.ApplicationPaletteChange,
)
# Verdicts of `matches_style` by (style, font, palette, pixel ratio, row height): once each.
_VERDICTS: dict[tuple[Any, ...], bool] = {}


class QueueView(QTableView):
    """The queue grid (`ui/main_window.py`); `texts`: the laid-out texts it draws from."""

    def __init__(self, parent: QWidget | None = None, *, texts: TextCache = TEXTS) -> None:
        super().__init__(parent)
        self.texts = texts
        self._geometry: CellGeometry | None = None
        self.fast_paints = 0  # paints drawn by the fast path (tests)

    # --- when the fast path holds ----------------------------------------------------------------

    # No `event` or `viewportEvent` override: a Python handler called for every event of the view
    # holds the GIL while the worker reading the page wants it (measured: the first rows painted
    # 3–7 ms later). Only the rare events come here.

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fast_ready()  # the style check before any row is painted

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _CHANGES:
            self._forget()
        super().changeEvent(event)

    def _forget(self) -> None:
        self._geometry = None
        self.texts.clear()  # the texts were laid out for the old fonts

    def fast_ready(self) -> bool:
        """Whether the fast path may paint (the style check done once per style and font)."""
        style = self.style()
        height = self.verticalHeader().defaultSectionSize()
        key = (
            id(style),
            style.objectName(),
            self.font().key(),
            self.palette().cacheKey(),
            self.devicePixelRatioF(),
            height,
            self.showGrid(),
        )
        verdict = _VERDICTS.get(key)
        if verdict is None:
            verdict = matches_style(self, height, 1 if self.showGrid() else 0)
            _VERDICTS[key] = verdict
        return verdict

    def _fast_possible(self) -> bool:
        model = self.model()
        return (
            model is not None
            and self._stock_delegates(model.columnCount())
            and self.isEnabled()
            and not self.wordWrap()
            and self.textElideMode() == Qt.TextElideMode.ElideRight
            and self.layoutDirection() == Qt.LayoutDirection.LeftToRight
            and model.rowCount() > 0
            and self.fast_ready()
        )

    def _stock_delegates(self, columns: int) -> bool:
        """Every cell painted by the stock delegate (another one, e.g. the skipped rows' marks in
        `loop_wiring`, paints what the looks do not say: the stock paint then)."""
        if type(self.itemDelegate()) is not QStyledItemDelegate:
            return False
        return all(self.itemDelegateForColumn(c) is None for c in range(columns))

    # --- the paint -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._fast_possible():
            super().paintEvent(event)
            return
        ratio = self.devicePixelRatioF()
        if self.texts.ratio != ratio:  # another screen: the glyphs of the old one are stale
            self.texts.clear()
            self.texts.ratio = ratio
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        style = self.style()
        grid_on = self.showGrid()
        grid = 1 if grid_on else 0
        grid_colour = QColor.fromRgba(style.styleHint(_GRID_COLOUR, option, self) & 0xFFFFFFFF)
        if grid_on and grid_colour.alpha() != 255:
            super().paintEvent(event)  # the row-wide fills below need an opaque grid over them
            return
        if self._geometry is None:
            self._geometry = CellGeometry(self)
        self.fast_paints += 1
        painter = QPainter(self.viewport())
        try:
            self._paint_rows(painter, event.rect(), option, grid, grid_colour)
        finally:
            painter.end()

    def _paint_rows(
        self,
        painter: QPainter,
        dirty: QRect,
        option: QStyleOptionViewItem,
        grid: int,
        colour: QColor,
    ) -> None:
        model = self.model()
        header = self.horizontalHeader()
        vertical = self.verticalHeader()
        right_end = header.length() - header.offset() - 1
        bottom_end = vertical.length() - vertical.offset() - 1
        area = QRect(dirty)
        area.setRight(min(area.right(), right_end))
        area.setBottom(min(area.bottom(), bottom_end))
        if not area.isValid():
            return
        left = header.visualIndexAt(area.left())
        right = header.visualIndexAt(area.right())
        left = 0 if left == -1 else left
        right = header.count() - 1 if right == -1 else right
        top = vertical.visualIndexAt(area.top())
        bottom = vertical.visualIndexAt(area.bottom())
        bottom = vertical.count() - 1 if bottom == -1 else bottom
        if top == -1 or top > bottom:
            return
        columns = []
        for visual in range(left, right + 1):
            column = header.logicalIndex(visual)
            if not header.isSectionHidden(column):
                x = self.columnViewportPosition(column)
                columns.append((column, x, self.columnWidth(column) - grid))
        if not columns:
            return
        rows = []
        for visual in range(top, bottom + 1):
            row = vertical.logicalIndex(visual)
            if not vertical.isSectionHidden(row):
                rows.append(
                    (visual, row, self.rowViewportPosition(row), self.rowHeight(row) - grid)
                )
        special = self._special_rows()
        current = self.currentIndex()
        current_cell = (current.row(), current.column()) if current.isValid() else None
        active = bool(option.state & QStyle.StateFlag.State_Active)
        palette = option.palette
        group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
        alternate_brush = palette.brush(group, QPalette.ColorRole.AlternateBase)
        alternating = self.alternatingRowColors()
        first_x = columns[0][1]
        _last, last_x, last_w = columns[-1]
        row_width = last_x + last_w - first_x
        plain: dict[tuple[int, int], list[tuple[int, str]]] = {}  # (column, align) → [(y, text)]
        for visual, row, y, h in rows:
            alternate = alternating and bool(visual & 1)
            if row in special:
                self._paint_stock_row(painter, option, row, y, h, columns, alternate)
                continue
            looks = model.index(row, 0).data(LOOKS_ROLE)
            if not isinstance(looks, tuple):
                self._paint_stock_row(painter, option, row, y, h, columns, alternate)
                continue
            if alternate:
                painter.fillRect(QRect(first_x, y, row_width, h), alternate_brush)
            if current_cell is not None and current_cell[0] == row:
                at = [c for c in columns if c[0] == current_cell[1]]
                others = [c for c in columns if c[0] != current_cell[1]]
                self._paint_stock_row(painter, option, row, y, h, at, alternate)
                self._paint_looks(painter, looks, others, y, h, palette, active, plain)
                continue
            self._paint_looks(painter, looks, columns, y, h, palette, active, plain)
        self._paint_columns(painter, plain, columns, palette, active)
        if grid:
            self._paint_grid(painter, area, rows, columns, colour)

    def _paint_looks(
        self,
        painter: QPainter,
        looks: tuple[Any, ...],
        columns: list[tuple[int, int, int]],
        y: int,
        h: int,
        palette: QPalette,
        active: bool,
        plain: dict[tuple[int, int], list[tuple[int, str]]],
    ) -> None:
        """The row's backgrounds; its texts in the view's font and colour go to `plain` (drawn
        by column), the others (a font or a colour of their own) are drawn here."""
        geometry = self._geometry
        assert geometry is not None
        texts = self.texts
        pen_for: Any = None
        font_for: Any = None
        first = True
        for column, x, w in columns:
            text, align, background, foreground, font = looks[column]
            if background is not None:
                painter.fillRect(QRect(x, y, w, h), background)
            if not text:
                continue
            if foreground is None and font is None and text.isprintable():  # `plain_text`
                line = (y + geometry.top(h, align), text)
                group = plain.get((column, align))
                if group is None:
                    plain[(column, align)] = [line]
                else:
                    group.append(line)
                continue
            if first or foreground is not pen_for:
                painter.setPen(text_colour(palette, active, foreground))
                pen_for = foreground
            if first or font is not font_for:
                painter.setFont(geometry.font(font)[0])
                font_for = font
            first = False
            geometry.draw(painter, texts, QRect(x, y, w, h), text, align, font)

    def _paint_columns(
        self,
        painter: QPainter,
        plain: dict[tuple[int, int], list[tuple[int, str]]],
        columns: list[tuple[int, int, int]],
        palette: QPalette,
        active: bool,
    ) -> None:
        """Each column's plain texts: one layout, one draw, clipped to the column as the
        delegate clips each cell."""
        if not plain:
            return
        geometry = self._geometry
        assert geometry is not None
        font, key, _height = geometry.font(None)
        painter.setFont(font)
        painter.setPen(text_colour(palette, active, None))
        margin = geometry.margin
        where = {column: (x, w) for column, x, w in columns}
        bottom = self.viewport().height()
        for (column, align), lines in plain.items():
            x, w = where[column]
            layout = self.texts.column(tuple(lines), font, key, w - 2 * margin, align)
            geometry.draw_column(painter, layout, x, w, bottom)

    def _special_rows(self) -> set[int]:
        """Rows the stock delegate paints whole: selected or under the mouse (the current cell
        alone is painted by it too: `_paint_rows`)."""
        rows: set[int] = set()
        selection = self.selectionModel()
        if selection is not None:
            rows.update(i.row() for i in selection.selectedIndexes())
        hover = self._hover_index()
        if hover is not None:
            rows.add(hover[0])
        return rows

    def _hover_index(self) -> tuple[int, int] | None:
        """The cell under the mouse, as `QAbstractItemView` notes it from hover events (only
        sent to a viewport with `WA_Hover`, which the styles that draw hover set)."""
        viewport = self.viewport()
        if not viewport.testAttribute(Qt.WidgetAttribute.WA_Hover) or not viewport.underMouse():
            return None
        index = self.indexAt(viewport.mapFromGlobal(QCursor.pos()))
        return (index.row(), index.column()) if index.isValid() else None

    def _paint_stock_row(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: int,
        y: int,
        h: int,
        columns: list[tuple[int, int, int]],
        alternate: bool,
    ) -> None:
        """The row's cells (of `columns`) as `QTableViewPrivate::drawCell` paints them."""
        model = self.model()
        style = self.style()
        selection = self.selectionModel()
        current = self.currentIndex()
        focus = (self.hasFocus() or self.viewport().hasFocus()) and current.isValid()
        hover = self._hover_index()
        for column, x, w in columns:
            index = model.index(row, column)
            if not index.isValid():
                continue
            opt = QStyleOptionViewItem(option)
            opt.rect = QRect(x, y, w, h)
            if self.alternatingRowColors():
                if alternate:
                    opt.features |= _ALTERNATE
                else:
                    opt.features &= ~_ALTERNATE
            if selection is not None and selection.isSelected(index):
                opt.state |= QStyle.StateFlag.State_Selected
            if hover == (row, column):
                opt.state |= QStyle.StateFlag.State_MouseOver
            if opt.state & QStyle.StateFlag.State_Enabled:
                palette = QPalette(opt.palette)
                if not model.flags(index) & Qt.ItemFlag.ItemIsEnabled:
                    opt.state &= ~QStyle.StateFlag.State_Enabled
                    palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
                else:
                    palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
                opt.palette = palette
            if focus and index == current:
                opt.state |= QStyle.StateFlag.State_HasFocus
            style.drawPrimitive(_ROW_PANEL, opt, painter, self)
            self.itemDelegateForIndex(index).paint(painter, opt, index)

    def _paint_grid(
        self,
        painter: QPainter,
        area: QRect,
        rows: list[tuple[int, int, int, int]],
        columns: list[tuple[int, int, int]],
        colour: QColor,
    ) -> None:
        """`QTableView`'s grid lines: under every row, right of every column."""
        painter.setPen(QPen(colour, 1, self.gridStyle()))
        for _visual, _row, y, h in rows:
            painter.drawLine(QLineF(area.left(), y + h, area.right(), y + h).translated(0.5, 0.5))
        for _column, x, w in columns:
            painter.drawLine(QLineF(x + w, area.top(), x + w, area.bottom()).translated(0.5, 0.5))
