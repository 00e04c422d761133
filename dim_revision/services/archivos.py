"""Validation of one uploaded order file, judged by its content, never by its name (DESIGN §6).

Patients upload phone photos and scanned PDFs; anything else (HEIC, GIF, a corrupt or truncated
photo, a decompression bomb, a 300-page or password-protected PDF) is refused here with a Spanish
message naming the file, before anything reaches the database.

Pillow's bomb limit (`Image.MAX_IMAGE_PIXELS`) is process-global, so we never touch it: we apply
our own limit to `img.size` (read from the header) before decoding any pixel, and treat Pillow's
own bomb warning/error as a refusal too. Warnings are recorded inside the function so the outcome
is the same whether the caller's warning filters ignore them or turn them into errors (pytest).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image
from pypdf import PdfReader

from dim_revision.config import IntakeSettings
from dim_revision.errors import ValidationError

MIME_JPEG = "image/jpeg"
MIME_PNG = "image/png"
MIME_PDF = "application/pdf"

MAX_NOMBRE = 255

_EXTENSIONES = {
    MIME_JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    MIME_PNG: (".png",),
    MIME_PDF: (".pdf",),
}
_PILLOW_FORMAT = {MIME_JPEG: "JPEG", MIME_PNG: "PNG"}
_DESCRIPCION = {MIME_JPEG: "una imagen JPG", MIME_PNG: "una imagen PNG", MIME_PDF: "un PDF"}
NO_ADMITIDO = "tipo de archivo no admitido (se aceptan JPG, PNG o PDF)"

# catch_warnings swaps process-wide state; two overlapping uses from different threads can leave
# the wrong filters installed. Serialising our own uses keeps that from ever happening.
_WARNINGS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ArchivoValidado:
    """A file that passed every check, with what the database stores about it."""

    nombre: str  # sanitised; its extension matches the content
    mime: str
    tamano: int
    sha256: str
    paginas: int | None  # PDFs only
    contenido: bytes = field(repr=False)
    aviso: str | None = None  # e.g. the name said .jpg but the content is a PDF


def limite_bytes(limits: IntakeSettings) -> int:
    return int(limits.max_mb * 1024 * 1024)


def controlar_tamano(nombre: str, tamano: int, limits: IntakeSettings) -> None:
    """Size rules alone, so a caller holding only a path can refuse a huge file before reading it."""
    etiqueta = f"«{nombre_seguro(nombre)}»"
    if tamano == 0:
        raise ValidationError(f"{etiqueta}: el archivo está vacío")
    if tamano > limite_bytes(limits):
        mb = tamano / (1024 * 1024)
        pesa = round(mb, 1)
        if pesa <= limits.max_mb:  # never print "pesa 10 MB y supera el máximo de 10 MB"
            pesa = math.ceil(mb * 10) / 10
        raise ValidationError(
            f"{etiqueta}: pesa {_numero(pesa)} MB y supera el máximo de {_numero(limits.max_mb)} MB"
        )


def inspeccionar_archivo(nombre: str, data: bytes, limits: IntakeSettings) -> ArchivoValidado:
    """Check one file; raise ValidationError («nombre»: motivo) or describe what was accepted."""
    limpio = nombre_seguro(nombre)
    etiqueta = f"«{limpio}»"
    controlar_tamano(limpio, len(data), limits)
    mime = detectar_mime(data)
    if mime is None:
        otro = _tipo_conocido(data)
        extra = f"; el archivo es {otro}" if otro else ""
        raise ValidationError(f"{etiqueta}: {NO_ADMITIDO}{extra}")
    paginas: int | None = None
    if mime == MIME_PDF:
        paginas = _inspeccionar_pdf(etiqueta, data, limits)
    else:
        _inspeccionar_imagen(etiqueta, data, _PILLOW_FORMAT[mime], limits)
    final = _con_extension(limpio, mime)
    aviso = None
    if final != limpio:
        aviso = f"{etiqueta}: el contenido es {_DESCRIPCION[mime]}; se guardó como «{final}»"
    return ArchivoValidado(
        nombre=final,
        mime=mime,
        tamano=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        paginas=paginas,
        contenido=data,
        aviso=aviso,
    )


def detectar_mime(data: bytes) -> str | None:
    """One of the three accepted types, from magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return MIME_JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MIME_PNG
    # The PDF spec lets readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in data[:1024]:
        return MIME_PDF
    return None


def _tipo_conocido(data: bytes) -> str | None:
    """Name common refused types so the patient knows what to do (e.g. iPhone HEIC photos)."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "una imagen GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "una imagen WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "una foto HEIC (cámbiela a JPG en el teléfono)"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "una imagen TIFF"
    if data[:2] == b"BM":
        return "una imagen BMP"
    if data[:4] == b"PK\x03\x04":
        return "un archivo comprimido o un documento de Office"
    return None


@contextmanager
def _warnings_recorded() -> Iterator[list[warnings.WarningMessage]]:
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _inspeccionar_imagen(etiqueta: str, data: bytes, fmt: str, limits: IntakeSettings) -> None:
    danada = f"{etiqueta}: la imagen está dañada o incompleta"
    enorme = (
        f"{etiqueta}: la imagen es demasiado grande (máximo {_miles(limits.max_pixeles)} píxeles)"
    )
    motivo: str | None = None
    with _warnings_recorded() as caught:
        try:
            # Opening reads only the header: no pixel memory is allocated until load().
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                ancho, alto = img.size
                if ancho * alto > limits.max_pixeles:
                    motivo = (
                        f"{etiqueta}: la imagen es demasiado grande ({ancho} × {alto} píxeles; "
                        f"máximo {_miles(limits.max_pixeles)})"
                    )
                else:
                    img.verify()
            if motivo is None and not _hay_bomba(caught):
                with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                    img.load()
        except Image.DecompressionBombError:
            motivo = enorme
        except Exception:  # untrusted bytes: any decoder failure means the same to the patient
            motivo = danada
        if motivo is None and _hay_bomba(caught):
            motivo = enorme
    if motivo is not None:
        raise ValidationError(motivo)


def _hay_bomba(caught: list[warnings.WarningMessage]) -> bool:
    return any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught)


def _inspeccionar_pdf(etiqueta: str, data: bytes, limits: IntakeSettings) -> int:
    motivo: str | None = None
    paginas = 0
    with _warnings_recorded():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                motivo = f"{etiqueta}: el PDF está protegido con contraseña; súbalo sin protección"
            else:
                paginas = len(reader.pages)
        except Exception:  # pypdf raises many types for malformed files
            motivo = f"{etiqueta}: el PDF está dañado o no se puede leer"
    if motivo is None and paginas == 0:
        motivo = f"{etiqueta}: el PDF no tiene páginas"
    if motivo is None and paginas > limits.max_paginas_pdf:
        motivo = f"{etiqueta}: el PDF tiene {paginas} páginas (máximo {limits.max_paginas_pdf})"
    if motivo is not None:
        raise ValidationError(motivo)
    return paginas


_RESERVADOS = re.compile(r'[<>:"|?*]')


def nombre_seguro(nombre: str) -> str:
    """The last path component, without control/format characters or characters Windows forbids."""
    base = re.split(r"[\\/]", nombre)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = " ".join(_RESERVADOS.sub("_", base).split()).strip(" .")
    return _recortar(base or "archivo")


def _recortar(nombre: str) -> str:
    if len(nombre) <= MAX_NOMBRE:
        return nombre
    raiz, punto, ext = nombre.rpartition(".")
    if punto and raiz and len(ext) <= 10:
        return raiz[: MAX_NOMBRE - len(ext) - 1] + "." + ext
    return nombre[:MAX_NOMBRE]


def _con_extension(nombre: str, mime: str) -> str:
    """Make the extension match the content (DIM's systems open turno files by extension)."""
    propias = _EXTENSIONES[mime]
    raiz, punto, ext = nombre.rpartition(".")
    actual = f".{ext.lower()}" if punto and raiz else ""
    if actual in propias:
        return nombre
    conocidas = {e for exts in _EXTENSIONES.values() for e in exts}
    if actual in conocidas:  # a wrong one of ours: replace it
        return _recortar(raiz + propias[0])
    return nombre[: MAX_NOMBRE - len(propias[0])] + propias[0]


def _numero(valor: float) -> str:
    """10.0 → "10", 10.5 → "10,5" (Argentine decimal comma, no useless zeros)."""
    return f"{valor:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _miles(valor: int) -> str:
    return f"{valor:,}".replace(",", ".")
