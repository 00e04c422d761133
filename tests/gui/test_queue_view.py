"""The queue grid's own paint (`ui/queue_view.QueueView`) against the stock `QTableView`, pixel
by pixel: the same model (every kind of row: leases, sends, answers, ages, resolved or not),
set up as the window's grid, drawn in both views must give the same image — texts, elision
with «…» in narrow columns, centring, bold and italic cells, colours, alternating rows, the
selected row and the current cell's focus — and the fast path must really have drawn it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QProxyStyle,
    QStyle,
    QStyledItemDelegate,
    QStyleOption,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.gui.test_queue_cells import ME, NOW, _rows
from ui.queue_columns import COLUMNS
from ui.queue_items import LOOKS_ROLE, prototype, row_cells, write_age, write_row
from ui.queue_paint import TEXTS, TextCache
from ui.queue_paint_check import matches_style
from ui.queue_view import QueueView

pytestmark = pytest.mark.gui

ROWS = _rows()[::5]  # 84 rows: every lease, send, answer and age appears


def _model() -> QStandardItemModel:
    model = QStandardItemModel(len(ROWS), len(COLUMNS))
    model.setItemPrototype(prototype())
    for number, row in enumerate(ROWS):
        write_row(model, number, row_cells(row, NOW, ME), fresh=True)
    return model


def _grid(qtbot: QtBot, view: QTableView, model: QStandardItemModel, narrow: bool) -> QTableView:
    """Set up as `ui/main_window.py` sets up its grid."""
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    for i, column in enumerate(COLUMNS):
        view.horizontalHeader().resizeSection(i, column.width // 3 if narrow else column.width)
    view.resize(1366, 640)
    view.show()
    qtbot.waitExposed(view)
    return view


def _shot(qtbot: QtBot, view: QTableView) -> QImage:
    """The viewport as painted with the view's window active and the view focused (only one
    window is active at a time: each view is shot in turn)."""
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(lambda: view.hasFocus())
    return view.viewport().grab().toImage()


def _pair(qtbot: QtBot, narrow: bool = False) -> tuple[QTableView, QueueView]:
    stock = _grid(qtbot, QTableView(), _model(), narrow)
    ours = _grid(qtbot, QueueView(), _model(), narrow)
    assert isinstance(ours, QueueView)
    return stock, ours


def _differing(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    return sum(
        1 for x in range(0, a.width()) for y in range(a.height()) if a.pixel(x, y) != b.pixel(x, y)
    )


@pytest.fixture(autouse=True)
def _fresh_texts() -> Iterator[None]:
    TEXTS.clear()
    yield
    TEXTS.clear()


@pytest.mark.parametrize("narrow", [False, True], ids=["widths", "narrow"])
def test_the_grid_paints_every_kind_of_row_as_the_stock_view(qtbot: QtBot, narrow: bool) -> None:
    stock, ours = _pair(qtbot, narrow)
    for view in (stock, ours):
        view.selectRow(3)
        view.setCurrentIndex(view.model().index(3, 2))
    before = ours.fast_paints
    want, got = _shot(qtbot, stock), _shot(qtbot, ours)
    assert ours.fast_paints > before  # really the fast path, not the stock paint
    assert TEXTS.laid_out > 0
    assert got == want, f"{_differing(got, want)} pixels differ"
    # Scrolled to the end: other rows, an odd first row (the alternate colours swap).
    for view in (stock, ours):
        view.scrollToBottom()
    assert _shot(qtbot, ours) == _shot(qtbot, stock)


def test_the_current_cell_alone_and_no_selection_paint_as_the_stock_view(qtbot: QtBot) -> None:
    stock, ours = _pair(qtbot)
    for view in (stock, ours):
        view.selectionModel().setCurrentIndex(
            view.model().index(5, 6), view.selectionModel().SelectionFlag.NoUpdate
        )
        assert not view.selectionModel().hasSelection()
    assert _shot(qtbot, ours) == _shot(qtbot, stock)


def test_a_changed_row_repaints_its_new_texts(qtbot: QtBot) -> None:
    stock, ours = _pair(qtbot)
    _shot(qtbot, ours)  # its columns laid out and kept
    changed = replace(ROWS[8], nombre="ZAPATA, ROCÍO", resuelto=True, dni="30111222")
    for view in (stock, ours):
        model = view.model()
        assert isinstance(model, QStandardItemModel)
        write_row(model, 2, row_cells(changed, NOW, ME), fresh=False)
        write_age(model, 4, ROWS[4], NOW.replace(hour=23), ME)  # the clock ticked for another
        model.dataChanged.emit(model.index(2, 0), model.index(4, len(COLUMNS) - 1))
    got, want = _shot(qtbot, ours), _shot(qtbot, stock)
    assert got == want, f"{_differing(got, want)} pixels differ"


def test_the_looks_the_view_paints_are_the_roles_the_model_answers() -> None:
    model = _model()
    later = NOW.replace(hour=22)
    for number, row in enumerate(ROWS):
        if number % 3 == 0:
            write_age(model, number, row, later, ME)
    for number in range(model.rowCount()):
        looks = model.index(number, 0).data(LOOKS_ROLE)
        for column, (text, align, background, foreground, font) in enumerate(looks):
            index = model.index(number, column)
            assert text == index.data(Qt.ItemDataRole.DisplayRole)
            want_align = index.data(Qt.ItemDataRole.TextAlignmentRole)
            assert align == (want_align if want_align is not None else 0x81)
            assert background == index.data(Qt.ItemDataRole.BackgroundRole)
            assert foreground == index.data(Qt.ItemDataRole.ForegroundRole)
            want_font = index.data(Qt.ItemDataRole.FontRole)
            assert (font is None) == (want_font is None)
            if isinstance(want_font, QFont):
                assert isinstance(font, QFont)
                assert (font.bold(), font.italic()) == (want_font.bold(), want_font.italic())


class _ShiftedText(QProxyStyle):
    """A style that puts item texts elsewhere than QCommonStyle puts them."""

    def subElementRect(
        self, element: QStyle.SubElement, option: QStyleOption, widget: QWidget | None = None
    ) -> QRect:
        rect = super().subElementRect(element, option, widget)
        if element == QStyle.SubElement.SE_ItemViewItemText:
            return rect.adjusted(4, 0, 0, 0)
        return rect


class _RowMarks(QProxyStyle):
    """Item panels the fast path would not draw (a mark on every row's cells)."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PrimitiveElement.PE_PanelItemViewRow:
            painter.fillRect(
                QRect(option.rect.topLeft(), option.rect.topLeft()), Qt.GlobalColor.red
            )


@pytest.mark.parametrize("style_class", [_ShiftedText, _RowMarks])
def test_a_style_that_draws_otherwise_keeps_the_stock_paint(
    qtbot: QtBot, style_class: type[QProxyStyle]
) -> None:
    stock, ours = _pair(qtbot)
    styles = [style_class("fusion"), style_class("fusion")]
    for view, style in zip((stock, ours), styles, strict=True):
        view.setStyle(style)
    assert not matches_style(ours, ours.verticalHeader().defaultSectionSize(), 1)
    before = ours.fast_paints
    assert _shot(qtbot, ours) == _shot(qtbot, stock)
    assert ours.fast_paints == before


def test_the_text_margin_follows_the_style(qtbot: QtBot) -> None:
    stock, ours = _pair(qtbot)
    for view in (stock, ours):
        view.setStyle(_WiderMargins("fusion"))
    before = ours.fast_paints
    got, want = _shot(qtbot, ours), _shot(qtbot, stock)
    assert ours.fast_paints > before
    assert got == want, f"{_differing(got, want)} pixels differ"


class _WiderMargins(QProxyStyle):
    """Item texts further in: the fast path reads the margin from the style."""

    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric == QStyle.PixelMetric.PM_FocusFrameHMargin:
            return 6
        return super().pixelMetric(metric, option, widget)


def test_a_font_change_lays_the_texts_out_again(qtbot: QtBot) -> None:
    stock, ours = _pair(qtbot)
    _shot(qtbot, ours)
    assert len(TEXTS) > 0
    bigger = QFont(ours.font())
    bigger.setPointSize(bigger.pointSize() + 3)
    for view in (stock, ours):
        view.setFont(bigger)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    assert TEXTS.laid_out == 0  # the old fonts' layouts dropped
    before = ours.fast_paints
    got, want = _shot(qtbot, ours), _shot(qtbot, stock)
    assert ours.fast_paints > before
    assert got == want, f"{_differing(got, want)} pixels differ"


def test_the_style_sheet_of_the_app_paints_as_the_stock_view(qtbot: QtBot) -> None:
    from ui.app import load_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    load_style(app)
    try:
        stock, ours = _pair(qtbot)
        for view in (stock, ours):
            view.selectRow(1)
        before = ours.fast_paints
        got, want = _shot(qtbot, ours), _shot(qtbot, stock)
        assert ours.fast_paints > before
        assert got == want, f"{_differing(got, want)} pixels differ"
    finally:
        app.setStyleSheet("")


def test_the_text_cache_is_bounded_least_recently_used_first() -> None:
    texts = TextCache(capacity=3, columns_kept=2)
    font = QFont()
    key = font.key()
    for text in ("uno", "dos", "tres"):
        texts.text(text, font, key, 200, 0x81)
    texts.text("uno", font, key, 200, 0x81)  # used again: «dos» is now the oldest
    texts.text("cuatro", font, key, 200, 0x81)
    laid = texts.laid_out
    texts.text("uno", font, key, 200, 0x81)
    texts.text("tres", font, key, 200, 0x81)
    assert texts.laid_out == laid  # both kept
    texts.text("dos", font, key, 200, 0x81)
    assert texts.laid_out == laid + 1  # dropped, laid out again
    for n in range(3):
        texts.column(((0, f"fila {n}"),), font, key, 200, 0x81)
    assert len(texts) == 3 + 2


def test_another_delegate_paints_the_grid_itself(qtbot: QtBot) -> None:
    """A delegate of the window's own (the skipped rows' marks) is what paints every cell."""

    class Marked(QStyledItemDelegate):
        def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
            super().initStyleOption(option, index)
            option.text = "↷ " + option.text

    stock, ours = _pair(qtbot)
    for view in (stock, ours):
        view.setItemDelegate(Marked(view))
    before = ours.fast_paints
    assert _shot(qtbot, ours) == _shot(qtbot, stock)
    assert ours.fast_paints == before
    for view in (stock, ours):
        view.setItemDelegate(QStyledItemDelegate(view))
    assert _shot(qtbot, ours) == _shot(qtbot, stock)
    assert ours.fast_paints > before
