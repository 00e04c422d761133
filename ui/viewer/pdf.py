"""Render one PDF page to a QImage in a worker thread, with QtPdf.

QtPdf guards most PDFium calls with a global mutex, but not all of them: creating, loading and
destroying `QPdfDocument`s on several threads at once crashes (reproduced with PySide6 6.12 and
a pool of 4 threads). So every document here lives and dies inside `_PDF_LOCK`, in the worker
that renders it: PDF pages render one at a time, photos still decode in parallel, and the GUI
thread never waits for PDFium.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument

from ui.viewer.decode import KIND_PDF, Decoded, fit_within
from ui.viewer.files import (
    DAMAGED_PDF,
    EMPTY_FILE,
    EMPTY_PDF,
    PASSWORD_PDF,
    DecodeError,
    cannot_show,
)

NATURAL_PER_POINT = 96 / 72  # 100 % zoom shows the page at its printed size on a 96 dpi screen
MAX_RENDER_SIDE = 6000  # longest side of a rendered page, whatever the zoom (≈ 140 MB at most)

_PDF_LOCK = threading.Lock()


def render_pdf_page(data: bytes, page: int, box: QSize, *, nombre: str) -> Decoded:
    """Render `page` (clamped to the document) to fit `box`, upscaling allowed, on white."""
    if not data:
        raise DecodeError(cannot_show(nombre, EMPTY_FILE))
    with _PDF_LOCK:
        image, natural, count = _render_locked(data, page, box, nombre)
    return Decoded(
        _on_white(image),
        natural,
        KIND_PDF,
        page_count=count,
        max_density=MAX_RENDER_SIDE / max(natural.width(), natural.height()),
    )


def _render_locked(data: bytes, page: int, box: QSize, nombre: str) -> tuple[QImage, QSizeF, int]:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready:
            wrong_password = document.error() == QPdfDocument.Error.IncorrectPassword
            raise DecodeError(cannot_show(nombre, PASSWORD_PDF if wrong_password else DAMAGED_PDF))
        count = document.pageCount()
        if count < 1:
            raise DecodeError(cannot_show(nombre, EMPTY_PDF))
        page = min(max(page, 0), count - 1)
        points = document.pagePointSize(page)
        if points.isEmpty():
            raise DecodeError(cannot_show(nombre, DAMAGED_PDF))
        natural = points * NATURAL_PER_POINT
        target = fit_within(natural, box, allow_upscale=True)
        longest = max(target.width(), target.height())
        if longest > MAX_RENDER_SIDE:
            target = fit_within(
                natural, QSize(MAX_RENDER_SIDE, MAX_RENDER_SIDE), allow_upscale=True
            )
        image = document.render(page, target)
        if image.isNull():
            raise DecodeError(cannot_show(nombre, DAMAGED_PDF))
        return image, natural, count
    finally:
        document.close()
        del document  # destroyed here, under the lock, not whenever the GC gets to it


def _on_white(image: QImage) -> QImage:
    """PDFium leaves unpainted areas transparent; paper is white."""
    if not image.hasAlphaChannel():
        return image
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper
