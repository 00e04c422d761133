"""GUI test helpers: a task runner that is always shut down, typing Spanish text safely, and the
setup dialog on a throw-away config file.

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

from dim_revision.config import Settings
from dim_revision.secrets import KeyringStore
from ui.setup_dialog import SetupDialog
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


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """Where the setup dialog writes (not there yet)."""
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def setup_dialog(
    qtbot: QtBot, runner: TaskRunner, config_file: Path, tmp_path: Path
) -> Iterator[SetupDialog]:
    """The first-run setup dialog over `config_file`, secrets in the (test) keyring."""
    dlg = SetupDialog(
        config_file, KeyringStore(), runner, Settings(), tmp_path / "demo.sqlite3", first_run=True
    )
    qtbot.addWidget(dlg)
    yield dlg


@pytest.fixture(autouse=True, scope="session")
def frozen_startup_heap() -> None:
    """Modules and fixtures loaded so far live for the whole session: keep them out of the
    per-test collections below (which then stay cheap)."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def qt_runtime_guard(frozen_startup_heap: None) -> Iterator[None]:
    """What `ui.runtime_guard` does in the app: no cycle collection on task-runner threads (it
    would destroy Qt objects there)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()  # on the GUI thread, after pytest-qt closed the test's widgets
    if enabled:
        gc.enable()
