"""The queue grid's texts laid out once and drawn as the stock delegate draws them (issue 19).

The stock delegate lays every cell's text out twice on every paint (once to decide whether it
must be elided and where it goes, once to draw it) and draws it with one call per cell. Here
the plain texts of a column (the view's font and colour: nearly every cell) are laid out as
ONE `QTextLayout`, a line per cell placed at the cell's text position, and drawn with one call;
a text too wide is elided with «…» exactly where the delegate elides it. A cell with a font or
colour of its own (bold «Envío», a row someone else holds) is laid out alone, once per text,
font and width. Both live in `TEXTS`, an LRU the app's grids share, cleared when a style, font
or screen change makes the layouts stale. The geometry is the stock delegate's
(`QCommonStyle`'s text margin, `QStyle.alignedRect` vertically, the layout's own alignment and
elision at the text rectangle's width); `queue_paint_check.matches_style` compares it with the
style in use pixel by pixel, and the view keeps the stock paint when they differ.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QGlyphRun,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle

_ELIDE = Qt.TextElideMode.ElideRight
# Horizontal placements other than the left (the text's glyphs then depend on the width).
_PLACED = int(
    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignJustify
)
_LEFT = int(Qt.AlignmentFlag.AlignLeft)
_VCENTER = int(Qt.AlignmentFlag.AlignVCenter)
_BOTTOM = int(Qt.AlignmentFlag.AlignBottom)
_SEPARATOR = "\u2028"  # QTextLayout's line separator: one line per cell
Laid = tuple[list[QGlyphRun], int]  # a text's glyphs and its natural width in 1/64 px
Lines = tuple[tuple[int, str], ...]  # a column's texts, each with its line's top (y)


class TextCache:
    """Laid-out texts, least recently used dropped past `capacity` (and columns past
    `columns_kept`). `laid_out` counts the texts laid out since the last `clear`."""

    def __init__(self, capacity: int = 4096, columns_kept: int = 64) -> None:
        self.capacity = capacity
        self.columns_kept = columns_kept
        self._texts: OrderedDict[tuple[Any, ...], Laid] = OrderedDict()
        self._columns: OrderedDict[tuple[Any, ...], QTextLayout] = OrderedDict()
        self.laid_out = 0
        self.ratio = 0.0  # the device pixel ratio the layouts were made for

    def __len__(self) -> int:
        return len(self._texts) + len(self._columns)

    def clear(self) -> None:
        self._texts.clear()
        self._columns.clear()
        self.laid_out = 0

    def column(
        self, lines: Lines, font: QFont, font_key: str, width: int, align: int
    ) -> QTextLayout:
        """One layout for a column's plain cells: a line per cell at its top, `width` px wide
        (the text rectangle's) and aligned by `align`; a text wider than its line is elided with
        «…» as the delegate elides it (and the column laid out again). Kept: a repaint of the
        same screen draws it again."""
        placed = align & _PLACED
        key = (lines, font_key, width, placed)
        layout = self._columns.get(key)
        if layout is not None:
            self._columns.move_to_end(key)
            return layout
        layout = _column_layout(lines, font, width, placed)
        if layout.maximumWidth() > width:
            metrics = QFontMetrics(font)
            fitted = list(lines)
            for number, (y, text) in enumerate(lines):
                if layout.lineAt(number).naturalTextWidth() > width:
                    fitted[number] = (y, metrics.elidedText(text, _ELIDE, width))
            layout = _column_layout(tuple(fitted), font, width, placed)
        self.laid_out += len(lines)
        self._columns[key] = layout
        if len(self._columns) > self.columns_kept:
            self._columns.popitem(last=False)
        return layout

    def text(self, text: str, font: QFont, font_key: str, width: int, align: int) -> Laid:
        """One cell's text as the delegate draws it in a text rectangle `width` px wide: whole or
        elided with «…», placed in the line by `align` (left-aligned: once for every width it
        fits in; otherwise once per width, as the layout's own centring places it)."""
        placed = align & _PLACED
        key: tuple[Any, ...] = (text, font_key, width, placed) if placed else (text, font_key)
        laid = self._get(key)
        if laid is None:
            laid = self._add(key, text, font, width, placed)
        if laid[1] <= width * 64:
            return laid
        key = (text, font_key, width, placed, "…")
        elided = self._get(key)
        if elided is None:
            short = QFontMetrics(font).elidedText(text, _ELIDE, width)
            elided = self._add(key, short, font, width, placed)
        return elided

    def _get(self, key: tuple[Any, ...]) -> Laid | None:
        laid = self._texts.get(key)
        if laid is not None:
            self._texts.move_to_end(key)
        return laid

    def _add(self, key: tuple[Any, ...], text: str, font: QFont, width: int, placed: int) -> Laid:
        # The glyphs of a one-line layout made as the delegate makes its own (a `QStaticText`
        # drawn at a fractional x renders other pixels than the layout).
        layout = _column_layout(((0, text),), font, width, placed)
        line = layout.lineAt(0)
        laid = (layout.glyphRuns(), round(line.naturalTextWidth() * 64))
        self.laid_out += 1
        self._texts[key] = laid
        if len(self._texts) > self.capacity:
            self._texts.popitem(last=False)
        return laid


TEXTS = TextCache()  # the app's: every grid shares it (one font, one style)


def _column_layout(lines: Lines, font: QFont, width: int, placed: int) -> QTextLayout:
    layout = QTextLayout(_SEPARATOR.join([text for _y, text in lines]), font)
    option = QTextOption(Qt.AlignmentFlag(placed or _LEFT))
    option.setWrapMode(QTextOption.WrapMode.ManualWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    for y, _text in lines:
        line = layout.createLine()
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
    layout.endLayout()
    return layout


def plain_text(text: str) -> bool:
    """A text one line of a column layout shows as its own layout would: no line break, tab
    or other control character (`str.isprintable` refuses all of them)."""
    return text.isprintable()


def line_height(font: QFont) -> int:
    """The height the stock delegate centres a one-line text by (its layout's, rounded)."""
    layout = QTextLayout("x", font)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(1000)
    layout.endLayout()
    return round(layout.boundingRect().height())


def text_colour(palette: QPalette, active: bool, foreground: QBrush | None) -> QColor:
    """The pen of a cell's text: its ForegroundRole, else the palette's text colour for the
    window's state (the delegate's colour group)."""
    if foreground is not None:
        return foreground.color()
    group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
    return palette.color(group, QPalette.ColorRole.Text)


class CellGeometry:
    """Where the stock delegate puts a cell's text, for one view's style and font."""

    def __init__(self, view: QAbstractItemView) -> None:
        style = view.style()
        self.margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        self._base = view.font()
        # FontRole font (by identity: the model's fonts are made once) → resolved, key, height
        self._fonts: dict[int, tuple[QFont, str, int, QFont | None]] = {}

    def font(self, font: QFont | None) -> tuple[QFont, str, int]:
        """The font a cell with FontRole `font` is drawn in (resolved against the view's, as
        the delegate does), its key and its line height."""
        known = self._fonts.get(id(font))
        if known is None:
            resolved = self._base if font is None else font.resolve(self._base)
            known = (resolved, resolved.key(), line_height(resolved), font)  # `font` kept alive
            self._fonts[id(font)] = known
        return known[0], known[1], known[2]

    def top(self, h: int, align: int, height: int | None = None) -> int:
        """Where a line of text starts in a cell `h` px high (`QStyle.alignedRect`)."""
        if height is None:
            height = self.font(None)[2]
        if align & _VCENTER:
            return h // 2 - height // 2
        if align & _BOTTOM:
            return h - height
        return 0

    def draw(
        self,
        painter: QPainter,
        texts: TextCache,
        cell: QRect,
        text: str,
        align: int,
        font: QFont | None,
    ) -> None:
        """One cell's text as the stock delegate draws it (the caller set the pen)."""
        resolved, key, height = self.font(font)
        margin = self.margin
        runs, _natural = texts.text(text, resolved, key, cell.width() - 2 * margin, align)
        at = QPointF(cell.x() + margin, cell.y() + self.top(cell.height(), align, height))
        for run in runs:
            painter.drawGlyphRun(at, run)

    def draw_column(
        self, painter: QPainter, layout: QTextLayout, x: int, w: int, bottom: int
    ) -> None:
        """A column's layout drawn at its text rectangle, clipped to the column (the delegate
        clips each cell to its rectangle)."""
        clip = painter.clipRegion() if painter.hasClipping() else None
        painter.setClipRect(QRect(x, 0, w, bottom), Qt.ClipOperation.IntersectClip)
        layout.draw(painter, QPointF(x + self.margin, 0))
        if clip is not None:
            painter.setClipRegion(clip)
        else:
            painter.setClipping(False)
