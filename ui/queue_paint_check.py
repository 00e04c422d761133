"""Whether the grid's own paint (`queue_paint`) draws exactly what the style in use draws.

The fast paint follows `QCommonStyle`'s item drawing (the one Fusion, Windows and the style
sheet style without item rules use). Another style may draw item panels or texts its own way,
so before painting rows the view draws sample cells both ways into images — texts whole and
elided, left and centred, bold, a background brush, an alternate row, the window active and
not, through the view's own style, font, palette and delegate — and keeps the stock paint
unless every pixel is the same (`matches_style`).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem

from ui.queue_paint import CellGeometry, TextCache, text_colour

_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate
# text, width, alignment, bold, background, alternate row
_SAMPLES: tuple[tuple[str, int, int, bool, bool, bool], ...] = (
    ("10/03 18:42", 110, _LEFT, False, False, False),
    ("GONZÁLEZ, MARÍA DE LOS ÁNGELES", 120, _LEFT, False, False, True),
    ("3 h 20", 70, _CENTER, False, True, False),
    ("✓", 65, _CENTER, False, False, True),
    ("Entregado · respondió", 80, _LEFT, True, False, False),
    ("maria.gonzalez@example.com", 60, _LEFT, False, False, False),
    ("Sí", 30, _CENTER, False, True, True),
    ("#1234567", 20, _CENTER, True, False, False),
    ("OSDE", 110, _LEFT, False, True, True),
)
_GAP = 2


def matches_style(view: QAbstractItemView, row_height: int, grid: int) -> bool:
    """The sample cells drawn by the view's style and delegate equal, pixel for pixel, the
    same cells drawn by the fast paint, with the window active and not."""
    bold = QFont()
    bold.setBold(True)
    brush = QBrush(QColor("#fbe3b5"))
    model = _sample_model(bold, brush)
    height = row_height - grid
    width = sum(w + _GAP for _t, w, *_rest in _SAMPLES)
    for active in (True, False):
        stock = _canvas(view, width, height)
        fast = _canvas(view, width, height)
        _draw_stock(view, model, stock, height, active)
        _draw_fast(view, fast, height, active, bold, brush)
        if stock != fast:
            return False
    return True


def _sample_model(bold: QFont, brush: QBrush) -> QStandardItemModel:
    model = QStandardItemModel(1, len(_SAMPLES))
    for column, (text, _w, align, strong, filled, _alternate) in enumerate(_SAMPLES):
        index = model.index(0, column)
        model.setData(index, text)
        model.setData(index, align, Qt.ItemDataRole.TextAlignmentRole)
        if strong:
            model.setData(index, bold, Qt.ItemDataRole.FontRole)
        if filled:
            model.setData(index, brush, Qt.ItemDataRole.BackgroundRole)
    return model


def _canvas(view: QAbstractItemView, width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(view.palette().color(QPalette.ColorRole.Base))
    return image


def _draw_stock(
    view: QAbstractItemView, model: QStandardItemModel, image: QImage, height: int, active: bool
) -> None:
    """As `QTableViewPrivate::drawCell`: the row's panel, then the delegate."""
    style = view.style()
    delegate = view.itemDelegate()
    base = QStyleOptionViewItem()
    view.initViewItemOption(base)
    painter = QPainter(image)
    x = 0
    for column, (_text, w, _align, _bold, _filled, alternate) in enumerate(_SAMPLES):
        opt = QStyleOptionViewItem(base)
        opt.rect = QRect(x, 0, w, height)
        if active:
            opt.state |= QStyle.StateFlag.State_Active
        else:
            opt.state &= ~QStyle.StateFlag.State_Active
        if alternate:
            opt.features |= _ALTERNATE
        else:
            opt.features &= ~_ALTERNATE
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, opt, painter, view)
        delegate.paint(painter, opt, model.index(0, column))
        x += w + _GAP
    painter.end()


def _draw_fast(
    view: QAbstractItemView, image: QImage, height: int, active: bool, bold: QFont, brush: QBrush
) -> None:
    """As `QueueView` paints a plain row: fills, then each text (a font of its own: alone; the
    view's: a line of its column's layout)."""
    geometry = CellGeometry(view)
    texts = TextCache(64)
    palette = view.palette()
    group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
    painter = QPainter(image)
    x = 0
    for text, w, align, strong, filled, alternate in _SAMPLES:
        cell = QRect(x, 0, w, height)
        if alternate:
            painter.fillRect(cell, palette.brush(group, QPalette.ColorRole.AlternateBase))
        if filled:
            painter.fillRect(cell, brush)
        font = bold if strong else None
        resolved, key, _line = geometry.font(font)
        painter.setFont(resolved)
        painter.setPen(text_colour(palette, active, None))
        if strong:
            geometry.draw(painter, texts, cell, text, align, font)
        else:
            lines = ((geometry.top(height, align), text),)
            layout = texts.column(lines, resolved, key, w - 2 * geometry.margin, align)
            geometry.draw_column(painter, layout, x, w, height)
        x += w + _GAP
    painter.end()
