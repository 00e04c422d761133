"""The filter bar's counters when a text matched more requests than the grid counts (issue 19):
«más de 1.000 coincidencias», never a partial number shown as if it were the total."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from dim_revision.services.queue import TOPE_CONTEO, QueueCounts
from ui.filter_bar import FilterBar

pytestmark = pytest.mark.gui


def test_a_capped_count_says_more_than_the_cap(qtbot: QtBot) -> None:
    refresh = QAction()
    bar = FilterBar(date(2026, 3, 10), refresh)
    qtbot.addWidget(bar)
    bar.set_counts(QueueCounts(700, 301, 2, tope=TOPE_CONTEO))
    text = bar.counts_label.text()
    assert "más de 1.000</b> coincidencias" in text and "escribí más" in text
    assert "700" not in text and "301" not in text
    bar.set_counts(QueueCounts(7, 3, 1))
    assert "<b>7</b> sin resolver" in bar.counts_label.text()
    assert "<b>3</b> resueltas" in bar.counts_label.text()
