"""GUI test helpers: a task runner that is always shut down, and typing Spanish text safely.

`qtbot.keyClicks` with non-ASCII text (ñ, á) aborts the process on PySide6 6.12, so widgets get
one QKeyEvent per character carrying its text (DESIGN §8).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.tasks import TaskRunner

# The offscreen QPA plugin warns about this whenever a top-level window with a layout is shown;
# it says nothing about our code, and any Qt warning fails a test (qt_log_level_fail).
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type `text` into `widget` (focused first), one key press/release per character."""
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    for ch in text:
        key = _key_for(ch)
        mods = Qt.KeyboardModifier.ShiftModifier if ch.isupper() else Qt.KeyboardModifier.NoModifier
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, mods, ch))
    qtbot.wait(0)  # let queued reactions to textChanged (timers at 0 ms) run


def _key_for(ch: str) -> int:
    """Qt key codes for Latin-1 match the upper-case code point (Key_Ntilde == ord('Ñ'))."""
    if ch == "\n":
        return int(Qt.Key.Key_Return)
    upper = ch.upper()
    if len(upper) == 1 and ord(upper) < 0x100:
        return ord(upper)
    return int(Qt.Key.Key_unknown)


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(max_threads=3)
    yield task_runner
    assert task_runner.shutdown(10_000), "background tasks still running at teardown"


@pytest.fixture(autouse=True)
def none_refcount_guard() -> None:
    """PySide6 6.12 on Python 3.11 drops references to None (and True/False); ui/none_guard.py."""
    from ui.none_guard import top_up

    top_up()
