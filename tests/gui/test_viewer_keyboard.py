"""Issue 13.5: the order viewer by keyboard (F6 in, Esc or F6 back; modifier keys from the picker),
a visible focus frame, photos upright per EXIF, and the text-orientation suggestion."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.secrets import MemoryStore
from tests.gui.harness import activate, make_context, open_window, press
from tests.gui.seeding import seed_queue
from tests.gui.test_viewer import RED, Source, jpeg, pdf_two_pages, wait_picture
from ui.main_window import MainWindow
from ui.tasks import TaskRunner
from ui.viewer import OrderViewer
from ui.viewer.focus import FOCUS_COLOR

pytestmark = pytest.mark.gui

Mod = Qt.KeyboardModifier


@pytest.fixture
def window(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> MainWindow:
    seed_queue(sqlite_db, clock(), count=2)
    opened = open_window(qtbot, make_context(sqlite_db, clock, secrets), runner)
    activate(qtbot, opened.window)
    return opened.window


def _source() -> Source:
    """Files whose ids are not the seeded attachments' (the window's cache is keyed by id)."""
    source = Source()
    source._ids = iter(range(50_000, 60_000))
    return source


def _order(qtbot: QtBot, window: MainWindow, runner: TaskRunner) -> OrderViewer:
    """Two files on the viewer: a two-page PDF and a photo."""
    source = _source()
    viewer = window.viewer
    viewer.set_files(
        [
            source.file("orden.pdf", "application/pdf", pdf_two_pages()),
            source.file("foto.jpg", "image/jpeg", jpeg(800, 600)),
        ]
    )
    wait_picture(qtbot, viewer, runner)
    return viewer


def test_f6_takes_the_keyboard_to_the_picture_and_esc_or_f6_bring_it_back(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner
) -> None:
    viewer = _order(qtbot, window, runner)
    search = window.picker.search_edit
    window.picker.focus_search()
    qtbot.waitUntil(search.hasFocus)

    press(qtbot, search, Qt.Key.Key_F6)
    qtbot.waitUntil(viewer.canvas.hasFocus)
    fitted = viewer.canvas.scale_factor()
    press(qtbot, viewer.canvas, Qt.Key.Key_Plus)  # the viewer's own plain keys work there
    assert viewer.canvas.scale_factor() == pytest.approx(fitted * 1.25)
    press(qtbot, viewer.canvas, Qt.Key.Key_PageDown)
    assert viewer.page == 1
    press(qtbot, viewer.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(search.hasFocus)

    press(qtbot, search, Qt.Key.Key_F6)
    qtbot.waitUntil(viewer.canvas.hasFocus)
    press(qtbot, viewer.canvas, Qt.Key.Key_F6)
    qtbot.waitUntil(search.hasFocus)

    # From the grid too, and back to the grid.
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus)
    press(qtbot, window.grid, Qt.Key.Key_F6)
    qtbot.waitUntil(viewer.canvas.hasFocus)
    press(qtbot, viewer.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(window.grid.hasFocus)


def test_zoom_rotate_page_and_file_work_from_the_picker_with_modifiers(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner
) -> None:
    viewer = _order(qtbot, window, runner)
    search = window.picker.search_edit
    window.picker.focus_search()
    qtbot.waitUntil(search.hasFocus)
    fitted = viewer.canvas.scale_factor()

    press(qtbot, search, Qt.Key.Key_Plus, Mod.ControlModifier)
    assert viewer.canvas.scale_factor() == pytest.approx(fitted * 1.25)
    press(qtbot, search, Qt.Key.Key_Minus, Mod.ControlModifier)
    assert viewer.canvas.scale_factor() == pytest.approx(fitted)
    press(qtbot, search, Qt.Key.Key_R, Mod.AltModifier)
    assert viewer.rotation() == 90
    press(qtbot, search, Qt.Key.Key_R, Mod.AltModifier | Mod.ShiftModifier)
    assert viewer.rotation() == 0
    press(qtbot, search, Qt.Key.Key_PageDown, Mod.AltModifier)
    assert (viewer.index, viewer.page) == (0, 1)
    press(qtbot, search, Qt.Key.Key_PageUp, Mod.AltModifier)
    assert (viewer.index, viewer.page) == (0, 0)
    press(qtbot, search, Qt.Key.Key_PageDown, Mod.ControlModifier)
    assert viewer.index == 1
    wait_picture(qtbot, viewer, runner)
    press(qtbot, search, Qt.Key.Key_Plus, Mod.ControlModifier)
    press(qtbot, search, Qt.Key.Key_0, Mod.ControlModifier)
    assert viewer.canvas.fit_scale(viewer.canvas.fit_mode())[0] == pytest.approx(
        viewer.canvas.scale_factor()
    )
    press(qtbot, search, Qt.Key.Key_PageUp, Mod.ControlModifier)
    assert viewer.index == 0
    assert search.hasFocus() and search.text() == ""  # nothing was typed into the search


def _border(viewer: OrderViewer) -> QColor:
    image = viewer.canvas.grab().toImage()
    return image.pixelColor(1, image.height() // 2)


def test_the_picture_shows_a_frame_while_it_has_the_keyboard(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner
) -> None:
    viewer = _order(qtbot, window, runner)
    window.picker.focus_search()
    qtbot.waitUntil(window.picker.search_edit.hasFocus)
    assert _border(viewer) != QColor(FOCUS_COLOR)
    press(qtbot, window.picker.search_edit, Qt.Key.Key_F6)
    qtbot.waitUntil(viewer.canvas.hasFocus)
    qtbot.waitUntil(lambda: _border(viewer) == QColor(FOCUS_COLOR))


@pytest.mark.parametrize(
    ("orientation", "red_corner"),
    [(3, "bottom_right"), (8, "bottom_left"), (6, "top_right"), (1, "top_left")],
)
def test_photos_are_shown_upright_per_exif(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner, orientation: int, red_corner: str
) -> None:
    """The stored top-left quarter is red; EXIF says how the camera was held."""
    viewer = window.viewer
    data = jpeg(800, 600, orientation=orientation, marker=True)
    viewer.set_files([_source().file("foto.jpg", "image/jpeg", data)])
    wait_picture(qtbot, viewer, runner)
    assert viewer.rotation() == 0  # EXIF is applied to the picture, not as a hand rotation
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None
    image = pixmap.toImage()
    w, h = image.width() - 6, image.height() - 6
    corners = {
        "top_left": (5, 5),
        "top_right": (w, 5),
        "bottom_left": (5, h),
        "bottom_right": (w, h),
    }
    for name, (x, y) in corners.items():
        is_red = image.pixelColor(x, y).red() > 180 and image.pixelColor(x, y).green() < 90
        assert is_red == (name == red_corner), name
    assert RED  # the marker colour the sample files use


def test_a_suggested_rotation_turns_the_page_until_the_operator_turns_it_by_hand(
    qtbot: QtBot, window: MainWindow, runner: TaskRunner
) -> None:
    viewer = _order(qtbot, window, runner)
    viewer.set_suggested_rotation(0, 0, 180)  # the reader says page 1 is upside down
    assert viewer.rotation() == 180 and viewer.canvas.rotation() == 180
    viewer.set_suggested_rotation(0, 1, 90)  # and page 2 sideways: applied when it shows
    viewer.next_page()
    wait_picture(qtbot, viewer, runner)
    assert viewer.canvas.rotation() == 90
    viewer.set_suggested_rotation(5, 0, 90)  # a file that is not there: ignored
    viewer.rotate_right()  # the operator's hand wins, for every page of the file
    assert viewer.rotation() == 180
    viewer.set_suggested_rotation(0, 1, 270)
    assert viewer.rotation() == 180 and viewer.canvas.rotation() == 180
    viewer.prev_page()
    wait_picture(qtbot, viewer, runner)
    assert viewer.canvas.rotation() == 180
    viewer.set_suggested_rotation(1, 0, 450)  # the photo: rounded to a quarter turn (90)
    viewer.next_file()
    wait_picture(qtbot, viewer, runner)
    assert viewer.canvas.rotation() == 90
