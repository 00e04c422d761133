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
from typing import TYPE_CHECKING, Any, cast

from PIL import Image

from dim_revision.config import IntakeSettings
from dim_revision.errors import ValidationError

if TYPE_CHECKING:  # pypdf costs ~150 ms to import: only when a PDF is checked
    from pypdf import PdfReader

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
    # Readers tolerate the header anywhere in the first KB, which is how HTML or a ZIP passes
    # for a PDF: we require it at the very start.
    if data.startswith(b"%PDF-"):
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
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        return "una página web o un documento XML, no un PDF"
    if b"%PDF-" in data[:1024]:
        return "algo que no empieza como un PDF aunque lo contenga"
    return None


@contextmanager
def _warnings_recorded() -> Iterator[list[warnings.WarningMessage]]:
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


# Pixels per byte of file beyond which the header's dimensions cannot be honest: real photos and
# scans stay far below (a uniform white 12 MP JPEG is ~170, a blank 1-bit page PNG far less
# than the limit); a 49 MP header over 81 KB of data is ~600.
MAX_PIXELES_POR_BYTE = {"JPEG": 400.0, "PNG": 4000.0}
# Decoded bytes we accept to hold in memory for one image (PNG decodes whole; a progressive JPEG
# keeps all its coefficients): keeps intake's peak memory bounded whatever the header says.
MAX_BYTES_DECODIFICADOS = 64 * 1024 * 1024


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
                motivo = _motivo_por_cabecera(etiqueta, img, len(data), fmt, limits)
                if motivo is None:
                    img.verify()
            if motivo is None and not _hay_bomba(caught):
                with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                    if fmt == "JPEG":
                        # Decode every scan but at 1/8 scale: the whole entropy-coded data is
                        # read (so truncation is caught) with 1/64 of the pixel memory.
                        img.draft(img.mode, (max(1, img.size[0] // 8), max(1, img.size[1] // 8)))
                    img.load()
        except Image.DecompressionBombError:
            motivo = enorme
        except Exception:  # untrusted bytes: any decoder failure means the same to the patient
            motivo = danada
        if motivo is None and _hay_bomba(caught):
            motivo = enorme
    if motivo is not None:
        raise ValidationError(motivo)


def _motivo_por_cabecera(
    etiqueta: str, img: Image.Image, tamano: int, fmt: str, limits: IntakeSettings
) -> str | None:
    """Refuse from the header alone, before a single pixel is decoded."""
    ancho, alto = img.size
    pixeles = ancho * alto
    if pixeles > limits.max_pixeles:
        return (
            f"{etiqueta}: la imagen es demasiado grande ({ancho} × {alto} píxeles; "
            f"máximo {_miles(limits.max_pixeles)})"
        )
    if pixeles / max(1, tamano) > MAX_PIXELES_POR_BYTE[fmt]:
        return (
            f"{etiqueta}: la imagen dice medir {ancho} × {alto} píxeles pero pesa sólo "
            f"{max(1, tamano // 1024)} KB: está dañada o fue manipulada"
        )
    bandas = len(img.getbands())
    decodificados = pixeles * bandas * (2 if fmt == "JPEG" else 1)
    progresiva = fmt == "JPEG" and bool(img.info.get("progressive") or img.info.get("progression"))
    if (fmt == "PNG" or progresiva) and decodificados > MAX_BYTES_DECODIFICADOS:
        return (
            f"{etiqueta}: la imagen es demasiado grande para revisarla ({ancho} × {alto} "
            "píxeles); subila en menor resolución o como JPG"
        )
    return None


def _hay_bomba(caught: list[warnings.WarningMessage]) -> bool:
    return any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught)


# PDF "whitespace" (ISO 32000 7.2.2) may follow the final %%EOF; anything else is an appended
# payload (a ZIP, a script) that some readers would still find.
_PDF_BLANCOS = b"\x00\t\n\x0c\r "
_SIN_ACTIVO = "; guardalo o escanealo de nuevo como PDF simple, o subilo como foto"
# Name → why it is refused. Any of these anywhere in the file is enough (hex-escaped too).
_NOMBRES_ACTIVOS = {
    "JavaScript": "el PDF contiene JavaScript",
    "JS": "el PDF contiene JavaScript",
    "Launch": "el PDF intenta abrir un programa (acción Launch)",
    "AA": "el PDF ejecuta acciones automáticas (AA)",
    "EmbeddedFiles": "el PDF trae archivos incrustados",
    "EmbeddedFile": "el PDF trae archivos incrustados",
    "FileAttachment": "el PDF trae archivos incrustados",
    "XFA": "el PDF es un formulario XFA",
    "RichMedia": "el PDF contiene contenido multimedia activo",
    "SubmitForm": "el PDF envía datos a Internet (SubmitForm)",
    "ImportData": "el PDF importa datos externos (ImportData)",
    "GoToE": "el PDF abre documentos incrustados (GoToE)",
}
_NOMBRE_ACTIVO_PLANO = re.compile(
    rb"/("
    + b"|".join(n.encode() for n in sorted(_NOMBRES_ACTIVOS, key=len, reverse=True))
    + rb")(?![A-Za-z0-9#_.+-])"
)
_NOMBRE_ESCAPADO = re.compile(
    rb"/[A-Za-z0-9_.+-]*#[0-9A-Fa-f]{2}(?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})*"
)
_PAGINA_CRUDA = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9#_.+-])")
_OBJSTM_N = re.compile(rb"/ObjStm[^>]{0,200}?/N\s+(\d+)|/N\s+(\d+)[^>]{0,200}?/ObjStm")
# More objects than this is not a scanned order: refused before pypdf parses anything.
MAX_OBJETOS_PDF = 20_000
# Actions allowed as /OpenAction: jumping to a page (what "open at page 1, fit" is).
_ACCIONES_INOFENSIVAS = frozenset({"/GoTo"})


def _inspeccionar_pdf(etiqueta: str, data: bytes, limits: IntakeSettings) -> int:
    danado = f"{etiqueta}: el PDF está dañado o no se puede leer"
    fin = data.rstrip(_PDF_BLANCOS)
    if not fin.endswith(b"%%EOF"):
        if b"%%EOF" in data:
            raise ValidationError(
                f"{etiqueta}: el PDF tiene datos agregados después de su final (%%EOF); "
                "subilo tal como lo generó el escáner o el sistema"
            )
        raise ValidationError(danado)
    _limites_crudos(etiqueta, data, limits)
    activo = _contenido_activo(data)
    if activo is not None:
        raise ValidationError(f"{etiqueta}: {activo}{_SIN_ACTIVO}")
    from pypdf import PdfReader

    motivo: str | None = None
    paginas = 0
    with _warnings_recorded():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                motivo = f"{etiqueta}: el PDF está protegido con contraseña; súbalo sin protección"
            else:
                paginas, motivo = _revisar_estructura(etiqueta, reader, limits)
        except Exception:  # pypdf raises many types for malformed files
            motivo = danado
    if motivo is None and paginas == 0:
        motivo = f"{etiqueta}: el PDF no tiene páginas"
    if motivo is not None:
        raise ValidationError(motivo)
    return paginas


def _limites_crudos(etiqueta: str, data: bytes, limits: IntakeSettings) -> None:
    """Cheap byte counts that keep a huge page tree or object soup away from the parser."""
    paginas = len(_PAGINA_CRUDA.findall(data))
    if paginas > 2 * limits.max_paginas_pdf + 10:  # generous: old versions of edited pages
        raise ValidationError(
            f"{etiqueta}: el PDF tiene {paginas} páginas (máximo {limits.max_paginas_pdf})"
        )
    objetos = data.count(b" obj") + sum(int(a or b) for a, b in _OBJSTM_N.findall(data))
    if objetos > MAX_OBJETOS_PDF:
        raise ValidationError(
            f"{etiqueta}: el PDF es demasiado complejo ({objetos} objetos); "
            "subilo escaneado o como foto"
        )


def _contenido_activo(data: bytes) -> str | None:
    """A pass over the raw bytes for names of active content (also #xx-escaped ones)."""
    m = _NOMBRE_ACTIVO_PLANO.search(data)
    if m is not None:
        return _NOMBRES_ACTIVOS[m.group(1).decode("latin-1")]
    for m in _NOMBRE_ESCAPADO.finditer(data):
        name = re.sub(
            rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m.group()[1:]
        ).decode("latin-1")
        if name in _NOMBRES_ACTIVOS:
            return _NOMBRES_ACTIVOS[name]
    return None


def _revisar_estructura(
    etiqueta: str, reader: PdfReader, limits: IntakeSettings
) -> tuple[int, str | None]:
    """Page count from the tree's /Count (never flattening a huge tree), a bounded walk that
    checks it, and the catalog's and pages' actions (objects in compressed streams included)."""
    raiz: Any = reader.trailer["/Root"].get_object()
    if "/OpenAction" in raiz:
        accion = raiz["/OpenAction"].get_object()
        if hasattr(accion, "get") and accion.get("/S") not in _ACCIONES_INOFENSIVAS:
            return 0, f"{etiqueta}: el PDF ejecuta una acción al abrirse (OpenAction){_SIN_ACTIVO}"
    nombres = raiz.get("/Names")
    if nombres is not None:
        nombres = cast(Any, nombres).get_object()
        for clave in ("/JavaScript", "/EmbeddedFiles"):
            if clave in nombres:
                return 0, f"{etiqueta}: {_NOMBRES_ACTIVOS[clave[1:]]}{_SIN_ACTIVO}"
    formulario = raiz.get("/AcroForm")
    if formulario is not None and "/XFA" in formulario.get_object():
        return 0, f"{etiqueta}: {_NOMBRES_ACTIVOS['XFA']}{_SIN_ACTIVO}"
    arbol: Any = raiz["/Pages"].get_object()
    declaradas = int(arbol.get("/Count", 0))
    if declaradas > limits.max_paginas_pdf:
        return declaradas, (
            f"{etiqueta}: el PDF tiene {declaradas} páginas (máximo {limits.max_paginas_pdf})"
        )
    hojas = 0
    presupuesto = 4 * limits.max_paginas_pdf + 16  # tree nodes we are willing to visit
    pendientes: list[Any] = [arbol]
    while pendientes:
        nodo = pendientes.pop()
        presupuesto -= 1
        if presupuesto < 0:
            return 0, f"{etiqueta}: el PDF está dañado o no se puede leer"
        if "/Kids" in nodo:
            hijos = nodo["/Kids"]
            presupuesto -= len(hijos)
            if presupuesto < 0:
                return 0, f"{etiqueta}: el PDF está dañado o no se puede leer"
            pendientes.extend(k.get_object() for k in hijos)
            presupuesto += len(hijos)
            continue
        hojas += 1
        if "/AA" in nodo:
            return 0, f"{etiqueta}: {_NOMBRES_ACTIVOS['AA']}{_SIN_ACTIVO}"
        for anot in nodo.get("/Annots", None) or []:
            anot = anot.get_object()
            accion = anot.get("/A")
            tipo = accion.get_object().get("/S") if accion is not None else None
            if tipo in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE"):
                return 0, f"{etiqueta}: {_NOMBRES_ACTIVOS[str(tipo)[1:]]}{_SIN_ACTIVO}"
            if "/AA" in anot:
                return 0, f"{etiqueta}: {_NOMBRES_ACTIVOS['AA']}{_SIN_ACTIVO}"
    if hojas != declaradas:
        return 0, f"{etiqueta}: el PDF está dañado o no se puede leer"
    return hojas, None


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
