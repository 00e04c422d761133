"""The work the viewer sends to the task runner: fetch bytes, decode, or write a copy to disk.

Everything here runs on a worker thread and returns plain values (QImage, bytes, paths).
The type is judged by content, not by the name or the declared mime: a PDF uploaded as
"orden.jpg" is still shown as a PDF.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize

from dim_revision.services.archivos import (
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    detectar_mime,
    nombre_seguro,
)
from ui.viewer.decode import Decoded, decode_image
from ui.viewer.files import UNSUPPORTED, DecodeError, ViewerFile, cannot_show
from ui.viewer.pdf import render_pdf_page

_EXTENSIONS = {MIME_JPEG: (".jpg", ".jpeg"), MIME_PNG: (".png",), MIME_PDF: (".pdf",)}
EXPORT_MAX_AGE_S = 24 * 3600


@dataclass(frozen=True)
class Loaded:
    adjunto_id: int
    page: int
    data: bytes
    decoded: Decoded


FirstFile = tuple[ViewerFile, bytes]  # a record's first file and its bytes


def find_and_decode(
    find: Callable[[], FirstFile | None], box: QSize, max_pixels: int
) -> Loaded | None:
    """A record's first file found and read by `find`, decoded to fit `box` (None: no file)."""
    found = find()
    if found is None:
        return None
    file, data = found
    return load_and_decode(file, 0, box, data, max_pixels)


def load_and_decode(
    file: ViewerFile, page: int, box: QSize, data: bytes | None, max_pixels: int
) -> Loaded:
    """Fetch the bytes (unless cached) and decode `page` to fit `box`."""
    if data is None:
        data = file.load()
    sniffed = detectar_mime(data)
    if sniffed == MIME_PDF or (sniffed is None and file.mime == MIME_PDF):
        decoded = render_pdf_page(data, page, box, nombre=file.nombre)
    elif sniffed is not None or file.mime.startswith("image/"):
        decoded = decode_image(data, box, nombre=file.nombre, max_pixels=max_pixels)
        page = 0
    else:
        raise DecodeError(cannot_show(file.nombre, UNSUPPORTED))
    return Loaded(file.adjunto_id, page, data, decoded)


def export_copy(file: ViewerFile, data: bytes | None, folder: Path) -> Path:
    """Write the file for the OS viewer, named so the OS picks the right program.

    Old copies (a day) are removed first: these are patients' medical orders.
    """
    if data is None:
        data = file.load()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    name = nombre_seguro(file.nombre)
    wanted = _EXTENSIONS.get(detectar_mime(data) or file.mime)
    if wanted is not None and Path(name).suffix.lower() not in wanted:
        name = f"{Path(name).stem or 'archivo'}{wanted[0]}"
    target = folder / f"{file.adjunto_id}-{name}"
    target.write_bytes(data)
    return target


def _remove_old(folder: Path) -> None:
    limit = time.time() - EXPORT_MAX_AGE_S
    for old in folder.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue  # still open in another program on Windows: next time
