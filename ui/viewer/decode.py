"""Decode photos at the size the view needs, in a worker thread (QImage only; no QPixmap here).

A 12 MP phone photo is never fully decoded to show it 1000 px wide: libjpeg-turbo's DCT scaling
(`ui.viewer.jpeg`) or, for everything else, `QImageReader.setScaledSize` lets the decoder skip
most of the work. Phones store portrait photos as landscape pixels
plus an EXIF orientation tag; `setAutoTransform(True)` applies it, but `QImageReader.size()` and
`setScaledSize()` both speak in *stored* (pre-rotation) pixels, so we transpose around them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from ui.viewer import jpeg
from ui.viewer.files import (
    DAMAGED_IMAGE,
    EMPTY_FILE,
    INCOMPLETE_IMAGE,
    DecodeError,
    cannot_show,
    too_big,
)

KIND_IMAGE = "image"
KIND_PDF = "pdf"

# After a JPEG scan header, entropy-coded data runs until a marker: 0xFF followed by anything but
# 0x00 (byte stuffing), 0xFF (fill) or a restart marker 0xD0-0xD7.
_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


@dataclass(frozen=True)
class Decoded:
    """One displayable picture: an image or a PDF page, already oriented.

    `natural` is the full-resolution size in "natural pixels" (image pixels; for PDFs the page at
    96 dpi); `image` may be smaller. `max_density` caps how many image pixels per natural pixel
    are worth decoding (1 for photos: never upscale).
    """

    image: QImage
    natural: QSizeF
    kind: str
    page_count: int = 1
    max_density: float = 1.0

    @property
    def density(self) -> float:
        return self.image.width() / self.natural.width()

    @property
    def nbytes(self) -> int:
        return int(self.image.sizeInBytes())


def fit_within(size: QSizeF, box: QSize, *, allow_upscale: bool) -> QSize:
    """`size` scaled to fit inside `box` keeping its aspect ratio, rounded up, at least 1×1."""
    if box.width() <= 0 or box.height() <= 0 or size.isEmpty():
        return QSize(max(1, math.ceil(size.width())), max(1, math.ceil(size.height())))
    scale = min(box.width() / size.width(), box.height() / size.height())
    if not allow_upscale:
        scale = min(scale, 1.0)
    return QSize(
        max(1, min(box.width(), math.ceil(size.width() * scale - 1e-6))),
        max(1, min(box.height(), math.ceil(size.height() * scale - 1e-6))),
    )


def jpeg_reaches_end(data: bytes) -> bool:
    """True if the JPEG's segments lead to its end-of-image marker (i.e. it was not truncated).

    Checking first keeps libjpeg from "repairing" a truncated photo with grey and logging a Qt
    warning. Data after the end marker (e.g. Android "motion photo" videos) is fine.
    """
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        return False
    pos = 2
    while pos < n:
        if data[pos] != 0xFF:  # stray bytes between segments: libjpeg skips them too
            pos = data.find(b"\xff", pos)
            if pos < 0:
                return False
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            return False
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return True
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        if pos + 2 > n:
            return False
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            return False
        pos += length
        if pos > n:
            return False
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            found = _MARKER_AFTER_SCAN.search(data, pos)
            if found is None:
                return False
            pos = found.start()
    return False


def decode_image(data: bytes, box: QSize, *, nombre: str, max_pixels: int) -> Decoded:
    """Decode `data` oriented per EXIF and scaled down to fit `box` (never up). Worker-thread safe."""
    if not data:
        raise DecodeError(cannot_show(nombre, EMPTY_FILE))
    if data.startswith(b"\xff\xd8"):
        photo = _decode_photo(data, box, max_pixels)
        if photo is not None:
            return photo
        if not jpeg_reaches_end(data):
            raise DecodeError(cannot_show(nombre, INCOMPLETE_IMAGE))
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setDecideFormatFromContent(True)
    reader.setAutoTransform(True)
    stored = reader.size() if reader.canRead() else QSize()
    if stored.isEmpty():
        raise DecodeError(cannot_show(nombre, DAMAGED_IMAGE))
    pixels = stored.width() * stored.height()
    if pixels > max_pixels:
        raise DecodeError(cannot_show(nombre, too_big(pixels / 1e6, max_pixels / 1e6)))
    quarter_turn = bool(
        reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90
    )
    oriented = stored.transposed() if quarter_turn else stored
    target = fit_within(QSizeF(oriented), box, allow_upscale=False)
    if target != oriented:
        reader.setScaledSize(target.transposed() if quarter_turn else target)
    image = reader.read()
    if image.isNull():
        raise DecodeError(cannot_show(nombre, DAMAGED_IMAGE))
    return Decoded(_display_format(image), QSizeF(oriented), KIND_IMAGE)


def _decode_photo(data: bytes, box: QSize, max_pixels: int) -> Decoded | None:
    """A plain JPEG photo through libjpeg-turbo; None for Qt's path (which also says why a file
    cannot be shown: truncated, damaged, too big)."""
    header = jpeg.read_header(data, max_pixels)
    if header is None:
        return None
    oriented = QSizeF(header.oriented)
    image = jpeg.decode(data, header, fit_within(oriented, box, allow_upscale=False))
    return Decoded(image, oriented, KIND_IMAGE) if image is not None else None


def _display_format(image: QImage) -> QImage:
    """Convert in the worker to a format QPixmap.fromImage takes without another conversion."""
    wanted = (
        QImage.Format.Format_ARGB32_Premultiplied
        if image.hasAlphaChannel()
        else QImage.Format.Format_RGB32
    )
    if image.format() == wanted:
        return image
    return image.convertToFormat(wanted, Qt.ImageConversionFlag.AutoColor)
