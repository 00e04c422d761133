"""Order viewer, issue 19: the next record's prefetch never competes with the picture on its way
to the screen (real JPEGs, the real task runner; helpers from `test_viewer`)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.test_viewer import Source, jpeg, wait_picture

# The viewer's fixtures, re-exported for pytest.
from tests.gui.test_viewer import opened as opened
from tests.gui.test_viewer import source as source
from tests.gui.test_viewer import viewer as viewer
from ui.tasks import TaskRunner
from ui.viewer import OrderViewer

pytestmark = pytest.mark.gui


def test_the_next_records_prefetch_waits_for_the_picture_on_its_way_to_the_screen(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    """Two 12 MP decodes at once on two cores slowed the one the operator waits for."""
    current = source.file("actual.jpg", "image/jpeg", jpeg(800, 600), gate=True)
    nxt = source.file("siguiente.jpg", "image/jpeg", jpeg(800, 600))
    shown: list[bool] = []
    viewer.shown.connect(lambda: shown.append(True))
    viewer.set_files([current])
    qtbot.waitUntil(lambda: source.calls[current.adjunto_id] == 1)
    viewer.prefetch([nxt])
    assert source.calls[nxt.adjunto_id] == 0  # not while the current one decodes

    source.gates[current.adjunto_id].set()
    wait_picture(qtbot, viewer, runner)
    qtbot.waitUntil(lambda: source.calls[nxt.adjunto_id] == 1 and runner.is_idle())
    assert shown == [True]
    viewer.set_files([nxt])
    assert viewer.displayed_pixmap() is not None  # prefetched: shown at once
    assert source.calls[nxt.adjunto_id] == 1
