"""Order viewer: real JPEG/PNG/PDF files made with Pillow, decoded through the real task runner."""

from __future__ import annotations

import io
import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt, QThread, QUrl
from PySide6.QtGui import QColor, QKeySequence, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dim_revision.errors import NotFound
from ui.tasks import TaskRunner
from ui.viewer import ImageCache, OrderViewer, ViewerFile
from ui.viewer.canvas import FitMode
from ui.viewer.decode import jpeg_reaches_end
from ui.viewer.files import NO_FILES
from ui.viewer.jobs import export_copy

pytestmark = pytest.mark.gui

RED = (220, 30, 30)
BLUE = (30, 60, 200)


# --- sample files ---------------------------------------------------------------------------------


def jpeg(width: int, height: int, *, orientation: int | None = None, marker: bool = False) -> bytes:
    """A JPEG; with `marker`, the stored top-left quarter is red (to check orientation)."""
    image = Image.new("RGB", (width, height), "white")
    if marker:
        ImageDraw.Draw(image).rectangle([0, 0, width // 4, height // 4], fill=RED)
    buffer = io.BytesIO()
    if orientation is None:
        image.save(buffer, "JPEG", quality=85)
    else:
        exif = image.getexif()
        exif[0x0112] = orientation
        image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (*BLUE, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_two_pages() -> bytes:
    """Page 1 red, page 2 blue; A4-ish portrait."""
    pages = [Image.new("RGB", (620, 877), RED), Image.new("RGB", (620, 877), BLUE)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=72)
    return buffer.getvalue()


class Source:
    """Makes ViewerFiles whose `load` counts calls and records the calling thread."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.on_gui_thread: list[bool] = []
        self.gates: dict[int, threading.Event] = {}
        self._ids = iter(range(1, 10_000))

    def file(self, nombre: str, mime: str, data: bytes, *, gate: bool = False) -> ViewerFile:
        adjunto_id = next(self._ids)
        gui = QThread.currentThread()
        if gate:
            self.gates[adjunto_id] = threading.Event()

        def load() -> bytes:
            self.calls[adjunto_id] += 1
            self.on_gui_thread.append(QThread.currentThread() is gui)
            event = self.gates.get(adjunto_id)
            if event is not None:
                assert event.wait(10)
            return data

        return ViewerFile(adjunto_id, nombre, mime, load)

    def failing(self, nombre: str) -> ViewerFile:
        def load() -> bytes:
            raise NotFound("El archivo ya no está en la base de datos.")

        return ViewerFile(next(self._ids), nombre, "image/jpeg", load)


@pytest.fixture
def source() -> Source:
    return Source()


@pytest.fixture
def opened() -> list[QUrl]:
    return []


@pytest.fixture
def viewer(
    qtbot: QtBot, runner: TaskRunner, opened: list[QUrl], tmp_path: Path
) -> Iterator[OrderViewer]:
    def fake_open(url: QUrl) -> bool:
        opened.append(url)
        return True

    widget = OrderViewer(runner, open_url=fake_open, export_dir=tmp_path / "visor")
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def wait_picture(qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: viewer.displayed_pixmap() is not None and runner.is_idle())


def wait_message(qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner) -> str:
    qtbot.waitUntil(lambda: bool(viewer.message()) and runner.is_idle())
    return viewer.message()


def center_color(viewer: OrderViewer) -> QColor:
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None
    image = pixmap.toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def focus_canvas(qtbot: QtBot, viewer: OrderViewer) -> None:
    viewer.activateWindow()
    viewer.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(viewer.canvas.hasFocus)


# --- decoding ----------------------------------------------------------------------------------------


def test_12mp_photo_is_decoded_at_the_size_of_the_view_not_in_full(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.jpg", "image/jpeg", jpeg(4000, 3000))])
    wait_picture(qtbot, viewer, runner)
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None
    room = viewer.canvas.maximumViewportSize()
    assert pixmap.width() <= room.width() and pixmap.height() <= room.height()
    assert pixmap.width() >= 0.8 * room.width() or pixmap.height() >= 0.8 * room.height()
    assert abs(pixmap.width() / pixmap.height() - 4 / 3) < 0.01
    assert viewer.canvas.natural_size().toSize() == QSize(4000, 3000)
    scale = round(viewer.canvas.scale_factor() * 100)
    assert viewer.status_label.text() == f"archivo 1/1 · {scale} %"
    assert source.on_gui_thread == [False]


def test_exif_rotated_photo_is_shown_portrait_and_undistorted(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    """Stored 1600×1200 with orientation 6 (rotate 90° clockwise): a 1200×1600 portrait."""
    viewer.set_files(
        [source.file("foto.jpg", "image/jpeg", jpeg(1600, 1200, orientation=6, marker=True))]
    )
    wait_picture(qtbot, viewer, runner)
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None
    assert pixmap.height() > pixmap.width()
    assert pixmap.height() < 1600  # scaled down while decoding, not decoded in full
    assert abs(pixmap.width() / pixmap.height() - 3 / 4) < 0.01
    assert viewer.canvas.natural_size().toSize() == QSize(1200, 1600)
    image = pixmap.toImage()
    # Rotating clockwise moves the stored top-left corner to the top-right.
    top_right = image.pixelColor(image.width() - 5, 5)
    top_left = image.pixelColor(5, 5)
    assert top_right.red() > 180 and top_right.green() < 80
    assert top_left.green() > 200


def test_png_is_shown(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("captura.png", "image/png", png(300, 200))])
    wait_picture(qtbot, viewer, runner)
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None and pixmap.size() == QSize(300, 200)  # small: never upscaled
    assert center_color(viewer).blue() > 150
    assert viewer.canvas.scale_factor() > 1  # but the view fits it to the window


def test_pdf_pages_render_and_navigate(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.pdf", "application/pdf", pdf_two_pages())])
    wait_picture(qtbot, viewer, runner)
    assert viewer.page_count() == 2
    assert viewer.status_label.text().startswith("archivo 1/1 · página 1/2 · ")
    assert center_color(viewer).red() > 180
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None and pixmap.height() > pixmap.width()

    viewer.viewer_actions.next_page.trigger()
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 1/1 · página 2/2 · ")
    assert center_color(viewer).blue() > 150
    assert not viewer.viewer_actions.next_page.isEnabled()

    viewer.viewer_actions.prev_page.trigger()
    wait_picture(qtbot, viewer, runner)
    assert viewer.page == 0 and center_color(viewer).red() > 180
    assert source.calls == Counter({1: 1})  # the bytes were fetched once for both pages


def test_a_pdf_named_jpg_is_still_shown_as_a_pdf(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.jpg", "image/jpeg", pdf_two_pages())])
    wait_picture(qtbot, viewer, runner)
    assert "página 1/2" in viewer.status_text()


# --- zoom, rotation, navigation ----------------------------------------------------------------------


def test_zoom_in_and_out_change_the_scale(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.jpg", "image/jpeg", jpeg(1200, 900))])
    wait_picture(qtbot, viewer, runner)
    fitted = viewer.canvas.scale_factor()
    viewer.zoom_in()
    assert viewer.canvas.scale_factor() == pytest.approx(fitted * 1.25)
    assert viewer.canvas.fit_mode() is FitMode.FREE
    assert f"{round(fitted * 125)} %" in viewer.status_label.text()
    viewer.zoom_out()
    viewer.zoom_out()
    assert viewer.canvas.scale_factor() == pytest.approx(fitted / 1.25)
    viewer.fit_window()
    assert viewer.canvas.scale_factor() == pytest.approx(fitted)


def test_keyboard_shortcuts_work_while_the_viewer_has_focus(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    files = [source.file(f"orden{i}.jpg", "image/jpeg", jpeg(800, 600)) for i in range(3)]
    viewer.set_files(files)
    wait_picture(qtbot, viewer, runner)
    focus_canvas(qtbot, viewer)
    fitted = viewer.canvas.scale_factor()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Plus)
    assert viewer.canvas.scale_factor() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_0)
    assert viewer.canvas.scale_factor() == pytest.approx(fitted)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_R)
    assert viewer.rotation() == 90
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert viewer.status_text().startswith("archivo 2/3")
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageDown)  # an image has one page: next file
    assert viewer.status_text().startswith("archivo 3/3")
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert viewer.status_text().startswith("archivo 2/3")


def test_keys_keep_working_when_a_file_cannot_be_shown(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    good = jpeg(800, 600)
    viewer.set_files(
        [
            source.file("a.jpg", "image/jpeg", good),
            source.file("rota.jpg", "image/jpeg", good[:3000]),
            source.file("c.jpg", "image/jpeg", good),
        ]
    )
    wait_picture(qtbot, viewer, runner)
    focus_canvas(qtbot, viewer)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_PageDown)
    wait_message(qtbot, viewer, runner)
    focused = QApplication.focusWidget()
    assert focused is not None and viewer.isAncestorOf(focused)
    qtbot.keyClick(focused, Qt.Key.Key_PageDown)
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_text().startswith("archivo 3/3")
    assert viewer.canvas.hasFocus()


def test_ctrl_wheel_zooms_around_the_cursor(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.jpg", "image/jpeg", jpeg(1200, 900))])
    wait_picture(qtbot, viewer, runner)
    canvas = viewer.canvas
    cursor = QPoint(canvas.viewport().width() // 3, canvas.viewport().height() // 3)
    under_cursor = canvas.mapToScene(cursor)
    fitted = canvas.scale_factor()
    event = QWheelEvent(
        QPointF(cursor),
        QPointF(canvas.viewport().mapToGlobal(cursor)),
        QPoint(0, 0),
        QPoint(0, 240),  # two notches up
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25**2)
    after = canvas.mapToScene(cursor)
    assert abs(after.x() - under_cursor.x()) < 2 and abs(after.y() - under_cursor.y()) < 2


def test_when_zoomed_arrow_keys_and_dragging_pan_the_picture(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("orden.jpg", "image/jpeg", jpeg(1200, 900))])
    wait_picture(qtbot, viewer, runner)
    focus_canvas(qtbot, viewer)
    for _ in range(4):
        viewer.zoom_in()
    hbar, vbar = viewer.canvas.horizontalScrollBar(), viewer.canvas.verticalScrollBar()
    start_x, start_y = hbar.value(), vbar.value()
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Down)
    assert hbar.value() > start_x and vbar.value() > start_y

    port = viewer.canvas.viewport()
    grab, drop = QPointF(400, 300), QPointF(300, 250)  # drag the paper up and to the left
    before = (hbar.value(), vbar.value())
    for kind, pos, buttons in (
        (QEvent.Type.MouseButtonPress, grab, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, drop, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, drop, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(
            kind,
            pos,
            QPointF(port.mapToGlobal(pos.toPoint())),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(port, event)
    assert hbar.value() == before[0] + 100 and vbar.value() == before[1] + 50


def test_rotation_swaps_width_and_height_and_belongs_to_the_file(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    files = [
        source.file("a.jpg", "image/jpeg", jpeg(1200, 600)),
        source.file("b.jpg", "image/jpeg", jpeg(1200, 600)),
    ]
    viewer.set_files(files)
    wait_picture(qtbot, viewer, runner)
    before = viewer.canvas.displayed_size()
    assert before.width() > before.height()
    viewer.rotate_right()
    after = viewer.canvas.displayed_size()
    assert after.height() > after.width()
    assert viewer.rotation() == 90
    viewer.next_file()
    wait_picture(qtbot, viewer, runner)
    assert viewer.rotation() == 0
    assert viewer.canvas.displayed_size().width() > viewer.canvas.displayed_size().height()
    viewer.prev_file()
    wait_picture(qtbot, viewer, runner)
    assert viewer.rotation() == 90  # still turned when coming back
    viewer.rotate_left()
    viewer.rotate_left()
    assert viewer.rotation() == 270


def test_fit_to_width_fills_the_width(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files([source.file("larga.jpg", "image/jpeg", jpeg(600, 1800))])
    wait_picture(qtbot, viewer, runner)
    fitted_height = viewer.canvas.displayed_size().height()
    assert fitted_height <= viewer.canvas.maximumViewportSize().height()
    viewer.fit_width()
    room = viewer.canvas.maximumViewportSize().width()
    width = viewer.canvas.displayed_size().width()
    assert 0.85 * room < width <= room
    assert viewer.canvas.verticalScrollBar().maximum() > 0  # the rest is reached by scrolling


def test_file_navigation_updates_the_label(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    files = [
        source.file("a.jpg", "image/jpeg", jpeg(800, 600)),
        source.file("b.pdf", "application/pdf", pdf_two_pages()),
        source.file("c.png", "image/png", png(200, 100)),
    ]
    viewer.set_files(files)
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 1/3 · ")
    assert viewer.name_label.text() == "a.jpg"
    assert not viewer.viewer_actions.prev_file.isEnabled()
    viewer.next_file()
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 2/3 · página 1/2 · ")
    viewer.next_page()
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 2/3 · página 2/2 · ")
    viewer.next_page()  # past the last page: the next file
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 3/3 · ")
    assert viewer.name_label.text() == "c.png"
    assert not viewer.viewer_actions.next_file.isEnabled()
    viewer.prev_page()  # back into the PDF, on its last page
    wait_picture(qtbot, viewer, runner)
    assert viewer.status_label.text().startswith("archivo 2/3 · página 2/2 · ")


def test_a_long_file_name_is_elided_and_keeps_clear_of_the_page_label(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    """Seen at 1366×768: «OrdenMedicaarchivo 1/1» — the name cut off, run into the page label."""
    nombre = "OrdenMedica_escaneada_del_celular_de_la_paciente_con_nombre_muy_largo.jpg"
    viewer.set_files([source.file(nombre, "image/jpeg", jpeg(800, 600))])
    wait_picture(qtbot, viewer, runner)
    viewer.resize(560, 500)
    qtbot.waitUntil(lambda: viewer.width() == 560)
    name, status = viewer.name_label, viewer.status_label
    assert name.toolTip() == nombre
    assert name.shown_text().endswith("…")
    assert name.fontMetrics().horizontalAdvance(name.shown_text()) <= name.contentsRect().width()
    assert name.geometry().right() < status.geometry().left()


# --- bad input ---------------------------------------------------------------------------------------


def test_truncated_jpeg_shows_a_clear_message(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    data = jpeg(1600, 1200, marker=True)
    viewer.set_files([source.file("orden.jpg", "image/jpeg", data[: len(data) * 2 // 3])])
    message = wait_message(qtbot, viewer, runner)
    assert message == (
        "No se pudo mostrar «orden.jpg»: la imagen está dañada o incompleta (el archivo se cortó)."
    )
    assert viewer.displayed_pixmap() is None
    assert not viewer.viewer_actions.zoom_in.isEnabled()
    assert viewer.status_label.text() == "archivo 1/1"


def test_random_bytes_labelled_png_show_a_clear_message(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    noise = random.Random(5).randbytes(4000)
    viewer.set_files([source.file("foto.png", "image/png", noise)])
    assert wait_message(qtbot, viewer, runner) == (
        "No se pudo mostrar «foto.png»: la imagen está dañada."
    )


@pytest.mark.parametrize(
    ("nombre", "mime", "data", "expected"),
    [
        (
            "orden.pdf",
            "application/pdf",
            b"%PDF-1.4\n" + b"basura" * 100,
            "No se pudo mostrar «orden.pdf»: el PDF está dañado.",
        ),
        (
            "orden.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04" + b"\x00" * 200,
            "No se pudo mostrar «orden.docx»: este tipo de archivo no se puede mostrar acá; "
            "probá «Abrir con el visor del sistema».",
        ),
        ("vacía.jpg", "image/jpeg", b"", "No se pudo mostrar «vacía.jpg»: el archivo está vacío."),
    ],
)
def test_other_unusable_files_show_a_clear_message(
    qtbot: QtBot,
    viewer: OrderViewer,
    runner: TaskRunner,
    source: Source,
    nombre: str,
    mime: str,
    data: bytes,
    expected: str,
) -> None:
    viewer.set_files([source.file(nombre, mime, data)])
    assert wait_message(qtbot, viewer, runner) == expected


def test_a_failing_load_shows_its_message_and_the_next_file_still_works(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    viewer.set_files(
        [source.failing("orden.jpg"), source.file("b.jpg", "image/jpeg", jpeg(80, 60))]
    )
    assert wait_message(qtbot, viewer, runner) == (
        "No se pudo mostrar «orden.jpg». El archivo ya no está en la base de datos."
    )
    viewer.next_file()
    wait_picture(qtbot, viewer, runner)
    assert viewer.message() == ""


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(
    qtbot: QtBot, runner: TaskRunner, source: Source
) -> None:
    small_limit = OrderViewer(runner, max_pixels=1_000_000)
    qtbot.addWidget(small_limit)
    small_limit.set_files([source.file("bomba.jpg", "image/jpeg", jpeg(2000, 1000))])
    assert wait_message(qtbot, small_limit, runner) == (
        "No se pudo mostrar «bomba.jpg»: la imagen es demasiado grande "
        "(2 megapíxeles; el máximo es 1)."
    )


def test_an_empty_list_shows_a_calm_empty_state(qtbot: QtBot, viewer: OrderViewer) -> None:
    viewer.set_files([])
    assert viewer.message() == NO_FILES
    assert viewer.status_label.text() == "sin archivos"
    assert viewer.displayed_pixmap() is None
    assert viewer.keyboard is not None
    back = viewer.keyboard.back_action  # going back to the picker works without files too
    enabled = [a.text() for a in viewer.actions() if a.isEnabled() and a is not back]
    assert enabled == []


def test_jpeg_end_check() -> None:
    data = jpeg(640, 480, orientation=6, marker=True)
    assert jpeg_reaches_end(data)
    assert jpeg_reaches_end(data + b"\x00\x00ftypmp42" * 100)  # a "motion photo" trailer
    assert not jpeg_reaches_end(data[:-2])
    assert not jpeg_reaches_end(data[: len(data) // 2])
    assert not jpeg_reaches_end(b"\x89PNG\r\n\x1a\n")
    progressive = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(progressive, "JPEG", progressive=True)
    assert jpeg_reaches_end(progressive.getvalue())
    assert not jpeg_reaches_end(progressive.getvalue()[:-300])


# --- background behaviour: stale results, sharper decode, prefetch ------------------------------------


def test_a_slow_file_the_operator_left_never_replaces_the_current_one(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    slow = source.file("lenta.png", "image/png", png(400, 300), gate=True)
    fast = source.file("rapida.jpg", "image/jpeg", jpeg(640, 480, marker=True))
    viewer.set_files([slow])
    qtbot.waitUntil(lambda: source.calls[slow.adjunto_id] == 1)
    viewer.set_files([fast])
    qtbot.waitUntil(lambda: viewer.displayed_pixmap() is not None)
    source.gates[slow.adjunto_id].set()
    qtbot.waitUntil(runner.is_idle)
    assert viewer.name_label.text() == "rapida.jpg"
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None and pixmap.size() == QSize(640, 480)


def test_zooming_past_the_decoded_resolution_decodes_sharper_without_reloading(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    file = source.file("orden.jpg", "image/jpeg", jpeg(4000, 3000))
    viewer.set_files([file])
    wait_picture(qtbot, viewer, runner)
    first = viewer.displayed_pixmap()
    assert first is not None
    for _ in range(4):
        viewer.zoom_in()
    wanted = viewer.canvas.scale_factor() * 4000
    qtbot.waitUntil(
        lambda: (p := viewer.displayed_pixmap()) is not None and p.width() >= wanted - 1
    )
    qtbot.waitUntil(runner.is_idle)
    assert source.calls[file.adjunto_id] == 1


def test_prefetched_first_image_of_the_next_record_shows_at_once(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    current = source.file("actual.jpg", "image/jpeg", jpeg(800, 600))
    nxt = [
        source.file("siguiente.jpg", "image/jpeg", jpeg(1600, 1200, orientation=6)),
        source.file("otra.png", "image/png", png(100, 100)),
    ]
    viewer.set_files([current])
    wait_picture(qtbot, viewer, runner)
    viewer.prefetch(nxt)
    qtbot.waitUntil(runner.is_idle)
    assert source.calls[nxt[0].adjunto_id] == 1
    assert source.calls[nxt[1].adjunto_id] == 0  # only the first file

    viewer.set_files(nxt)
    pixmap = viewer.displayed_pixmap()  # no waiting: it was decoded before
    assert pixmap is not None and pixmap.height() > pixmap.width()
    qtbot.waitUntil(runner.is_idle)
    assert source.calls[nxt[0].adjunto_id] == 1


def test_showing_a_record_whose_prefetch_is_still_running_waits_for_it(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    nxt = source.file("siguiente.jpg", "image/jpeg", jpeg(800, 600), gate=True)
    viewer.prefetch([nxt])
    qtbot.waitUntil(lambda: source.calls[nxt.adjunto_id] == 1)
    viewer.set_files([nxt])
    assert viewer.displayed_pixmap() is None
    source.gates[nxt.adjunto_id].set()
    wait_picture(qtbot, viewer, runner)
    assert source.calls[nxt.adjunto_id] == 1


def test_cache_is_shared_with_the_full_screen_window(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    file = source.file("orden.pdf", "application/pdf", pdf_two_pages())
    viewer.set_files([file], page=1)
    wait_picture(qtbot, viewer, runner)
    viewer.rotate_right()
    viewer.viewer_actions.full_screen.trigger()
    window = viewer.full_screen_window
    assert window is not None and window.isFullScreen()
    inner = window.content
    assert isinstance(inner, OrderViewer)
    qtbot.waitUntil(lambda: inner.displayed_pixmap() is not None and runner.is_idle())
    assert inner.page == 1 and inner.rotation() == 90
    assert source.calls[file.adjunto_id] == 1
    window.activateWindow()
    qtbot.waitUntil(inner.canvas.hasFocus)
    qtbot.keyClick(inner.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: viewer.full_screen_window is None)


# --- open with the system viewer, actions -----------------------------------------------------------


def test_open_with_system_viewer_writes_a_copy_with_the_right_extension(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source, opened: list[QUrl]
) -> None:
    data = pdf_two_pages()
    viewer.set_files([source.file("orden escaneada", "application/pdf", data)])
    wait_picture(qtbot, viewer, runner)
    viewer.viewer_actions.open_external.trigger()
    qtbot.waitUntil(lambda: bool(opened))
    path = Path(opened[0].toLocalFile())
    assert path.suffix == ".pdf"
    assert path.read_bytes() == data
    assert source.calls == Counter({1: 1})


def test_failure_to_open_the_system_viewer_is_reported(
    qtbot: QtBot, runner: TaskRunner, source: Source, tmp_path: Path
) -> None:
    widget = OrderViewer(runner, open_url=lambda url: False, export_dir=tmp_path)
    qtbot.addWidget(widget)
    widget.set_files([source.file("orden.jpg", "image/jpeg", jpeg(50, 50))])
    with qtbot.waitSignal(widget.notice) as blocker:
        widget.open_external()
    assert blocker.args is not None
    assert blocker.args[0].startswith("No se pudo abrir el visor del sistema.")


@pytest.mark.parametrize(
    ("nombre", "data", "expected"),
    [
        ("orden escaneada", pdf_two_pages(), "7-orden escaneada.pdf"),
        ("Foto.JPEG", jpeg(20, 20), "7-Foto.JPEG"),
        ("orden.png", jpeg(20, 20), "7-orden.jpg"),  # the content decides
        ("../../secreto.jpg", jpeg(20, 20), "7-secreto.jpg"),
    ],
)
def test_export_copy_names_files_by_content_inside_its_folder(
    tmp_path: Path, nombre: str, data: bytes, expected: str
) -> None:
    folder = tmp_path / "visor"
    path = export_copy(ViewerFile(7, nombre, "image/png", lambda: data), None, folder)
    assert path == folder / expected
    assert path.read_bytes() == data


GLOBAL_SHORTCUTS = {"Ctrl+Return", "Ctrl+Enter", "Ctrl+F", "Ctrl+P", "F1", "F5"}


def test_every_action_has_spanish_text_and_its_keys_never_clash(viewer: OrderViewer) -> None:
    """Plain keys act inside the viewer; their modifier twins act from anywhere in the window."""
    toolbar = viewer.viewer_actions.all()
    assert len(toolbar) == 12
    assert toolbar == viewer.actions_for_help()
    seen: set[str] = set()
    for action in viewer.actions():
        assert action.text() and action.text()[0].isupper()
        wide = action.shortcutContext() is Qt.ShortcutContext.WindowShortcut
        if not wide:
            assert action.shortcutContext() is Qt.ShortcutContext.WidgetWithChildrenShortcut
        for sequence in action.shortcuts():
            text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in GLOBAL_SHORTCUTS
            assert text not in seen, f"atajo repetido: {text}"
            seen.add(text)
            if wide:  # never a bare key: it would steal what the operator types
                assert sequence[0].keyboardModifiers() != Qt.KeyboardModifier.NoModifier  # type: ignore[index]
    for action in toolbar:
        assert action.shortcuts() or action.property("atajosExtra"), action.text()


def test_image_cache_evicts_least_recently_used_by_size(qapp: QApplication) -> None:
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QImage

    from ui.viewer.decode import Decoded

    def decoded(side: int) -> Decoded:
        image = QImage(side, side, QImage.Format.Format_RGB32)
        return Decoded(image, QSizeF(side, side), "image")

    cache = ImageCache(max_image_bytes=3 * 100 * 100 * 4)
    cache.put_image(1, 0, decoded(100))
    cache.put_image(2, 0, decoded(100))
    cache.put_image(1, 0, decoded(50))
    assert cache.best_image(1, 0) is not None  # 1 is now the most recently used
    cache.put_image(3, 0, decoded(100))
    cache.put_image(4, 0, decoded(100))
    assert cache.best_image(2, 0) is None
    best = cache.best_image(1, 0)
    assert best is not None and best.image.width() == 100  # the largest version wins
