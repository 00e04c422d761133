"""Phone photos (JPEG) decoded by libjpeg-turbo through `simplejpeg`, straight to the view's box.

A 12 MP phone JPEG of 4–5 MB costs ~40 ms of Huffman decoding whatever the output size; on top
of that, Qt's bundled JPEG plugin (no SIMD) took ~65 ms for a 1000 px box, libjpeg-turbo with its
SIMD code and DCT scaling ~44 ms (issue 19: 12 MP open → painted). The pixels come out as BGRX,
the layout of `QImage.Format_RGB32`, so Qt only scales the DCT-scaled picture down to the box
(smooth, area-averaged) and turns it per its EXIF orientation.

Only plain photos take this path: colour or grey JPEGs that libjpeg-turbo decodes without a
single warning (`strict`: a truncated or damaged file raises). Anything else — CMYK, a warning, a
file too big for the pixel limit, the codec not imported yet — returns None and the caller's Qt
path decodes it or says, in Spanish, why it cannot.

`simplejpeg` brings numpy in (~0.1 s of imports): never at start-up. The first pictures use the
Qt path until `warm_up` (run in the background once a picture is on screen) has imported it.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from types import ModuleType

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QTransform

EXIF_ORIENTATION = 0x0112
PLAIN_COLORSPACES = ("YCbCr", "Gray")  # CMYK / YCCK / Adobe RGB: Qt's path

# EXIF orientation → the transform that shows the stored pixels upright (checked against
# Pillow's `ImageOps.exif_transpose` for all eight: tests/gui/test_viewer_jpeg.py).
_UPRIGHT = {
    2: QTransform(-1, 0, 0, 1, 0, 0),  # mirrored left-right
    3: QTransform().rotate(180),
    4: QTransform(1, 0, 0, -1, 0, 0),  # mirrored top-bottom
    5: QTransform(0, 1, 1, 0, 0, 0),  # transposed
    6: QTransform().rotate(90),
    7: QTransform(0, -1, -1, 0, 0, 0),  # transversed
    8: QTransform().rotate(270),
}
QUARTER_TURNS = frozenset({5, 6, 7, 8})

_codec: ModuleType | None = None
_codec_lock = threading.Lock()


def warm_up() -> bool:
    """Import the codec (in a worker thread, after the first paint); True once it is usable."""
    global _codec
    with _codec_lock:
        if _codec is None:
            try:
                import simplejpeg  # type: ignore[import-untyped]  # stubs, no py.typed
            except ImportError:  # a broken install: Qt's path keeps working
                return False
            _codec = simplejpeg
    return True


def codec_ready() -> bool:
    return _codec is not None


@dataclass(frozen=True)
class JpegHeader:
    stored: QSize  # pixels as stored, before the EXIF orientation
    orientation: int  # EXIF 1–8 (1: as stored)

    @property
    def quarter_turn(self) -> bool:
        return self.orientation in QUARTER_TURNS

    @property
    def oriented(self) -> QSize:
        """The upright size: what the operator sees."""
        return self.stored.transposed() if self.quarter_turn else QSize(self.stored)

    @property
    def pixels(self) -> int:
        return self.stored.width() * self.stored.height()


def read_header(data: bytes, max_pixels: int) -> JpegHeader | None:
    """Size and orientation of a plain JPEG photo within `max_pixels`, or None (not one, too
    big — Qt's path says so —, or the codec not ready)."""
    codec = _codec
    if codec is None:
        return None
    try:
        height, width, colorspace, _subsampling = codec.decode_jpeg_header(data)
    except ValueError:
        return None
    size = QSize(int(width), int(height))
    if colorspace not in PLAIN_COLORSPACES or size.isEmpty():
        return None
    if size.width() * size.height() > max_pixels:
        return None
    orientation = _orientation(data, size)
    return JpegHeader(size, orientation) if orientation is not None else None


def _orientation(data: bytes, size: QSize) -> int | None:
    """The EXIF orientation tag as Pillow reads it (header segments only: ~0.1 ms), 1 if none,
    None if Pillow will not say (past its own decompression-bomb limit, or unreadable)."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and size.width() * size.height() > limit:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # Pillow refuses what libjpeg-turbo read: let Qt's path try
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def decode(data: bytes, header: JpegHeader, target: QSize) -> QImage | None:
    """The photo upright at `target` (an upright size within `header.oriented`), or None."""
    codec = _codec
    if codec is None:
        return None
    stored_target = target.transposed() if header.quarter_turn else target
    try:  # DCT scaling: the smallest M/8 size at least as large as the target
        pixels = codec.decode_jpeg(
            data,
            "BGRX",  # QImage.Format_RGB32 in memory (little-endian)
            min_height=stored_target.height(),
            min_width=stored_target.width(),
            strict=True,  # truncated ("Premature end of JPEG file") or damaged: raise
        )
    except ValueError:
        return None
    height, width = int(pixels.shape[0]), int(pixels.shape[1])
    view = QImage(pixels.data, width, height, int(pixels.strides[0]), QImage.Format.Format_RGB32)
    if view.size() == stored_target:
        image = view.copy()  # its own memory, not the array's
    else:
        image = view.scaled(
            stored_target,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    del view, pixels
    upright = _UPRIGHT.get(header.orientation)
    if upright is None:
        return image
    image = image.transformed(upright)  # a quarter turn stays RGB32; a diagonal flip gains alpha
    if image.format() != QImage.Format.Format_RGB32:  # a photo has none: paint it opaque
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    return image
