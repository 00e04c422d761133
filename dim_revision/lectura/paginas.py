"""Bytes of an uploaded file → what can be read: upright, downscaled images, or a PDF's own text.

Nothing here trusts the file: the size comes from the header before any pixel is decoded, a PDF
page without a text layer gives its largest embedded image (a scan), and anything that fails to
decode is reported as `Ilegible` with a Spanish reason instead of raising.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader

from dim_revision.lectura.modelo import Caja, Linea, Pagina

LADO_MAXIMO = 1280  # px: an A4 order at ~110 dpi reads as well as 1600 px, det. in half the time
LADO_MINIMO = 48  # smaller than this is an icon, not an order
MAX_PIXELES = 60_000_000
MAX_PAGINAS = 4  # orders are 1-3 pages; a long PDF is read only at the start
MIN_LETRAS_TEXTO = 20  # a text layer with fewer letters is a scanner's stamp, not the order


class Ilegible(Exception):
    """The file cannot be read; the message is in Spanish."""


@dataclass(frozen=True)
class Hoja:
    """One page to read: an image for the OCR engine, a photo's file still to decode (only
    its header checked: the reader's own process decodes it, issue 19), or a text layer
    already read."""

    imagen: Image.Image | None = None
    texto: Pagina | None = None
    archivo: bytes | None = None


def tipo(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def hojas(data: bytes, lado: int = LADO_MAXIMO, *, decodificar: bool = True) -> list[Hoja]:
    """The pages of a file, or Ilegible. `decodificar=False`: a photo comes back as its file
    (header checked, see `imagen_de`), for an engine that decodes it where it reads."""
    mime = tipo(data)
    if mime is None:
        raise Ilegible("no es una imagen JPG/PNG ni un PDF")
    if mime == "application/pdf":
        return _pdf(data, lado)
    if not decodificar:
        return [Hoja(archivo=data)] if _cabecera(io.BytesIO(data)) else [Hoja()]
    return [Hoja(imagen=_imagen(io.BytesIO(data), lado))]


def imagen_de(archivo: bytes, lado: int = LADO_MAXIMO) -> Image.Image | None:
    """A photo's file → the upright image to read (see `_imagen`), or Ilegible."""
    return _imagen(io.BytesIO(archivo), lado)


def _cabecera(fh: io.BytesIO) -> bool:
    """The size rules from the header alone (no pixel decoded): False for an icon-sized image."""
    try:
        ancho, alto = Image.open(fh).size
    except Exception as exc:
        raise Ilegible("la imagen está dañada o incompleta") from exc
    if ancho * alto > MAX_PIXELES:
        raise Ilegible(f"la imagen es demasiado grande ({ancho}×{alto} píxeles)")
    return min(ancho, alto) >= LADO_MINIMO


def _imagen(fh: io.BytesIO, lado: int) -> Image.Image | None:
    """Upright (EXIF), RGB, at most `lado` px; None for an image too small to hold an order."""
    try:
        img: Image.Image = Image.open(fh)
        ancho, alto = img.size
        if ancho * alto > MAX_PIXELES:
            raise Ilegible(f"la imagen es demasiado grande ({ancho}×{alto} píxeles)")
        if min(ancho, alto) < LADO_MINIMO:
            return None
        img.draft("RGB", (lado, lado))  # JPEG: decode at 1/2, 1/4… straight away
        img = ImageOps.exif_transpose(img)
        img = img.convert("RGB")
        if max(img.size) > lado:
            img.thumbnail((lado, lado), Image.Resampling.LANCZOS)
        return img
    except Ilegible:
        raise
    except Exception as exc:  # Pillow raises many types (and bomb warnings as errors in tests)
        raise Ilegible("la imagen está dañada o incompleta") from exc


def _pdf(data: bytes, lado: int) -> list[Hoja]:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Ilegible("el PDF está protegido con contraseña")
        paginas = list(reader.pages)[:MAX_PAGINAS]
    except Ilegible:
        raise
    except Exception as exc:
        raise Ilegible("el PDF está dañado") from exc
    resultado: list[Hoja] = []
    for page in paginas:
        texto = _capa_de_texto(page)
        if texto is not None:
            resultado.append(Hoja(texto=texto))
            continue
        resultado.append(Hoja(imagen=_mayor_imagen(page, lado)))
    return resultado


def _mayor_imagen(page: Any, lado: int) -> Image.Image | None:
    try:
        imagenes = list(page.images)
    except Exception:
        return None
    mejor: Image.Image | None = None
    for archivo in imagenes:
        try:
            img = archivo.image
        except Exception:
            continue
        if img is not None and (
            mejor is None or img.width * img.height > mejor.width * mejor.height
        ):
            mejor = img
    if mejor is None:
        return None
    buf = io.BytesIO()
    mejor.convert("RGB").save(buf, "PNG")  # back through _imagen: same size rules and downscale
    buf.seek(0)
    return _imagen(buf, lado)


def _capa_de_texto(page: Any) -> Pagina | None:
    """The page's text layer as lines with approximate boxes (PDF points, top-left origin)."""
    try:
        box = page.mediabox
        ancho, alto = float(box.width), float(box.height)
        trozos: list[tuple[float, float, float, str]] = []  # x, y (baseline, bottom-up), size, text

        def visitor(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
            limpio = text.replace("\n", " ").strip()
            if not limpio:
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            escala = abs(tm[3] * cm[3]) or 1.0
            trozos.append((float(x), float(y), float(size) * escala, limpio))

        page.extract_text(visitor_text=visitor)
    except Exception:
        return None
    if sum(ch.isalpha() for *_, t in trozos for ch in t) < MIN_LETRAS_TEXTO:
        return None
    lineas: list[Linea] = []
    for fila in _filas(trozos):
        x0 = min(x for x, *_ in fila)
        y = fila[0][1]
        size = max(s for _, _, s, _ in fila) or 10.0
        texto = " ".join(t for *_, t in sorted(fila))
        x1 = max(x + 0.5 * s * len(t) for x, _, s, t in fila)
        caja: Caja = (
            round(x0),
            round(alto - y - size),
            round(min(ancho, x1)),
            round(alto - y + size * 0.3),
        )
        lineas.append(Linea(texto, 1.0, caja))
    return Pagina(round(ancho), round(alto), tuple(lineas), 0, "pdf")


def _filas(
    trozos: list[tuple[float, float, float, str]],
) -> list[list[tuple[float, float, float, str]]]:
    """Chunks on the same baseline (±30 % of the font size), top to bottom."""
    filas: list[list[tuple[float, float, float, str]]] = []
    for trozo in sorted(trozos, key=lambda t: (-t[1], t[0])):
        if filas and abs(filas[-1][0][1] - trozo[1]) <= max(2.0, 0.3 * trozo[2]):
            filas[-1].append(trozo)
        else:
            filas.append([trozo])
    return filas
