"""Order viewer, issue 19: phone photos decoded by libjpeg-turbo straight to the view's box, and a
record opened cold whose first file is found, read and decoded in one task (real JPEGs made with
Pillow, the real task runner; helpers from `test_viewer`)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw, ImageOps
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from tests.gui.test_viewer import Source, jpeg, wait_message, wait_picture

# The viewer's fixtures, re-exported for pytest.
from tests.gui.test_viewer import opened as opened
from tests.gui.test_viewer import source as source
from tests.gui.test_viewer import viewer as viewer
from ui.tasks import TaskRunner
from ui.viewer import OrderViewer
from ui.viewer import jpeg as turbo
from ui.viewer.decode import decode_image
from ui.viewer.files import INCOMPLETE_IMAGE, cannot_show
from ui.viewer.jobs import FirstFile

pytestmark = pytest.mark.gui

CORNERS = {"tl": (230, 20, 20), "tr": (20, 200, 20), "bl": (20, 20, 230), "br": (240, 240, 240)}
MAX_PIXELS = 60_000_000


@pytest.fixture
def fast() -> Iterator[None]:
    """The libjpeg-turbo path ready (as once the first picture of the day is on screen)."""
    assert turbo.warm_up()
    yield


@pytest.fixture
def qt_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The codec not imported yet: every JPEG takes Qt's path (the first picture of the day)."""
    monkeypatch.setattr(turbo, "_codec", None)


def quadrants(width: int, height: int) -> Image.Image:
    """Four coloured quadrants: where each one ends up tells the orientation applied."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    w, h = width // 2, height // 2
    draw.rectangle([0, 0, w, h], fill=CORNERS["tl"])
    draw.rectangle([w, 0, width, h], fill=CORNERS["tr"])
    draw.rectangle([0, h, w, height], fill=CORNERS["bl"])
    draw.rectangle([w, h, width, height], fill=CORNERS["br"])
    return image


def jpeg_of(image: Image.Image, orientation: int | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    exif = image.getexif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), **options)
    return buffer.getvalue()


def corner(image: QImage, x: float, y: float) -> QColor:
    return image.pixelColor(int(x * (image.width() - 1)), int(y * (image.height() - 1)))


def near(color: QColor, rgb: tuple[int, int, int]) -> bool:
    return all(
        abs(a - b) < 40
        for a, b in zip((color.red(), color.green(), color.blue()), rgb, strict=True)
    )


def spy_fast_decodes(monkeypatch: pytest.MonkeyPatch) -> list[QSize]:
    """The sizes libjpeg-turbo was asked for (the real decode runs; this only notes it)."""
    calls: list[QSize] = []
    real = turbo.decode

    def noted(data: bytes, header: turbo.JpegHeader, target: QSize) -> QImage | None:
        calls.append(QSize(target))
        return real(data, header, target)

    monkeypatch.setattr(turbo, "decode", noted)
    return calls


# --- decoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["fast", "qt_only"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_shown_upright_as_pillow_turns_it(
    path: str, orientation: int, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(path)
    source = quadrants(800, 600)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg_of(source, orientation))))
    decoded = decode_image(
        jpeg_of(source, orientation), QSize(400, 400), nombre="foto.jpg", max_pixels=MAX_PIXELS
    )
    image = decoded.image
    assert (image.width(), image.height()) == (
        (400, 300) if expected.width > expected.height else (300, 400)
    )
    assert decoded.natural.toSize() == QSize(expected.width, expected.height)
    assert image.format() == QImage.Format.Format_RGB32  # QPixmap.fromImage converts nothing
    for x, y in ((0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)):
        want = expected.getpixel((int(x * (expected.width - 1)), int(y * (expected.height - 1))))
        assert isinstance(want, tuple)
        assert near(corner(image, x, y), want[:3]), (orientation, x, y)


def test_a_12mp_portrait_photo_is_decoded_by_libjpeg_turbo_to_the_view_upright(
    qtbot: QtBot,
    viewer: OrderViewer,
    runner: TaskRunner,
    source: Source,
    fast: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored 4000×3000 landscape + EXIF 6, as phones save portrait photos."""
    asked = spy_fast_decodes(monkeypatch)
    data = jpeg_of(quadrants(4000, 3000), orientation=6)
    viewer.set_files([source.file("orden.jpg", "image/jpeg", data)])
    wait_picture(qtbot, viewer, runner)
    pixmap = viewer.displayed_pixmap()
    assert pixmap is not None
    assert len(asked) == 1 and asked[0] == pixmap.size()  # decoded at the size shown
    room = viewer.canvas.maximumViewportSize()
    assert pixmap.width() <= room.width() and pixmap.height() <= room.height()
    assert pixmap.height() >= 0.8 * room.height()  # fills the height: not a thumbnail
    assert abs(pixmap.width() / pixmap.height() - 3 / 4) < 0.01
    assert viewer.canvas.natural_size().toSize() == QSize(3000, 4000)
    image = pixmap.toImage()
    # Turned 90° clockwise: the stored top-left is now the top-right, the bottom-left the top-left.
    assert near(corner(image, 0.9, 0.1), CORNERS["tl"])
    assert near(corner(image, 0.1, 0.1), CORNERS["bl"])
    assert near(corner(image, 0.9, 0.9), CORNERS["tr"])


@pytest.mark.parametrize("cut", ["two thirds", "no end marker"])
def test_a_truncated_photo_still_says_it_was_cut(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source, fast: None, cut: str
) -> None:
    data = jpeg_of(quadrants(1600, 1200))
    data = data[: len(data) * 2 // 3] if cut == "two thirds" else data[:-2]
    viewer.set_files([source.file("orden.jpg", "image/jpeg", data)])
    assert wait_message(qtbot, viewer, runner) == cannot_show("orden.jpg", INCOMPLETE_IMAGE)
    assert viewer.displayed_pixmap() is None


def test_a_grey_photo_takes_the_fast_path_and_a_cmyk_one_qts(
    fast: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = spy_fast_decodes(monkeypatch)
    grey = jpeg_of(quadrants(800, 600).convert("L"))
    decoded = decode_image(grey, QSize(400, 400), nombre="gris.jpg", max_pixels=MAX_PIXELS)
    assert decoded.image.size() == QSize(400, 300) and len(asked) == 1
    assert near(corner(decoded.image, 0.9, 0.9), (240, 240, 240))

    cmyk = io.BytesIO()
    quadrants(800, 600).convert("CMYK").save(cmyk, "JPEG", quality=90)
    decoded = decode_image(cmyk.getvalue(), QSize(400, 400), nombre="c.jpg", max_pixels=MAX_PIXELS)
    assert decoded.image.size() == QSize(400, 300) and len(asked) == 1  # Qt decoded this one
    assert decoded.image.format() == QImage.Format.Format_RGB32


def test_photos_take_qts_path_until_the_codec_is_imported_after_the_first_picture(
    qtbot: QtBot,
    viewer: OrderViewer,
    runner: TaskRunner,
    source: Source,
    qt_only: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = spy_fast_decodes(monkeypatch)
    viewer.set_files([source.file("primera.jpg", "image/jpeg", jpeg(1600, 1200))])
    wait_picture(qtbot, viewer, runner)
    assert asked == []  # numpy is not imported before the first paint
    qtbot.waitUntil(turbo.codec_ready)  # imported in the background once it was shown
    viewer.set_files([source.file("segunda.jpg", "image/jpeg", jpeg(1600, 1200))])
    wait_picture(qtbot, viewer, runner)
    assert len(asked) == 1


def test_zooming_a_photo_decodes_it_sharper_through_the_fast_path(
    qtbot: QtBot,
    viewer: OrderViewer,
    runner: TaskRunner,
    source: Source,
    fast: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = spy_fast_decodes(monkeypatch)
    file = source.file("orden.jpg", "image/jpeg", jpeg_of(quadrants(4000, 3000)))
    viewer.set_files([file])
    wait_picture(qtbot, viewer, runner)
    first = viewer.displayed_pixmap()
    assert first is not None
    for _ in range(3):
        viewer.zoom_in()
    wanted = viewer.canvas.scale_factor() * 4000
    qtbot.waitUntil(
        lambda: (p := viewer.displayed_pixmap()) is not None and p.width() >= wanted - 1
    )
    qtbot.waitUntil(runner.is_idle)
    assert len(asked) == 2 and asked[1].width() > first.width()
    assert source.calls[file.adjunto_id] == 1  # the bytes were kept, not read again


# --- a record opened cold -------------------------------------------------------------------------


class Finder:
    """A `find` for `prefetch_first` that waits for a gate, and counts its calls."""

    def __init__(self, found: FirstFile | None) -> None:
        self.found = found
        self.gate = threading.Event()
        self.calls = 0

    def __call__(self) -> FirstFile | None:
        self.calls += 1
        assert self.gate.wait(10)
        if self.found is None:
            return None
        file, data = self.found
        return file, file.load() if data == b"" else data


def test_a_cold_records_first_file_is_found_read_and_decoded_once(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    file = source.file("orden.jpg", "image/jpeg", jpeg(1600, 1200, marker=True))
    find = Finder((file, b""))
    viewer.set_files([])  # the record is shown while it is claimed: no files yet
    viewer.prefetch_first(find)
    qtbot.waitUntil(lambda: find.calls == 1)
    viewer.first_file_known(file)  # the workstation learnt which file it is
    viewer.set_files([file])  # the detail is in: its first file is the one on its way
    assert viewer.displayed_pixmap() is None
    find.gate.set()
    wait_picture(qtbot, viewer, runner)
    assert source.calls[file.adjunto_id] == 1  # read once, by the task that found it


def test_a_cold_record_whose_detail_comes_first_still_waits_for_the_file_on_its_way(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    file = source.file("orden.jpg", "image/jpeg", jpeg(1600, 1200))
    find = Finder((file, b""))
    viewer.prefetch_first(find)
    viewer.set_files([file])  # before the workstation said which file it is
    qtbot.waitUntil(lambda: find.calls == 1)
    find.gate.set()
    wait_picture(qtbot, viewer, runner)
    assert source.calls[file.adjunto_id] == 1


def test_a_cold_lookup_that_finds_no_file_or_another_one_lets_the_viewer_read_its_own(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    for found in (None, "otra"):
        wanted = source.file("orden.jpg", "image/jpeg", jpeg(800, 600))
        other = source.file("otra.jpg", "image/jpeg", jpeg(640, 480))
        find = Finder(None if found is None else (other, b""))
        viewer.prefetch_first(find)
        viewer.set_files([wanted])
        find.gate.set()
        wait_picture(qtbot, viewer, runner)
        assert viewer.name_label.text() == "orden.jpg"
        pixmap = viewer.displayed_pixmap()
        assert pixmap is not None and pixmap.size() == QSize(800, 600)
        assert source.calls[wanted.adjunto_id] == 1


def test_the_next_records_prefetch_waits_for_a_cold_records_first_file(
    qtbot: QtBot, viewer: OrderViewer, runner: TaskRunner, source: Source
) -> None:
    """The cold record's picture is the one the operator waits for: the next record's decode
    starts after it, not beside it on the other core."""
    file = source.file("orden.jpg", "image/jpeg", jpeg(1600, 1200))
    nxt = source.file("siguiente.jpg", "image/jpeg", jpeg(800, 600))
    find = Finder((file, b""))
    viewer.prefetch_first(find)
    viewer.first_file_known(file)
    viewer.set_files([file])
    viewer.prefetch([nxt])
    qtbot.waitUntil(lambda: find.calls == 1)
    assert source.calls[nxt.adjunto_id] == 0
    find.gate.set()
    wait_picture(qtbot, viewer, runner)
    qtbot.waitUntil(lambda: source.calls[nxt.adjunto_id] == 1 and runner.is_idle())
    viewer.set_files([nxt])
    assert viewer.displayed_pixmap() is not None  # prefetched after all
