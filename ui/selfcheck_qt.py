"""The Qt half of `dim-revision selfcheck`: the plugins and QtPdf a frozen build must carry."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

Line = tuple[str, str, str]  # (status, name, detail), as `commands/selfcheck.CheckResult`


def run_checks() -> list[Line]:
    return [
        _guard("QApplication", check_application),
        _guard("formatos de imagen", check_image_formats),
        _guard("QtPdf", check_pdf),
    ]


def _guard(name: str, check: Callable[[], str]) -> Line:
    try:
        return ("OK", name, check())
    except Exception as exc:
        return ("FALLA", name, f"{type(exc).__name__}: {exc}")


def check_application() -> str:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    return f"plataforma {QApplication.platformName()}, Qt {_qt_version()}" if app else "sin app"


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return str(qVersion())


def check_image_formats() -> str:
    """Patients upload JPEG and PNG; the viewer needs both plugins."""
    from PySide6.QtGui import QImageReader

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"jpeg", "png"} - formats
    if missing:
        raise RuntimeError(f"faltan los formatos {', '.join(sorted(missing))}")
    return ", ".join(sorted(formats))


def check_pdf() -> str:
    """Render a one-page PDF: proves the QtPdf module and its PDFium library are present."""
    from pypdf import PdfWriter
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    with tempfile.TemporaryDirectory(prefix="dim-selfcheck-") as tmp:
        path = Path(tmp) / "prueba.pdf"
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=100)
        with path.open("wb") as fh:
            writer.write(fh)
        doc = QPdfDocument()
        try:
            error = doc.load(str(path))
            if error != QPdfDocument.Error.None_:
                raise RuntimeError(f"no abrió el PDF de prueba ({error})")
            image = doc.render(0, QSize(100, 50))
            if image.isNull() or doc.pageCount() != 1:
                raise RuntimeError("no pudo dibujar el PDF de prueba")
            return f"{doc.pageCount()} página dibujada"
        finally:
            doc.close()
