"""Issue 13.4: the window fits a 1366×768 call-center screen, dock included, and the order reads."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from dim_revision.clock import FakeClock
from dim_revision.db.uow import Database
from dim_revision.outbox.status import OutboxCounts, WorkerStatus
from dim_revision.secrets import MemoryStore
from dim_revision.services.actor import Actor
from tests.gui.harness import idle, loaded
from tests.gui.test_supervisor_panel import make_scene
from ui.main_window import MainWindow
from ui.screen_fit import DEFAULT_SIZE, centred, fit_rect, opens_maximized, place
from ui.status_bar import MAX_CHARS, StatusBar
from ui.supervisor.panel import DockTitle
from ui.tasks import TaskRunner
from ui.viewer import ViewerFile
from ui.viewer.canvas import FitMode

pytestmark = pytest.mark.gui

# A maximized window on a 1366×768 screen under Windows: taskbar (40 px) and title bar (32 px) off.
SMALL = QSize(1366, 696)
SMALL_SCREEN = QRect(0, 0, 1366, 728)  # availableGeometry: the screen minus the taskbar
BIG_SCREEN = QRect(0, 0, 1920, 1040)


def a4_pdf() -> bytes:
    """One A4 page (595×842 pt: 794×1123 px at 96 dpi) with dark 'text' lines."""
    page = Image.new("RGB", (595, 842), "white")
    for y in range(80, 760, 24):
        page.paste((40, 40, 40), (60, y, 520, y + 6))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def test_first_start_maximizes_on_a_small_screen_centres_on_a_big_one() -> None:
    assert opens_maximized(SMALL_SCREEN)
    assert not opens_maximized(BIG_SCREEN)
    rect = centred(BIG_SCREEN)
    assert rect.size() == DEFAULT_SIZE and BIG_SCREEN.contains(rect)


def test_a_geometry_saved_on_a_bigger_or_missing_screen_is_brought_inside() -> None:
    from_big = QRect(200, 100, 1800, 1000)
    assert fit_rect(from_big, SMALL_SCREEN) == QRect(0, 0, 1366, 728)
    second_monitor = QRect(1950, 50, 900, 600)  # that monitor is gone
    inside = fit_rect(second_monitor, SMALL_SCREEN)
    assert SMALL_SCREEN.contains(inside) and inside.size() == QSize(900, 600)
    assert fit_rect(QRect(10, 10, 800, 600), SMALL_SCREEN) == QRect(10, 10, 800, 600)


def test_place_keeps_the_window_inside_the_available_screen(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    available = window.screen().availableGeometry()
    window.resize(DEFAULT_SIZE)
    place(window, restored=False, available=available)
    window.show()
    qtbot.waitExposed(window)
    if opens_maximized(available):  # the test screen (800×800 offscreen) is a small one
        assert window.isMaximized()
        assert window.width() <= available.width() and window.height() <= available.height()
    else:
        assert available.contains(window.frameGeometry())

    restored = QMainWindow()  # as restored from a geometry saved on a 1920×1080 screen
    qtbot.addWidget(restored)
    restored.setGeometry(QRect(available.right() + 400, 60, 1800, 1000))
    place(restored, restored=True, available=available)
    restored.show()
    qtbot.waitExposed(restored)
    place(restored, restored=True, available=available)  # again, now that the frame is known
    assert available.contains(restored.frameGeometry())


def _inside(window: QWidget, widget: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def _open_supervisor_small(
    qtbot: QtBot, db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> MainWindow:
    window = make_scene(qtbot, db, clock, secrets, runner).open("sofia").window
    window.resize(SMALL)
    dock = window.supervisor.dock
    qtbot.waitUntil(lambda: dock.isVisible() and window.supervisor.panel.last is not None)
    qtbot.waitUntil(lambda: idle(window.ws))
    qtbot.waitUntil(lambda: window.size() == SMALL)
    return window


def test_at_1366x768_with_the_supervisor_dock_every_button_shows_and_an_a4_order_reads(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    window = _open_supervisor_small(qtbot, sqlite_db, clock, secrets, runner)
    assert window.minimumSizeHint().width() <= SMALL.width()
    assert window.minimumSizeHint().height() <= SMALL.height()
    dock = window.supervisor.dock
    assert dock.isVisible() and not dock.titleBarWidget().folded()  # type: ignore[attr-defined]
    assert dock.height() >= 150  # open for real, not folded to its title
    shown = [b for b in window.action_bar.buttons.values() if b.isVisible()]
    assert len(shown) >= 7
    for button in shown:
        assert _inside(window, button), button.objectName()
        rect = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        assert not QRect(dock.mapTo(window, QPoint(0, 0)), dock.size()).intersects(rect)
    assert window.status.isVisible() and _inside(window, window.status)

    viewer = window.viewer
    viewer.set_files([ViewerFile(9001, "orden.pdf", "application/pdf", load=a4_pdf)])
    qtbot.waitUntil(lambda: viewer.displayed_pixmap() is not None)
    assert abs(viewer.canvas.natural_size().height() - 1123) < 1.5  # A4 at 96 dpi
    assert viewer.canvas.fit_mode() is FitMode.AUTO
    assert viewer.canvas.scale_factor() >= 0.5  # the A4 page at 50 % or more
    whole, _ = viewer.canvas.fit_scale(FitMode.WINDOW)
    assert whole < 0.5  # the whole page would not be readable here: AUTO filled the width

    # Folding the dock to its title gives the order the height back; unfolding restores it.
    title = dock.titleBarWidget()
    assert isinstance(title, DockTitle)
    before = viewer.canvas.height()
    qtbot.mouseClick(title.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.canvas.height() > before + 100)
    assert title.folded() and dock.isVisible()
    qtbot.mouseClick(title.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not title.folded() and viewer.canvas.height() < before + 100)


def test_on_a_big_window_the_whole_a4_page_shows(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    scene = make_scene(qtbot, sqlite_db, clock, secrets, runner)
    window = scene.open("ana").window  # no dock
    window.resize(1920, 1040)
    viewer = window.viewer
    viewer.set_files([ViewerFile(9002, "orden.pdf", "application/pdf", load=a4_pdf)])
    qtbot.waitUntil(lambda: viewer.displayed_pixmap() is not None)
    qtbot.waitUntil(lambda: viewer.canvas.height() > 800)
    scale, by_width = viewer.canvas.fit_scale(FitMode.AUTO)
    assert not by_width and scale >= 0.5
    assert viewer.canvas.scale_factor() == pytest.approx(scale)


def test_at_1366x768_the_correction_window_buttons_show_too(
    qtbot: QtBot, sqlite_db: Database, clock: FakeClock, secrets: MemoryStore, runner: TaskRunner
) -> None:
    scene = make_scene(qtbot, sqlite_db, clock, secrets, runner)
    staged, window = scene.staged, scene.open("ana").window
    window.resize(SMALL)
    bar = window.filter_bar
    bar.estado.setCurrentIndex(bar.estado.count() - 1)  # Todas: the scheduled one is resolved
    programado = staged.solicitudes[4]
    qtbot.waitUntil(lambda: window.ws.model.row_of(programado) is not None)
    window.select_id(programado)
    qtbot.waitUntil(lambda: loaded(window.ws, programado))
    qtbot.waitUntil(lambda: not window.action_bar.envio_frame.isHidden())
    assert window.minimumSizeHint().width() <= SMALL.width()
    assert window.minimumSizeHint().height() <= SMALL.height()
    shown = [b for b in window.action_bar.buttons.values() if b.isVisible()]
    assert {"editar", "cancelar", "enviar_ahora"} <= {
        name for name, b in window.action_bar.buttons.items() if b.isVisible()
    }
    for button in shown:
        assert _inside(window, button), button.objectName()


def test_a_long_worker_error_does_not_widen_the_window(qtbot: QtBot) -> None:
    """Seen in the screenshots: a database error text on the status bar grew the window to 1543 px."""
    bar = StatusBar(Actor("ana", "pc-01"))
    qtbot.addWidget(bar)
    error = "No se pudo usar la base de datos: (sqlite3.OperationalError) " + "x" * 300
    bar.set_outbox(OutboxCounts(), WorkerStatus(ultimo_error=error))
    assert bar.worker_label.text().endswith("…") and len(bar.worker_label.text()) <= MAX_CHARS
    assert bar.worker_label.toolTip() == f"Envíos con problemas: {error}"
    assert bar.minimumSizeHint().width() < SMALL.width() // 2 + 400


def test_the_worker_label_gives_way_when_the_whole_status_bar_is_full(qtbot: QtBot) -> None:
    """Seen at 1366×768 after the database came back: user, «Sin conexión», the link key, a
    70-character worker error and the counts together grew the window to 1427 px."""
    bar = StatusBar(Actor("mgarcia", "CALLCENTER-03"))
    qtbot.addWidget(bar)
    bar.show()
    bar.set_db(False)
    bar.set_key(True, "clave de links b41961f1")
    error = "No se pudo usar la base de datos: unable to open database file " + "x" * 80
    bar.set_outbox(OutboxCounts(programados=1, fallidos=1), WorkerStatus(ultimo_error=error))
    qtbot.waitUntil(bar.worker_label.isVisible)
    assert bar.worker_label.text().startswith("Envíos con problemas: No se pudo usar")
    assert bar.worker_label.minimumSizeHint().width() < bar.worker_label.sizeHint().width() // 2
    assert bar.minimumSizeHint().width() < SMALL.width()
    bar.resize(SMALL.width(), bar.sizeHint().height())
    assert bar.worker_label.width() > 0  # elided into the room left, not hidden
